"""Appointment reference codes: short, random, and easy to read aloud or type on a kiosk.

The alphabet leaves out characters that look or sound alike (0/O/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B),
so "ACDE-FH34" cannot be misread. 22 characters ** 8 ≈ 5·10^10 codes; guessing is rate-limited.
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
LENGTH = 8
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display_code(code: str) -> str:
    """As printed and shown: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str | None:
    """The code in what a visitor typed or a scanner read (the QR holds the appointment's URL),
    or None when it cannot be one."""
    text = text.strip()
    if "/" in text:  # a scanned link: …/a/ACDEFH34
        text = text.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    code = _NOT_CODE.sub("", text.upper())
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
