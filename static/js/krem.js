// Small progressive enhancements. Every page works without this file.
(function () {
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });

  // A list page's filters (list_page.html) fold away on a phone, so the results are above the fold; they stay
  // open when a filter is set, and wherever the screen is wide (CSS hides the summary there).
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 50rem)").matches) return;
    document.querySelectorAll("details[data-fold-narrow]:not([data-filtered])").forEach(function (details) {
      details.open = false;
    });
  });
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
