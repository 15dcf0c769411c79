// Drover's log viewer. The log is as tall as all its lines (a spacer of
// lines × a fixed line height), but only the lines in view, and a margin
// around them, are in the DOM; their text is fetched from the API page by
// page as they come into view. Lines link to themselves (#L12, #L12-L20),
// search runs over the lines (fetching the rest of the log first), follow
// mode appends the lines of a running step from the API's event stream.
// Text is always escaped before the ANSI colours' spans (classes only)
// are added, so a line is shown as text whatever it holds.
(function () {
  "use strict";

  var LH = 20; // px per line: .ll's height in app.css
  var PAGE = 1000; // lines per request while scrolling
  var BULK = 10000; // lines per request before a search (the API's maximum)
  var OVERSCAN = 40; // lines drawn above and below the view
  var MAX_MATCHES = 100000;

  var box = document.getElementById("log");
  if (!box) return;
  var spacer = box.querySelector(".log-spacer");
  var win = box.querySelector(".log-window");
  var src = box.getAttribute("data-src");
  var streamURL = box.getAttribute("data-stream");
  var total = parseInt(box.getAttribute("data-total"), 10) || 0;
  var live = box.getAttribute("data-live") === "true";

  var raw = []; // raw[i]: line i's text as stored (undefined: not fetched)
  var times = []; // times[i]: ms since the step started
  var plain = []; // plain[i]: line i without escape sequences (search)
  var pending = {}; // page number → true while it is being fetched
  var sel = null; // [first, last] selected lines, 0-based
  var query = "";
  var matches = []; // [line, start] of every match, in order
  var cur = -1; // the current match
  var drawQueued = false;

  function withQuery(url, q) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + q;
  }

  // --- text (the ANSI reader is ansi.js) -----------------------------------

  var parse = window.DroverANSI.parse;
  var escapeHTML = window.DroverANSI.escapeHTML;

  function plainText(i) {
    if (plain[i] === undefined && raw[i] !== undefined) plain[i] = parse(raw[i]).text;
    return plain[i];
  }

  // lineHTML is line i's content: each run's text escaped, then wrapped
  // in its classes' span, with the search's matches marked.
  function lineHTML(i) {
    var p = parse(raw[i]);
    var marks = [];
    if (query) {
      var lower = p.text.toLowerCase(), at = lower.indexOf(query);
      while (at >= 0) {
        var now = cur >= 0 && matches[cur][0] === i && matches[cur][1] === at;
        marks.push([at, at + query.length, now]);
        at = lower.indexOf(query, at + query.length);
      }
    }
    var out = "";
    for (var r = 0; r < p.runs.length; r++) {
      var run = p.runs[r], piece = "";
      var pos = run[0];
      for (var k = 0; k < marks.length && pos < run[1]; k++) {
        var mk = marks[k];
        if (mk[1] <= pos || mk[0] >= run[1]) continue;
        var a = Math.max(mk[0], pos), b = Math.min(mk[1], run[1]);
        piece += escapeHTML(p.text.slice(pos, a));
        piece += (mk[2] ? '<mark class="now">' : "<mark>") + escapeHTML(p.text.slice(a, b)) + "</mark>";
        pos = b;
      }
      piece += escapeHTML(p.text.slice(pos, run[1]));
      out += run[2] ? '<span class="' + run[2] + '">' + piece + "</span>" : piece;
    }
    return out;
  }

  function clock(ms) {
    var s = Math.floor((ms || 0) / 1000);
    var m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // --- drawing ------------------------------------------------------------

  function resize() {
    spacer.style.height = total * LH + "px";
  }

  function queueDraw() {
    if (drawQueued) return;
    drawQueued = true;
    window.requestAnimationFrame(function () { drawQueued = false; draw(); });
  }

  function draw() {
    var top = box.scrollTop, height = box.clientHeight;
    var first = Math.max(0, Math.floor(top / LH) - OVERSCAN);
    var last = Math.min(total, Math.ceil((top + height) / LH) + OVERSCAN);
    var html = [];
    for (var i = first; i < last; i++) {
      var n = i + 1;
      var selected = sel && i >= sel[0] && i <= sel[1];
      html.push('<div class="ll' + (selected ? " sel" : "") + '" id="L' + n + '"><a class="ln" href="#L' + n + '">' + n +
        '</a><span class="lt">' + (raw[i] !== undefined ? clock(times[i]) : "") + "</span>" +
        (raw[i] !== undefined ? lineHTML(i) : "") + "</div>");
    }
    win.style.transform = "translateY(" + first * LH + "px)";
    win.innerHTML = html.join("");
    marks(first, last);
    want(first, last);
  }

  // marks records, for the benchmarks, when the first screen of lines
  // and the last line were first drawn (performance marks).
  var marked = {};
  function marks(first, last) {
    if (!window.performance || !performance.mark) return;
    if (!marked.first && last > first && raw[first] !== undefined) { marked.first = true; performance.mark("drover-log-first-drawn"); }
    if (!marked.last && total > 0 && last === total && raw[total - 1] !== undefined) { marked.last = true; performance.mark("drover-log-last-drawn"); }
  }

  // --- fetching -----------------------------------------------------------

  // fetchLines reads lines [from, to) from the API, following cut pages.
  function fetchLines(from, to) {
    return fetch(withQuery(src, "offset=" + from + "&limit=" + Math.min(BULK, to - from)), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (res) {
      if (!res.ok) throw new Error("GET log lines: " + res.status);
      return res.json();
    }).then(function (list) {
      var end = from;
      for (var k = 0; k < list.length; k++) {
        var l = list[k];
        raw[l.pos] = l.out;
        times[l.pos] = l.time;
        end = l.pos + 1;
      }
      if (end > total) { total = end; resize(); }
      if (list.length > 0 && end < to) return fetchLines(end, to);
      return null;
    });
  }

  function loaded(from, to) {
    for (var i = from; i < to; i++) if (raw[i] === undefined) return false;
    return true;
  }

  // want fetches the pages of lines [first, last) not yet fetched.
  function want(first, last) {
    for (var p = Math.floor(first / PAGE); p * PAGE < last; p++) {
      var from = p * PAGE, to = Math.min(total, from + PAGE);
      if (pending[p] || loaded(from, to)) continue;
      pending[p] = true;
      fetchLines(from, to).then(queueDraw, report).then(done(p), done(p));
    }
  }

  function done(p) { return function () { delete pending[p]; }; }

  function report(err) {
    count.textContent = "Could not read the log: " + err.message;
  }

  // fetchAll fetches every line not yet fetched, BULK at a time.
  function fetchAll() {
    var from = 0;
    function next() {
      while (from < total && loaded(from, Math.min(total, from + BULK))) from += BULK;
      if (from >= total) return Promise.resolve();
      var to = Math.min(total, from + BULK);
      return fetchLines(from, to).then(function () { from = to; return next(); });
    }
    return next();
  }

  // --- line links ---------------------------------------------------------

  function readHash() {
    var m = /^#L(\d+)(?:-L?(\d+))?$/.exec(window.location.hash);
    if (!m) return false;
    var a = parseInt(m[1], 10) - 1, b = m[2] ? parseInt(m[2], 10) - 1 : a;
    if (a >= total) return false;
    sel = [Math.min(a, b), Math.min(Math.max(a, b), total - 1)];
    box.scrollTop = Math.max(0, sel[0] * LH - box.clientHeight / 3);
    queueDraw();
    return true;
  }

  win.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.ln") : null;
    if (!a) return;
    ev.preventDefault();
    var i = parseInt(a.textContent, 10) - 1;
    sel = ev.shiftKey && sel ? [Math.min(sel[0], i), Math.max(sel[1], i)] : [i, i];
    var hash = "#L" + (sel[0] + 1) + (sel[1] > sel[0] ? "-L" + (sel[1] + 1) : "");
    window.history.replaceState(null, "", hash);
    queueDraw();
  });
  window.addEventListener("hashchange", readHash);

  // --- search -------------------------------------------------------------

  var input = document.getElementById("log-q");
  var count = document.getElementById("log-count");
  var searchSeq = 0;

  function search(q) {
    var seq = ++searchSeq;
    query = q.toLowerCase();
    matches = [];
    cur = -1;
    if (!query) { count.textContent = ""; queueDraw(); return; }
    count.textContent = "Searching…";
    fetchAll().then(function () {
      if (seq !== searchSeq) return;
      for (var i = 0; i < total && matches.length < MAX_MATCHES; i++) {
        var t = plainText(i);
        if (t === undefined) continue;
        t = t.toLowerCase();
        for (var at = t.indexOf(query); at >= 0 && matches.length < MAX_MATCHES; at = t.indexOf(query, at + query.length)) {
          matches.push([i, at]);
        }
      }
      if (matches.length === 0) { count.textContent = "No match"; queueDraw(); return; }
      var top = Math.floor(box.scrollTop / LH);
      cur = 0;
      while (cur < matches.length - 1 && matches[cur][0] < top) cur++;
      show();
    }, report);
  }

  function show() {
    count.textContent = (cur + 1) + " of " + matches.length + (matches.length >= MAX_MATCHES ? "+" : "");
    var line = matches[cur][0];
    var top = box.scrollTop, height = box.clientHeight;
    if (line * LH < top || (line + 1) * LH > top + height) box.scrollTop = Math.max(0, line * LH - height / 2);
    queueDraw();
  }

  function step(d) {
    if (matches.length === 0) return;
    cur = (cur + d + matches.length) % matches.length;
    show();
  }

  var timer = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(input.value); }, 250);
  });
  document.getElementById("log-search").addEventListener("submit", function (ev) { ev.preventDefault(); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    if (input.value.toLowerCase() !== query) { window.clearTimeout(timer); search(input.value); return; }
    step(ev.shiftKey ? -1 : 1);
  });
  document.getElementById("log-next").addEventListener("click", function () { step(1); });
  document.getElementById("log-prev").addEventListener("click", function () { step(-1); });

  // --- tools, follow mode -------------------------------------------------

  var timesBox = document.getElementById("log-times");
  timesBox.addEventListener("change", function () { box.classList.toggle("times", timesBox.checked); });
  function toEnd() { box.scrollTop = box.scrollHeight; queueDraw(); }
  document.getElementById("log-end").addEventListener("click", function () { toEnd(); box.focus(); });
  box.addEventListener("scroll", queueDraw, { passive: true });
  window.addEventListener("resize", queueDraw);

  var follow = document.getElementById("log-follow");
  if (live && streamURL && window.EventSource) {
    var es = new EventSource(withQuery(streamURL, "offset=" + total));
    es.addEventListener("line", function (ev) {
      var l;
      try { l = JSON.parse(ev.data); } catch (e) { return; }
      raw[l.pos] = l.out;
      times[l.pos] = l.time;
      delete plain[l.pos];
      if (l.pos + 1 > total) { total = l.pos + 1; resize(); }
      if (follow && follow.checked) toEnd(); else queueDraw();
    });
    es.addEventListener("end", function () {
      es.close();
      live = false;
      if (follow) follow.parentNode.hidden = true;
    });
  }

  resize();
  if (!readHash()) {
    if (live && follow && follow.checked) toEnd(); else queueDraw();
  }
  box.setAttribute("data-ready", "true");
})();
