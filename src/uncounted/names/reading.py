"""Compare an Arabic unit with a Latin spelling when the data has never seen the pair.

Most family names in a documentation list are not in any transliteration dictionary. For
them, :func:`arabic_reading` writes the Arabic unit in Latin letters the way Levantine
transliterations do (ش sh, خ kh, غ gh, ث th, ذ dh, emphatics as plain letters, ة a, ع and
hamza silent, و / ي as u / i between consonants and w / y next to a vowel), and
:func:`reading_similarity` scores a folded Latin spelling against it with an edit distance
in which the short vowels that Arabic does not write, and vowel quality (a/e, o/u, i/e), cost
little while consonants cost a full edit.
"""

from __future__ import annotations

import re
from functools import lru_cache

# One symbol per sound on both sides: c = sh, x = kh, g = gh, z = dh / ظ, t = th.
_LETTERS = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "z",
    "ر": "r", "ز": "z", "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "a", "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "ا": "a",
}  # fmt: skip
_LATIN_SOUNDS = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"ee|ie", "i"), (r"ou|oo|o", "u"), (r"([a-z])\1+", r"\1"),
        (r"sch|sh|ch", "C"), (r"kh", "X"), (r"gh", "G"), (r"dh", "Z"), (r"th", "T"),
        (r"dj", "J"), (r"ph", "F"), (r"ck|q", "k"), (r"c", "s"),
    )
)  # fmt: skip
_LOWER = str.maketrans("CXGZTJF", "cxgztjf")
_VOWELS = frozenset("aeiou")
_SEMI = {"y": "i", "w": "u"}
# Costs of the edit distance.
_VOWEL_INDEL = 0.3
_SOFT_INDEL = 0.5  # h (final ه, dropped ح), y, w
_VOWEL_SWAP = 0.3
# Sounds that Levantine, Iraqi, Egyptian and French-style spellings swap: ث as s, ذ as d,
# ج as g (Egypt), خ as h (Halil), ش as s.
_NEAR = {
    frozenset("dz"): 0.3, frozenset("ts"): 0.5, frozenset("gj"): 0.5, frozenset("xh"): 0.5,
    frozenset("cs"): 0.6, frozenset("dt"): 0.6, frozenset("sz"): 0.6, frozenset("xk"): 0.6,
}  # fmt: skip


def latin_sounds(latin: str) -> str:
    """A normalised Latin unit in the one-symbol-per-sound alphabet of :func:`arabic_reading`."""
    for pattern, repl in _LATIN_SOUNDS:
        latin = pattern.sub(repl, latin)
    return re.sub(r"([a-z])\1+", r"\1", latin.translate(_LOWER))


@lru_cache(maxsize=1 << 16)
def arabic_reading(unit: str) -> str:
    """A Latin reading of a normalised, article-less Arabic unit (``شاهين`` → ``cahin``)."""
    out: list[str] = []
    for i, ch in enumerate(unit):
        prev = unit[i - 1] if i else ""
        nxt = unit[i + 1] if i + 1 < len(unit) else ""
        if ch in "وي":
            glide = i == 0 or prev in "اوي" or nxt == "ا"
            out.append(("w" if ch == "و" else "y") if glide else ("u" if ch == "و" else "i"))
        elif ch == "ه" and i == len(unit) - 1 and i > 1:
            out.append("a")  # ta marbuta folded to ه
        else:
            out.append(_LETTERS.get(ch, ""))
    return re.sub(r"([a-z])\1+", r"\1", "".join(out))


def arabic_readings(unit: str) -> tuple[str, ...]:
    """The reading of an article-less unit and its other plausible endings.

    Normalisation folded ى into ي and ة into ه, so a final ي may be read -a (نهى Nuha, سجى
    Saja) and a final ه -at or -ah (عزة Ezzat, عايدة Aaidah).
    """
    reading = arabic_reading(unit)
    if len(unit) < 3:
        return (reading,)
    if unit.endswith("ي"):
        return (reading, reading[:-1] + "a")
    if unit.endswith("ه"):
        return (reading, reading + "t", reading + "h")
    return (reading,)


def _indel(ch: str) -> float:
    if ch in _VOWELS:
        return _VOWEL_INDEL
    return _SOFT_INDEL if ch in "hyw" else 1.0


def _substitute(a: str, b: str) -> float:
    if a == b:
        return 0.0
    a, b = _SEMI.get(a, a), _SEMI.get(b, b)
    if a == b:
        return 0.2
    if a in _VOWELS and b in _VOWELS:
        return _VOWEL_SWAP
    return _NEAR.get(frozenset((a, b)), 1.0)


@lru_cache(maxsize=1 << 16)
def reading_similarity(reading: str, latin: str) -> float:
    """1 - weighted edit distance / length of the longer string, in [0, 1]."""
    if not reading or not latin:
        return 0.0
    previous = [0.0]
    for ch in latin:
        previous.append(previous[-1] + _indel(ch))
    for a in reading:
        current = [previous[0] + _indel(a)]
        for j, b in enumerate(latin, 1):
            current.append(
                min(
                    previous[j] + _indel(a),
                    current[j - 1] + _indel(b),
                    previous[j - 1] + _substitute(a, b),
                )
            )
        previous = current
    return max(0.0, 1.0 - previous[-1] / max(len(reading), len(latin)))
