// Reception: issue for a visitor, print on the branch's kiosk printer, cancel or print again.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("reception-config").textContent);
  const $ = (id) => document.getElementById(id);

  const api = window.okenkoApi;


  const branch = () => config.branches.find((b) => b.code === $("branch").value);
  const say = (text) => { $("message").textContent = text; };

  function fill() {
    const current = branch();
    $("service").replaceChildren(...current.services.map((s) => new Option(`${s.prefix} · ${s.name}`, s.code)));
    $("language").replaceChildren(...current.languages.map((code) => new Option(config.languages[code] || code, code)));
    refresh();
  }

  async function printTicket(token) {
    const outcome = await api("POST", `/tickets/${token}/reprint`);
    return outcome.status === "printed" ? config.labels.printed
      : config.labels.not_printed.replace("{reason}", outcome.error || outcome.status);
  }

  async function refresh() {
    try {
      const tickets = await api("GET", `/branches/${branch().code}/tickets`);
      $("tickets").replaceChildren(...tickets.map(row));
    } catch (error) {
      say(error.message);
    }
  }

  function row(ticket) {
    const tr = document.createElement("tr");
    for (const text of [ticket.number, ticket.service_names.cs || ticket.service,
                        config.languages[ticket.language] || ticket.language,
                        config.labels.statuses[ticket.status] || ticket.status]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const actions = document.createElement("td");
    const print = document.createElement("button");
    print.type = "button";
    print.textContent = config.labels.print;
    print.addEventListener("click", async () => {
      try { say(await printTicket(ticket.token)); } catch (error) { say(error.message); }
    });
    actions.append(print);
    if (ticket.status !== "serving") {
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.textContent = config.labels.cancel;
      cancel.addEventListener("click", async () => {
        try { await api("POST", `/tickets/${ticket.id}/cancel`, { reason: "reception" }); } catch (error) { say(error.message); }
        refresh();
      });
      actions.append(" ", cancel);
    }
    tr.append(actions);
    return tr;
  }

  $("issue").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const ticket = await api("POST", "/tickets", {
        branch: branch().code, service: $("service").value, language: $("language").value,
        priority: $("priority").checked ? 1 : 0,
      });
      let text = config.labels.issued.replace("{number}", ticket.number);
      if ($("print").checked) text += ` ${await printTicket(ticket.token)}`;
      say(text);
      $("priority").checked = false;
    } catch (error) {
      say(error.message);
    }
    refresh();
  });
  // ---- kiosks calling for staff: live, until someone acknowledges ------------------------------
  const alerts = window.okenkoHelpAlerts(config.labels, say);
  const refreshAlerts = () => alerts(branch().code);

  let socket = null;
  function follow() {
    if (socket) socket.socket.disconnect();
    socket = new window.OkenkoSocket("/counter", { branch: branch().code }, { connect: refreshAlerts, help: refreshAlerts });
    socket.open();
  }

  // A receptionist works at one branch: the page remembers it on this computer.
  const BRANCH_KEY = "okenko.reception.branch";
  $("branch").replaceChildren(...config.branches.map((b) => new Option(b.name, b.code)));
  const remembered = localStorage.getItem(BRANCH_KEY);
  if (config.branches.some((b) => b.code === remembered)) $("branch").value = remembered;
  $("branch").addEventListener("change", () => {
    localStorage.setItem(BRANCH_KEY, $("branch").value);
    fill();
    follow();
  });
  fill();
  follow();
  setInterval(refresh, 15000);
})();
