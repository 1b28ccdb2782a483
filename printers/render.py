"""Ticket → layout blocks → ESC/POS bytes (python-escpos) or a PNG preview.

Text goes to the printer as text in its code page (CP852: Czech with its diacritics) when every
character fits; any other line (Vietnamese, Russian, Ukrainian, Mongolian, Arabic, …) is drawn as a
bitmap with a Unicode font and printed as a raster image, right to left where the language is.
"""
from __future__ import annotations

import math
import os
import tempfile
import textwrap
from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageDraw

from . import raster

# python-escpos writes a capabilities cache on import; keep it in one known folder.
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(tempfile.gettempdir(), "okenko-escpos"))
os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)

from escpos.printer import Dummy  # noqa: E402  (needs the folder above)

CODE_PAGE = "CP852"
# 80 mm paper: 72 mm printable at 203 dpi. The paper of a printer whose profile does not say, and the preview.
PAPER_WIDTH_PX = 576
FALLBACK_DPI = 203
FONT_A_DOTS = 12           # a character of font A is 12 dots wide: 48 columns on 576 dots (80 mm paper)
QR_MIN_MM = 20             # a phone camera reads the code from arm's length
MM_PER_INCH = 25.4


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
    return pixels if isinstance(pixels, int) else PAPER_WIDTH_PX


def columns(printer: Dummy) -> int:
    """Characters of font A on one line: the profile says, else the paper width does."""
    font_a = printer.profile.profile_data.get("fonts", {}).get("0", {})
    given = font_a.get("columns") if isinstance(font_a, dict) else None
    return given if isinstance(given, int) and given > 0 else paper_width(printer) // FONT_A_DOTS


def dpi(printer: Dummy) -> int:
    given = printer.profile.profile_data.get("media", {}).get("dpi")
    return given if isinstance(given, int) and given > 0 else FALLBACK_DPI


def qr_module_dots(content: str, printer_dpi: int = FALLBACK_DPI) -> int:
    """Dots per QR module so that the code itself (its quiet zone not counted) is at least QR_MIN_MM wide.
    Error correction L, as python-escpos prints it."""
    return max(math.ceil(QR_MIN_MM / MM_PER_INCH * printer_dpi / qr_modules(content)), 1)


def qr_modules(content: str) -> int:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(content)
    code.make(fit=True)
    return code.modules_count


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken between words (a longer word alone is cut)."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


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
        printer.qr(block.text, size=qr_module_dots(block.text, dpi(printer)), native=True)
    elif block.kind == "qr":
        printer.qr(block.text, size=qr_module_dots(block.text, dpi(printer)), center=True)
    elif fits_code_page(block.text) and not raster.is_rtl(block.language):
        printer.set(align="center", bold=block.bold, double_height=block.size >= 32,
                    normal_textsize=block.size < 32)
        # The printer would break a long line wherever the column ends, mid-word: break it first.
        for line in wrap(block.text.translate(PLAIN), columns(printer)):
            printer.textln(line)
        printer.set(normal_textsize=True, bold=False)
    else:
        image = raster.render_text(block.text, width, size=block.size, bold=block.bold, language=block.language)
        printer.image(image, center=False)


def to_png(ticket: TicketPrint, width: int = PAPER_WIDTH_PX) -> Image.Image:
    """What the ticket looks like on paper: text in the printer's font approximated with the same
    Unicode font, broken into the same lines as on paper; raster lines exactly as sent."""
    parts: list[Image.Image] = []
    text_columns = width // FONT_A_DOTS
    for block in layout(ticket):
        if block.kind == "number":
            parts.append(raster.render_text(block.text, width, size=96, bold=True))
        elif block.kind == "rule":
            parts.append(raster.render_text("-" * 32, width, size=20))
        elif block.kind == "qr":
            qr = qrcode.make(block.text, box_size=qr_module_dots(block.text), border=1,
                             error_correction=qrcode.constants.ERROR_CORRECT_L).get_image().convert("1")
            canvas = Image.new("1", (width, qr.height), 1)
            canvas.paste(qr, ((width - qr.width) // 2, 0))
            parts.append(canvas)
        elif fits_code_page(block.text) and not raster.is_rtl(block.language):
            parts += [raster.render_text(line, width, size=block.size, bold=block.bold, language=block.language)
                      for line in wrap(block.text.translate(PLAIN), text_columns)]
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
