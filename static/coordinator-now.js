// The "now" screen: refresh the response count every 10 seconds without reloading the page, and reload
// it when the meeting answers count for changes (a window opens or closes), so the wall never invites
// scanning while the survey is closed. Without JavaScript the page still works: a "Refresh" link.
(function () {
  "use strict";
  var holder = document.querySelector("[data-count-url]");
  if (!holder || !window.fetch) { return; }
  var target = document.getElementById("response-count");
  var url = holder.getAttribute("data-count-url");
  var meeting = holder.getAttribute("data-meeting") || "";
  var hints = document.querySelectorAll(".js-only");
  for (var i = 0; i < hints.length; i++) { hints[i].hidden = false; }

  function refresh() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if ((data.date || "") !== meeting) { window.location.reload(); return; }
        if (target && typeof data.count === "number" && String(data.count) !== target.textContent) {
          target.textContent = String(data.count);
        }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  window.setInterval(refresh, 10000);
})();
