// The phone status page: live over the /ticket socket (pushed on every change of this ticket),
// with a slow poll as a safety net for the position while waiting.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("status-config").textContent);
  const $ = (id) => document.getElementById(id);
  let lastStatus = config.status;

  function put(id, text) {
    $(id).textContent = text || "";
    $(id).hidden = !text;
  }

  function show(ticket) {
    $("status").textContent = ticket.texts.status;
    $("status").className = `status status-${ticket.status}`;
    put("counter", ticket.texts.counter);
    put("ahead", ticket.texts.people_ahead);
    put("wait", ticket.texts.estimated_wait);
    if (ticket.status === "called" && lastStatus !== "called") alert(ticket);
    lastStatus = ticket.status;
    offerNotifications();
  }

  function alert(ticket) {
    if (navigator.vibrate) navigator.vibrate([300, 100, 300, 100, 300]);
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      new Notification(ticket.texts.status, { body: ticket.texts.counter || "", tag: "okenko-ticket" });
    }
  }

  async function poll() {
    try {
      const response = await fetch(config.api, { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      $("offline").hidden = true;
      show(await response.json());
    } catch (error) {
      $("offline").hidden = false;
    }
  }

  // Asking only makes sense while the visitor still waits for their call.
  const notify = $("notify");
  function offerNotifications() {
    notify.hidden = !(window.Notification && Notification.permission === "default" && lastStatus === "waiting");
  }
  notify.addEventListener("click", async () => {
    await Notification.requestPermission();
    offerNotifications();
  });
  offerNotifications();

  if (window.OkenkoSocket) {
    new window.OkenkoSocket("/ticket", { token: config.token }, {
      status: (ticket) => { $("offline").hidden = true; show(ticket); },
      disconnect: () => { $("offline").hidden = false; },
    }).open();
  }
  setInterval(poll, config.every * 1000);
})();
