/* Draw each dashboard figure from its own JSON endpoint, so one slow chart never blocks the rest. */
(function () {
  "use strict";

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
          if (!response.ok) { throw new Error(body.message || "This chart could not be loaded."); }
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
          window.Plotly.newPlot(target, figure.data, layout, {
            displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"]
          });
        });
      })
      .catch(function (error) { showMessage(slot, error.message); });
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
