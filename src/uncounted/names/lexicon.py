"""Attested Arabic↔Latin spellings of name units, and the cross-script key built on them.

The table ``uncounted/data/names/name_units.csv`` (Wikidata CC0, Tech for Palestine
Unlicense, Gaza MoH aggregate counts; see its README) lists, per Arabic name unit, the Latin
spellings people actually carry, with counts. Both sides go through our normalisers when the
table is loaded, so ``Abd al-Rahman`` and ``Abdulrahman`` count for one Latin form and
``عبد الرحمن`` and ``عبدالرحمن`` for one Arabic form.

The key of a name unit (:func:`unit_key`) is an ASCII *skeleton* of its Arabic spelling: one
character per Arabic letter, with the letters that Latin transliteration cannot tell apart
folded together (emphatics ص ط ض ظ onto س ت د ز, ح onto ه, ث onto ت, ذ onto د, ق onto ك),
the long vowels ا و ي kept (so محمد ``mhmd`` ≠ محمود ``mhmwd``, حسن ``hsn`` ≠ حسين ``hsyn``,
أحمد ``ahmd`` ≠ حامد ``hamd``, عامر ``eamr`` ≠ عمار ``emar``) and the article dropped
(الحسن = حسن, as families write it both ways). A Latin unit takes the key of the Arabic unit
it most often transliterates (``Mohammed`` → محمد → ``mhmd``, ``Hussein`` → حسين → ``hsyn``);
a Latin unit never seen in the data falls back to a rule-based skeleton (:func:`latin_skeleton`)
of the same alphabet.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from uncounted.names.normalize import normalize_arabic, normalize_latin

DATA = Path(__file__).resolve().parent.parent / "data" / "names" / "name_units.csv"

# One ASCII character per Arabic letter; folded where Latin spellings cannot tell them apart.
_SKELETON = str.maketrans(
    {
        "ا": "a", "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x", "د": "d",
        "ذ": "d", "ر": "r", "ز": "z", "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "t",
        "ظ": "z", "ع": "e", "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m",
        "ن": "n", "ه": "h", "و": "w", "ي": "y",
    }
)  # fmt: skip
# Names whose initial ال is part of the word, not the article (Ilyas, Ilham, Ulfat, Almas).
_NOT_ARTICLE = frozenset({"الياس", "الهام", "الفت", "الماس", "اليسع", "الطاف"})

# Latin → skeleton, applied in order (digraphs before letters). Long vowels written as
# digraphs (ou, oo, ee, ei, ai, ay) become و / ي; single short vowels are dropped, except a
# word-initial vowel, which Arabic writes with an alef.
_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"^(?:al|el)(?=[a-z]{4})", ""),
        (r"([b-df-hj-np-tv-z])\1+", r"\1"),
        (r"kh", "X"), (r"sh|ch", "C"), (r"gh", "G"), (r"th", "T"), (r"dh", "D"), (r"dj", "J"),
        (r"ph", "F"), (r"ou|oo|uu", "W"), (r"ee|ii|ie|iy|ai|ay|ei|ey", "Y"), (r"aa", "A"),
        (r"^[aeiou]", "A"), (r"[aeiou]$", ""), (r"[aeiou]", ""),
        (r"q|c|ck", "k"), (r"g", "j"), (r"p", "b"), (r"v", "f"), (r"x", "ks"),
    )
)  # fmt: skip
_LATIN_UPPER = str.maketrans("XCGTDJFWYA", "xcgtdjfwya")


@dataclass(frozen=True)
class Lexicon:
    """Spelling counts in both directions, keyed by normalised units."""

    latin_to_arabic: dict[str, tuple[tuple[str, int], ...]]
    arabic_to_latin: dict[str, tuple[tuple[str, int], ...]]


def _sorted(table: dict[str, dict[str, int]]) -> dict[str, tuple[tuple[str, int], ...]]:
    return {k: tuple(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in table.items()}


_OVERRIDE: list[Lexicon] = []


def lexicon() -> Lexicon:
    """The lexicon in use: the shipped table (loaded once per process, about 0.3 s)."""
    return _OVERRIDE[-1] if _OVERRIDE else load_lexicon()


@cache
def load_lexicon(exclude: frozenset[str] = frozenset()) -> Lexicon:
    """Read the shipped table; ``exclude`` drops Arabic units (article-less normalised form).

    Excluding units lets the benchmark measure names the data has never seen.
    """
    to_arabic: dict[str, dict[str, int]] = {}
    to_latin: dict[str, dict[str, int]] = {}
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            arabic = normalize_arabic(row["arabic"])
            latin = normalize_latin(row["latin"])
            if not arabic or not latin or " " in arabic or " " in latin or latin.isdigit():
                continue
            if exclude and strip_article(arabic) in exclude:
                continue
            count = int(row["count"])
            bucket = to_arabic.setdefault(latin, {})
            bucket[arabic] = bucket.get(arabic, 0) + count
            bucket = to_latin.setdefault(arabic, {})
            bucket[latin] = bucket.get(latin, 0) + count
    return Lexicon(_sorted(to_arabic), _sorted(to_latin))


def strip_article(arabic_unit: str) -> str:
    """الحسن → حسن (not الياس, where the ال belongs to the name)."""
    if arabic_unit.startswith("ال") and len(arabic_unit) >= 4 and arabic_unit not in _NOT_ARTICLE:
        return arabic_unit[2:]
    return arabic_unit


def arabic_skeleton(arabic_unit: str) -> str:
    """ASCII skeleton of one normalised Arabic unit, article dropped."""
    return strip_article(arabic_unit).translate(_SKELETON)


def latin_skeleton(latin_unit: str) -> str:
    """Rule-based skeleton of a normalised Latin unit that the data has never seen."""
    text = latin_unit
    for pattern, repl in _LATIN_RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"[^a-zA-Z]", "", text).translate(_LATIN_UPPER)


def latin_candidates(latin_unit: str) -> tuple[tuple[str, int], ...]:
    """Arabic units a normalised Latin unit transliterates, most attested first."""
    table = lexicon().latin_to_arabic
    found = table.get(latin_unit)
    if found:
        return found
    if latin_unit.startswith(("al", "el")) and len(latin_unit) > 4:
        return table.get(latin_unit[2:], ())
    return ()


@lru_cache(maxsize=1 << 18)
def unit_key(unit: str) -> str:
    """Cross-script key of one normalised unit (either script)."""
    if not unit:
        return ""
    if "\u0621" <= unit[0] <= "\u064a":
        return arabic_skeleton(unit)
    if unit.isdigit():
        return unit
    found = latin_candidates(unit)
    if found:
        return arabic_skeleton(found[0][0])
    return latin_skeleton(unit)
