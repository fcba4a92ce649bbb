"""Small text helpers shared by the name, date and place normalisers (pure, no data)."""

from __future__ import annotations

import re

# Arabic-Indic (U+0660..9) and Eastern Arabic-Indic / Persian (U+06F0..9) digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_SPACES = re.compile(r"\s+")


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Eastern Arabic digits as ASCII digits (``٢٠١٣`` → ``2013``)."""
    return text.translate(_DIGITS)


def has_arabic(text: str) -> bool:
    """Whether the text holds any Arabic-script letter (decides which normaliser applies)."""
    return bool(_ARABIC_LETTER.search(text))


def collapse_spaces(text: str) -> str:
    """Runs of any whitespace as one space, trimmed."""
    return _SPACES.sub(" ", text).strip()
