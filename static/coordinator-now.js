// The "now" screen: refresh the response count every 10 seconds without reloading the page.
// Without JavaScript the page still works: it shows the count and a "Refresh the count" link.
(function () {
  "use strict";
  var holder = document.querySelector("[data-count-url]");
  var target = document.getElementById("response-count");
  if (!holder || !target || !window.fetch) { return; }
  var url = holder.getAttribute("data-count-url");
  var hints = document.querySelectorAll(".js-only");
  for (var i = 0; i < hints.length; i++) { hints[i].hidden = false; }

  function refresh() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && typeof data.count === "number" && String(data.count) !== target.textContent) {
          target.textContent = String(data.count);
        }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  window.setInterval(refresh, 10000);
})();
