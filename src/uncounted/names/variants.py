"""A transliteration-variant model: labelled name pairs beyond the hand-checked ones.

Used to evaluate :func:`uncounted.names.similarity` on many more names than a person can
check (``benchmarks/names_bench.py``). It works per name unit and draws from the data:

- a Latin rendering of an Arabic name is one of its attested spellings, drawn by count, and
  with probability ``mutate`` changed by one or two clerk-style edits (vowel a/e, o/u,
  ou/u, i/ee; doubled or single consonants; q/k, sh/ch, j/g/dj, dh/z; French final -e;
  -a/-ah/-eh; the article's spellings). A mutated spelling that the data attests for a
  *different* name is redrawn, since nothing could tell it from that name;
- an Arabic rendering is the name with orthographic noise: hamza on the initial alef,
  ة for final ه, ى for final ي, tashkeel, tatweel, compounds split (عبد الرحمن), the
  article added or dropped, Persian ک ی;
- hard negatives are two frequent names whose keys are one or two edits apart (محمد /
  محمود) and whose attested Latin spellings barely overlap (so they are different names,
  not spellings of one).
"""

from __future__ import annotations

import random
import re
from functools import cache

import pandas as pd
from rapidfuzz.distance import Levenshtein

from uncounted.names.lexicon import arabic_skeleton, latin_candidates, lexicon, strip_article
from uncounted.names.normalize import normalize_latin

MIN_COUNT = 40
_LATIN_EDITS: tuple[tuple[str, str], ...] = (
    ("a", "e"), ("e", "a"), ("o", "u"), ("u", "o"), ("ou", "u"), ("u", "ou"), ("i", "ee"),
    ("ee", "i"), ("i", "e"), ("e", "i"), ("q", "k"), ("k", "q"), ("sh", "ch"), ("j", "g"),
    ("j", "dj"), ("dh", "z"), ("ss", "s"), ("mm", "m"), ("ai", "ei"), ("ei", "ai"), ("y", "i"),
    ("asa", "assa"), ("ama", "amma"), ("ara", "arra"), ("ala", "alla"), ("ada", "adda"),
)  # fmt: skip
_FINAL_EDITS: tuple[tuple[str, str], ...] = (
    ("n$", "ne"),
    ("m$", "me"),
    ("a$", "ah"),
    ("ah$", "a"),
    ("eh$", "a"),
    ("a$", "eh"),
)
_ARTICLES = ("Al-", "al-", "El-", "el ", "Al ", "Al", "")
_MARKS = "\u064e\u064f\u0650\u0651\u0652"


@cache
def _pool() -> tuple[str, ...]:
    """Arabic units attested at least MIN_COUNT times (frequent, reliably spelled names)."""
    table = lexicon().arabic_to_latin
    names = [a for a, rows in table.items() if sum(c for _, c in rows) >= MIN_COUNT]
    return tuple(sorted(n for n in names if len(n) >= 3 and not n.startswith("ال")))


def _attested_spelling(arabic: str, rng: random.Random) -> str:
    rows = lexicon().arabic_to_latin[arabic]
    names, weights = zip(*rows, strict=True)
    return rng.choices(names, weights=weights)[0]


def _mutate(latin: str, rng: random.Random) -> str:
    for _ in range(rng.choice((1, 1, 2))):
        if rng.random() < 0.2:
            pattern, repl = rng.choice(_FINAL_EDITS)
            latin = re.sub(pattern, repl, latin)
            continue
        old, new = rng.choice(_LATIN_EDITS)
        spots = [m.start() for m in re.finditer(re.escape(old), latin)]
        if spots:
            at = rng.choice(spots)
            latin = latin[:at] + new + latin[at + len(old) :]
    return latin


def _reading_share(arabic: str, latin: str) -> float | None:
    """Share of a Latin spelling's attested readings that are this Arabic name (None: unseen)."""
    readings = latin_candidates(normalize_latin(latin))
    if not readings:
        return None
    bare = strip_article(arabic)
    total = sum(c for _, c in readings)
    return sum(c for a, c in readings if strip_article(a) == bare) / total


def latin_variant(arabic: str, rng: random.Random, mutate: float = 0.5, avoid: str = "") -> str:
    """One Latin rendering of a normalised Arabic unit from the pool.

    A mutated spelling must not be mostly another name's (``Samir`` → ``Samer`` is redrawn),
    and must not be a plausible spelling of ``avoid`` (the other side of a hard negative).
    """
    for _ in range(30):
        latin = _attested_spelling(arabic, rng)
        if rng.random() < mutate:
            latin = _mutate(latin, rng)
        share = _reading_share(arabic, latin)
        if share is not None and share < 0.5:
            continue
        if avoid and (_reading_share(avoid, latin) or 0.0) >= 0.02:
            continue
        latin = latin[:1].upper() + latin[1:] if rng.random() < 0.8 else latin
        return rng.choice(_ARTICLES) + latin if rng.random() < 0.15 else latin
    return _attested_spelling(arabic, rng)


