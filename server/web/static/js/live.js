// Drover's live regions: an element with data-live-src is drawn again
// when the API's event stream (GET /api/stream, server-sent events)
// reports a change it shows. The page at data-live-src is fetched and the
// element with the same id in it replaces this one. Which events count:
//   data-live-step="<step id>"    only that step's events
//   data-live-build="<build id>"  only that build's events
//   data-live-repo="<repo id>"    only that repository's events
//   data-live-types="build"       only events of these types (space-separated;
//                                 "mirror" for mirrors' changes, when the stream sends them)
//   data-live-wait="<ms>"         gather events this long before fetching
//   data-live-poll="<ms>"         also redraw this often, while the region
//                                 drawn anew still says so (a sync's progress)
// "resync" (events may have been missed) and a reconnect redraw every
// region. data-live-announce on a region is read out (aria-live) when it
// changes. body[data-live-state] says "open" once the stream is connected.
(function () {
  "use strict";
  var regions = {}; // id → {busy, again, timer}

  function wants(el, type, ev) {
    var types = el.getAttribute("data-live-types");
    if (types && types.split(" ").indexOf(type) < 0) return false;
    var step = el.getAttribute("data-live-step");
    var build = el.getAttribute("data-live-build"), repo = el.getAttribute("data-live-repo");
    if (step) return String(ev.step_id) === step;
    if (build) return String(ev.build_id) === build;
    if (repo) return String(ev.repo_id) === repo;
    return true;
  }

  // keyOf names the focused element so that it can be found again in the
  // region drawn anew.
  function keyOf(node) {
    if (!node || node === document.body) return null;
    if (node.id) return "#" + CSS.escape(node.id);
    if (node.tagName === "A" && node.getAttribute("href")) return 'a[href="' + CSS.escape(node.getAttribute("href")) + '"]';
    return null;
  }

  function announce(text) {
    var out = document.getElementById("live-announce");
    if (out && text) out.textContent = text;
  }

  function draw(id) {
    var el = document.getElementById(id);
    var st = regions[id];
    if (!el || !st) return;
    if (st.busy) { st.again = true; return; }
    st.busy = true;
    st.again = false;
    fetch(el.getAttribute("data-live-src"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var old = document.getElementById(id);
        if (!fresh || !old) return;
        var focus = old.contains(document.activeElement) ? keyOf(document.activeElement) : null;
        var before = old.getAttribute("data-live-announce");
        var node = document.importNode(fresh, true);
        old.replaceWith(node);
        if (focus) {
          var again = node.querySelector(focus);
          if (again) again.focus();
        }
        var after = node.getAttribute("data-live-announce");
        if (after && after !== before) announce(after);
        document.dispatchEvent(new CustomEvent("drover:live-drawn", { detail: { id: id } }));
        poll(node);
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        st.busy = false;
        if (st.again) schedule(id);
      });
  }

  function schedule(id) {
    var st = regions[id], el = document.getElementById(id);
    if (!st || !el || st.timer) return;
    var wait = parseInt(el.getAttribute("data-live-wait") || "200", 10);
    st.timer = setTimeout(function () { st.timer = null; draw(id); }, wait);
  }

  // poll redraws the region after data-live-poll milliseconds, if it has one.
  function poll(el) {
    var ms = parseInt(el.getAttribute("data-live-poll") || "0", 10);
    if (ms > 0) setTimeout(function () { draw(el.id); }, ms);
  }

  function each(fn) {
    var list = document.querySelectorAll("[data-live-src][id]");
    for (var i = 0; i < list.length; i++) fn(list[i]);
  }

  var es = null, lost = false;

  // connect opens the stream (again). A page left is not kept connected:
  // browsers allow a few connections per server, and a page kept in the
  // back/forward cache would hold one.
  function connect(src) {
    es = new EventSource(src);
    var onEvent = function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      each(function (el) { if (wants(el, e.type, ev)) schedule(el.id); });
    };
    ["build", "stage", "step", "mirror"].forEach(function (t) { es.addEventListener(t, onEvent); });
    es.addEventListener("resync", function () { each(function (el) { schedule(el.id); }); });
    es.addEventListener("open", function () {
      document.body.setAttribute("data-live-state", "open");
      if (lost) each(function (el) { schedule(el.id); });
      lost = false;
    });
    es.addEventListener("error", function () {
      lost = true;
      document.body.setAttribute("data-live-state", "lost");
    });
  }

  function start() {
    var src = document.body.getAttribute("data-stream");
    each(function (el) { regions[el.id] = { busy: false, again: false, timer: null }; poll(el); });
    if (!src || !window.EventSource || Object.keys(regions).length === 0) return;
    connect(src);
    window.addEventListener("pagehide", function () {
      if (es) es.close();
      es = null;
    });
    window.addEventListener("pageshow", function (e) {
      if (!e.persisted || es) return;
      lost = true; // what changed meanwhile is drawn once connected
      connect(src);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
