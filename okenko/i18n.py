"""Languages and translations. Visitor pages follow the visitor's language, staff pages the staff's.

Catalogs live as .po files in okenko/translations; they are compiled into the instance folder when
the app starts (compiled .mo files are build outputs, not committed).
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)
SOURCES = Path(__file__).resolve().parent / "translations"


@dataclass(frozen=True)
class Language:
    code: str
    native: str     # its name in its own script, as a visitor looks for it
    rtl: bool = False


LANGUAGES = {lang.code: lang for lang in (
    Language("cs", "Čeština"), Language("ru", "Русский"), Language("vi", "Tiếng Việt"),
    Language("mn", "Монгол"), Language("en", "English"), Language("fr", "Français"),
    Language("uk", "Українська"), Language("ar", "العربية", rtl=True),
)}
DEFAULT = "cs"


def N_(message: str) -> str:
    """Marks a message for the catalogs (pybabel's default keywords) where it is defined; it is
    translated where it is said."""
    return message


def direction(code: str) -> str:
    language = LANGUAGES.get(code)
    return "rtl" if language and language.rtl else "ltr"


def compile_catalogs(target: Path) -> Path:
    """Compile every .po that is newer than its .mo into `target`; returns `target`."""
    for po_path in SOURCES.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(SOURCES).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parts[-3])
        # Several workers may compile at once: each writes its own file, then renames it into place
        # (atomic), so no worker reads or replaces a half-written catalog.
        partial = mo_path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with partial.open("wb") as out:
                write_mo(out, catalog)
            partial.replace(mo_path)
        finally:
            partial.unlink(missing_ok=True)
    return target

