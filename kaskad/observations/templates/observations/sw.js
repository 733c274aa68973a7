{% load static %}/* The lesson observation service worker: the form pages and the static files they
   need are kept in a cache, so that a form opened online still opens after a reload
   without a connection. Everything is asked from the network first (always fresh online). */
"use strict";
const CACHE = "kaskad-observations-v1";
const STATIC = [
  "{% static 'css/kaskad.css' %}",
  "{% static 'js/htmx.min.js' %}",
  "{% static 'observations/observations.css' %}",
  "{% static 'observations/offline.js' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(STATIC)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("kaskad-observations-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((cache) => cache.match(request, { ignoreVary: true }))
          .then((hit) => hit || Response.error())
      )
    );
    return;
  }
  if (url.pathname.startsWith("{% get_static_prefix %}")) {
    /* Network first here too (a new release's CSS and scripts arrive at once); the copy
       kept is refreshed on every answer and used only without a connection. */
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        fetch(request)
          .then((response) => {
            if (response.ok) cache.put(request, response.clone());
            return response;
          })
          .catch(() => cache.match(request, { ignoreVary: true, ignoreSearch: true })
            .then((hit) => hit || Response.error()))
      )
    );
  }
});
