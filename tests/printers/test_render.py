"""Rendering tickets to ESC/POS: code page text for Czech, raster images for other scripts."""
from __future__ import annotations

from printers.render import TicketPrint, to_escpos, to_png

ESC_T_CP852 = b"\x1bt\x12"      # select character code table 18 = PC852 (Latin 2)
RASTER = b"\x1dv0"              # GS v 0: raster bit image
NATIVE_QR = b"\x1d(k"           # GS ( k: the printer's own 2D code commands
CUT = b"\x1dV"                  # GS V: cut


def ticket(language="cs", service="Pobytové poradenství", details=("Před vámi jsou 3 lidé",),
           footer="Lístek si ponechte.") -> TicketPrint:
    return TicketPrint(branch_name="Praha IV – Koněvova", number="R-042", service_name=service,
                       service_name_cs="Pobytové poradenství", details=list(details),
                       issued="23. 11. 2026 09:41", status_url="https://okenko.example/t/abc", footer=footer,
                       language=language)


def test_czech_ticket_is_text_in_code_page_852_with_its_diacritics():
    data = to_escpos(ticket())
    assert ESC_T_CP852 in data
    for text in ("Pobytové poradenství", "Před vámi jsou 3 lidé", "Praha IV - Koněvova", "Lístek si ponechte."):
        assert text.encode("cp852") in data, text
    assert b"R-042" in data and b"23. 11. 2026 09:41" in data
    assert data.count(RASTER) == 1          # only the QR code is an image
    assert data.rstrip(b"\n").endswith(CUT + b"\x00") or CUT in data[-8:]


def test_vietnamese_text_goes_as_raster_images():
    data = to_escpos(ticket("vi", "Tư vấn cư trú", ["Có 3 người trước bạn", "Thời gian chờ dự kiến: khoảng 20 phút"],
                            "Hãy giữ vé này."))
    assert "Tư vấn".encode("utf-8") not in data
    assert data.count(RASTER) == 1 + 4      # service name, two details, footer; plus the QR
    assert "Pobytové poradenství".encode("cp852") in data   # the Czech name stays text for staff
    assert b"R-042" in data and CUT in data


def test_arabic_lines_are_raster_and_the_time_stays_text():
    data = to_escpos(ticket("ar", "الترجمة الفورية", ["3 أشخاص قبلك"], "احتفظ بهذه التذكرة."))
    assert data.count(RASTER) == 1 + 3
    assert b"23. 11. 2026 09:41" in data


def test_native_qr_uses_the_printer_command():
    data = to_escpos(ticket(), native_qr=True)
    assert NATIVE_QR in data and b"https://okenko.example/t/abc" in data
    assert RASTER not in data


def test_preview_is_as_wide_as_the_paper():
    image = to_png(ticket("vi", "Tư vấn cư trú"))
    assert image.width == 576 + 40 and image.height > 600


# ---- lines fit the paper; the QR code is big enough for a phone ------------------------------------------

COLUMNS_80MM = 48               # font A on 80 mm paper (576 dots)
DOTS_PER_MM = 203 / 25.4


def raster_images(data: bytes) -> list[tuple[int, int, bytes]]:
    """(width in bytes, height, bits) of every GS v 0 raster image in the printed bytes."""
    images, start = [], 0
    while (start := data.find(RASTER, start)) >= 0:
        x_bytes = data[start + 4] + 256 * data[start + 5]
        height = data[start + 6] + 256 * data[start + 7]
        body = start + 8
        images.append((x_bytes, height, data[body:body + x_bytes * height]))
        start = body + x_bytes * height
    return images


def text_lines(data: bytes) -> list[str]:
    """The plain-text lines the printer prints: raster payloads and ESC/GS commands removed."""
    plain, index = bytearray(), 0
    while index < len(data):
        byte = data[index]
        if data.startswith(RASTER, index):
            x_bytes, height = data[index + 4] + 256 * data[index + 5], data[index + 6] + 256 * data[index + 7]
            index += 8 + x_bytes * height
        elif data.startswith(NATIVE_QR, index):
            index += 5 + data[index + 3] + 256 * data[index + 4]
        elif byte == 0x1B:      # ESC @ has no argument; every other ESC command here has one
            index += 2 if data[index + 1] == 0x40 else 3
        elif byte == 0x1D:      # GS ! n, GS V m
            index += 3
        else:
            plain.append(byte)
            index += 1
    return [line for line in plain.decode("cp852").split("\n") if line]


CZECH_FOOTER = ("Lístek si ponechte a sledujte obrazovky: tam se objeví vaše číslo, až budete na řadě. "
                "Naskenujte kód a sledujte své pořadí v telefonu.")


def test_long_czech_lines_break_between_words_within_the_printers_columns():
    data = to_escpos(ticket(footer=CZECH_FOOTER))
    lines = text_lines(data)
    assert max(len(line) for line in lines) <= COLUMNS_80MM
    footer_lines = lines[-3:]
    assert " ".join(footer_lines) == CZECH_FOOTER       # nothing lost, broken only at spaces
    assert footer_lines[0] == "Lístek si ponechte a sledujte obrazovky: tam se"


def test_the_qr_code_is_at_least_20_mm_wide():
    url = "https://okenko.example/t/" + "x" * 43   # a real token's length
    data = to_escpos(TicketPrint(**{**ticket().__dict__, "status_url": url}))
    x_bytes, height, bits = raster_images(data)[0]
    columns = [any(bits[row * x_bytes + col // 8] & (0x80 >> (col % 8)) for row in range(height))
               for col in range(x_bytes * 8)]
    black = [col for col, inked in enumerate(columns) if inked]
    assert (black[-1] - black[0] + 1) / DOTS_PER_MM >= 20
