// Drover's page script: the theme (the system's, or the one chosen with
// the toggle, kept in localStorage), set before the page is drawn; and
// forms marked data-autosubmit sent as soon as the page is read.
(function () {
  "use strict";
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("drover-theme"); } catch (e) { /* storage refused */ }
  if (saved === "light" || saved === "dark") root.setAttribute("data-theme", saved);

  function current() {
    var t = root.getAttribute("data-theme");
    if (t) return t;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A form that hands something on at once (the CLI login's token).
    var auto = document.querySelector("form[data-autosubmit]");
    if (auto) auto.submit();
    var btn = document.getElementById("theme-toggle");
    if (!btn) return;
    var show = function () {
      var dark = current() === "dark";
      btn.setAttribute("aria-pressed", dark ? "true" : "false");
      btn.textContent = dark ? "Light theme" : "Dark theme";
    };
    show();
    btn.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("drover-theme", next); } catch (e) { /* storage refused */ }
      show();
    });
  });
})();
