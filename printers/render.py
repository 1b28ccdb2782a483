"""Ticket → layout blocks → ESC/POS bytes (python-escpos) or a PNG preview.

Text goes to the printer as text in its code page (CP852: Czech with its diacritics) when every
character fits; any other line (Vietnamese, Russian, Ukrainian, Mongolian, Arabic, …) is drawn as a
bitmap with a Unicode font and printed as a raster image, right to left where the language is.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageDraw

from . import raster

# python-escpos writes a capabilities cache on import; keep it in one known folder.
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(tempfile.gettempdir(), "okenko-escpos"))
os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)

from escpos.printer import Dummy  # noqa: E402  (needs the folder above)

CODE_PAGE = "CP852"
FALLBACK_WIDTH_PX = 512


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on a ticket, already translated into the visitor's language."""

    branch_name: str
    number: str
    service_name: str          # in the visitor's language
    service_name_cs: str       # and in Czech, for the staff
    details: list[str]         # e.g. "People ahead: 3", "Estimated wait: about 20 min"
    issued: str                # local date and time, digits only: "23. 11. 2026 09:41"
    status_url: str            # encoded in the QR
    footer: str                # e.g. "Keep this ticket"
    language: str = "cs"


@dataclass(frozen=True)
class Block:
    kind: str                  # "text", "number", "qr", "rule"
    text: str = ""
    size: int = 28
    bold: bool = False
    language: str = "cs"
    extra: dict = field(default_factory=dict)


def layout(ticket: TicketPrint) -> list[Block]:
    blocks = [
        Block("text", ticket.branch_name, size=26, bold=True, language="cs"),
        Block("number", ticket.number),
        Block("text", ticket.service_name, size=32, bold=True, language=ticket.language),
    ]
    if ticket.service_name_cs != ticket.service_name:
        blocks.append(Block("text", ticket.service_name_cs, size=24, language="cs"))
    blocks.append(Block("rule"))
    blocks += [Block("text", line, size=26, language=ticket.language) for line in ticket.details]
    blocks.append(Block("text", ticket.issued, size=26, language=""))  # digits read left to right everywhere
    blocks.append(Block("qr", ticket.status_url))
    blocks.append(Block("text", ticket.footer, size=24, language=ticket.language))
    return blocks


# Typographic punctuation the code page lacks, printed as its plain equivalent.
PLAIN = str.maketrans({"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'",
                       "…": "...", "\u00a0": " "})


def fits_code_page(text: str) -> bool:
    try:
        text.translate(PLAIN).encode(CODE_PAGE)
    except UnicodeEncodeError:
        return False
    return True


def paper_width(printer: Dummy) -> int:
    pixels = printer.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else FALLBACK_WIDTH_PX


def to_escpos(ticket: TicketPrint, *, profile: str = "TM-T20II", native_qr: bool = False) -> bytes:
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    printer.charcode(CODE_PAGE)
    width = paper_width(printer)
    for block in layout(ticket):
        _emit(printer, block, width, native_qr)
    printer.cut()
    return printer.output


def _emit(printer: Dummy, block: Block, width: int, native_qr: bool) -> None:
    if block.kind == "number":
        printer.set(align="center", bold=True, custom_size=True, width=4, height=4)
        printer.textln(block.text)
        printer.set(align="center", normal_textsize=True, bold=False)
    elif block.kind == "rule":
        printer.set(align="center", normal_textsize=True, bold=False)
        printer.textln("-" * 32)
    elif block.kind == "qr" and native_qr:
        printer.set(align="center")  # python-escpos centres only its raster QR itself
        printer.qr(block.text, size=6, native=True)
    elif block.kind == "qr":
        printer.qr(block.text, size=6, center=True)
    elif fits_code_page(block.text) and not raster.is_rtl(block.language):
        printer.set(align="center", bold=block.bold, double_height=block.size >= 32,
                    normal_textsize=block.size < 32)
        printer.textln(block.text.translate(PLAIN))
        printer.set(normal_textsize=True, bold=False)
    else:
        image = raster.render_text(block.text, width, size=block.size, bold=block.bold, language=block.language)
        printer.image(image, center=False)


def to_png(ticket: TicketPrint, width: int = 576) -> Image.Image:
    """What the ticket looks like on paper: text in the printer's font approximated with the same
    Unicode font; raster lines exactly as sent."""
    parts: list[Image.Image] = []
    for block in layout(ticket):
        if block.kind == "number":
            parts.append(raster.render_text(block.text, width, size=96, bold=True))
        elif block.kind == "rule":
            parts.append(raster.render_text("-" * 32, width, size=20))
        elif block.kind == "qr":
            qr = qrcode.make(block.text, box_size=6, border=2).get_image().convert("1")
            canvas = Image.new("1", (width, qr.height), 1)
            canvas.paste(qr, ((width - qr.width) // 2, 0))
            parts.append(canvas)
        else:
            parts.append(raster.render_text(block.text, width, size=block.size, bold=block.bold,
                                            language=block.language))
    height = sum(p.height for p in parts) + 40
    sheet = Image.new("L", (width + 40, height), 255)
    y = 20
    for part in parts:
        sheet.paste(part.convert("L"), (20, y))
        y += part.height
    ImageDraw.Draw(sheet).rectangle((0, 0, width + 39, height - 1), outline=160)
    return sheet
