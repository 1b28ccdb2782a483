// Live updates for every page (display, phone status page, counter console) over the official
// Socket.IO client (vendor/socket.io). Websocket only: kiosk networks have no proxy that needs
// long-polling, and one transport keeps the event order simple.
//
// new OkenkoSocket(namespace, auth, handlers).open(): handlers are called by event name, plus
// "connect", "disconnect" and "refused" (the server turned the connection down). A page that sees a
// gap in `seq` asks for a snapshot itself (see display.js); after a reconnect the server sends one.
class OkenkoSocket {
  constructor(namespace, auth, handlers) {
    this.namespace = namespace;
    this.auth = auth;
    this.handlers = handlers;
  }

  open() {
    const socket = window.io(this.namespace, {
      transports: ["websocket"],
      auth: this.auth,
      reconnectionDelay: 1000,        // growing, jittered delays: 1 s, 2 s, … up to 30 s
      reconnectionDelayMax: 30000,
      randomizationFactor: 0.25,
    });
    this.socket = socket;
    socket.on("connect", () => this.call("connect"));
    socket.on("disconnect", () => this.call("disconnect"));
    socket.on("connect_error", (error) => {
      if (socket.active) return;      // a network failure: the client reconnects by itself
      this.call("refused", error.data || { message: error.message });
      setTimeout(() => socket.connect(), 30000 * (0.75 + Math.random() / 2));
    });
    socket.onAny((name, payload) => this.call(name, payload));
    return this;
  }

  // Only while connected: the client would buffer the rest and send it all at once on reconnecting,
  // when the server sends a snapshot anyway.
  emit(name, payload) {
    if (!this.socket || !this.socket.connected) return;
    if (payload === undefined) this.socket.emit(name);
    else this.socket.emit(name, payload);
  }

  call(name, payload) {
    const handler = this.handlers[name];
    if (handler) handler(payload);
  }
}
window.OkenkoSocket = OkenkoSocket;
