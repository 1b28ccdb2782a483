"""Getting bytes to a printer within a deadline, and asking it how it is.

Network printers get a plain socket with our own deadline (python-escpos' Network connects lazily,
leaks the socket when nothing listens and has a 60 s default). After the ticket we ask the printer
for its real-time status (DLE EOT): a printer that takes the bytes but never answers is hung, and one
that answers "paper end" did not print the ticket; a reply without the status bytes' fixed bits is
not a printer (state unknown). USB and serial use python-escpos' devices; they and files are written
in an OS thread (printers/deadline.py), so a blocked device cannot block the server.
"""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from pathlib import Path

from . import deadline
from .address import PrinterAddress

DLE_EOT_PRINTER = b"\x10\x04\x01"   # printer status: bit 3 = offline
DLE_EOT_PAPER = b"\x10\x04\x04"     # roll paper sensor: bits 2-3 near end, bits 5-6 end
STATUS_QUERY = DLE_EOT_PRINTER + DLE_EOT_PAPER
# Both status bytes have fixed bits (0 and 7 clear, 1 and 4 set): anything else is not a printer's answer.
FIXED_BITS_MASK, FIXED_BITS = 0x93, 0x12

MIN_SECONDS = 0.05   # what is left of a deadline is never less: a socket timeout of 0 means "no wait"

ONLINE, OFFLINE, PAPER_OUT, PAPER_LOW, UNKNOWN, NOT_CONFIGURED = (
    "online", "offline", "paper_out", "paper_low", "unknown", "none")


class PrinterError(Exception):
    """The ticket did not print; `state` is what we know of the printer."""

    def __init__(self, reason: str, state: str = OFFLINE):
        super().__init__(reason)
        self.reason, self.state = reason, state


@dataclass(frozen=True)
class PrinterState:
    state: str
    detail: str = ""


def send(address: PrinterAddress, data: bytes, timeout: float = 3.0, spent: float = 0.0) -> PrinterState:
    """Deliver `data`; raises PrinterError on any failure, always within about `timeout` seconds of which
    `spent` (e.g. rendering) are gone already."""
    if address.scheme == "tcp":
        return _tcp(address, data, timeout, spent=spent)
    state = _with_deadline(address, lambda: _device_send(address, data), timeout, spent)
    if state.state in (PAPER_OUT, OFFLINE):
        raise PrinterError(f"printer {address}: {state.detail}", state.state)
    return state


def status(address: PrinterAddress, timeout: float = 2.0) -> PrinterState:
    if not address.enabled:
        return PrinterState(NOT_CONFIGURED)
    try:
        if address.scheme == "tcp":
            return _tcp(address, b"", timeout, force_status=True)
        return _with_deadline(address, lambda: _device_status(address), timeout)
    except PrinterError as exc:
        return PrinterState(exc.state, exc.reason)


def parse_status(reply: bytes) -> PrinterState:
    if len(reply) < 2:
        return PrinterState(UNKNOWN, "incomplete status reply")
    printer, paper = reply[0], reply[1]
    if any(byte & FIXED_BITS_MASK != FIXED_BITS for byte in (printer, paper)):
        return PrinterState(UNKNOWN, f"not a printer status reply: {reply[:2].hex()}")
    if paper & 0x60:
        return PrinterState(PAPER_OUT, "out of paper")
    if printer & 0x08:
        return PrinterState(OFFLINE, "printer reports offline (cover open or error)")
    if paper & 0x0C:
        return PrinterState(PAPER_LOW, "paper nearly out")
    return PrinterState(ONLINE)


def _tcp(address: PrinterAddress, data: bytes, timeout: float, force_status: bool = False,
         spent: float = 0.0) -> PrinterState:
    deadline = time.monotonic() + max(timeout - spent, MIN_SECONDS)
    ask = force_status or address.confirm
    try:
        with socket.create_connection((address.host, address.port), timeout=deadline - time.monotonic()) as sock:
            sock.settimeout(max(deadline - time.monotonic(), MIN_SECONDS))
            sock.sendall(data + (STATUS_QUERY if ask else b""))
            if not ask:
                return PrinterState(UNKNOWN, "printer not asked for its status")
            state = parse_status(_read(sock, 2, deadline))
    except ConnectionRefusedError:
        raise PrinterError(f"printer {address} refused the connection") from None
    except socket.timeout:
        raise PrinterError(f"printer {address} did not answer within {timeout:g} s") from None
    except OSError as exc:
        raise PrinterError(f"printer {address} unreachable: {exc.strerror or exc}") from None
    if state.state in (PAPER_OUT, OFFLINE):
        raise PrinterError(f"printer {address}: {state.detail}", state.state)
    return state


def _read(sock: socket.socket, count: int, deadline: float) -> bytes:
    reply = b""
    while len(reply) < count:
        sock.settimeout(max(deadline - time.monotonic(), MIN_SECONDS))
        chunk = sock.recv(count - len(reply))
        if not chunk:
            raise PrinterError("the printer closed the connection without a status reply")
        reply += chunk
    return reply


def _with_deadline(address: PrinterAddress, job, timeout: float, spent: float = 0.0) -> PrinterState:
    # USB, serial and file writes block in the kernel: they run in an OS thread, never on the loop.
    try:
        return deadline.run(str(address), job, max(timeout - spent, MIN_SECONDS))
    except deadline.DeadlineExceeded as exc:
        if exc.stuck:
            raise PrinterError(f"printer {address}: {exc}") from None
        raise PrinterError(f"printer did not take the ticket within {timeout:g} s") from None


def _device_send(address: PrinterAddress, data: bytes) -> PrinterState:
    if address.scheme == "file":
        try:
            with Path(address.path).open("ab") as handle:
                handle.write(data)
        except OSError as exc:
            raise PrinterError(f"cannot write to {address.path}: {exc.strerror or exc}") from None
        return PrinterState(UNKNOWN, "a file reports no status")
    device = _escpos_device(address)
    try:
        device._raw(data)  # the bytes are rendered already; the device only transports them
        return _device_state(device)
    finally:
        device.close()


def _device_status(address: PrinterAddress) -> PrinterState:
    if address.scheme == "file":
        exists = Path(address.path).exists() or Path(address.path).parent.is_dir()
        return PrinterState(UNKNOWN if exists else OFFLINE, address.path)
    device = _escpos_device(address)
    try:
        return _device_state(device)
    finally:
        device.close()


def _device_state(device) -> PrinterState:
    try:
        reply = device.query_status(DLE_EOT_PRINTER) + device.query_status(DLE_EOT_PAPER)
    except Exception as exc:  # many USB/serial printers do not answer status queries
        return PrinterState(UNKNOWN, f"no status: {exc}")
    if not reply:
        return PrinterState(UNKNOWN, "the printer does not report its status")
    return parse_status(bytes(reply))


def _escpos_device(address: PrinterAddress):
    from escpos import printer as escpos_printer  # imported lazily: USB needs pyusb, serial pyserial
    from escpos.exceptions import DeviceNotFoundError
    try:
        if address.scheme == "usb":
            device = escpos_printer.Usb(address.vendor_id, address.product_id, profile=address.profile)
        else:
            device = escpos_printer.Serial(devfile=address.path, profile=address.profile, timeout=1,
                                           baudrate=int(address.options.get("baudrate", 9600)))
        device.open(raise_not_found=True)
    except DeviceNotFoundError as exc:
        raise PrinterError(f"printer {address} not found: {exc}") from None
    except Exception as exc:  # missing pyusb/pyserial, permissions, unplugged
        raise PrinterError(f"printer {address} cannot be opened: {exc}") from None
    return device
