// The phone status page: live over the /ticket socket (pushed on every change of this ticket),
// with a slow poll as a safety net for the position while waiting.
//
// Notifications go through a service worker (`registration.showNotification`): `new Notification()`
// throws on Chrome for Android and does not exist in Safari outside home-screen apps. Where a phone
// cannot notify, the page says so and asks the visitor to keep it open; while open it rings and vibrates.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("status-config").textContent);
  const $ = (id) => document.getElementById(id);
  let lastStatus = config.status;
  let wasNear = config.near;
  let worker = null;

  function put(id, text) {
    $(id).textContent = text || "";
    $(id).hidden = !text;
  }

  function show(ticket) {
    $("status").textContent = ticket.texts.status;
    $("status").className = `status status-${ticket.status}`;
    put("counter", ticket.texts.counter);
    put("near", ticket.texts.near);
    put("ahead", ticket.texts.people_ahead);
    put("wait", ticket.texts.estimated_wait);
    put("closing", ticket.texts.closing);
    const waiting = ticket.status === "waiting";
    $("leave-area").hidden = !waiting;
    $("alerts").hidden = !waiting;
    if (ticket.status === "called" && lastStatus !== "called") alert(ticket.texts.status, ticket.texts.counter);
    else if (waiting && ticket.texts.near && !wasNear) alert(ticket.texts.near, ticket.texts.people_ahead);
    lastStatus = ticket.status;
    wasNear = Boolean(ticket.texts.near);
    offerNotifications();
  }

  // ---- ringing, vibrating, notifying ------------------------------------------------------------------
  let audio = null;
  function ring() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      [0, 0.35, 0.7].forEach((offset) => {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + offset + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + offset);
        tone.stop(audio.currentTime + offset + 0.3);
      });
    } catch (error) {
      // No sound on this browser: the vibration and the text remain.
    }
  }

  function alert(title, body) {
    ring();
    if (navigator.vibrate) navigator.vibrate([300, 100, 300, 100, 300]);
    if (worker && window.Notification && Notification.permission === "granted") {
      worker.showNotification(title, { body: body || "", tag: "okenko-ticket", renotify: true,
                                       vibrate: [300, 100, 300], data: { url: location.href } })
        .catch(() => {});
    }
  }

  const standalone = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
  const iPhone = /iPhone|iPad|iPod/.test(navigator.userAgent) && !standalone;

  // Says honestly what this phone can do; asking only makes sense while the visitor still waits.
  function offerNotifications() {
    const can = Boolean(worker && window.Notification);
    const permission = window.Notification ? Notification.permission : "unsupported";
    $("notify").hidden = !(can && permission === "default");
    $("notify-on").hidden = !(can && permission === "granted");
    $("notify-blocked").hidden = !(can && permission === "denied");
    $("notify-ios").hidden = can || !iPhone;
    $("notify-none").hidden = can || iPhone || !workerChecked;
  }

  let workerChecked = false;
  async function registerWorker() {
    if ("serviceWorker" in navigator) {
      try {
        await navigator.serviceWorker.register(config.worker, { scope: "/t/" });
        worker = await navigator.serviceWorker.ready;
      } catch (error) {
        worker = null;
      }
    }
    workerChecked = true;
    offerNotifications();
  }

  $("notify").addEventListener("click", async () => {
    ring();   // a tap lets the page make sounds later
    await Notification.requestPermission();
    offerNotifications();
  });

  // ---- leaving the queue ------------------------------------------------------------------------------
  const dialog = $("leave-dialog");
  $("leave").addEventListener("click", () => dialog.showModal());
  $("leave-no").addEventListener("click", () => dialog.close());
  $("leave-yes").addEventListener("click", async () => {
    dialog.close();
    try {
      const response = await fetch(config.leave, { method: "POST", headers: { "Content-Type": "application/json" },
                                                   body: "{}" });
      if (response.status === 409) {
        $("leave-refused").hidden = false;
        await poll();
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      show(await response.json());
    } catch (error) {
      $("offline").hidden = false;
    }
  });

  // ---- staying up to date -----------------------------------------------------------------------------
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

  // The socket speaks the ticket's language; in another language the page asks for its own texts.
  const sameLanguage = config.lang === config.ticketLanguage;
  if (window.OkenkoSocket) {
    new window.OkenkoSocket("/ticket", { token: config.token }, {
      status: (ticket) => { $("offline").hidden = true; if (sameLanguage) show(ticket); else poll(); },
      disconnect: () => { $("offline").hidden = false; },
    }).open();
  }
  setInterval(poll, config.every * 1000);
  registerWorker();
})();
