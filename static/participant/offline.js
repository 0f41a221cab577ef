/* Participant pages, progressive enhancement (the form works without it):
   - sends the survey form with fetch; when the network fails, keeps the answers on this phone
     (IndexedDB, keyed by the form's idempotency token and a digest of the answers) and sends them on `online`, on every page load
     and by Background Sync where the browser has it; an entry leaves the phone after a 2xx/3xx, or a
     4xx that no retry can fix; network failures, 5xx, 429 and Retry-After answers are retried;
   - hides questions whose show_if does not hold and counts the required ones still unanswered;
   - on request only, keeps the participant's own last scores in localStorage under their personal code and shows
     them on this phone only, never to someone else using it;
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

  function formOf(entry) { return entry.token.split("~")[0]; }

  /* Worth sending again later: a 5xx (the server's trouble, such as a 503 during an outage), a 429
     (too many at once), or any answer that says when to come back (Retry-After). Any other 4xx
     can never succeed as it is sent (a closed group, a damaged or expired form, answers that need
     correcting), so it leaves the queue instead of being retried for ever. */
  function retryLater(response) {
    return response.status >= 500 || response.status === 429 || !!response.headers.get("Retry-After");
  }

  /* POST one saved submission. Delivered (2xx/3xx): removed. Worth retrying: kept. Any other 4xx:
     removed (its page is shown when this page sent it). A network failure rejects and keeps it. */
  function send(entry) {
    return fetch(entry.action, {
      method: "POST", body: new URLSearchParams(entry.body), credentials: "same-origin", redirect: "follow"
    }).then(function (response) {
      var done = retryLater(response) ? null : queue.drop(entry.token);
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
          if (entry.attention) return queue.drop(entry.token); // kept by an older version of this script
          return send(entry).then(function (response) { sent.push([entry, response]); });
        });
      }, Promise.resolve());
    }).then(function () { return sent; }, function () { return sent; });
  }

  /* What one send came to, as plain data (the worker posts it to the pages); the page's HTML when it needs showing. */
  function outcome(pair) {
    var response = pair[1], record = { token: pair[0].token, url: response.url, ok: response.ok, status: response.status };
    if (response.ok || retryLater(response)) return Promise.resolve(record);
    return response.text().then(function (html) { record.html = html; return record; });
  }

  /* One sender at a time across this site's pages and its worker (Web Locks, where the browser has them): the page's
     `online` and the worker's Background Sync would otherwise both send the same answers and both show their errors. */
  function oneAtATime(work) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request(SYNC_TAG, work) : work();
  }

  /* Send what waits and describe what happened; rejects while something is still waiting (so Background Sync retries). */
  function flushAndDescribe() {
    return oneAtATime(flushAndDescribeNow);
  }

  function flushAndDescribeNow() {
    var records;
    return flush().then(function (sent) { return Promise.all(sent.map(outcome)); }).then(function (done) {
      records = done;
      return queue.all();
    }).then(function (left) {
      return { records: records, waiting: left.length > 0 };
    });
  }

  scope.surveyOffline = { CACHE: CACHE, SYNC_TAG: SYNC_TAG, flushAndDescribe: flushAndDescribe };
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
    // The participant tapped "send" at the bottom of the page: bring the news into view.
    if (/^(saved|failed|sent)$/.test(key) && region.scrollIntoView) region.scrollIntoView({ block: "center" });
  }

  /* Replace the page with HTML the server answered (the form with its errors, or an error page). */
  function showPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
    start();
    var target = document.querySelector("[role=alert]") || document.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
      target.focus();
    }
  }

  function formToken(form) {
    var field = form.elements.namedItem("form_token");
    return (field && field.value) || "local-" + Date.now() + "-" + Math.random().toString(36).slice(2);
  }

  /* A short digest of the answers: one phone's double tap keeps one entry, two people's answers on the same page keep two. */
  function digest(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
    return h.toString(36);
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
    var answers = answersDigest(form), sent = restored && lastSent(form);
    // Back, then Send, with the answers already sent from this tab: the submission it already was.
    if (sent && sent.answers === answers) form.elements.namedItem("form_token").value = sent.token;
    var body = new URLSearchParams(new FormData(form)).toString();
    var entry = { token: formToken(form) + "~" + digest(body), action: form.action, savedAt: Date.now(), body: body };
    form.setAttribute("aria-busy", "true");
    say("sending");
    var button = form.querySelector("button[type=submit]"), label = button && button.textContent;
    if (button) button.textContent = document.getElementById("offline-status").getAttribute("data-sending");
    send(entry).then(function (response) {
      if (response.ok && response.redirected) {
        rememberSent(form, answers);
        return goTo(response.url);
      }
      if (retryLater(response)) return keep(entry);
      return response.text().then(showPage);
    }, function () {
      return keep(entry);
    }).then(function () {
      form.removeAttribute("aria-busy");
      if (button && !leaving) button.textContent = label;
    });
  }

  /* Back, then Send: a page restored from this tab's history (back/forward, or the back-forward cache)
     that sends the answers this tab last sent from this form sends them under the token they were
     sent with, so the server thanks the same submission and stores nothing new. Any other page (the
     link opened again, say by the next person on a shared phone) or other answers get a new response. */
  var SENT_KEY = "survey-sent:";
  var restored = (function () {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return !!(entries[0] && entries[0].type === "back_forward");
  })();

  function answersDigest(form) {
    var params = new URLSearchParams(new FormData(form));
    params["delete"]("form_token");
    return digest(params.toString());
  }

  function lastSent(form) {
    try { return JSON.parse(sessionStorage.getItem(SENT_KEY + form.action) || "null"); } catch (error) { return null; }
  }

  function rememberSent(form, answers) {
    var field = form.elements.namedItem("form_token");
    if (!field) return;
    try {
      sessionStorage.setItem(SENT_KEY + form.action, JSON.stringify({ token: field.value, answers: answers }));
    } catch (error) { /* no storage: a Back, then Send may store a second copy */ }
  }

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    restored = true;
    leaving = false;
  });

  /* Go to a thank-you page once: the page's own send and the worker's Background Sync may both report it. */
  var leaving = false;
  function goTo(url) {
    if (leaving) return null;
    leaving = true;
    return location.assign(url);
  }

  /* Tell what became of saved answers: this page's own go to their thank-you page; one that needs attention shows. */
  function report(records) {
    var form = document.getElementById("survey-form"), mine = form && formToken(form), last = null;
    for (var i = 0; i < records.length; i++) {
      if (records[i].ok && formOf(records[i]) === mine) return goTo(records[i].url);
      if (records[i].html) return showPage(records[i].html);
      if (records[i].ok) last = records[i].url;
    }
    if (last) say("sent", last);
  }

  function sendWaiting() {
    return flushAndDescribe().then(function (result) {
      report(result.records);
      if (result.waiting) say("waiting");
    }).catch(function () {});
  }

  /* Keep this page and its CSS/JS for offline use now: on the first visit the worker is not yet in control. */
  function cacheThisPage() {
    // Only the survey form, privacy notice and help page: never a thank-you or an error page.
    var wanted = document.getElementById("survey-form") || /^\/(privacy|help)\/?$/.test(location.pathname);
    if (!window.caches || !wanted) return;
    var urls = [location.pathname + location.search];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
      var url = new URL(node.href || node.src, location.href);
      if (url.origin === location.origin) urls.push(url.pathname + url.search);
    });
    caches.open(CACHE).then(function (cache) { return cache.addAll(urls); }).catch(function () {});
  }

  function answerOf(block) {
    var values = [];
    block.querySelectorAll("input, select, textarea").forEach(function (field) {
      var on = field.type === "radio" || field.type === "checkbox" ? field.checked : field.value.trim() !== "";
      if (on) values.push(field.value.trim());
    });
    return values;
  }

  function same(a, b) { return a !== "" && b !== "" && !isNaN(a) && !isNaN(b) ? Number(a) === Number(b) : a === b; }

  /* One show_if condition, as the server reads it: a missing answer never satisfies it. */
  function holds(cond, answers) {
    var actual = answers[cond.item], targets = [].concat(cond.value).map(String), a = actual && actual[0];
    if (!actual || !actual.length) return false;
    if (actual.multiple) {
      var hit = targets.some(function (t) { return actual.some(function (v) { return same(v, t); }); });
      return cond.op === "!=" ? !hit : hit;
    }
    var x = Number(a), y = Number(targets[0]);
    switch (cond.op) {
      case "in": return targets.some(function (t) { return same(a, t); });
      case "==": return same(a, targets[0]);
      case "!=": return !same(a, targets[0]);
      case ">": return x > y;
      case ">=": return x >= y;
      case "<": return x < y;
      case "<=": return x <= y;
    }
    return true;
  }

  /* Hide questions whose show_if does not hold (in page order, over shown answers only), then count
     the required questions still unanswered. A question with an error from the server always stays. */
  function refresh() {
    var form = document.getElementById("survey-form"), counter = document.getElementById("required-left");
    if (!form) return;
    var answers = {}, left = 0;
    form.querySelectorAll("[data-item]").forEach(function (block) {
      var rule = block.getAttribute("data-show-if"), shown = true;
      if (rule) {
        try {
          rule = JSON.parse(rule);
          var list = rule.all || rule.any || [], test = function (c) { return holds(c, answers); };
          shown = rule.all ? list.every(test) : list.some(test);
        } catch (error) { shown = true; }
        block.hidden = !shown && !/has-err/.test(block.className);
      }
      if (block.hidden) return;
      var values = answerOf(block);
      values.multiple = !!block.querySelector("input[type=checkbox]");
      answers[block.getAttribute("data-item")] = values;
      if (block.hasAttribute("data-required") && !values.length) left++;
    });
    if (!counter || !counter.hasAttribute("data-many")) return;
    counter.setAttribute("aria-live", "polite");
    counter.textContent = left === 0 ? counter.getAttribute("data-none") :
      counter.getAttribute(left === 1 ? "data-one" : "data-many").replace("%d", left);
  }

  /* The thank-you page hands over this response's scores. Nothing is kept unless the participant
     taps "show": then, with a personal code, this submission joins the list kept under that code's
     opaque owner key and that list alone is shown (the next person on a shared phone sees only
     their own); without a code, tonight's scores alone are shown and nothing is kept. */
  function keepMyScores() {
    var data = document.getElementById("own-scores"), section = document.getElementById("my-history");
    var key = "survey-own-scores", mine, history;
    if (!data || !section) return;
    try {
      mine = JSON.parse(data.textContent);
      // Lists kept by an older version of this script have no owner: anyone could read them, so they go.
      history = JSON.parse(localStorage.getItem(key) || "[]").filter(function (old) { return old.owner; });
      if (history.length) localStorage.setItem(key, JSON.stringify(history)); else localStorage.removeItem(key);
    } catch (error) { return; }
    if (!mine.scores || !mine.scores.length) return;
    var list = section.querySelector("ul"), show = section.querySelector("button.show");
    var forget = section.querySelector("button.forget");
    section.hidden = false;
    function shown() {
      if (!mine.owner) return [mine];
      mine.page = location.pathname + location.search;
      history = history.filter(function (old) { return old.owner !== mine.owner || old.page !== mine.page; });
      history.unshift(mine);
      var own = history.filter(function (old) { return old.owner === mine.owner; }).slice(0, 5);
      history = history.filter(function (old) { return old.owner !== mine.owner; }).concat(own);
      try { localStorage.setItem(key, JSON.stringify(history)); } catch (error) { /* private mode: show only */ }
      return own;
    }
    show.addEventListener("click", function () {
      list.textContent = "";
      shown().forEach(function (past) {
        past.scores.forEach(function (score) {
          var item = document.createElement("li");
          item.textContent = (past.meeting_date || "") + " · " + score.label + ": " + score.value +
            (score.max !== undefined ? " / " + score.max : "");
          list.appendChild(item);
        });
      });
      list.hidden = false;
      show.hidden = true;
      section.querySelector(".no-code").hidden = !!mine.owner;
      forget.hidden = !mine.owner;
    });
    forget.addEventListener("click", function () {
      var others = history.filter(function (old) { return old.owner !== mine.owner; });
      if (others.length) localStorage.setItem(key, JSON.stringify(others)); else localStorage.removeItem(key);
      section.hidden = true;
    });
  }

  /* The language the participant chose (the switch) stays on this phone, in localStorage: it is never
     sent to the server as a cookie, only followed here when a page opens without its own ?lang=. */
  var LANG_KEY = "survey-lang";
  function rememberLanguage() {
    var links = document.querySelectorAll(".langs a[hreflang]"), chosen = null, current = document.documentElement.lang;
    // Only the survey form follows it: other pages' addresses carry more than the language (a ticket, a group).
    var follow = !!document.getElementById("survey-form");
    links.forEach(function (link) {
      link.addEventListener("click", function () {
        try { localStorage.setItem(LANG_KEY, link.getAttribute("hreflang")); } catch (error) { /* private mode */ }
      });
    });
    try { chosen = localStorage.getItem(LANG_KEY); } catch (error) { return false; }
    if (!follow || !chosen || chosen === current || /[?&]lang=/.test(location.search)) return false;
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("hreflang") === chosen) { location.replace(links[i].href); return true; }
    }
    return false;
  }

  /* A gentle note on a shared phone: this phone sent answers for this group in the last 20 hours (the thank-you page
     notes the group's code and the time; nothing about the answers). */
  var ANSWERED_KEY = "survey-answered:", ANSWERED_HOURS = 20;
  function noteAnswered() {
    var data = document.getElementById("my-history"), form = document.getElementById("survey-form");
    var note = document.getElementById("answered-note");
    try {
      if (data && data.getAttribute("data-group")) {
        localStorage.setItem(ANSWERED_KEY + data.getAttribute("data-group"), String(Date.now()));
      }
      if (form && note) {
        var at = Number(localStorage.getItem(ANSWERED_KEY + note.getAttribute("data-group")) || 0);
        note.hidden = !(Date.now() - at < ANSWERED_HOURS * 36e5);
      }
    } catch (error) { /* no storage: no note */ }
  }

  function start() {
    var form = document.getElementById("survey-form");
    if (form && window.fetch && window.indexedDB) {
      form.addEventListener("submit", onSubmit);
    }
    if (form) {
      form.addEventListener("change", refresh);
      form.addEventListener("input", refresh);
    }
    refresh();
    keepMyScores();
    noteAnswered();
  }

  if (rememberLanguage()) return;
  start();
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.surveySent) report(event.data.surveySent);
    });
    if (!navigator.serviceWorker.controller) cacheThisPage();
  }
  if (window.indexedDB) {
    window.addEventListener("online", sendWaiting);
    if (navigator.onLine !== false) sendWaiting();
    else queue.all().then(function (left) { if (left.length) say("waiting"); }).catch(function () {});
  }
})(self);
