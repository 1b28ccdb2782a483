"""Transports against real endpoints: a TCP printer on 127.0.0.1, a file, a serial pseudo-terminal."""
from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from printers import deadline, transport
from printers.address import PrinterConfigError, parse_address

from .fake_printer import PAPER_LOW, PAPER_OUT, FakePrinter, closed_port


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


def test_bytes_arrive_and_the_printer_is_asked_how_it_is(printer):
    state = transport.send(parse_address(printer.address), b"\x1b@hello\x1dV\x00", timeout=3)
    assert state.state == transport.ONLINE
    job = printer.wait_for_job()
    assert job.startswith(b"\x1b@hello\x1dV\x00") and job.endswith(transport.STATUS_QUERY)


def test_a_refused_connection_fails_fast():
    started = time.monotonic()
    with pytest.raises(transport.PrinterError, match="refused"):
        transport.send(parse_address(f"tcp://127.0.0.1:{closed_port()}"), b"x", timeout=3)
    assert time.monotonic() - started < 1


def test_a_printer_that_never_answers_fails_within_the_deadline():
    silent = FakePrinter(mode="silent")
    try:
        started = time.monotonic()
        with pytest.raises(transport.PrinterError, match="did not answer within 1 s"):
            transport.send(parse_address(silent.address), b"x" * 50_000, timeout=1)
        assert time.monotonic() - started < 1.5
    finally:
        silent.close()


def test_paper_out_is_a_failure_and_paper_low_is_not():
    empty, low = FakePrinter(paper=PAPER_OUT), FakePrinter(paper=PAPER_LOW)
    try:
        with pytest.raises(transport.PrinterError) as failed:
            transport.send(parse_address(empty.address), b"x", timeout=2)
        assert failed.value.state == transport.PAPER_OUT
        assert transport.send(parse_address(low.address), b"x", timeout=2).state == transport.PAPER_LOW
    finally:
        empty.close()
        low.close()


def test_status_without_printing(printer):
    assert transport.status(parse_address(printer.address)).state == transport.ONLINE
    assert printer.wait_for_job() == transport.STATUS_QUERY
    assert transport.status(parse_address(f"tcp://127.0.0.1:{closed_port()}")).state == transport.OFFLINE
    assert transport.status(parse_address("none")).state == transport.NOT_CONFIGURED


def test_confirm_no_skips_the_status_question(printer):
    state = transport.send(parse_address(printer.address + "?confirm=no"), b"abc", timeout=2)
    assert state.state == transport.UNKNOWN
    assert printer.wait_for_job() == b"abc"


def test_file_transport_appends_bytes(tmp_path):
    target = tmp_path / "printer.bin"
    transport.send(parse_address(f"file://{target}"), b"one", timeout=2)
    transport.send(parse_address(f"file://{target}"), b"two", timeout=2)
    assert target.read_bytes() == b"onetwo"
    with pytest.raises(transport.PrinterError, match="cannot write"):
        transport.send(parse_address("file:///proc/no/such/printer"), b"x", timeout=2)


def test_serial_transport_over_a_pseudo_terminal():
    controller, device = os.openpty()
    try:
        state = transport.send(parse_address(f"serial://{os.ttyname(device)}?baudrate=19200"), b"\x1b@serial",
                               timeout=3)
        assert os.read(controller, 1024).startswith(b"\x1b@serial")
        assert state.state == transport.UNKNOWN   # nobody answered the status query on the line
    finally:
        os.close(controller)
        os.close(device)


def test_usb_transport_hands_the_bytes_to_python_escpos(monkeypatch):
    """No USB printer exists here: the python-escpos device is replaced, our adapter is real."""
    sent = []

    class FakeUsb:
        def __init__(self, vendor, product, profile):
            assert (vendor, product) == (0x04B8, 0x0E15)

        def open(self, raise_not_found):
            pass

        def _raw(self, data):
            sent.append(data)

        def query_status(self, mode):
            return bytes([0x12])     # online, paper present

        def close(self):
            pass

    import escpos.printer
    monkeypatch.setattr(escpos.printer, "Usb", FakeUsb)
    assert transport.send(parse_address("usb://04b8:0e15"), b"ticket", timeout=2).state == transport.ONLINE
    assert sent == [b"ticket"]


