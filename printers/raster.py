"""Text the printer's code page cannot print, drawn as a bitmap with a Unicode font (Pillow + raqm,
so Arabic is shaped and laid out right to left)."""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

# Debian's fonts-dejavu-core covers Latin (Czech, French, Vietnamese), Cyrillic (Russian,
# Ukrainian, Mongolian Ө Ү) and Arabic. OKENKO_TICKET_FONT names another TrueType font.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)
BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
)
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


class FontMissing(RuntimeError):
    pass


def font_path(bold: bool = False) -> str:
    override = os.environ.get("OKENKO_TICKET_FONT")
    if override:
        return override
    for candidate in BOLD_CANDIDATES if bold else FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise FontMissing("no Unicode TrueType font found: install fonts-dejavu-core or set OKENKO_TICKET_FONT")


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), size, layout_engine=ImageFont.Layout.RAQM)


def is_rtl(language: str) -> bool:
    return language.split("-")[0] in RTL_LANGUAGES


def render_text(text: str, width: int, *, size: int = 28, bold: bool = False, language: str = "",
                align: str = "center") -> Image.Image:
    """A 1-bit image `width` pixels wide holding `text`, wrapped on spaces."""
    face = font(size, bold)
    rtl = is_rtl(language)
    layout = {"direction": "rtl" if rtl else "ltr", "language": language or None}
    lines = _wrap(text, face, width - 8, layout)
    line_height = int(size * 1.35)
    image = Image.new("1", (width, line_height * len(lines) + 6), 1)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        length = face.getlength(line, **layout)
        if align == "center":
            x = (width - length) / 2
        else:
            x = width - 4 - length if rtl else 4
        draw.text((x, 3 + index * line_height), line, font=face, fill=0, **layout)
    return image


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int, layout: dict) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}".strip()
            if current and face.getlength(candidate, **layout) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines
