/* NHCS: the small behaviours of every page, as a static file (the Content-Security-Policy allows no inline
   script or handler attribute):
   - [data-autosubmit]: a select that submits its form when changed (the header's language switcher);
   - [data-copy]: a button that copies its data-copy text to the clipboard and shows a tick. */
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (el) {
    el.addEventListener("click", function () {
      if (navigator.clipboard) navigator.clipboard.writeText(el.dataset.copy);
      el.textContent = "\u2713";
    });
  });
})();
