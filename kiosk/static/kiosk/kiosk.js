// The kiosk: language → service → ticket. Every step has a way back; an idle screen warns,
// offers more time, and only then returns to the start. No external assets: kiosks are offline.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("kiosk-config").textContent);
  // The device's time limit (administration: device.idle_seconds); doubled while reading aloud.
  const IDLE_AFTER_MS = (config.idleSeconds || 45) * 1000;
  const WARNING_SECONDS = 20;
  const AVAILABILITY_EVERY_MS = 30000;
  const HEARTBEAT_EVERY_MS = 60000;
  const STEPS = ["step-language", "step-service", "step-appointment", "step-ticket", "step-busy", "step-error"];
  const $ = (id) => document.getElementById(id);

  let language = null;
  let availability = config.availability || {};
  let lastTicket = null;
  let retry = null;
  let current = "step-language";
  let practice = null;          // the trainer's staff token while practising
  let readingAloud = false;
  const speaker = new window.OkenkoSpeaker(1);

  function t(key, params = {}) {
    const table = config.messages[language] || config.messages[config.languages[0].code];
    let text = table[key] || key;
    // A text with a number comes as its plural forms rendered for each count: {"1": …, "2": …}.
    if (typeof text === "object") text = text[String(params.count)] || Object.values(text).pop();
    return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
  }

  function show(step) {
    current = step;
    for (const id of STEPS) $(id).hidden = id !== step;
    // The code field keeps the focus: a USB scanner types into whatever is focused.
    const target = step === "step-appointment" ? $("appointment-code") : $(step).querySelector("h1");
    if (target) target.focus();
    armIdle();
    readScreen();
  }

  function useLanguage(code) {
    language = code;
    const meta = config.languages.find((l) => l.code === code);
    document.documentElement.lang = code || "cs";
    document.documentElement.dir = meta ? meta.dir : "ltr";
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.label)); });
    if (!code) document.querySelectorAll(".assist [data-t]").forEach((el) => { el.textContent = bilingual(el.dataset.t); });
  }

  // Before a language is chosen, the help buttons speak Czech and English.
  function bilingual(key) {
    const cs = (config.messages.cs || {})[key] || key;
    const en = (config.messages.en || {})[key];
    return en && en !== cs ? `${cs} · ${en}` : cs;
  }

  function startAgain() {
    closeIdle();
    lastTicket = null;
    tellService(null);
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
      const number = element("span", "key-number", String(list.children.length + 1));
      number.setAttribute("aria-hidden", "true");
      const name = element("span", "name", localized(service.names));
      name.prepend(number, " ");
      button.append(name, element("span", "about", localized(service.descriptions)));
      if (available) {
        offered += 1;
        button.addEventListener("click", () => issue(service.code));
      } else {
        // Still tappable: it says when the service opens (or that it can be booked).
        button.setAttribute("aria-disabled", "true");
        button.append(element("span", "reason", reason(state)));
        button.addEventListener("click", () => tellService(whyNot(service, state)));
      }
      list.append(button);
    }
    $("no-services").hidden = offered > 0;
  }

  function whyNot(service, state) {
    const bookable = config.appointments && service.bookable;
    return bookable ? `${reason(state)} ${t("can_book")}` : reason(state);
  }

  function tellService(text) {
    const notice = $("service-notice");
    notice.textContent = text || "";
    notice.hidden = !text;
    if (text) say([[text, language]]);
  }

  function reason(state) {
    if (state.unavailable_reason !== "closed") return t("no_counter");
    if (!state.opens_at) return t("closed_today");
    const opens = new Date(state.opens_at);
    const sameDay = opens.toDateString() === new Date().toDateString();
    const withinWeek = opens - new Date() < 6 * 24 * 3600 * 1000;   // after holidays: the date too
    const format = sameDay ? { hour: "2-digit", minute: "2-digit" }
      : withinWeek ? { weekday: "long", hour: "2-digit", minute: "2-digit" }
        : { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" };
    let when;
    try {
      when = new Intl.DateTimeFormat(language, { ...format, hourCycle: "h23", timeZone: config.timezone }).format(opens);
    } catch (error) {
      when = opens.toLocaleString();
    }
    return t("closed", { time: when });
  }

  // ---- issuing and printing ----------------------------------------------------------------------
  // Past its capacity the server answers 503 with Retry-After at once: wait (longer each time, with
  // jitter so that kiosks do not retry in step) and try again, telling the visitor, before giving up.
  const BUSY_RETRIES = 4;
  const BUSY_MAX_WAIT_S = 8;

  async function postTicket(body, url = config.ticketsUrl, headers = { "Content-Type": "application/json" }) {
    const status = $("step-busy").querySelector(".busy");
    status.textContent = t("issuing");
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, { method: "POST", credentials: "same-origin", headers,
                                          body: JSON.stringify(body) });
      if (response.status !== 503 || attempt >= BUSY_RETRIES) return response;
      status.textContent = t("server_busy");
      const after = response.headers.has("Retry-After") ? Number(response.headers.get("Retry-After")) : 2;
      const base = Math.min((Number.isFinite(after) ? after : 2) * 2 ** attempt, BUSY_MAX_WAIT_S);
      await new Promise((resolve) => { setTimeout(resolve, base * (0.75 + Math.random() / 2) * 1000); });
    }
  }

  async function issue(service) {
    retry = () => issue(service);
    show("step-busy");
    let response;
    const headers = { "Content-Type": "application/json" };
    if (practice) headers.Authorization = `Bearer ${practice}`;
    try {
      response = await postTicket({ branch: config.branch, service, language },
                                  practice ? config.practiceUrl : config.ticketsUrl, headers);
    } catch (error) {
      return fail(t("server_down"));
    }
    if (response.status === 201) {
      showTicket(await response.json());
      refreshAvailability();
      return undefined;
    }
    if (practice && response.status === 401) endPractice();
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
    $("ticket-practice").hidden = !ticket.practice;
    const qr = $("ticket-qr");
    qr.closest("figure").hidden = Boolean(ticket.practice);      // a practice ticket has no phone page
    if (!ticket.practice) qr.src = config.qrUrl.replace("TOKEN", encodeURIComponent(ticket.token));
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
      response = await postTicket({ branch: config.branch, appointment_code: code });
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
        return new Intl.DateTimeFormat(language, { ...format, hourCycle: "h23", timeZone: config.timezone }).format(new Date(iso));
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
    const limit = readingAloud ? 2 * IDLE_AFTER_MS : IDLE_AFTER_MS;
    if (current !== "step-language" && current !== "step-busy") idleTimer = setTimeout(warnIdle, limit);
  }

  function warnIdle() {
    const dialog = $("idle");
    let left = WARNING_SECONDS;
    const tell = () => { $("idle-countdown").textContent = t("returning", { seconds: left, count: left }); };
    tell();
    dialog.showModal();
    countdown = setInterval(() => {
      left -= 1;
      // A forgotten practice must not hand the next real visitor a made-up ticket.
      if (left <= 0) (practice ? endPractice : startAgain)();
      else tell();
    }, 1000);
  }

  function closeIdle() {
    $("assist-status").hidden = true;
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
  useLanguage(null);
  $("idle").addEventListener("cancel", (event) => { event.preventDefault(); moreTime(); });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("idle").open && current !== "step-language") startAgain();
  });
  for (const kind of ["pointerdown", "keydown"]) {
    document.addEventListener(kind, () => { if (!$("idle").open) armIdle(); }, true);
  }

  // ---- reading aloud: the server's voices read each screen, the focused option and the ticket ----------
  const spokenNumber = (label) => label.replace(/^([A-Za-z]{1,3})-0*(\d+)$/, "$1 $2");

  function speechUrl(text, code) {
    const query = new URLSearchParams({ language: code || "cs", text: text.slice(0, 400) });
    return `${config.speechUrl}?${query}`;
  }

  // parts: [[text, language], …], read one after the other; a new screen cuts the old one short.
  function say(parts) {
    if (!readingAloud) return;
    speaker.interrupt();
    speaker.say(parts.filter(([text]) => text).map(([text, code]) => speechUrl(text, code)));
  }

  const optionsOf = (step) => [...$(step).querySelectorAll(".choice")].filter((el) => el.offsetParent !== null);
  const optionText = (el) => (el.querySelector(".label, .name") || el).textContent.replace(/^\s*\d+\s+/, "").trim();

  function readScreen() {
    if (!readingAloud) return;
    if (current === "step-language") {
      say([["Zvolte jazyk. Stiskněte číslo jazyka.", "cs"], ["Choose your language.", "en"],
           ...optionsOf(current).map((el, i) => [`${i + 1}. ${optionText(el)}`, el.lang])]);
    } else if (current === "step-service") {
      say([[t("choose_service"), language], ...optionsOf(current).map((el, i) => {
        const why = el.querySelector(".reason");
        return [`${i + 1}. ${optionText(el)}${why ? `. ${why.textContent}` : ""}`, language];
      })]);
    } else if (current === "step-ticket" && lastTicket) {
      say([[`${t("your_number")} ${spokenNumber(lastTicket.number)}. ${lastTicket.texts.service}. `
            + `${lastTicket.texts.people_ahead || ""} ${lastTicket.texts.estimated_wait || ""} `
            + `${$("ticket-print").textContent}`, language]]);
    } else {
      const heading = $(current).querySelector("h1, .busy");
      if (heading) say([[heading.textContent, language]]);
    }
  }

  function toggle(button, on) {
    button.setAttribute("aria-pressed", String(on));
    return on;
  }

  function setReadingAloud(on) {
    readingAloud = toggle($("read-aloud"), on);
    if (on) readScreen();
    else speaker.interrupt();
    armIdle();
  }

  document.addEventListener("focusin", (event) => {
    const option = event.target.closest ? event.target.closest("button") : null;
    if (!readingAloud || !option || event.target === document.body) return;
    const code = option.lang || language;
    say([[option.classList.contains("choice") ? optionText(option) : option.textContent.trim(), code]]);
  });

  // ---- bigger text, high contrast, calling staff -----------------------------------------------------
  $("read-aloud").addEventListener("click", () => setReadingAloud(!readingAloud));
  $("bigger-text").addEventListener("click", (event) => {
    document.documentElement.classList.toggle("big-text", toggle(event.currentTarget,
      event.currentTarget.getAttribute("aria-pressed") !== "true"));
  });
  $("high-contrast").addEventListener("click", (event) => {
    document.documentElement.classList.toggle("contrast", toggle(event.currentTarget,
      event.currentTarget.getAttribute("aria-pressed") !== "true"));
  });

  function tellAssist(text) {
    $("assist-status").textContent = text;
    $("assist-status").hidden = !text;
    if (text) say([[text, language]]);
  }

  $("call-staff").addEventListener("click", async () => {
    try {
      const response = await fetch(config.helpUrl, {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ branch: config.branch }),
      });
      tellAssist(response.ok ? t("staff_called") : t("server_down"));
    } catch (error) {
      tellAssist(t("server_down"));
    }
  });

  // ---- keypad: number keys choose the n-th option (the numbers are shown), * reads aloud -----------
  document.addEventListener("keydown", (event) => {
    if (event.target.matches && event.target.matches("input") || $("idle").open || $("practice-sign-in").open) return;
    if (event.key === "*") {
      event.preventDefault();
      setReadingAloud(!readingAloud);
    } else if (/^[1-9]$/.test(event.key) && !event.ctrlKey && !event.altKey) {
      const option = optionsOf(current)[Number(event.key) - 1];
      if (option) {
        event.preventDefault();
        option.focus();
        option.click();
      }
    }
  });

  // ---- practice mode, started by a staff member on this kiosk (Ctrl+Alt+P, or 5 taps on the name) --
  let taps = [];
  document.querySelector(".bar .branch").addEventListener("click", () => {
    const now = Date.now();
    taps = [...taps.filter((at) => now - at < 3000), now];
    if (taps.length >= 5) openPractice();
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey && event.altKey && event.key.toLowerCase() === "p") openPractice();
  });

  function openPractice() {
    taps = [];
    $("practice-problem").hidden = true;
    $("practice-form").reset();
    $("practice-sign-in").showModal();
  }

  $("practice-cancel").addEventListener("click", () => $("practice-sign-in").close());
  $("practice-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    let response;
    try {
      response = await fetch(config.tokenUrl, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("practice-user").value, password: $("practice-password").value }),
      });
    } catch (error) {
      response = null;
    }
    if (!response || !response.ok) {
      $("practice-problem").hidden = false;
      return;
    }
    practice = (await response.json()).token;
    $("practice-sign-in").close();
    $("practice-banner").hidden = false;
    document.documentElement.classList.add("practising");
    startAgain();
  });

  function endPractice() {
    practice = null;
    $("practice-banner").hidden = true;
    document.documentElement.classList.remove("practising");
    startAgain();
  }
  $("end-practice").addEventListener("click", endPractice);

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
  // The operations board shows a kiosk as online while it says so (a lost heartbeat is not an error).
  const heartbeat = () => fetch(config.heartbeatUrl, {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ branch: config.branch }),
  }).catch(() => {});
  heartbeat();
  setInterval(heartbeat, HEARTBEAT_EVERY_MS);
})();
