// Copy buttons: <button data-copy-target="ID" data-copied-message="…" hidden>. The button shows only with
// JavaScript; without it the address stays in its (read-only, selectable) field to copy by hand.
(function () {
  function status(button, text) {
    var box = button.parentNode.querySelector(".copy-status");
    if (box) box.textContent = text;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var field = document.getElementById(button.dataset.copyTarget);
        if (!field) return;
        var done = function () { status(button, button.dataset.copiedMessage || ""); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
        } else {
          field.select();
          try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
        }
      });
    });
  });
})();
