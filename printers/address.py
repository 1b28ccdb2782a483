"""Printer addresses: where a kiosk's tickets go, written as a URL.

    tcp://192.168.1.50:9100        network printer (raw port 9100)
    usb://04b8:0e15                USB printer, vendor:product id (hex)
    serial:///dev/ttyUSB0?baudrate=19200
    file:///dev/usb/lp0            a device file, or any file (capture)
    none                           no printer: the kiosk shows the ticket on screen only

Query options on any address: profile=TM-T20II (python-escpos printer profile: paper width,
code pages), qr=native (the printer's own QR command; default: a raster image, which every
printer prints), confirm=no (tcp: do not ask the printer for its status after printing).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

SCHEMES = ("tcp", "usb", "serial", "file", "none")
DEFAULT_PROFILE = "TM-T20II"
DEFAULT_TCP_PORT = 9100


class PrinterConfigError(ValueError):
    """A printer address that cannot be used."""


@dataclass(frozen=True)
class PrinterAddress:
    scheme: str
    host: str = ""
    port: int = 0
    path: str = ""
    vendor_id: int = 0
    product_id: int = 0
    options: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.scheme != "none"

    @property
    def profile(self) -> str:
        return self.options.get("profile", DEFAULT_PROFILE)

    @property
    def native_qr(self) -> bool:
        return self.options.get("qr") == "native"

    @property
    def confirm(self) -> bool:
        return self.options.get("confirm", "yes").lower() not in ("no", "0", "false")

    def __str__(self) -> str:
        if self.scheme == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.scheme == "usb":
            return f"usb://{self.vendor_id:04x}:{self.product_id:04x}"
        if self.scheme in ("serial", "file"):
            return f"{self.scheme}://{self.path}"
        return "none"


def parse_address(text: str | None) -> PrinterAddress:
    text = (text or "").strip()
    if text in ("", "none"):
        return PrinterAddress("none")
    parts = urlsplit(text)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise PrinterConfigError(f"{text}: a tcp printer needs a host, e.g. tcp://192.168.1.50:9100")
        try:
            port = parts.port or DEFAULT_TCP_PORT
        except ValueError as exc:
            raise PrinterConfigError(f"{text}: bad port") from exc
        return PrinterAddress("tcp", host=parts.hostname, port=port, options=options)
    if parts.scheme == "usb":
        return _usb(text, parts.netloc, options)
    if parts.scheme in ("serial", "file"):
        if not parts.path:
            raise PrinterConfigError(f"{text}: give a path, e.g. {parts.scheme}:///dev/ttyUSB0")
        return PrinterAddress(parts.scheme, path=parts.path, options=options)
    raise PrinterConfigError(f"{text}: unknown printer scheme; use one of {', '.join(SCHEMES)}")


def _usb(text: str, ids: str, options: dict[str, str]) -> PrinterAddress:
    try:
        vendor, product = (int(part, 16) for part in ids.split(":"))
    except ValueError as exc:
        raise PrinterConfigError(f"{text}: a usb printer is usb://VENDOR:PRODUCT in hex, e.g. usb://04b8:0e15") \
            from exc
    return PrinterAddress("usb", vendor_id=vendor, product_id=product, options=options)
