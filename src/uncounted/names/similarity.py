"""Similarity of two names in any scripts, and comparison levels for the linkage model.

``similarity(a, b)`` combines two kinds of evidence for each pair of name units:

1. **Attested spellings** (:mod:`uncounted.names.lexicon`): an Arabic unit and a Latin
   unit are the same name when people who carry the Arabic name are recorded with that Latin
   spelling (حسان ↔ Hassan); two Latin units are the same name when they transliterate the
   same Arabic unit (Khaled / Khalid ↔ خالد); two Arabic units when their Latin spellings
   overlap (داود / داوود ↔ Dawood).
2. **Spelling distance**, for names the data has never seen (most family names): the mean of
   Jaro-Winkler and Indel similarity on the cross-script keys and on folded Latin forms; an
   unseen Latin spelling is also compared with the other name's attested spellings, and an
   unseen Arabic name is read in Latin letters (:mod:`uncounted.names.reading`) and
   compared with a vowel-tolerant edit distance. Compounds with the same particle are
   compared on what follows it (عبد المجيد / Abdulhamid compare مجيد with hamid), and a
   feminine ending on one side only (كريمة / Karim) lowers the score.

When the data knows *both* names well and says they are different (محمد / محمود, حسن / حسين,
Hussein / Hassan, Samir / Samer), a small spelling distance is not allowed to make them
similar: string evidence is then scaled down by ``KNOWN_DIFFERENT_FACTOR``.

Pairs scoring at least :data:`MATCH_THRESHOLD` (0.85) are the same name. Measured at that
threshold: on the 845 hand-checked pairs in ``tests/names/data/name_pairs.csv`` ROC AUC 1.000
(cross-script 1.000), precision and recall 1.000 (the set the weights were tuned on); on
generated pairs (:mod:`uncounted.names.variants`, 4,000 per seed, not tuned on) ROC AUC
0.998–1.000 (cross-script 0.996–1.000), precision 0.99–1.00, recall 0.986–0.995; on names
hidden from the lexicon ROC AUC 0.974–0.983, precision 0.94–0.95, recall 0.92. See
``benchmarks/README.md``.

Score scale: 1.0 same normalised spelling; 0.95–1.0 same cross-script key; 0.9–0.95 attested
as spellings of one name; otherwise 0.97 × the spelling score (times 0.8 when the data knows
both names as different ones, times 0.85 for a feminine ending on one side only).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel, JaroWinkler

from uncounted.names.lexicon import latin_candidates, lexicon, strip_article, unit_key
from uncounted.names.normalize import CHAIN_MARKERS, normalize_name
from uncounted.names.reading import arabic_readings, latin_sounds, reading_similarity

MATCH_THRESHOLD = 0.85
MAX_UNITS = 12
SAME_KEY_SCORE = 0.95
# A unit is "known" when the data holds at least this many attestations of it.
KNOWN_COUNT = 3
KNOWN_DIFFERENT_FACTOR = 0.8
# Spelling evidence when one name ends like a feminine name and the other does not.
GENDER_ENDING_FACTOR = 0.85
# Share of a name's attested spellings a pair must reach to count as attested.
ATTESTED_SHARE = 0.02
# Share from which a spelling counts as fully established.
FULL_SHARE = 0.2
# Number of people with one spelling from which it counts as established whatever its share.
ATTESTED_COUNT = 40
_ARTICLE = re.compile(r"^(?:al|el)(?=[a-z]{4})")
_FOLD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"ee", "i"),
        (r"([a-z])\1+", r"\1"),
        (r"ou|o", "u"), (r"ie|iy", "i"), (r"ey|ei|ai", "ay"),
        (r"ch|sch", "sh"), (r"dj", "j"), (r"g(?!h)", "j"), (r"ck|q|c", "k"), (r"ph", "f"),
        (r"(?<=[^aeiou])e$", ""),
    )
)  # fmt: skip


def _is_arabic(unit: str) -> bool:
    return "\u0621" <= unit[:1] <= "\u064a"


def _fold_latin(unit: str) -> str:
    """Latin unit with the spelling choices that carry no information folded away."""
    unit = _ARTICLE.sub("", unit)
    for pattern, repl in _FOLD_RULES:
        unit = pattern.sub(repl, unit)
    return unit


def _consonants(key: str) -> str:
    """Key without its vowel letters (first letter kept): compares a Latin guess fairly."""
    return key[:1] + re.sub(r"[aeyw]", "", key[1:])


def _arabic_forms(unit: str) -> tuple[str, ...]:
    bare = strip_article(unit)
    return (unit,) if bare == unit else (unit, bare)


def _latin_forms(unit: str) -> tuple[str, ...]:
    if unit.startswith(("al", "el")) and len(unit) > 4:
        return (unit, unit[2:])
    return (unit,)


def _latin_spellings(arabic: str) -> dict[str, int]:
    """Attested Latin spellings of an Arabic unit (with and without its article)."""
    table = lexicon().arabic_to_latin
    out: dict[str, int] = {}
    for form in _arabic_forms(arabic):
        for latin, count in table.get(form, ()):
            out[latin] = out.get(latin, 0) + count
    return out


def _arabic_readings(latin: str) -> dict[str, int]:
    """Arabic units (article dropped) a Latin unit transliterates."""
    out: dict[str, int] = {}
    for form in _latin_forms(latin):
        for arabic, count in latin_candidates(form):
            bare = strip_article(arabic)
            out[bare] = out.get(bare, 0) + count
    return out


def _share(distribution: dict[str, int], item: str) -> float:
    total = sum(distribution.values())
    return distribution.get(item, 0) / total if total else 0.0


def _overlap(p: dict[str, int], q: dict[str, int]) -> float:
    """Sum of the smaller shares: 1 for identical spelling profiles, 0 for disjoint ones."""
    tp, tq = sum(p.values()), sum(q.values())
    if not tp or not tq:
        return 0.0
    return sum(min(c / tp, q[k] / tq) for k, c in p.items() if k in q)


def _known(unit: str) -> bool:
    if _is_arabic(unit):
        return sum(_latin_spellings(unit).values()) >= KNOWN_COUNT
    return sum(_arabic_readings(unit).values()) >= KNOWN_COUNT


def _plausible(share: float) -> float:
    """A spelling share as evidence: 0 below ATTESTED_SHARE, 1 from FULL_SHARE up."""
    return min(1.0, share / FULL_SHARE) if share >= ATTESTED_SHARE else 0.0


def _attested(x: str, y: str) -> float:
    """Evidence from attested spellings, in [0, 1] (0: the data has nothing to say)."""
    if _is_arabic(x) and _is_arabic(y):
        if strip_article(x) == strip_article(y):
            return 1.0
        return _overlap(_latin_spellings(x), _latin_spellings(y))
    if _is_arabic(y):
        x, y = y, x
    if _is_arabic(x):
        bare, spellings = strip_article(x), _latin_spellings(x)
        reading = _plausible(_share(_arabic_readings(y), bare))
        spelling = max(_plausible(_share(spellings, f)) for f in _latin_forms(y))
        count = max(spellings.get(f, 0) for f in _latin_forms(y))
        return max((reading * spelling) ** 0.5, min(1.0, count / ATTESTED_COUNT))
    px, py = _arabic_readings(x), _arabic_readings(y)
    return max(
        (_plausible(_share(px, a)) * _plausible(_share(py, a)) for a in px if a in py), default=0.0
    )


def _spelling(x: str, y: str) -> float:
    """Spelling closeness in [0, 1] from the keys, folded Latin forms and Latin readings.

    A Latin unit the data has never seen is also compared with the attested spellings of
    the other side's name (``Chaheen`` with شاهين's ``Shaheen``, ``Chahine``...), and an
    Arabic unit with no attested spelling is read in Latin letters.
    """
    if _is_arabic(y) and not _is_arabic(x):
        x, y = y, x
    kx, ky = unit_key(x), unit_key(y)
    if _is_arabic(y):  # both Arabic
        return _string(kx, ky)
    unseen_y = not latin_candidates(y)
    if not _is_arabic(x):  # both Latin
        score = max(_string(kx, ky), _string(_fold_latin(x), _fold_latin(y)))
        unseen_x = not latin_candidates(x)
        if unseen_x != unseen_y:
            known, unseen = (y, x) if unseen_x else (x, y)
            readings = _arabic_readings(known)
            best = max(readings, key=readings.__getitem__, default="")
            score = max(score, _closest_spelling(best, unseen))
        return score
    if not unseen_y:  # Arabic and a Latin spelling the data knows
        score = _string(kx, ky)
        return score if _latin_spellings(x) else max(score, _read(x, y))
    score = max(_string(_consonants(kx), _consonants(ky)), _closest_spelling(x, y))
    return max(score, _read(x, y))


def _read(arabic: str, latin: str) -> float:
    """Arabic unit read in Latin letters against a Latin unit (article on or off)."""
    readings = arabic_readings(strip_article(arabic))
    return max(
        reading_similarity(reading, latin_sounds(form))
        for reading in readings
        for form in _latin_forms(latin)
    )


def _closest_spelling(arabic: str, latin: str) -> float:
    """Best string similarity of a Latin unit to an Arabic unit's attested spellings."""
    folded = _fold_latin(latin)
    return max((_string(s, folded) for s in _folded_spellings(arabic)), default=0.0)


