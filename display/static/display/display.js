// Waiting-room display: a snapshot on (re)connect, then calls, queues and slides as they happen.
// A gap in the branch's sequence numbers means a missed message: ask for a fresh snapshot.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("display-config").textContent);
  const $ = (id) => document.getElementById(id);
  const RECENT_ANNOUNCE_MS = 60000;
  const NAME_TURN_MS = 6000;
  let seq = null;
  let recent = [];
  let services = [];
  let slides = [];
  let shownCall = null;

  const label = (key) => {
    const cs = config.labels.cs[key];
    const en = config.labels.en[key];
    return cs === en ? cs : `${cs} · ${en}`;
  };
  document.querySelectorAll("[data-label]").forEach((el) => { el.textContent = label(el.dataset.label); });
  $("reconnecting").textContent = label("reconnecting");
  $("current-mark").textContent = label("appointment");

  // ---- state from the server -----------------------------------------------------------------
  // `active`: every counter's call still waiting for its visitor (newest first), kept until the
  // visitor is started, marked no-show or cancelled. `recent`: the history, secondary.
  let active = [];

  const callOf = (entry, at) => ({ number: entry.number, counter: entry.counter, language: entry.language,
                                   appointment: entry.appointment, at, seq: entry.seq,
                                   audio: entry.audio || {} });

  function applySnapshot(snapshot) {
    seq = snapshot.seq;
    active = (snapshot.active_calls || []).map((call) => callOf(call, call.called_at));
    recent = snapshot.recent.map((call) => callOf(call, call.at));
    services = snapshot.services;
    slides = snapshot.slides;
    scheduleSlidesRefresh(snapshot.slides_change_at, snapshot.generated_at);
    renderQueues();
    restartSlides();
    const newest = active[0];
    if (!newest) return showCalls();
    const isNew = !shownCall || newest.number !== shownCall.number || newest.at !== shownCall.at;
    // A call made while this screen was away must not stay unannounced.
    const fresh = Date.now() - Date.parse(newest.at) < RECENT_ANNOUNCE_MS;
    return showCalls(isNew ? newest : null, isNew && fresh && shownCall !== null);
  }

  // A call must bring something new; a queue state may also be a refresh of what we have
  // (it then covers no new event: seq_from = seq + 1).
  function inOrder(message, refreshes) {
    if (seq === null) return false;                              // not synchronised yet
    if (message.seq_from > seq + 1) {
      socket.emit("snapshot");                                   // we missed something
      return false;
    }
    if (message.seq < seq || (message.seq === seq && !refreshes)) return false;   // stale
    seq = message.seq;
    return true;
  }

  function onCall(message) {
    if (!inOrder(message, false)) return;
    const call = callOf({ ...message.ticket, counter: message.counter, audio: message.audio, seq: message.seq },
                        message.at);
    const sameCounter = (c) => c.counter && call.counter && c.counter.id === call.counter.id;
    active = [call, ...active.filter((c) => !sameCounter(c) && c.number !== call.number)];
    recent = [call, ...recent.filter((c) => c.number !== call.number)].slice(0, config.recentCalls);
    showCalls(call, true);
  }

  function onQueue(message) {
    if (!inOrder(message, true)) return;
    services = message.services;
    renderQueues();
    if (message.active_calls) {
      active = message.active_calls.map((call) => callOf(call, call.called_at));
      showCalls();
    }
  }

  function onSlide(message) {
    if (seq !== null && message.seq_from > seq + 1) {
      socket.emit("snapshot");
      return;
    }
    slides = message.slides;
    scheduleSlidesRefresh(message.slides_change_at, message.generated_at);
    restartSlides();
  }

  // ---- drawing ----------------------------------------------------------------------------------------
  let highlight = null;

  // The newest active call large, the other counters' calls below it, then the history.
  function showCalls(fresh = null, announceIt = false) {
    const [newest, ...others] = active;
    const box = $("current");
    box.hidden = !newest;
    if (newest) {
      $("current-number").textContent = newest.number;
      $("current-mark").hidden = !newest.appointment;
      $("current-counter").replaceChildren(...counterParts(newest));
    }
    $("active").replaceChildren(...others.map(callRow));
    renderRecent();
    if (!fresh) return;
    shownCall = fresh;
    box.classList.remove("fresh");
    void box.offsetWidth;   // restart the animation
    box.classList.add("fresh");
    clearTimeout(highlight);
    highlight = setTimeout(() => box.classList.remove("fresh"), config.highlightSeconds * 1000);
    if (announceIt) announce(fresh);
  }

  // "Přepážka · Quầy 2" and the desk's name in the visitor's language, if it has one.
  function counterParts(call) {
    const counter = call.counter;
    if (!counter) return [];
    const words = [...new Set([config.counterWords.cs, config.counterWords[call.language]].filter(Boolean))];
    const word = element("span", "counter-word", words.join(" · "));
    const number = element("span", "counter-number", String(counter.number ?? counter.name));
    const names = counter.names || {};
    const name = names[call.language] || names.cs;
    if (!name) return [word, number];
    const local = element("span", "counter-name", name);
    if (names[call.language]) local.lang = call.language;
    return [word, number, local];
  }

  // "about 190 min" makes the room do sums: past an hour, hours and minutes, rounded to 5 min as the
  // estimate is rough (as the kiosk and the phone say it).
  function waitText(minutes) {
    if (minutes < 60) return config.labels.cs.minutes.replace("{minutes}", minutes);
    const rounded = 5 * Math.round(minutes / 5);
    return config.labels.cs.hours.replace("{hours}", Math.floor(rounded / 60)).replace("{minutes}", rounded % 60);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  // Checked-in appointments are marked, so walk-ins see why they go first.
  function appointmentMark() {
    return element("span", "mark", label("appointment"));
  }

  function callRow(call) {
    const item = document.createElement("li");
    const number = element("span", "number", call.number);
    number.dir = "ltr";
    if (call.appointment) number.append(appointmentMark());
    const counter = element("span", "counter", "");
    counter.append(...counterParts(call));
    item.append(number, counter);
    return item;
  }

  function renderRecent() {
    const showing = new Set(active.map((c) => c.number));
    $("recent").replaceChildren(...recent.filter((c) => !showing.has(c.number)).map(callRow));
    fitRecent();
  }

  // Only whole rows: the history that does not fit under the active calls is left out.
  function fitRecent() {
    const list = $("recent");
    while (list.lastElementChild && list.scrollHeight > list.clientHeight) list.lastElementChild.remove();
  }

  // Service names in Czech and, underneath, in the branch's other languages in turn.
  let nameTurn = 0;

  function renderQueues() {
    const shown = config.services.length ? services.filter((s) => config.services.includes(s.code)) : services;
    const other = config.languages.length ? config.languages[nameTurn % config.languages.length] : null;
    $("queues").replaceChildren(...shown.map((service) => {
      const item = document.createElement("li");
      const names = element("span", "names", "");
      names.append(element("span", "name", `${service.prefix} · ${service.names.cs || service.code}`));
      if (other && service.names[other] && service.names[other] !== service.names.cs) {
        const translated = element("span", "name other", service.names[other]);
        translated.lang = other;
        translated.dir = other === "ar" ? "rtl" : "ltr";
        names.append(translated);
      }
      const count = element("span", "count", "");
      if (!service.available) count.textContent = label("closed");
      else if (service.estimated_wait_minutes == null || service.waiting === 0) count.textContent = String(service.waiting);
      else count.textContent = `${service.waiting} · ${waitText(service.estimated_wait_minutes)}`;
      item.append(names, count);
      return item;
    }));
  }

  setInterval(() => { nameTurn += 1; renderQueues(); }, NAME_TURN_MS);

  // ---- enlightenment slides --------------------------------------------------------------------------
  // Slides with hours ("afternoons") come and go by the clock, not by an event: at the next such
  // moment the display asks for a fresh snapshot.
  // The wait is counted on the server's clock (the moment minus the message's time), so a television
  // whose clock is off neither misses the change nor asks again and again.
  let windowTimer = null;
  function scheduleSlidesRefresh(at, serverNow) {
    clearTimeout(windowTimer);
    if (!at || !serverNow) return;
    const wait = Math.min(Math.max(Date.parse(at) - Date.parse(serverNow), 1000), 6 * 3600 * 1000);
    windowTimer = setTimeout(() => socket.emit("snapshot"), wait + 500);
  }

  let slideTimer = null;
  let slideIndex = 0;

  function restartSlides() {
    clearTimeout(slideTimer);
    slideIndex = 0;
    showSlide();
  }

  function showSlide() {
    const box = $("slide");
    if (!slides.length) {
      box.hidden = true;
      return;
    }
    const slide = slides[slideIndex % slides.length];
    box.hidden = false;
    box.lang = slide.language;
    box.dir = slide.language === "ar" ? "rtl" : "ltr";
    $("slide-title").textContent = slide.title;
    $("slide-body").textContent = slide.body;
    const image = $("slide-image");
    image.hidden = !slide.image_url;
    if (slide.image_url) image.src = slide.image_url;
    fitText(box);
    slideIndex += 1;
    slideTimer = setTimeout(showSlide, Math.max(slide.duration_s, 5) * 1000);
  }

  // A long slide shrinks until it fits its box (never below 45 %), rather than being cut off mid-sentence.
  function fitText(box) {
    for (let scale = 1; scale >= 0.45; scale -= 0.05) {
      box.style.fontSize = `${scale}em`;
      if (box.scrollHeight <= box.clientHeight) return;
    }
  }

  // ---- chime and spoken announcement ----------------------------------------------------------------
  // Files synthesized by the server, in Czech and the ticket's language (or the languages this
  // display is set to speak), queued on the page's one loudspeaker.
  const speaker = new window.OkenkoSpeaker(config.volume);

  function announce(call) {
    if (!config.chime && !config.speech) return;
    const wanted = config.spokenLanguages.length ? config.spokenLanguages : Object.keys(call.audio);
    const urls = config.speech ? wanted.filter((code) => call.audio[code]).map((code) => call.audio[code]) : [];
    speaker.say(urls, { chime: config.chime });
  }

  // ---- connection ------------------------------------------------------------------------------------
  const socket = new window.OkenkoSocket("/display", { branch: config.branch }, {
    connect: () => { $("reconnecting").hidden = true; },
    disconnect: () => { $("reconnecting").hidden = false; },
    snapshot: applySnapshot,
    call: onCall,
    queue: onQueue,
    slide: onSlide,
  });
  socket.open();
  setInterval(() => socket.emit("heartbeat"), 60000);       // the operations board's "online"

  function tick() {
    $("clock").textContent = new Intl.DateTimeFormat("cs", { hour: "2-digit", minute: "2-digit",
                                                              timeZone: config.timezone }).format(new Date());
  }
  tick();
  setInterval(tick, 10000);
  window.okenkoDisplay = { seq: () => seq, speaker };
})();