def arabic_variant(arabic: str, rng: random.Random) -> str:
    """The normalised Arabic unit as a clerk might write it."""
    text = arabic
    if text.startswith("ا") and rng.random() < 0.5:
        text = rng.choice("أإ") + text[1:]
    if text.endswith("ه") and rng.random() < 0.6:
        text = text[:-1] + "ة"
    if text.endswith("ي") and rng.random() < 0.3:
        text = text[:-1] + "ى"
    if text.startswith(("عبد", "ابو")) and len(text) > 4 and rng.random() < 0.6:
        text = text[:3] + " " + text[3:]
    if rng.random() < 0.3 and not text.startswith(("عبد", "ابو", "ام")):
        text = "ال" + text
    if rng.random() < 0.2:
        text = text.replace("ي", "ی").replace("ك", "ک")
    if rng.random() < 0.3:
        text = "".join(ch + (rng.choice(_MARKS) if rng.random() < 0.4 else "") for ch in text)
    if rng.random() < 0.15 and len(text) > 2:
        text = text[:2] + "ـ" + text[2:]
    return text


def _spelling_overlap(x: str, y: str) -> float:
    table = lexicon().arabic_to_latin
    px, py = dict(table[x]), dict(table[y])
    tx, ty = sum(px.values()), sum(py.values())
    return sum(min(c / tx, py[k] / ty) for k, c in px.items() if k in py)


@cache
def _neighbours() -> dict[str, tuple[str, ...]]:
    """Per pool name, the other pool names one or two key edits away, spelled differently."""
    pool = _pool()
    keys = {name: arabic_skeleton(name) for name in pool}
    out: dict[str, tuple[str, ...]] = {}
    for name in pool:
        near = [
            other
            for other in pool
            if other != name
            and abs(len(keys[other]) - len(keys[name])) <= 2
            and keys[other] != keys[name]
            and Levenshtein.distance(keys[name], keys[other], score_cutoff=2) <= 2
            and _spelling_overlap(name, other) < 0.05
        ]
        if near:
            out[name] = tuple(near)
    return out


def generate_pairs(n: int = 2000, seed: int = 0, mutate: float = 0.5) -> pd.DataFrame:
    """``n`` labelled pairs (``a, b, same, kind``): half the same name, half hard negatives."""
    rng = random.Random(seed)
    pool, neighbours = _pool(), _neighbours()
    hard = sorted(neighbours)
    rows = []
    for i in range(n):
        if i % 2 == 0:
            name = rng.choice(pool)
            kind = rng.choice(("cross_script", "latin_latin", "arabic_variant"))
            if kind == "cross_script":
                rows.append((arabic_variant(name, rng), latin_variant(name, rng, mutate), 1, kind))
            elif kind == "latin_latin":
                rows.append(
                    (latin_variant(name, rng, mutate), latin_variant(name, rng, mutate), 1, kind)
                )
            else:
                rows.append((arabic_variant(name, rng), arabic_variant(name, rng), 1, kind))
            continue
        name = rng.choice(hard)
        other = rng.choice(neighbours[name])
        form = rng.choice(("aa", "al", "ll"))
        a = arabic_variant(name, rng) if form != "ll" else latin_variant(name, rng, mutate)
        b = arabic_variant(other, rng) if form == "aa" else latin_variant(other, rng, mutate, name)
        rows.append((a, b, 0, "hard_negative"))
    return pd.DataFrame(rows, columns=["a", "b", "same", "kind"])


def held_out_pairs(
    n: int = 2000, seed: int = 0, share: float = 0.2
) -> tuple[pd.DataFrame, frozenset[str]]:
    """Pairs about names to be hidden from the lexicon, and the names to hide.

    A ``share`` of the pool names that have look-alike neighbours is held out. Same-name
    pairs: a held-out name in Arabic with one of its attested Latin spellings, or two of
    those spellings. Different-name pairs: a held-out name against a look-alike neighbour
    (Arabic/Arabic, Arabic/Latin, Latin/Latin). Score them inside
    :func:`uncounted.names.evaluation.lexicon_without` to measure unseen names.
    """
    rng = random.Random(seed)
    neighbours = _neighbours()
    candidates = sorted(neighbours)
    hidden = frozenset(rng.sample(candidates, max(1, int(len(candidates) * share))))
    chosen = sorted(hidden)
    rows = []
    for i in range(n):
        name = rng.choice(chosen)
        if i % 2 == 0:
            if rng.random() < 0.6:
                rows.append(
                    (arabic_variant(name, rng), _attested_spelling(name, rng), 1, "cross_script")
                )
            else:
                rows.append(
                    (_attested_spelling(name, rng), _attested_spelling(name, rng), 1, "latin_latin")
                )
            continue
        other = rng.choice(neighbours[name])
        form = rng.choice(("aa", "al", "la", "ll"))
        a = arabic_variant(name, rng) if form in ("aa", "al") else _attested_spelling(name, rng)
        b = arabic_variant(other, rng) if form in ("aa", "la") else _attested_spelling(other, rng)
        rows.append((a, b, 0, "hard_negative"))
    frame = pd.DataFrame(rows, columns=["a", "b", "same", "kind"])
    return frame[frame["a"] != frame["b"]].reset_index(drop=True), hidden
