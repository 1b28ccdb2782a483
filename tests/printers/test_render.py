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