@pytest.mark.parametrize("text", ["tcp://", "usb://xyz", "ftp://host", "serial://", "tcp://host:99999"])
def test_bad_addresses_are_explained(text):
    with pytest.raises(PrinterConfigError):
        parse_address(text)


def test_an_http_server_on_the_printer_port_is_not_a_printer_status():
    """An HTTP server answers "HTTP/1.1 400…": 'H' and 'T' lack the status bytes' fixed bits."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer_like_http():
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    worker = threading.Thread(target=answer_like_http, daemon=True)
    worker.start()
    try:
        state = transport.status(parse_address(f"tcp://127.0.0.1:{server.getsockname()[1]}"), timeout=3)
    finally:
        worker.join(timeout=5)
        server.close()
    assert state == transport.PrinterState("unknown", "not a printer status reply: 4854")


@pytest.mark.parametrize(("reply", "state"), [
    (bytes([0x12, 0x12]), "online"),
    (bytes([0x12, 0x12 | 0x60]), "paper_out"),
    (bytes([0x12 | 0x08, 0x12]), "offline"),
    (bytes([0x12, 0x12 | 0x0C]), "paper_low"),
    (bytes([0x12 | 0x80, 0x12]), "unknown"),   # bit 7 must be clear
    (bytes([0x12, 0x10]), "unknown"),          # bit 1 must be set
    (bytes([0x13, 0x12]), "unknown"),          # bit 0 must be clear
    (bytes([0x12, 0x02]), "unknown"),          # bit 4 must be set
    (b"\x12", "unknown"),
])
def test_status_replies_are_trusted_only_with_their_fixed_bits(reply, state):
    assert transport.parse_status(reply).state == state


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "lp0"
    os.mkfifo(path)
    yield path
    drain(path)


def drain(path) -> bytes:
    """Read what a FIFO printer got; opening it releases a writer blocked in open()."""
    received = []
    reader = threading.Thread(target=lambda: received.append(path.read_bytes()), daemon=True)
    reader.start()
    reader.join(timeout=5)
    return b"".join(received)


def test_a_blocked_device_fails_within_the_deadline_and_holds_one_thread(fifo):
    address = parse_address(f"file://{fifo}")
    with pytest.raises(transport.PrinterError, match="did not take the ticket within 0.5 s"):
        transport.send(address, b"first", timeout=0.5)
    # The first write is stuck in the kernel: the next fails at once instead of adding a thread.
    with pytest.raises(transport.PrinterError, match="an earlier job on this printer is still stuck"):
        transport.send(address, b"second", timeout=30)
    assert deadline.in_flight() == 1
    assert drain(fifo) == b"first"      # a reader comes: the stuck write completes
    wait_until(lambda: deadline.in_flight() == 0)
    reader = threading.Thread(target=lambda: drained.append(fifo.read_bytes()), daemon=True)
    drained: list[bytes] = []
    reader.start()
    assert transport.send(address, b"third", timeout=5).state == transport.UNKNOWN
    reader.join(timeout=5)
    assert drained == [b"third"]


def test_jobs_on_one_device_run_one_at_a_time():
    running, overlaps = [], []
    release = threading.Event()

    def job():
        overlaps.append(len(running))
        running.append(1)
        release.wait(5)
        running.pop()
        return "done"

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(deadline.run, "usb://one", job, 5)
        wait_until(lambda: running)
        second = pool.submit(deadline.run, "usb://one", job, 5)
        release.set()
        assert (first.result(), second.result()) == ("done", "done")
    assert overlaps == [0, 0]


def wait_until(condition, seconds: float = 5) -> None:
    done = threading.Event()
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        done.wait(0.01)
