/*
 * engine/server/pages/board.js: the live part of a sale's public board.
 * Long-polls /sales/ID/watch (the API's watch, numbers only) and, when a
 * new entry arrives, reloads the page's live section and bid list from the
 * same public page (so the page shows only what the stylesheet shows).
 * Without JavaScript the page is complete, only not live.
 */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) { return; }
  var sale = live.getAttribute("data-sale");
  var last = -1;
  var offset = 0;

  function countdown() {
    var el = document.getElementById("live-countdown");
    if (!el) { return; }
    var ends = Date.parse(el.getAttribute("data-ends"));
    var left = Math.max(0, Math.round((ends - (Date.now() + offset)) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
  }

  function syncClock() {
    var el = document.getElementById("live-countdown");
    if (el) { offset = Date.parse(el.getAttribute("data-now")) - Date.now(); }
  }

  function refresh() {
    return fetch(window.location.href, { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["live", "live-history"].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
        });
        live = document.getElementById("live");
        syncClock();
        countdown();
      });
  }

  function poll() {
    fetch("/sales/" + encodeURIComponent(sale) + "/watch?after=" + Math.max(last, 0),
        { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var x = new DOMParser().parseFromString(text, "application/xml");
        var w = x.documentElement;
        if (!w || w.localName !== "watch") { throw new Error("no watch"); }
        var seen = last;
        if (w.getAttribute("last")) { last = parseInt(w.getAttribute("last"), 10); }
        var done = w.getAttribute("closed") === "yes";
        var p = (seen >= 0 && last > seen) ? refresh() : Promise.resolve();
        return p.then(function () { if (!done) { poll(); } });
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  syncClock();
  countdown();
  setInterval(countdown, 1000);
  poll();
})();
