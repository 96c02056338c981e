// Live progress of one job over Server-Sent Events (the studio's cookie-authenticated
// copy of GET /v1/jobs/{id}/events). The page is complete without this script; it only
// keeps the numbers current. The stream starts after the last event the page already shows
// (data-after, and the last id this tab saw, kept per job in sessionStorage), so a reload
// resumes where the page left off; EventSource itself sends Last-Event-ID when it
// reconnects after a dropped connection or a server restart.
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section || !window.EventSource) { return; }
  var job = section.dataset.job;
  var shown = section.dataset.status;
  var storeKey = "aiprod.lastEvent." + job;
  var live = document.getElementById("live");
  var labels = { awaiting_review: "awaiting review" };
  var reloadOn = { awaiting_review: 1, succeeded: 1, failed: 1, dead: 1, canceled: 1 };

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = value; }
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return "\u2014"; }
    var whole = Math.max(0, Math.round(seconds));
    var minutes = Math.floor(whole / 60);
    return minutes ? minutes + " min " + (whole % 60) + " s" : whole + " s";
  }
  function progress(value) {
    var bar = document.getElementById("bar");
    if (bar) { bar.value = value; }
    text("percent", Math.round(value * 100) + " %");
  }
  function status(name) {
    var node = document.getElementById("status");
    if (node) {
      node.textContent = labels[name] || name;
      node.className = "status status-" + name;
    }
    if (name !== "queued") { text("queue", "\u2014"); }
  }
  function remember(event) {
    if (event.lastEventId) {
      try { sessionStorage.setItem(storeKey, event.lastEventId); } catch (ignored) { /* private mode */ }
    }
  }
  function reloadSoon() {
    source.close();
    window.setTimeout(function () { window.location.reload(); }, 300);
  }

  // Start after the last event the server had when it drew this page (or a later one this
  // tab already saw): nothing missed, nothing replayed.
  var after = /^\d+$/.test(section.dataset.after || "") ? Number(section.dataset.after) : 0;
  try {
    var stored = sessionStorage.getItem(storeKey);
    if (stored && /^\d+$/.test(stored)) { after = Math.max(after, Number(stored)); }
  } catch (ignored) { /* storage refused: the server's id is enough */ }
  var url = section.dataset.events + (after > 0 ? "?after=" + after : "");
  var source = new EventSource(url);

  source.addEventListener("open", function () { live.textContent = "Live updates on."; });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) {  // refused (signed out): no retry
      live.textContent = "Live updates stopped; reload the page.";
    } else {
      live.textContent = "Live updates interrupted; reconnecting\u2026";
    }
  });
  source.addEventListener("status", function (event) {
    remember(event);
    var data = JSON.parse(event.data);
    status(data.to);
    if (reloadOn[data.to] && data.to !== shown) { reloadSoon(); }
  });
  function stage(name) {
    var items = document.querySelectorAll("#stages li");
    var at = -1;
    for (var i = 0; i < items.length; i += 1) {
      if (items[i].dataset.stage === name) { at = i; }
    }
    if (at < 0) { return; }  // a stage this page does not list
    for (var k = 0; k < items.length; k += 1) {
      items[k].className = k < at ? "done" : (k === at ? "current" : "todo");
      if (k === at) { items[k].setAttribute("aria-current", "step"); } else { items[k].removeAttribute("aria-current"); }
    }
  }
  source.addEventListener("progress", function (event) {
    var data = JSON.parse(event.data);
    if (data.stage) { text("stage", data.stage); stage(data.stage); }
    if (typeof data.progress === "number") { progress(data.progress); }
    if ("eta_seconds" in data) { text("eta", duration(data.eta_seconds)); }
  });
  source.addEventListener("end", function (event) {
    var data = JSON.parse(event.data);
    status(data.status);
    progress(data.progress);
    live.textContent = "Finished.";
    if (data.status !== shown) { reloadSoon(); } else { source.close(); }
  });
})();
