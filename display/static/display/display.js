// Waiting-room display: a snapshot on (re)connect, then calls, queues and slides as they happen.
// A gap in the branch's sequence numbers means a missed message: ask for a fresh snapshot.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("display-config").textContent);
  const $ = (id) => document.getElementById(id);
  const RECENT_ANNOUNCE_MS = 60000;
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
  function applySnapshot(snapshot) {
    seq = snapshot.seq;
    recent = snapshot.recent.map((call) => ({ number: call.number, counter: call.counter, language: call.language,
                                              appointment: call.appointment, at: call.at, seq: call.seq }));
    services = snapshot.services;
    slides = snapshot.slides;
    renderRecent();
    renderQueues();
    restartSlides();
    const newest = recent[0];
    if (newest && (!shownCall || newest.seq > shownCall.seq)) {
      // A call made while this screen was away must not stay hidden.
      const fresh = Date.now() - Date.parse(newest.at) < RECENT_ANNOUNCE_MS;
      showCurrent(newest, fresh && shownCall !== null);
    }
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
    const call = { number: message.ticket.number, counter: message.counter, language: message.ticket.language,
                   appointment: message.ticket.appointment, at: message.at, seq: message.seq };
    recent = [call, ...recent.filter((c) => c.number !== call.number)].slice(0, config.recentCalls);
    renderRecent();
    showCurrent(call, true);
  }

  function onQueue(message) {
    if (!inOrder(message, true)) return;
    services = message.services;
    renderQueues();
  }

  function onSlide(message) {
    if (seq !== null && message.seq_from > seq + 1) {
      socket.emit("snapshot");
      return;
    }
    slides = message.slides;
    restartSlides();
  }

  // ---- drawing ----------------------------------------------------------------------------------------
  let highlight = null;

  function showCurrent(call, announceIt) {
    shownCall = call;
    $("current-number").textContent = call.number;
    $("current-mark").hidden = !call.appointment;
    $("current-counter").textContent = call.counter ? call.counter.name : "";
    const box = $("current");
    box.hidden = false;
    fitRecent();
    box.classList.remove("fresh");
    void box.offsetWidth;   // restart the animation
    box.classList.add("fresh");
    clearTimeout(highlight);
    highlight = setTimeout(() => box.classList.remove("fresh"), config.highlightSeconds * 1000);
    if (announceIt) announce(call);
  }

  // Checked-in appointments are marked, so walk-ins see why they go first.
  function appointmentMark() {
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = label("appointment");
    return mark;
  }

  function renderRecent() {
    const list = $("recent");
    list.replaceChildren(...recent.map((call) => {
      const item = document.createElement("li");
      const number = document.createElement("span");
      number.textContent = call.number;
      number.dir = "ltr";
      if (call.appointment) number.append(appointmentMark());
      const counter = document.createElement("span");
      counter.textContent = call.counter ? call.counter.name : "";
      item.append(number, counter);
      return item;
    }));
    fitRecent();
  }

  // Only whole rows: the calls that do not fit under the current call are left out.
  function fitRecent() {
    const list = $("recent");
    while (list.lastElementChild && list.scrollHeight > list.clientHeight) list.lastElementChild.remove();
  }

  function renderQueues() {
    const shown = config.services.length ? services.filter((s) => config.services.includes(s.code)) : services;
    $("queues").replaceChildren(...shown.map((service) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = `${service.prefix} · ${service.names.cs || service.code}`;
      const count = document.createElement("span");
      count.className = "count";
      if (!service.available) count.textContent = label("closed");
      else if (service.estimated_wait_minutes == null || service.waiting === 0) count.textContent = String(service.waiting);
      else count.textContent = `${service.waiting} · ${config.labels.cs.minutes.replace("{minutes}", service.estimated_wait_minutes)}`;
      item.append(name, count);
      return item;
    }));
  }

  // ---- enlightenment slides --------------------------------------------------------------------------
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

  // A long slide shrinks until it fits its box (never below 60 %), rather than being cut off mid-sentence.
  function fitText(box) {
    for (let scale = 1; scale >= 0.6; scale -= 0.05) {
      box.style.fontSize = `${scale}em`;
      if (box.scrollHeight <= box.clientHeight) return;
    }
  }

  // ---- chime and spoken announcement ----------------------------------------------------------------
  function chime() {
    if (!config.chime || !window.AudioContext) return;
    try {
      const audio = new AudioContext();
      [[660, 0], [880, 0.35]].forEach(([frequency, start]) => {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + start + 0.05);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + start + 0.6);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + start);
        tone.stop(audio.currentTime + start + 0.65);
      });
    } catch (error) {
      // No sound device: the highlight still shows the call.
    }
  }

  function spoken(number) {
    const [prefix, digits] = number.split("-");
    return `${prefix}, ${(digits || "").split("").join(" ")}`;
  }

  function announce(call) {
    chime();
    if (!config.speech || !window.speechSynthesis) return;
    const voices = speechSynthesis.getVoices();
    for (const language of [...new Set(["cs", call.language])]) {
      const voice = voices.find((v) => v.lang.toLowerCase().startsWith(language));
      const template = config.announcements[language];
      if (!voice || !template) continue;                 // no voice for it: the chime alone
      const text = template.replace("{number}", spoken(call.number))
                           .replace("{counter}", call.counter ? call.counter.name : "");
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      speechSynthesis.speak(utterance);
    }
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

  function tick() {
    $("clock").textContent = new Intl.DateTimeFormat("cs", { hour: "2-digit", minute: "2-digit",
                                                              timeZone: config.timezone }).format(new Date());
  }
  tick();
  setInterval(tick, 10000);
  window.okenkoDisplay = { seq: () => seq };
})();
