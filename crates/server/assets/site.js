// Hepatica: small progressive enhancement. Every page works without this file.
(function () {
  "use strict";
  // Show "Print or save" buttons and make them print.
  document.querySelectorAll(".js-print").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // The questionnaire: ask only the chosen primary site's questions, in place.
  // Without this script, "Next" reloads the form for the site (same result).
  var form = document.querySelector("form[action='/results']");
  var more = document.getElementById("more-questions");
  if (form && more) {
    var chosen = function () {
      var c = form.querySelector("input[name=primary_site]:checked");
      return c ? c.value : null;
    };
    var apply = function () {
      var site = chosen();
      if (!site) { return; }
      more.hidden = false;
      document.querySelectorAll(".js-hide").forEach(function (b) { b.hidden = true; });
      form.querySelectorAll("[data-sites]").forEach(function (el) {
        var on = el.getAttribute("data-sites").split(" ").indexOf(site) >= 0;
        el.hidden = !on;
        if (el.tagName === "FIELDSET") { el.disabled = !on; }
        else { el.querySelectorAll("input").forEach(function (i) { i.disabled = !on; }); }
      });
      var steps = [];
      more.querySelectorAll("fieldset.step").forEach(function (st) {
        var any = false;
        st.querySelectorAll(".question").forEach(function (q) {
          var h = q.parentElement.closest("[hidden]");
          if (!h || h === st) { any = true; }
        });
        st.hidden = !any;
        if (any) { steps.push(st); }
      });
      steps.forEach(function (st, i) {
        var no = st.querySelector(".step-no");
        if (no) { no.textContent = "Part " + (i + 1) + " of " + steps.length; }
      });
    };
    form.querySelectorAll("input[name=primary_site]").forEach(function (r) { r.addEventListener("change", apply); });
    window.addEventListener("pageshow", apply);
    apply();
  }
  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
