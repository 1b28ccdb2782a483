"""A network ESC/POS printer on 127.0.0.1: it takes bytes on a TCP port and answers the
real-time status queries (DLE EOT 1 and 4) the way an Epson-compatible printer does."""
from __future__ import annotations

import socket
import threading
import time

OK_PRINTER, OK_PAPER = 0x12, 0x12          # fixed bits only: online, paper present
PAPER_OUT = 0x12 | 0x60
PAPER_LOW = 0x12 | 0x0C


class FakePrinter:
    """mode: "ok" answers status; "silent" takes the bytes and never answers (a hung printer)."""

    def __init__(self, mode: str = "ok", paper: int = OK_PAPER):
        self.mode, self.paper = mode, paper
        self.jobs: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        received = b""
        answered = 0
        connection.settimeout(5)
        with connection:
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                if self.mode == "ok":
                    answered = self._answer(connection, received, answered)
        self.jobs.append(received)

    def _answer(self, connection: socket.socket, received: bytes, answered: int) -> int:
        queries = received.count(b"\x10\x04")
        for index in range(answered, queries):
            kind = received.split(b"\x10\x04")[index + 1][:1]
            connection.sendall(bytes([self.paper if kind == b"\x04" else OK_PRINTER]))
        return queries

    def wait_for_job(self, seconds: float = 5) -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.jobs:
                return self.jobs[-1]
            time.sleep(0.02)
        raise AssertionError("the printer received nothing")

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