@lru_cache(maxsize=1 << 14)
def _folded_spellings(arabic: str) -> tuple[str, ...]:
    spellings = _latin_spellings(arabic)
    top = sorted(spellings, key=spellings.__getitem__, reverse=True)[:12]
    return tuple({_fold_latin(s) for s in top})


def _string(a: str, b: str) -> float:
    """Mean of Jaro-Winkler and Indel similarity: JW alone over-rewards a shared prefix
    (Hasan / Hasanein, Mansour / Munzer), Indel alone under-rewards short names."""
    return (JaroWinkler.similarity(a, b) + Indel.normalized_similarity(a, b)) / 2


@lru_cache(maxsize=1 << 18)
def unit_similarity(x: str, y: str) -> float:
    """Similarity of two normalised name units (single tokens), symmetric."""
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    if unit_key(x) == unit_key(y):
        return SAME_KEY_SCORE + 0.05 * _attested(x, y)
    (px, rx), (py, ry) = _compound(x), _compound(y)
    if px and px == py and rx and ry:  # عبد المجيد / Abdulhamid: compare what follows Abd
        return unit_similarity(rx, ry)
    attested = _attested(x, y)
    spelling = _spelling(x, y)
    if attested >= 0.5:
        return 0.85 + 0.1 * attested
    if _known(x) and _known(y):
        spelling *= KNOWN_DIFFERENT_FACTOR
    if _feminine(x) is not None and _feminine(y) is not None and _feminine(x) != _feminine(y):
        spelling *= GENDER_ENDING_FACTOR
    return max(spelling * 0.97, 0.8 * attested)


