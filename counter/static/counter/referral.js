// Booking a follow-up for the client at the counter: any branch's bookable service, a free slot,
// then the code and QR to show, or print on the counter's printer. Linked to the ticket (statistics).
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("console-config").textContent);
  const referral = config.referral;
  const $ = (id) => document.getElementById(id);
  const api = window.okenkoApi;
  const dialog = $("referral-dialog");
  let ticket = null;
  let booked = null;

  const branchOf = () => referral.branches.find((b) => b.code === $("referral-branch").value);
  // Times as the chosen branch's clocks show them, whatever this computer's time zone.
  const inBranch = (iso, format) => new Intl.DateTimeFormat("cs", { ...format, timeZone: branchOf().timezone })
    .format(new Date(iso));

  function fillServices() {
    const branch = branchOf();
    $("referral-service").replaceChildren(...branch.services.map((s) => new Option(s.name, s.code)));
    fillLanguages();
  }

  function fillLanguages() {
    const branch = branchOf();
    const service = branch.services.find((s) => s.code === $("referral-service").value);
    const offered = (service && service.languages.length ? service.languages : branch.languages);
    $("referral-language").replaceChildren(...offered.map((code) => new Option(config.languages[code] || code, code)));
    if (ticket && offered.includes(ticket.language)) $("referral-language").value = ticket.language;
    loadSlots();
  }

  async function loadSlots() {
    const list = $("referral-slots");
    list.replaceChildren();
    $("referral-message").textContent = "";
    if (!$("referral-service").value || !$("referral-date").value) return;
    try {
      const query = `service=${encodeURIComponent($("referral-service").value)}&date=${$("referral-date").value}`;
      const slots = await api("GET", `/branches/${encodeURIComponent($("referral-branch").value)}/slots?${query}`);
      const free = slots.filter((slot) => slot.free > 0);
      if (!free.length) $("referral-message").textContent = referral.labels.none;
      list.replaceChildren(...free.map((slot) => {
        const label = document.createElement("label");
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "referral-start";
        radio.value = slot.start;
        radio.required = true;
        label.append(radio, ` ${inBranch(slot.start, { hour: "2-digit", minute: "2-digit" })} (${slot.free})`);
        return label;
      }));
    } catch (error) {
      $("referral-message").textContent = error.message;
    }
  }

  async function book(event) {
    event.preventDefault();
    const chosen = $("referral-form").querySelector("input[name=referral-start]:checked");
    if (!chosen) return;
    try {
      booked = await api("POST", "/appointments", {
        branch: $("referral-branch").value, service: $("referral-service").value,
        language: $("referral-language").value, start: chosen.value, referral_ticket: ticket.id,
      });
    } catch (error) {
      $("referral-message").textContent = error.message;
      return loadSlots();
    }
    $("referral-form").hidden = true;
    $("referral-result").hidden = false;
    $("referral-code").textContent = booked.display_code;
    $("referral-when").textContent = inBranch(booked.start, { dateStyle: "full", timeStyle: "short" });
    $("referral-qr").src = `/a/${booked.code}/qr.svg`;
    $("referral-printed").textContent = referral.labels.booked.replace("{code}", booked.display_code);
    $("referral-print").hidden = !referral.hasPrinter;
    $("referral-print").focus();
    return undefined;
  }

  async function print() {
    try {
      const outcome = await api("POST", `/appointments/${booked.code}/print`, { counter: config.counter });
      $("referral-printed").textContent = outcome.status === "printed" ? referral.labels.printed
        : referral.labels.not_printed.replace("{reason}", outcome.error || "");
    } catch (error) {
      $("referral-printed").textContent = referral.labels.not_printed.replace("{reason}", error.message);
    }
  }

  function open(event) {
    ticket = event.detail;
    booked = null;
    $("referral-form").hidden = false;
    $("referral-result").hidden = true;
    // Today at the counter's branch, as YYYY-MM-DD (the Swedish format is ISO).
    $("referral-date").value = new Date().toLocaleDateString("sv", { timeZone: config.timezone });
    const branches = referral.branches.filter((b) => b.services.length);
    $("referral-branch").replaceChildren(...branches.map((b) => new Option(b.name, b.code)));
    $("referral-branch").value = branches.some((b) => b.code === config.branch) ? config.branch : branches[0].code;
    fillServices();
    dialog.showModal();
  }

  $("referral-branch").addEventListener("change", fillServices);
  $("referral-service").addEventListener("change", fillLanguages);
  $("referral-language").addEventListener("change", loadSlots);
  $("referral-date").addEventListener("change", loadSlots);
  $("referral-form").addEventListener("submit", book);
  $("referral-print").addEventListener("click", print);
  document.querySelectorAll("[data-referral-close]").forEach((button) => button.addEventListener("click", () => dialog.close()));
  document.addEventListener("okenko:follow-up", open);
})();
