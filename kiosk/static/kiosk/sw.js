// The phone page's service worker: lets the page show notifications on phones where
// `new Notification()` is not allowed (Chrome on Android) and focuses the page when one is tapped.
// It caches nothing: the page must always show the live state of the ticket.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const page = open.find((client) => client.url.split("?")[0] === url.split("?")[0]);
    if (page) return page.focus();
    return self.clients.openWindow(url);
  })());
});
