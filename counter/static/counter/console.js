// The counter console: one click (or key) per step; the state comes from the server after every
// action and on every realtime event of this counter or its branch.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("console-config").textContent);
  const $ = (id) => document.getElementById(id);
  const KEYS = { n: "call-next", r: "recall", s: "start", f: "finish", x: "no-show", t: "transfer", p: "pause",
                 i: "interpreter", b: "follow-up" };
  let overview = null;
  let busy = false;

  const api = window.okenkoApi;


  async function reload() {
    try {
      overview = await api("GET", `/counters/${config.counter}`);
      render();
      renderRequests(await api("GET", `/interpreter-requests?branch=${encodeURIComponent(config.branch)}`));
    } catch (error) {
      say(error.message);
    }
  }

  function renderRequests(requests) {
    $("no-requests").hidden = requests.length > 0;
    $("requests").replaceChildren(...requests.map((request) => {
      const item = document.createElement("li");
      item.classList.toggle("late", request.late);
      const text = document.createElement("span");
      const where = request.counter ? request.counter.name : "";
      const who = request.interpreter ? ` · ${request.interpreter.name}` : "";
      text.textContent = `${request.ticket} · ${config.languages[request.language] || request.language} · ${where} · ${request.waited_minutes} min${who}`;
      item.append(text);
      const mine = request.interpreter && request.interpreter.id === config.me;
      if (request.status === "open" || mine) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = request.status === "open" ? config.labels.accept : config.labels.finish_interpreting;
        const action = request.status === "open" ? "accept" : "finish";
        button.addEventListener("click", async () => {
          try { await api("POST", `/interpreter-requests/${request.id}/${action}`); } catch (error) { say(error.message); }
          reload();
        });
        item.append(button);
      }
      return item;
    }));
  }

  let pending = null;
  function reloadSoon() {
    clearTimeout(pending);
    pending = setTimeout(reload, 150);
  }

  function say(text) { $("message").textContent = text || ""; }
  const serviceName = (code) => (config.services.find((s) => s.code === code) || { name: code }).name;

  function render() {
    const { counter, current, queues } = overview;
    $("state").textContent = `(${config.labels.states[counter.state] || counter.state})`;
    $("pause-label").textContent = counter.state === "paused" ? config.labels.resume : config.labels.pause;
    $("nobody").hidden = Boolean(current);
    $("ticket").hidden = !current;
    if (current) {
      $("ticket-number").textContent = current.number;
      $("ticket-service").textContent = current.service_names.cs || current.service;
      $("ticket-language").textContent = config.languages[current.language] || current.language;
      const status = config.labels.statuses[current.status] || current.status;
      $("ticket-status").textContent = current.appointment ? `${status} · ${config.labels.appointment}` : status;
      $("ticket-waited").textContent = String(current.waited_minutes);
      const help = current.interpreter;
      $("interpreter-status").textContent = !help ? "" : help.name
        ? config.labels.coming.replace("{name}", help.name)
        : config.labels.requested.replace("{language}", config.languages[help.language] || help.language);
      $("ticket-history").replaceChildren(...current.history.map((event) => {
        const item = document.createElement("li");
        const at = new Date(event.at).toLocaleTimeString("cs", { hour: "2-digit", minute: "2-digit",
                                                                  timeZone: config.timezone });
        const moved = event.data && event.data.from_service
          ? ` (${serviceName(event.data.from_service)} → ${serviceName(event.data.to_service)})` : "";
        item.textContent = `${at} ${config.labels.events[event.type] || event.type}${moved}`;
        return item;
      }));
    }
    const status = current ? current.status : null;
    const enabled = {
      "call-next": counter.state === "open" && !current,
      recall: status === "called", start: status === "called", "no-show": status === "called",
      finish: status === "serving", transfer: status === "called" || status === "serving",
      pause: counter.state !== "closed",
      interpreter: Boolean(current) && !current.interpreter,
      "follow-up": Boolean(current),
    };
    document.querySelectorAll("[data-action]").forEach((button) => { button.disabled = busy || !enabled[button.dataset.action]; });
    $("queues").replaceChildren(...queues.map((q) => {
      const row = document.createElement("tr");
      for (const text of [q.names.cs || q.code, String(q.waiting), q.longest_wait_minutes == null ? "–" : `${q.longest_wait_minutes} min`]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }));
  }

  const ticketPath = (action) => `/tickets/${overview.current.id}/${action}`;
  const actions = {
    "call-next": () => api("POST", `/counters/${config.counter}/call-next`),
    recall: () => api("POST", ticketPath("recall")),
    start: () => api("POST", ticketPath("start")),
    "no-show": () => api("POST", ticketPath("no-show")),
    pause: () => api("POST", `/counters/${config.counter}/${overview.counter.state === "paused" ? "resume" : "pause"}`),
    finish: () => ask("finish-dialog"),
    transfer: () => ask("transfer-dialog"),
    interpreter: () => api("POST", ticketPath("interpreter")),
    // The referral dialog (referral.js) books on its own; the console only hands over the client.
    "follow-up": () => document.dispatchEvent(new CustomEvent("okenko:follow-up", { detail: overview.current })),
  };

  async function run(name) {
    const button = document.querySelector(`[data-action="${name}"]`);
    if (!overview || busy || (button && button.disabled)) return;
    busy = true;
    say("");
    try {
      await actions[name]();
    } catch (error) {
      say(error.message);
    } finally {
      busy = false;
      await reload();
    }
  }

  // ---- dialogs: finish with topics, transfer to a service (and counter) ---------------------------
  let answer = null;
  function ask(id) {
    return new Promise((resolve) => {
      answer = resolve;
      $(id).showModal();
    });
  }
  $("topics").replaceChildren(...config.topics.map((topic) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = topic.code;
    label.append(box, ` ${topic.label}`);
    return label;
  }));
  $("finish-form").addEventListener("submit", () => {
    const topics = [...$("topics").querySelectorAll("input:checked")].map((box) => box.value);
    $("topics").querySelectorAll("input").forEach((box) => { box.checked = false; });
    answer(api("POST", ticketPath("finish"), { topics }));
  });
  const serviceSelect = $("transfer-service");
  serviceSelect.replaceChildren(...config.services.map((s) => new Option(`${s.prefix} · ${s.name}`, s.code)));
  function fillCounters() {
    const options = config.counters.filter((c) => c.services.includes(serviceSelect.value))
      .map((c) => new Option(c.name, String(c.id)));
    $("transfer-counter").replaceChildren(new Option("—", ""), ...options);
  }
  serviceSelect.addEventListener("change", fillCounters);
  fillCounters();
  $("transfer-form").addEventListener("submit", () => {
    const counter = $("transfer-counter").value;
    const body = { service: serviceSelect.value };
    if (counter) body.counter = Number(counter);
    answer(api("POST", ticketPath("transfer"), body));
  });
  document.querySelectorAll("dialog [data-close]").forEach((button) => {
    button.addEventListener("click", () => { button.closest("dialog").close(); answer(null); });
  });
  document.querySelectorAll("dialog").forEach((dialog) => dialog.addEventListener("cancel", () => answer && answer(null)));

  // ---- wiring --------------------------------------------------------------------------------------------
  document.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", () => run(button.dataset.action));
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || document.querySelector("dialog[open]")) return;
    if (["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
    const action = KEYS[event.key.toLowerCase()];
    if (action) {
      event.preventDefault();
      run(action);
    }
  });
  const alerts = window.okenkoHelpAlerts(config.labels, (text) => { $("message").textContent = text; });
  const refreshAlerts = () => alerts(config.branch);
  new window.OkenkoSocket("/counter", { counter: config.counter }, {
    connect: () => { reloadSoon(); refreshAlerts(); }, call: reloadSoon, queue: reloadSoon, ticket: reloadSoon,
    counter: reloadSoon, interpreter: reloadSoon, help: refreshAlerts,
  }).open();
  reload();
})();
