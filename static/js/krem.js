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

  // A bounded select's search (BoundedSelect, kremlib/widgets.py) is hidden and disabled without JavaScript, where
  // it could do nothing. Here it is shown; its typing asks the lookup view alone (not a filter form's own htmx
  // around it), Enter in it submits nothing, and no other request sends it along.
  function enableBoundedSearch(root) {
    root.querySelectorAll("[data-bounded-search][hidden]").forEach(function (box) {
      var input = box.querySelector("input");
      box.hidden = false;
      input.disabled = false;
      ["input", "change", "search"].forEach(function (type) {
        input.addEventListener(type, function (event) { event.stopPropagation(); });
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enableBoundedSearch(document); });
  document.addEventListener("htmx:load", function (event) { enableBoundedSearch(event.detail.elt); });
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.closest("[data-bounded-search]")) return;
    Object.keys(event.detail.parameters).forEach(function (key) {
      if (key.endsWith("__search")) delete event.detail.parameters[key];
    });
  });
})();
