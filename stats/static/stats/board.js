// The operations board: drawn from the board message (first from the page, then from /board pushes).
(() => {
  const labels = JSON.parse(document.getElementById("board-labels").textContent);
  const root = document.getElementById("board");
  const lang = root.dataset.lang || "cs";
  const say = (key) => labels[key] || key;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    children.flat().forEach((child) => node.append(child instanceof Node ? child : document.createTextNode(String(child))));
    return node;
  }
  const minutes = (seconds) => (seconds === null || seconds === undefined ? "–" : `${Math.floor(seconds / 60)} ${say("min")}`);
  const name = (names) => names[lang] || names.cs || names.en || Object.values(names)[0] || "";
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hour12: false }) : "–");

  function table(id, caption, head, rows) {
    return el("table", { id }, el("caption", {}, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? rows.map((r) => el("tr", {}, r.map((c, i) => (i === 0 ? el("th", { scope: "row" }, c) : el("td", {}, c)))))
        : [el("tr", {}, el("td", { colspan: head.length }, say("none")))]));
  }

  function branch(b) {
    const alerts = b.devices.filter((d) => d.printer_alert);
    return el("section", { class: "card", "aria-labelledby": `b-${b.code}`, "data-branch": b.code },
      el("h2", { id: `b-${b.code}` }, name(b.names)),
      alerts.map((d) => el("p", { class: "alert", role: "alert", "data-alert": d.name },
        `${say("alert")}: ${d.name} – ${say(d.printer_alert)} (${clock(d.printer_alert_since)})`)),
      el("div", { class: "pair" },
        table(`queues-${b.code}`, say("queues"), [say("service"), say("waiting"), say("longest")],
          b.services.map((s) => [name(s.names), s.waiting, minutes(s.longest_wait_s)])),
        table(`counters-${b.code}`, say("counters"), [say("counter"), say("state"), say("holder")],
          b.counters.map((c) => [c.name, say(c.state), c.holder || "–"])),
        table(`interpreters-${b.code}`, say("interpreters"), [say("language"), say("counter"), say("for")],
          b.interpreter_requests.map((r) => [r.language, r.counter || "–", minutes(r.waiting_s)])),
        table(`devices-${b.code}`, say("devices"), [say("device"), say("seen"), say("printer")],
          b.devices.map((d) => [`${d.name} (${say(d.kind)})`, `${say(d.online ? "online" : "offline")}, ${clock(d.last_seen)}`,
            d.printer_state ? say(d.printer_state) : "–"])),
        table(`appointments-${b.code}`, say("appointments"), [say("time"), say("service"), say("language")],
          b.appointments_next_hour.map((a) => [clock(a.start), a.service, a.language]))));
  }

  function draw(message) {
    root.replaceChildren(...message.branches.map(branch));
    document.getElementById("board-at").textContent = clock(message.at);
    document.getElementById("board-at").dateTime = message.at;
  }

  draw(JSON.parse(document.getElementById("board-initial").textContent));
  if (window.OkenkoSocket) {
    const status = document.getElementById("board-status");
    new window.OkenkoSocket("/board", {}, {
      board: draw,
      connect: () => status.classList.remove("alert"),
      disconnect: () => { status.classList.add("alert"); document.getElementById("board-at").textContent = say("reconnecting"); },
    }).open();
  }
})();
