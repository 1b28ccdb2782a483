// The kiosk: language → service → ticket. Every step has a way back; an idle screen warns,
// offers more time, and only then returns to the start. No external assets: kiosks are offline.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("kiosk-config").textContent);
  const IDLE_AFTER_MS = 45000;
  const WARNING_SECONDS = 20;
  const AVAILABILITY_EVERY_MS = 30000;
  const STEPS = ["step-language", "step-service", "step-appointment", "step-ticket", "step-busy", "step-error"];
  const $ = (id) => document.getElementById(id);

  let language = null;
  let availability = config.availability || {};
  let lastTicket = null;
  let retry = null;
  let current = "step-language";

  function t(key, params = {}) {
    const table = config.messages[language] || config.messages[config.languages[0].code];
    return (table[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
  }

  function show(step) {
    current = step;
    for (const id of STEPS) $(id).hidden = id !== step;
    // The code field keeps the focus: a USB scanner types into whatever is focused.
    const target = step === "step-appointment" ? $("appointment-code") : $(step).querySelector("h1");
    if (target) target.focus();
    armIdle();
  }

  function useLanguage(code) {
    language = code;
    const meta = config.languages.find((l) => l.code === code);
    document.documentElement.lang = code || "cs";
    document.documentElement.dir = meta ? meta.dir : "ltr";
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.label)); });
  }

  function startAgain() {
    closeIdle();
    lastTicket = null;
    useLanguage(null);
    document.documentElement.lang = "cs";
    show("step-language");
  }

  // ---- services and their availability ------------------------------------------------------
  const localized = (names) => names[language] || names.cs || names.en || Object.values(names)[0] || "";

  async function refreshAvailability() {
    try {
      const response = await fetch(config.snapshotUrl, { cache: "no-store" });
      if (!response.ok) return;
      const snapshot = await response.json();
      availability = Object.fromEntries(snapshot.services.map((s) => [s.code, s]));
      if (current === "step-service") renderServices();
    } catch (error) {
      // Keep what we knew; issuing reports the problem if the server is really gone.
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function renderServices() {
    const list = $("services");
    list.replaceChildren();
    let offered = 0;
    for (const service of config.services) {
      const state = availability[service.code];
      const available = !state || state.available;
      const button = element("button", "choice service", "");
      button.type = "button";
      button.dataset.service = service.code;
      button.append(element("span", "name", localized(service.names)),
                     element("span", "about", localized(service.descriptions)));
      if (available) {
        offered += 1;
        button.addEventListener("click", () => issue(service.code));
      } else {
        button.setAttribute("aria-disabled", "true");
        button.append(element("span", "reason", reason(state)));
      }
      list.append(button);
    }
    $("no-services").hidden = offered > 0;
  }

  function reason(state) {
    if (state.unavailable_reason !== "closed") return t("no_counter");
    if (!state.opens_at) return t("closed_today");
    const opens = new Date(state.opens_at);
    const sameDay = opens.toDateString() === new Date().toDateString();
    const format = sameDay ? { hour: "2-digit", minute: "2-digit" }
                           : { weekday: "long", hour: "2-digit", minute: "2-digit" };
    let when;
    try {
      when = new Intl.DateTimeFormat(language, { ...format, timeZone: config.timezone }).format(opens);
    } catch (error) {
      when = opens.toLocaleString();
    }
    return t("closed", { time: when });
  }

  // ---- issuing and printing ----------------------------------------------------------------------
  async function issue(service) {
    retry = () => issue(service);
    show("step-busy");
    let response;
    try {
      response = await fetch(config.ticketsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ branch: config.branch, service, language }),
      });
    } catch (error) {
      return fail(t("server_down"));
    }
    if (response.status === 201) {
      showTicket(await response.json());
      refreshAvailability();
      return undefined;
    }
    return fail(response.status === 409 || response.status === 422 ? t("service_refused") : t("server_down"));
  }

  function fail(message) {
    $("error-title").textContent = message;
    show("step-error");
  }

  function showTicket(ticket) {
    lastTicket = ticket;
    $("ticket-number").textContent = ticket.number;
    $("ticket-service").textContent = ticket.texts.service;
    $("ticket-appointment").textContent = ticket.texts.appointment || "";
    $("ticket-appointment").hidden = !ticket.texts.appointment;
    $("ticket-ahead").textContent = ticket.texts.people_ahead || "";
    $("ticket-wait").textContent = ticket.texts.estimated_wait || "";
    const qr = $("ticket-qr");
    qr.src = config.qrUrl.replace("TOKEN", encodeURIComponent(ticket.token));
    qr.alt = t("scan_to_follow");
    showPrint(ticket.print);
    show("step-ticket");
  }

  function showPrint(print) {
    const line = $("ticket-print");
    const failed = print.status === "failed";
    if (print.status === "printed") line.textContent = t("take_ticket");
    else if (failed) line.textContent = print.message || t("screen_only");
    else line.textContent = t("screen_only");
    line.classList.toggle("failed", failed);
    $("reprint").hidden = !(failed && print.reprint_allowed);
  }

  async function reprint() {
    const button = $("reprint");
    button.disabled = true;
    try {
      const url = config.reprintUrl.replace("TOKEN", encodeURIComponent(lastTicket.token));
      const response = await fetch(url, { method: "POST", credentials: "same-origin" });
      if (response.ok) showPrint(await response.json());
      else button.hidden = true;
    } catch (error) {
      button.hidden = true;
    } finally {
      button.disabled = false;
    }
  }

  // ---- checking in an appointment: typed on the keypad, or typed by a scanner ---------------------
  function openCheckIn() {
    $("appointment-code").value = "";
    tellCheckIn(null);
    show("step-appointment");
  }

  function tellCheckIn(problem) {
    $("appointment-problem").textContent = problem || "";
    $("appointment-problem").hidden = !problem;
    $("take-normal").hidden = !problem;
  }

  function buildKeypad() {
    const pad = $("keypad");
    for (const char of config.codeAlphabet) {
      const key = element("button", "key", char);
      key.type = "button";
      key.addEventListener("click", () => typeKey(char));
      pad.append(key);
    }
    const erase = element("button", "key erase", "⌫");
    erase.type = "button";
    erase.dataset.label = "delete";
    erase.addEventListener("click", () => typeKey(null));
    pad.append(erase);
  }

  function typeKey(char) {
    const field = $("appointment-code");
    field.value = char === null ? field.value.slice(0, -1) : field.value + char;
    field.focus();
  }

  async function checkIn(event) {
    event.preventDefault();
    const code = $("appointment-code").value.trim();
    if (!code) return tellCheckIn(t("refused_not_found"));
    retry = () => show("step-appointment");
    show("step-busy");
    let response;
    try {
      response = await fetch(config.ticketsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ branch: config.branch, appointment_code: code }),
      });
    } catch (error) {
      return fail(t("server_down"));
    }
    if (response.status === 201) {
      showTicket(await response.json());
      return refreshAvailability();
    }
    if (response.status === 404 || response.status === 409 || response.status === 422) {
      show("step-appointment");
      return tellCheckIn(refusal(await response.json()));
    }
    return fail(t("server_down"));
  }

  function refusal(body) {
    const details = body.details || {};
    const local = (iso, format) => {
      try {
        return new Intl.DateTimeFormat(language, { ...format, timeZone: config.timezone }).format(new Date(iso));
      } catch (error) {
        return new Date(iso).toLocaleString();
      }
    };
    switch (body.error === "check_in_refused" ? details.reason : "not_found") {
      case "wrong_branch": return t("refused_wrong_branch", { branch: localized(details.branch_names || {}) });
      case "cancelled": return t("refused_cancelled");
      case "already_checked_in": return t("refused_already_checked_in", { ticket: details.ticket || "" });
      case "not_today":
        return t("refused_not_today", { date: local(details.start, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }) });
      case "too_early": return t("refused_too_early", { time: local(details.check_in_from, { hour: "2-digit", minute: "2-digit" }) });
      case "too_late": return t("refused_too_late");
      default: return t("refused_not_found");
    }
  }

  // ---- idle: warn, offer more time, then start again (WCAG 2.2.1) ---------------------------
  let idleTimer = null;
  let countdown = null;

  function armIdle() {
    clearTimeout(idleTimer);
    if (current !== "step-language" && current !== "step-busy") idleTimer = setTimeout(warnIdle, IDLE_AFTER_MS);
  }

  function warnIdle() {
    const dialog = $("idle");
    let left = WARNING_SECONDS;
    const tell = () => { $("idle-countdown").textContent = t("returning", { seconds: left }); };
    tell();
    dialog.showModal();
    countdown = setInterval(() => {
      left -= 1;
      if (left <= 0) startAgain();
      else tell();
    }, 1000);
  }

  function closeIdle() {
    clearInterval(countdown);
    if ($("idle").open) $("idle").close();
  }

  function moreTime() {
    closeIdle();
    armIdle();
  }

  // ---- wiring ----------------------------------------------------------------------------------------
  document.querySelectorAll("button[data-lang]").forEach((button) => {
    button.addEventListener("click", () => {
      useLanguage(button.dataset.lang);
      renderServices();
      show("step-service");
      refreshAvailability();
    });
  });
  const actions = {
    back: startAgain, done: startAgain, restart: startAgain, "more-time": moreTime,
    appointment: openCheckIn, "to-services": () => { renderServices(); show("step-service"); },
    retry: () => (retry ? retry() : startAgain()),
  };
  document.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", () => actions[button.dataset.action]());
  });
  $("reprint").addEventListener("click", reprint);
  $("check-in").addEventListener("submit", checkIn);
  buildKeypad();
  $("idle").addEventListener("cancel", (event) => { event.preventDefault(); moreTime(); });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("idle").open && current !== "step-language") startAgain();
  });
  for (const kind of ["pointerdown", "keydown"]) {
    document.addEventListener(kind, () => { if (!$("idle").open) armIdle(); }, true);
  }

  function tick() {
    try {
      $("clock").textContent = new Intl.DateTimeFormat("cs", {
        hour: "2-digit", minute: "2-digit", timeZone: config.timezone,
      }).format(new Date());
    } catch (error) {
      $("clock").textContent = "";
    }
  }
  tick();
  setInterval(tick, 15000);
  refreshAvailability();
  setInterval(refreshAvailability, AVAILABILITY_EVERY_MS);
})();
