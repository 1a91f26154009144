// Hepatica: small progressive enhancement. Every page works without this file.
(function () {
  "use strict";
  // Show "Print or save" buttons and make them print.
  document.querySelectorAll(".js-print").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
