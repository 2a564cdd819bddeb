// Small progressive enhancements. Every page works without this file.
(function () {
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.target); });

  // "Add row" buttons of a Django formset (data-formset-prefix): ask the server for the row with the
  // next index, and count it in the management form. Without JavaScript the button posts the form instead.
  document.addEventListener("htmx:configRequest", function (event) {
    var prefix = event.detail.elt.dataset.formsetPrefix;
    if (!prefix) return;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    event.detail.parameters["index"] = total.value;
    total.value = parseInt(total.value, 10) + 1;
  });
})();
