/* Participant pages, progressive enhancement (the form works without it):
   - sends the survey form with fetch; when the network fails, keeps the answers on this phone
     (IndexedDB, keyed by the form's idempotency token) and sends them on `online`, on every page load
     and by Background Sync where the browser has it; an entry leaves the phone only after a 2xx/3xx;
   - counts the required questions still unanswered;
   - keeps the participant's own last scores in localStorage and shows them on this phone only.
   Also loaded by /sw.js (importScripts) for the queue alone. Texts come from data-* attributes,
   so they are in the page's language. */
(function (scope) {
  "use strict";
  var CACHE = "survey-v1", SYNC_TAG = "survey-queue", KEEP_DAYS = 8;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("survey-offline", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("queue", { keyPath: "token" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("queue", mode), request = work(tx.objectStore("queue"));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var queue = {
    put: function (entry) { return store("readwrite", function (s) { return s.put(entry); }); },
    all: function () { return store("readonly", function (s) { return s.getAll(); }); },
    drop: function (token) { return store("readwrite", function (s) { return s["delete"](token); }); }
  };

  function retryLater(status) { return status === 429 || status >= 500; }

  /* POST one saved submission. Delivered (2xx/3xx): removed. 4xx: kept, marked for the participant's
     attention and no longer sent by itself. 5xx/429 kept as is. A network failure rejects. */
  function send(entry) {
    return fetch(entry.action, {
      method: "POST", body: new URLSearchParams(entry.body), credentials: "same-origin", redirect: "follow"
    }).then(function (response) {
      var done;
      if (response.ok || response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        done = queue.drop(entry.token);
      } else if (!retryLater(response.status)) {
        entry.attention = true;
        done = queue.put(entry);
      }
      return Promise.resolve(done).then(function () { return response; });
    });
  }

  /* Send every waiting submission in turn; stop at the first network failure. Resolves to [entry, response] pairs. */
  function flush() {
    var sent = [], oldest = Date.now() - KEEP_DAYS * 864e5;
    return queue.all().then(function (entries) {
      return entries.reduce(function (previous, entry) {
        return previous.then(function () {
          // Older than the server accepts a form token: it can never be stored, so it is let go.
          if (entry.savedAt < oldest) return queue.drop(entry.token);
          if (entry.attention) return null;
          return send(entry).then(function (response) { sent.push([entry, response]); });
        });
      }, Promise.resolve());
    }).then(function () { return sent; }, function () { return sent; });
  }

  scope.surveyOffline = { CACHE: CACHE, SYNC_TAG: SYNC_TAG, flush: flush, queue: queue };
  if (typeof document === "undefined") return; // inside the service worker: the queue is all it needs

  var retryTimer = null;

  function say(key, href) {
    var region = document.getElementById("offline-status");
    if (!region) return;
    region.textContent = region.getAttribute("data-" + key) || "";
    if (href && region.getAttribute("data-open")) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = region.getAttribute("data-open");
      region.appendChild(document.createTextNode(" "));
      region.appendChild(link);
    }
  }

  /* Replace the page with HTML the server answered (the form with its errors, or an error page). */
  function showPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
    start();
    var target = document.querySelector("[role=alert], [aria-invalid=true], h1");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) target.tabIndex = -1;
      target.focus();
    }
  }

  function formToken(form) {
    var field = form.elements.namedItem("form_token");
    return (field && field.value) || "local-" + Date.now() + "-" + Math.random().toString(36).slice(2);
  }

  function keep(entry) {
    return queue.put(entry).then(function () {
      say("saved");
      if (!retryTimer) retryTimer = setTimeout(function () { retryTimer = null; sendWaiting(); }, 60000);
      if (!navigator.serviceWorker) return null;
      return navigator.serviceWorker.ready.then(function (registration) {
        if ("sync" in registration) return registration.sync.register(SYNC_TAG);
        return null;
      }).catch(function () {});
    }, function () { say("failed"); });
  }

  function onSubmit(event) {
    var form = event.target;
    if (event.defaultPrevented || form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    event.preventDefault();
    var entry = {
      token: formToken(form), action: form.action, savedAt: Date.now(),
      body: new URLSearchParams(new FormData(form)).toString()
    };
    form.setAttribute("aria-busy", "true");
    say("sending");
    send(entry).then(function (response) {
      if (response.ok && response.redirected) return location.assign(response.url);
      if (retryLater(response.status)) return keep(entry);
      return response.text().then(showPage);
    }, function () {
      return keep(entry);
    }).then(function () { form.removeAttribute("aria-busy"); });
  }

  /* Send what waits on this phone; go to the thank-you page when it is this page's own submission. */
  function sendWaiting() {
    return flush().then(function (sent) {
      var form = document.getElementById("survey-form"), mine = form && formToken(form);
      for (var i = 0; i < sent.length; i++) {
        var entry = sent[i][0], response = sent[i][1];
        if (response.ok && entry.token === mine) return location.assign(response.url);
        if (!response.ok && !retryLater(response.status)) return response.text().then(showPage);
      }
      if (sent.some(function (pair) { return pair[1].ok; })) say("sent", sent[sent.length - 1][1].url);
      return queue.all().then(function (left) {
        if (left.some(function (entry) { return !entry.attention; })) say("waiting");
      });
    }).catch(function () {});
  }

  /* Keep this page and its CSS/JS for offline use now: on the first visit the worker is not yet in control. */
  function cacheThisPage() {
    if (!window.caches || !document.getElementById("offline-status") || /\/thanks\//.test(location.pathname)) return;
    var urls = [location.pathname + location.search];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
      var url = new URL(node.href || node.src, location.href);
      if (url.origin === location.origin) urls.push(url.pathname + url.search);
    });
    caches.open(CACHE).then(function (cache) { return cache.addAll(urls); }).catch(function () {});
  }

  function countRequired() {
    var counter = document.getElementById("required-left"), form = document.getElementById("survey-form");
    if (!counter || !form) return;
    var left = 0;
    form.querySelectorAll("[data-required]").forEach(function (block) {
      if (block.hidden) return;
      var answered = Array.prototype.some.call(block.querySelectorAll("input, select, textarea"), function (field) {
        if (field.type === "radio" || field.type === "checkbox") return field.checked;
        return field.value.trim() !== "" && !field.hasAttribute("data-untouched");
      });
      if (!answered) left++;
    });
    counter.textContent = (left === 0 ? counter.getAttribute("data-none") : (left === 1 ? counter.getAttribute("data-one") :
      (counter.getAttribute("data-many") || "").replace("%d", left))) || String(left);
  }

  /* The thank-you page hands over this response's scores; keep the last few on this phone only. */
  function keepMyScores() {
    var data = document.getElementById("my-scores"), list = document.getElementById("my-history");
    if (!data || !window.localStorage) return;
    var mine, key = "survey-my-scores";
    try {
      mine = JSON.parse(data.textContent);
      var history = JSON.parse(localStorage.getItem(key) || "[]").filter(function (old) { return old.token !== mine.token; });
      history.unshift(mine);
      history = history.slice(0, 5);
      localStorage.setItem(key, JSON.stringify(history));
    } catch (error) { return; }
    if (!list) return;
    history.forEach(function (past) {
      (past.scores || []).forEach(function (score) {
        var item = document.createElement("li");
        item.textContent = (past.date || "") + " · " + score.label + ": " + score.value;
        list.appendChild(item);
      });
    });
    if (list.parentNode && list.children.length) list.parentNode.hidden = false;
  }

  function start() {
    var form = document.getElementById("survey-form");
    if (form && window.fetch && window.indexedDB) {
      form.addEventListener("submit", onSubmit);
    }
    if (form) {
      form.addEventListener("change", countRequired);
      form.addEventListener("input", countRequired);
    }
    countRequired();
    keepMyScores();
  }

  start();
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    if (!navigator.serviceWorker.controller) cacheThisPage();
  }
  if (window.indexedDB) {
    window.addEventListener("online", sendWaiting);
    if (navigator.onLine !== false) sendWaiting();
    else queue.all().then(function (left) { if (left.length) say("waiting"); }).catch(function () {});
  }
})(self);
