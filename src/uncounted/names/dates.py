"""Partial dates as documentation groups write them, kept at the precision they were given.

A death notice may say ``2013``, a family ``أيار 2013``, a form ``12/05/2013`` or
``٢٠١٣/٥/١٢``. Guessing a missing day or month would invent precision the source does not
have, so a :class:`PartialDate` records the year, and the month and day only when present,
and prints as an ISO partial date (``2013``, ``2013-05``, ``2013-05-12``).

Conventions (documented because they decide ambiguous input):
- ``a/b/yyyy`` is day/month/year (the Syrian and European order); when ``b`` cannot be a
  month but ``a`` can (``05/25/2013``), it is read as month/day.
- Two-digit years are refused: ``12/05/13`` could be 1913 or 2013.
- Years outside 1850..2100 and impossible days (``31/02/2013``) are refused.
- Levantine (كانون الثاني، شباط ...), Egyptian (يناير، فبراير ...) and English month names.
- Arabic-Indic digits, a trailing ``م``/``هـ`` era letter for Gregorian, words like
  ``عام``/``سنة``/``year``, and a time part (``2013-05-12 10:30:00``, ``...T10:30``) are ignored.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from uncounted.names.text import ascii_digits, collapse_spaces

Precision = Literal["year", "month", "day"]
MIN_YEAR, MAX_YEAR = 1850, 2100


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def iso(self) -> str:
        """``2013``, ``2013-05`` or ``2013-05-12``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.iso


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "كانون الثاني|كانون ثاني|يناير|جانفي|january|jan",
        "شباط|فبراير|فيفري|february|feb",
        "آذار|اذار|مارس|march|mar",
        "نيسان|أبريل|ابريل|إبريل|افريل|april|apr",
        "أيار|ايار|مايو|ماي|may",
        "حزيران|يونيو|يونيه|جوان|june|jun",
        "تموز|يوليو|يوليه|جويلية|july|jul",
        "آب|اب|أغسطس|اغسطس|أوت|august|aug",
        "أيلول|ايلول|سبتمبر|september|sept|sep",
        "تشرين الأول|تشرين الاول|تشرين أول|تشرين اول|أكتوبر|اكتوبر|october|oct",
        "تشرين الثاني|تشرين ثاني|نوفمبر|november|nov",
        "كانون الأول|كانون الاول|كانون أول|كانون اول|ديسمبر|december|dec",
    ],
    start=1,
):
    for _name in _names.split("|"):
        _MONTHS[_name] = _number
# Longest first, so that "كانون الثاني" wins over a shorter name inside it.
_MONTH_NAMES = re.compile(
    r"(?<![\w])("
    + "|".join(re.escape(n) for n in sorted(_MONTHS, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
_NOISE = re.compile(
    r"(?<![\w])(عام|سنة|العام|في|تاريخ|year|in|the|of|on|c\.|ca\.|circa|حوالي|تقريبا)(?![\w])|"
    r"(?<=\d)\s*(م|مـ|ميلادي|ad)(?![\w])",
    re.IGNORECASE,
)
_TIME = re.compile(r"[T\s]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[ap]m)?(Z|[+-]\d{2}:?\d{2})?$", re.I)
_NUMERIC = re.compile(r"^(\d{1,4})(?:\s*[-/.\\]\s*(\d{1,4}))?(?:\s*[-/.\\]\s*(\d{1,4}))?$")


def parse_partial_date(text: object) -> PartialDate | None:
    """The date written in ``text``, or ``None`` when it is empty or cannot be read safely."""
    if text is None:
        return None
    if isinstance(text, dt.datetime | dt.date):
        return PartialDate(text.year, text.month, text.day)
    cleaned = _clean(str(text))
    if not cleaned:
        return None
    named = _MONTH_NAMES.search(cleaned)
    if named:
        return _with_month_name(cleaned, named)
    match = _NUMERIC.match(cleaned)
    return _from_numbers(match.groups()) if match else None


def _clean(text: str) -> str:
    text = collapse_spaces(ascii_digits(text)).lower().replace("،", " ").replace(",", " ")
    text = _TIME.sub("", text).strip()
    return collapse_spaces(_NOISE.sub(" ", text))


def _from_numbers(groups: tuple[str | None, ...]) -> PartialDate | None:
    parts = [g for g in groups if g is not None]
    if len(parts) == 1:  # 2013
        return _build(parts[0], None, None)
    if len(parts) == 2:  # 2013-05 or 05/2013
        if len(parts[0]) == 4:
            return _build(parts[0], parts[1], None)
        return _build(parts[1], parts[0], None) if len(parts[1]) == 4 else None
    first, middle, last = parts
    if len(first) == 4:  # 2013-05-12
        return _build(first, middle, last)
    if len(last) != 4:
        return None
    if int(middle) > 12 >= int(first):  # 05/25/2013: month first
        return _build(last, first, middle)
    return _build(last, middle, first)


def _with_month_name(text: str, named: re.Match[str]) -> PartialDate | None:
    month = _MONTHS[named.group(1).lower()]
    rest = (text[: named.start()] + " " + text[named.end() :]).replace("-", " ").replace("/", " ")
    numbers = re.findall(r"\d+", rest)
    if re.search(r"[^\d\s.]", rest):
        return None
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) > 1 or len(numbers) != len(years) + len(days):
        return None
    return _build(years[0], str(month), days[0] if days else None)


def _build(year: str, month: str | None, day: str | None) -> PartialDate | None:
    if len(year) != 4:
        return None
    y = int(year)
    m = int(month) if month is not None else None
    d = int(day) if day is not None else None
    if not MIN_YEAR <= y <= MAX_YEAR or (m is not None and not 1 <= m <= 12):
        return None
    if d is not None and (m is None or not 1 <= d <= calendar.monthrange(y, m)[1]):
        return None
    return PartialDate(y, m, d)
