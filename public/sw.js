// Prodlab's service worker: makes the site work offline once it has been loaded.
// install: caches every file of the build, listed in precache.json (hashed names, written by the build).
// fetch: network first for pages and course.json (so updates and instructors' edits show), cache
// first for everything else (a hashed asset or a dataset never changes under one name).
// Its scope is its own folder, so the site works under any subpath.
const CACHE = 'prodlab-v1';

self.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const res = await fetch('precache.json', { cache: 'no-cache' });
      if (!res.ok) return;
      const { files } = await res.json();
      await cache.addAll(['./', ...files]);
      await self.skipWaiting();
    })().catch((err) => console.warn('Prodlab offline cache incomplete:', err.message)),
  );
});

self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  const fresh = req.mode === 'navigate' || url.pathname.endsWith('/course.json');
  e.respondWith(fresh ? networkFirst(req) : cacheFirst(req));
});

async function cacheFirst(req) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) cache.put(req, res.clone()).catch(() => {});
  return res;
}

async function networkFirst(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) cache.put(req, res.clone()).catch(() => {});
    return res;
  } catch (err) {
    const hit = (await cache.match(req, { ignoreSearch: true })) ?? (req.mode === 'navigate' ? await cache.match('./') : undefined);
    if (hit) return hit;
    throw err;
  }
}
