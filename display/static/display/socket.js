// A small Socket.IO client (Engine.IO 4 over a websocket, no polling) for public screens:
// one namespace, JSON events, reconnection with growing, jittered delays. Kiosk and display
// networks have no internet, and this is all the protocol these screens need.
class OkenkoSocket {
  constructor(namespace, auth, handlers) {
    this.namespace = namespace;
    this.auth = auth;
    this.handlers = handlers;
    this.attempt = 0;
    this.watchdog = null;
    this.closed = false;
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/socket.io/?EIO=4&transport=websocket`);
    this.ws = ws;
    ws.onmessage = (message) => this.receive(String(message.data));
    ws.onclose = () => this.lost();
    ws.onerror = () => ws.close();
  }

  receive(data) {
    const kind = data[0];
    if (kind === "0") {                         // Engine.IO open: join our namespace
      this.timing = JSON.parse(data.slice(1));
      this.send(`40${this.namespace},${JSON.stringify(this.auth)}`);
      this.alive();
    } else if (kind === "2") {                  // ping → pong
      this.send("3");
      this.alive();
    } else if (kind === "4") {
      this.packet(data.slice(1));
    }
  }

  packet(data) {
    const type = data[0];
    let rest = data.slice(1);
    if (rest.startsWith("/")) {
      const comma = rest.indexOf(",");
      rest = comma < 0 ? "" : rest.slice(comma + 1);
    }
    if (type === "0") {
      this.attempt = 0;
      this.call("connect");
    } else if (type === "4") {
      this.call("refused", rest ? JSON.parse(rest) : {});
      this.ws.close();
    } else if (type === "2") {
      const [name, payload] = JSON.parse(rest);
      this.call(name, payload);
    } else if (type === "1") {
      this.ws.close();
    }
  }

  emit(name, payload) {
    const body = payload === undefined ? [name] : [name, payload];
    this.send(`42${this.namespace},${JSON.stringify(body)}`);
  }

  send(text) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  // No ping within interval + timeout means a dead link that TCP has not noticed yet.
  alive() {
    clearTimeout(this.watchdog);
    const limit = (this.timing ? this.timing.pingInterval + this.timing.pingTimeout : 45000) + 5000;
    this.watchdog = setTimeout(() => this.ws.close(), limit);
  }

  lost() {
    clearTimeout(this.watchdog);
    this.call("disconnect");
    if (this.closed) return;
    this.attempt += 1;
    const delay = Math.min(30000, 1000 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() / 2);
    setTimeout(() => this.open(), delay);
  }

  call(name, payload) {
    const handler = this.handlers[name];
    if (handler) handler(payload);
  }
}
window.OkenkoSocket = OkenkoSocket;
