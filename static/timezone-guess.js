// New group form: propose the coordinator's own time zone (from the browser) instead of UTC, when it is offered.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector("select[data-propose-browser-zone]");
  if (!select || !window.Intl || select.value !== "UTC") return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]')) select.value = zone;
});
