// Drover's ANSI reader for the log viewer (log.js): a line's text
// without escape sequences, and the runs of it that carry colours and
// styles, as class names (never style attributes, which the pages'
// Content-Security-Policy forbids). escapeHTML makes text safe to add
// to HTML; the viewer escapes every run before wrapping it in a span.
window.DroverANSI = (function () {
  "use strict";

  var ESC_HTML = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHTML(s) {
    return s.replace(/[&<>"']/g, function (c) { return ESC_HTML[c]; });
  }

  // parse turns a line into its text without escape sequences and the
  // runs of that text with their ANSI classes: {text, runs: [[from, to, cls]]}.
  // A carriage return starts the line again (progress bars).
  function parse(line) {
    var cr = line.lastIndexOf("\r", line.length - 2);
    if (cr >= 0) line = line.slice(cr + 1);
    var text = "", runs = [], cls = "";
    var st = { b: false, d: false, i: false, u: false, f: -1, g: -1 };
    var re = /\x1b\[([0-9;?]*)([ -\/]*)([@-~])|\x1b[@-Z\\-_]?|[\x00-\x08\x0b-\x1f\x7f]/g;
    var last = 0, m;
    function push(s) {
      if (!s) return;
      var from = text.length;
      text += s;
      var prev = runs[runs.length - 1];
      if (prev && prev[1] === from && prev[2] === cls) prev[1] = text.length;
      else runs.push([from, text.length, cls]);
    }
    while ((m = re.exec(line)) !== null) {
      push(line.slice(last, m.index));
      last = re.lastIndex;
      if (m[3] === "m" && !m[2]) {
        sgr(st, m[1]);
        cls = classes(st);
      }
    }
    push(line.slice(last));
    return { text: text, runs: runs };
  }

  // sgr applies a Select Graphic Rendition's parameters to the state.
  function sgr(st, params) {
    var p = params === "" ? [0] : params.split(";").map(function (x) { return parseInt(x, 10) || 0; });
    for (var k = 0; k < p.length; k++) {
      var n = p[k];
      if (n === 0) { st.b = st.d = st.i = st.u = false; st.f = st.g = -1; }
      else if (n === 1) st.b = true;
      else if (n === 2) st.d = true;
      else if (n === 3) st.i = true;
      else if (n === 4) st.u = true;
      else if (n === 22) st.b = st.d = false;
      else if (n === 23) st.i = false;
      else if (n === 24) st.u = false;
      else if (n >= 30 && n <= 37) st.f = n - 30;
      else if (n === 39) st.f = -1;
      else if (n >= 40 && n <= 47) st.g = n - 40;
      else if (n === 49) st.g = -1;
      else if (n >= 90 && n <= 97) st.f = n - 90 + 8;
      else if (n >= 100 && n <= 107) st.g = n - 100;
      else if ((n === 38 || n === 48) && p[k + 1] === 5) {
        var c = p[k + 2];
        if (c >= 0 && c < 16) { if (n === 38) st.f = c; else st.g = c % 8; }
        k += 2;
      } else if ((n === 38 || n === 48) && p[k + 1] === 2) {
        k += 4; // true colour: not drawn
      }
    }
  }

  function classes(st) {
    var c = [];
    if (st.b) c.push("a-b");
    if (st.d) c.push("a-d");
    if (st.i) c.push("a-i");
    if (st.u) c.push("a-u");
    if (st.f >= 0) c.push("a-f" + st.f);
    if (st.g >= 0) c.push("a-g" + st.g);
    return c.join(" ");
  }

  return { parse: parse, escapeHTML: escapeHTML };
})();
