/* The observation form without a connection.
 *
 * - What is typed is kept in localStorage (a draft per form address), restored on reload.
 * - Submitting without a connection puts the observation in an outbox on this device; it is
 *   sent when the connection returns (the "online" event, or the next page load online).
 * - Each observation carries a client-generated id: the server saves it once however many
 *   times it is sent, so a retry after a lost answer cannot make a duplicate.
 * - A service worker (/observations/sw.js) keeps the form page so a reload offline shows it.
 * No inline script anywhere (the Content-Security-Policy allows none).
 */
(function () {
  "use strict";
  var DRAFTS = "kaskad.observations.drafts";
  var OUTBOX = "kaskad.observations.outbox";
  var CACHE = "kaskad-observations-v1";
  var sending = false;

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full */ }
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function fields(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) { out.push([name, String(value)]); });
    return out;
  }
  function restore(form, saved) {
    var byName = {};
    saved.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !(el.name in byName)) return;
      var values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) !== -1;
      else el.value = values[0];
    });
  }
  function status(text, items) {
    var box = document.querySelector("[data-outbox-status]");
    if (!box) return;
    box.hidden = !text;
    box.textContent = text || "";
    if (items && items.length) {
      var list = document.createElement("ul");
      items.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; list.appendChild(li); });
      box.appendChild(list);
    }
  }
  function boxText(name, fallback) {
    var box = document.querySelector("[data-outbox-status]");
    return (box && box.getAttribute("data-text-" + name)) || fallback;
  }
  function showWaiting() {
    var outbox = read(OUTBOX) || [];
    if (outbox.length) {
      status(boxText("waiting", "Waiting to be sent:") + " " + outbox.length);
    }
  }

  /* Send every observation in the outbox, one at a time; keep what could not be sent. */
  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    var outbox = read(OUTBOX) || [];
    if (!outbox.length) return Promise.resolve();
    sending = true;
    var item = outbox[0];
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Kaskad-Sync": "1", "X-CSRFToken": cookie("csrftoken") || item.csrf || "" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("not an answer of the form");
      return response.json().then(function (answer) {
        var rest = (read(OUTBOX) || []).filter(function (o) { return o.id !== item.id; });
        write(OUTBOX, rest);
        if (response.status === 400) {
          var drafts = read(DRAFTS) || {};
          drafts[item.key] = item.fields;
          write(DRAFTS, drafts);
          var problems = [];
          Object.keys(answer.errors || {}).forEach(function (k) { problems = problems.concat(answer.errors[k]); });
          status(boxText("failed", "Refused:"), problems);
          return;
        }
        status(boxText("sent", "Sent."));
        document.documentElement.setAttribute("data-outbox-sent", String(answer.id));
      });
    }).catch(function () {
      /* no connection after all, or signed out: keep it for the next try */
    }).then(function () {
      sending = false;
      if ((read(OUTBOX) || []).length && navigator.onLine) return flush();
      showWaiting();
    });
  }

  function cachePage() {
    if (!("serviceWorker" in navigator) || !window.caches) {
      document.documentElement.setAttribute("data-offline-ready", "no");
      return;
    }
    navigator.serviceWorker.register("/observations/sw.js", { scope: "/observations/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () { return caches.open(CACHE); })
      .then(function (cache) { return cache.add(new Request(location.href, { credentials: "same-origin" })); })
      .then(function () { document.documentElement.setAttribute("data-offline-ready", "yes"); })
      .catch(function () { document.documentElement.setAttribute("data-offline-ready", "no"); });
  }

  function setUpForm(form) {
    var key = form.getAttribute("data-draft-key");
    var idField = form.querySelector("input[name=client_id]");
    var drafts = read(DRAFTS) || {};
    var hasErrors = !!form.querySelector(".field__error");
    if (drafts[key] && !hasErrors) restore(form, drafts[key]);
    else if (idField && !hasErrors) idField.value = newId();
    function save() {
      var all = read(DRAFTS) || {};
      all[key] = fields(form);
      write(DRAFTS, all);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    save();
    function queue() {
      var outbox = read(OUTBOX) || [];
      var data = fields(form);
      var clientId = idField ? idField.value : newId();
      if (!outbox.some(function (o) { return o.id === clientId; })) {
        outbox.push({ id: clientId, url: form.getAttribute("data-sync-url"), key: key, fields: data,
                      csrf: (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value });
        write(OUTBOX, outbox);
      }
      var all = read(DRAFTS) || {};
      delete all[key];
      write(DRAFTS, all);
      form.reset();
      if (idField) idField.value = newId();
      save();
      status(boxText("queued", "Saved on this device."));
      window.scrollTo(0, 0);
    }
    var nativeSubmit = false;
    form.addEventListener("submit", function (event) {
      if (nativeSubmit) return; /* the server shows what to correct */
      event.preventDefault();
      if (!navigator.onLine) { queue(); return; }
      /* Online (or so the phone believes: a school's Wi-Fi may reach nothing): send it the
         way the outbox does; if it does not get through, it goes to the outbox. */
      var body = new URLSearchParams();
      fields(form).forEach(function (pair) { body.append(pair[0], pair[1]); });
      fetch(form.getAttribute("data-sync-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-Kaskad-Sync": "1", "X-CSRFToken": cookie("csrftoken") },
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json && response.status < 400) throw new Error("not an answer of the form");
        if (!json || response.status === 400) {
          nativeSubmit = true;
          form.submit();
          return;
        }
        return response.json().then(function (answer) {
          var all = read(DRAFTS) || {};
          delete all[key];
          write(DRAFTS, all);
          window.location.assign(answer.url);
        });
      }).catch(queue);
    });
    cachePage();
  }

  function forgetSaved() {
    /* A saved observation's page: its draft and outbox entry are done with. */
    var saved = document.querySelector("[data-saved-client-id]");
    if (!saved) return;
    var id = saved.getAttribute("data-saved-client-id");
    write(OUTBOX, (read(OUTBOX) || []).filter(function (o) { return o.id !== id; }));
    var drafts = read(DRAFTS) || {};
    Object.keys(drafts).forEach(function (k) {
      if (drafts[k].some(function (p) { return p[0] === "client_id" && p[1] === id; })) delete drafts[k];
    });
    write(DRAFTS, drafts);
  }

  function offlineBanner() {
    var banner = document.querySelector("[data-offline-banner]");
    if (banner) banner.hidden = navigator.onLine;
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSaved();
    var form = document.querySelector("form[data-offline-form]");
    if (form) setUpForm(form);
    offlineBanner();
    showWaiting();
    flush();
  });
  window.addEventListener("online", function () { offlineBanner(); flush(); });
  window.addEventListener("offline", offlineBanner);
})();
