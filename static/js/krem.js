// Small progressive enhancements. Every page works without this file.
(function () {
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.target); });
})();
