// A kiosk or display without a device: ask for a pairing code (the device cookie comes with it),
// show it, and ask every 2 s whether a coordinator has entered it; then reload into the screen.
(() => {
  const main = document.querySelector(".pairing");
  const codeBox = document.getElementById("pairing-code");
  const POLL_MS = 2000;
  const RENEW_MS = 14 * 60 * 1000; // codes last 15 minutes

  async function start() {
    const response = await fetch("/api/v1/pairing", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: main.dataset.kind }),
    });
    if (!response.ok) { setTimeout(start, 10 * POLL_MS); return; }
    const data = await response.json();
    codeBox.textContent = `${data.code.slice(0, 3)} ${data.code.slice(3)}`;
    setTimeout(start, RENEW_MS);
  }

  async function poll() {
    try {
      const response = await fetch("/api/v1/pairing", { credentials: "same-origin" });
      const data = await response.json();
      if (data.paired) { window.location.assign(data.url); return; }
    } catch (error) { /* the server is restarting: ask again */ }
    setTimeout(poll, POLL_MS);
  }

  start().then(() => setTimeout(poll, POLL_MS));
})();
