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
      // Biomarkers (marked as above): once the site is chosen, a section named
      // for another site is not shown, and a test of it that this site reads
      // moves to the catch-all section, in a fixed order (as the server does).
      var groups = more.querySelectorAll("details.bio-group");
      var catchAll = null;
      groups.forEach(function (g) { if (!g.hasAttribute("data-own")) { catchAll = g; } });
      var bios = Array.prototype.slice.call(more.querySelectorAll("fieldset.bio"));
      bios.sort(function (a, b) { return a.getAttribute("data-i") - b.getAttribute("data-i"); });
      bios.forEach(function (el) {
        var home = groups[+el.getAttribute("data-home")];
        var own = home.getAttribute("data-own");
        var to = !el.hidden && own && own !== site && catchAll ? catchAll : home;
        to.querySelector(".inner").appendChild(el);
      });
      groups.forEach(function (g) { g.hidden = !g.querySelector("fieldset.bio:not([hidden])"); });
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
  // Back from the results keeps every answer. Just before the form is sent,
  // the answers so far are sealed (POST /check, nothing stored) and the sealed
  // address replaces this page's own in the history, so Back reloads it with
  // the answers filled in. Typed answers are then kept out of the browser's
  // autofill memory. Without this script the browser restores the form itself.
  if (form && window.fetch && window.URLSearchParams && window.FormData) {
    form.querySelectorAll("input[type=text]").forEach(function (i) { i.setAttribute("autocomplete", "off"); });
    var sealed = false;
    window.addEventListener("pageshow", function () { sealed = false; });
    form.addEventListener("submit", function (e) {
      if (sealed || (e.submitter && e.submitter.name === "_next")) { return; }
      e.preventDefault();
      sealed = true;
      var body = new URLSearchParams(new FormData(form));
      body.append("_seal", "1");
      var go = function () { form.submit(); };
      fetch("/check", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (to) { if (to.indexOf("/check?a=") === 0) { history.replaceState(null, "", to); } })
        .then(go, go);
    });
  }
  // "Who is this for?": the questions speak to the person or of them, in place.
  // Each question that differs carries both wordings (data-self, data-carer), as does the
  // disclaimer under the form.
  if (form) {
    var voice = function () {
      var c = form.querySelector("input[name=for]:checked");
      var key = c && c.value === "carer" ? "data-carer" : "data-self";
      document.querySelectorAll("[data-carer]").forEach(function (el) { el.textContent = el.getAttribute(key); });
    };
    form.querySelectorAll("input[name=for]").forEach(function (r) { r.addEventListener("change", voice); });
    window.addEventListener("pageshow", voice);
    voice();
  }
  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
