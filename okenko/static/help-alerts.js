// Kiosks calling for staff ("Call staff"), shown on the reception page and on every console of the
// branch until someone acknowledges: the list comes from the API, refreshed on each `help` event.
window.okenkoHelpAlerts = (labels, onError) => {
  const $ = (id) => document.getElementById(id);
  return async function refresh(branchCode) {
    let alerts = [];
    try {
      alerts = await window.okenkoApi("GET", `/branches/${branchCode}/help-requests`);
    } catch (error) {
      onError(error.message);
    }
    $("help-list").replaceChildren(...alerts.map((alert) => {
      const item = document.createElement("li");
      const time = new Date(alert.at).toLocaleTimeString("cs", { hour: "2-digit", minute: "2-digit" });
      item.textContent = `${labels.help.replace("{kiosk}", alert.kiosk).replace("{time}", time)} `;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = labels.acknowledge;
      button.addEventListener("click", async () => {
        try {
          await window.okenkoApi("POST", `/branches/${branchCode}/help-requests/${alert.seq}/acknowledge`);
        } catch (error) {
          onError(error.message);
        }
        refresh(branchCode);
      });
      item.append(button);
      return item;
    }));
    $("help-alerts").hidden = alerts.length === 0;
  };
};