_COMPOUND_PREFIXES = (
    ("عبدال", "abd"),
    ("عبد", "abd"),
    ("ابو", "abu"),
    ("abdul", "abd"),
    ("abu", "abu"),
)


def _compound(unit: str) -> tuple[str, str]:
    """(kind of compound prefix, rest): ``عبدالمجيد`` → (abd, مجيد); ('', unit) otherwise."""
    shortest = 3 if _is_arabic(unit) else 4
    for prefix, kind in _COMPOUND_PREFIXES:
        if unit.startswith(prefix) and len(unit) - len(prefix) >= shortest:
            return kind, unit[len(prefix) :]
    return "", unit


# Latin endings that say nothing: a vowel other than -a (Zaki / Zake, Nadie, French -e),
# -ah / -eh (ة or ح: Hamzah, Saleh), -at / -et (Hayat, Medhat).
_LATIN_UNCLEAR = re.compile(r"(?:[eiouy]|[ae]h|[ae]t)$")


def _feminine(unit: str) -> bool | None:
    """Whether a unit ends like a feminine name (ة / -a); None when the ending says nothing.

    كريمة / Karima against كريم / Karim differ only there and are different names. A final
    ي or ا in Arabic says nothing (مصطفى is Mustafa, فادي is Fadi), nor do ح / ع (Saleh,
    Rabia); in Latin only a final -a counts as feminine and only a consonant as not.
    """
    if _is_arabic(unit):
        if unit.endswith(("ي", "ا", "ح", "ع")) or unit.endswith("الله") or len(unit) < 3:
            return None
        return unit.endswith("ه")
    if _LATIN_UNCLEAR.search(unit):
        return None
    return unit.endswith("a")


def _units(normalised: str) -> list[str]:
    return [u for u in normalised.split(" ") if u and u not in CHAIN_MARKERS]


def _units_similarity(xs: list[str], ys: list[str]) -> float:
    """Several units each side: best one-to-one pairing, unmatched units count as 0.

    The pairing is the optimal assignment, so the result does not depend on argument order.
    """
    from scipy.optimize import linear_sum_assignment

    scores = np.array([[unit_similarity(x, y) for y in ys] for x in xs])
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, cols].sum()) / max(len(xs), len(ys))


def similarity(a: str, b: str) -> float:
    """How likely two names (any scripts) are the same name, in [0, 1].

    Meant for one name part each (a given name, a family name; a compound such as
    عبد الرحمن counts as one); longer strings are compared unit by unit.
    """
    xs, ys = _units(normalize_name(a)), _units(normalize_name(b))
    if not xs or not ys:
        return 0.0
    if len(xs) == 1 and len(ys) == 1:
        return unit_similarity(xs[0], ys[0])
    return _units_similarity(xs, ys)


def comparison_level(a: str | None, b: str | None) -> int:
    """3 exact normalised, 2 same cross-script key, 1 close (similarity ≥ threshold), 0 different.

    -1 when either name is missing (empty after normalisation).
    """
    na, nb = normalize_name(a or ""), normalize_name(b or "")
    if not na or not nb:
        return -1
    if na == nb:
        return 3
    xs, ys = _units(na), _units(nb)
    if [unit_key(u) for u in xs] == [unit_key(u) for u in ys]:
        return 2
    return 1 if similarity(na, nb) >= MATCH_THRESHOLD else 0
