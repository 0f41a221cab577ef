/* Draw each dashboard figure from its own JSON endpoint, so one slow chart never blocks the rest. */
(function () {
  "use strict";

  // The reader's language for plotly.js (mode bar, month names, decimal mark) and this script's own
  // message, from the data attributes of #dash-locale (no inline script: the CSP allows none).
  var holder = document.getElementById("dash-locale");
  var locale = holder ? JSON.parse(holder.getAttribute("data-plotly-locale") || "{}") : {};
  var failed = (holder && holder.getAttribute("data-chart-failed")) || "This chart could not be loaded.";
  // showSendToCloud: this plotly.js offers "Share chart..." by default, which posts the figure to
  // chart-studio.plotly.com; aggregates never leave the site.
  var config = {
    displaylogo: false, responsive: true, showSendToCloud: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]
  };
  if (locale.dictionary) {
    config.locale = locale.code;
    config.locales = {};
    config.locales[locale.code] = { dictionary: locale.dictionary, format: locale.format };
  }

  function showMessage(slot, text) {
    slot.textContent = "";
    var p = document.createElement("p");
    p.className = "dash-error";
    p.textContent = text;
    slot.appendChild(p);
  }

  function draw(slot) {
    var src = slot.getAttribute("data-figure-src");
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { throw { said: body.message || failed }; }
          return body;
        });
      })
      .then(function (body) {
        slot.textContent = "";
        var figures = body.figures || [body.figure];
        figures.forEach(function (figure) {
          var target = slot;
          if (body.figures) {
            target = document.createElement("div");
            target.className = "dash-chart";
            slot.appendChild(target);
          }
          var layout = figure.layout || {};
          layout.autosize = true;
          window.Plotly.newPlot(target, figure.data, layout, config);
        });
      })
      // The server's own message (in the reader's language) when it sent one, else ours: never a
      // browser's English "Failed to fetch" or a JSON parser's error.
      .catch(function (error) { showMessage(slot, (error && error.said) || failed); });
  }

  function start() {
    if (!window.Plotly) { return; }
    var slots = document.querySelectorAll("[data-figure-src]");
    for (var i = 0; i < slots.length; i++) { draw(slots[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
