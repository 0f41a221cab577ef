/* Service worker for the participant pages (scope "/"): the survey page, privacy notice and help page
   network-first, their own CSS/JS stale-while-revalidate, so the survey opens again without a connection
   after the first visit; answers saved on the phone are sent by Background Sync where the browser
   has it (Chromium). Nothing else is touched: every other request goes straight to the network. */
"use strict";
importScripts("/static/participant/offline.js");

var offline = self.surveyOffline;
var PAGES = /^\/(s\/[^/]+|privacy|help)\/?$/;
var ASSETS = /^\/static\/(site|participant)[./]/; // the participant pages' own CSS and JS, nothing of the coordinators'

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== offline.CACHE; }).map(function (key) {
      return caches.delete(key);
    }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGES.test(url.pathname)) {
    event.respondWith(networkFirst(event));
  } else if (ASSETS.test(url.pathname)) {
    event.respondWith(staleWhileRevalidate(event));
  }
});

/* Background Sync (Chromium only; other browsers send on `online` and on the next page load). Open pages
   are told what was sent; a rejection while answers still wait asks the browser to try again later. */
self.addEventListener("sync", function (event) {
  if (event.tag !== offline.SYNC_TAG) return;
  event.waitUntil(offline.flushAndDescribe().then(function (result) {
    return self.clients.matchAll({ type: "window" }).then(function (windows) {
      if (result.records.length) windows.forEach(function (page) { page.postMessage({ surveySent: result.records }); });
      if (result.waiting) throw new Error("answers still waiting for a connection");
    });
  }));
});

/* Fetch and keep a copy of every successful answer (never a 404, 410 or redirect). */
function fetchAndKeep(event) {
  return fetch(event.request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      event.waitUntil(caches.open(offline.CACHE).then(function (cache) { return cache.put(event.request, copy); }));
    }
    return response;
  });
}

function networkFirst(event) {
  return fetchAndKeep(event).catch(function (error) {
    return caches.match(event.request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      throw error;
    });
  });
}

function staleWhileRevalidate(event) {
  var fresh = fetchAndKeep(event);
  event.waitUntil(fresh.catch(function () {}));
  return caches.match(event.request, { ignoreVary: true }).then(function (hit) { return hit || fresh; });
}
