"""How people write names and dates down: spelling variants, typos, date formats.

Each function takes a whole column (pandas Series) and a random generator and changes a
random share of it: vectorised string operations over the selected rows, or a rewrite of
each distinct selected value once (names and dates repeat a great deal). Only typos, which
edit one character of one string, go string by string, and only over the rows they hit.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LATIN_LETTERS = "abdefhiklmnorstuy"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# (pattern, replacement): spellings of one name seen in Arabic lists
ARABIC_VARIANTS = (
    ("[أإآ]", "ا"),  # hamza on alef dropped
    ("ة(?=\\s|$)", "ه"),  # ta marbuta written as ha
    ("ي(?=\\s|$)", "ى"),  # final ya written as alef maqsura
    ("ى(?=\\s|$)", "ي"),  # and the other way
    ("عبد ", "عبد"),  # compound names joined: عبدالرحمن
    ("عبدال", "عبد ال"),  # or split
)
_ARABIC_VARIANT_RES = tuple((re.compile(p), r) for p, r in ARABIC_VARIANTS)
LEVANT_MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
    "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
MOHAMMAD = r"^(?:Mohammad|Muhammad|Mohammed|Mohamed|Mohamad|Muhammed)$"
ARTICLES = ("Al-", "al-", "El-", "Al ", "El ", "")


def chance(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Boolean mask: each of ``n`` rows hit with probability ``rate``."""
    return rng.random(n) < rate


def arabic_variants(s: pd.Series, rate: float, rng: np.random.Generator) -> pd.Series:
    """Orthographic variants (hamza, ta marbuta, ya/alef maqsura, عبد joined or split).

    Works on a plain object array and rewrites each distinct hit value once (names repeat:
    محمد thousands of times), which keeps 100,000 records to a fraction of a second.
    """
    values = s.to_numpy(dtype=object, copy=True)
    present = pd.notna(values)
    for pattern, repl in _ARABIC_VARIANT_RES:
        hit = np.flatnonzero(chance(rng, len(values), rate) & present)
        if len(hit):
            codes, distinct = pd.factorize(values[hit])
            changed = np.array([pattern.sub(repl, v) for v in distinct], dtype=object)
            values[hit] = changed[codes]
    return pd.Series(values, index=s.index, dtype=object)


def typos(s: pd.Series, rate: float, rng: np.random.Generator, letters: str) -> pd.Series:
    """One slip of the keyboard (delete, double, replace, swap) in a share of the values."""
    s = s.copy()
    hit = np.flatnonzero(chance(rng, len(s), rate) & (s.fillna("").str.len() > 2).to_numpy())
    if len(hit) == 0:
        return s
    ops = rng.integers(0, 4, len(hit))
    where = rng.random(len(hit))
    subst = rng.integers(0, len(letters), len(hit))
    values = s.to_numpy()[hit]
    s.iloc[hit] = [
        _typo(v, op, w, letters[c]) for v, op, w, c in zip(values, ops, where, subst, strict=True)
    ]
    return s


def _typo(value: str, op: int, where: float, letter: str) -> str:
    """One edit at a letter after the first (first letters are rarely mistyped); always a change."""
    letters = [i for i, ch in enumerate(value) if ch.isalpha() and i > 0]
    i = letters[int(where * len(letters))] if letters else 0
    if op == 0:
        out = value[:i] + value[i + 1 :]
    elif op == 1:
        out = value[: i + 1] + value[i:]
    elif op == 2:
        out = value[:i] + letter + value[i + 1 :]
    else:
        j = min(i + 1, len(value) - 1)
        out = value[:i] + value[j] + value[i] + value[j + 1 :] if j > i else value
    return out if out != value else value[:i] + value[i + 1 :]


def latin_given_variants(given: pd.Series, rate: float, rng: np.random.Generator) -> pd.Series:
    """Mohammad written Mhd or Mohd, Abdul Rahman joined (Abdulrahman) or split again."""
    given = given.copy()
    mhd = given.str.match(MOHAMMAD, na=False).to_numpy() & chance(rng, len(given), rate / 2)
    given[mhd] = rng.choice(["Mhd", "Mhd.", "Mohd"], int(mhd.sum()))
    join = chance(rng, len(given), rate)
    given[join] = given[join].str.replace(
        r"^(Abd(?:ul|el|al)?)[ -]([A-Z])", lambda m: m.group(1) + m.group(2).lower(), regex=True
    )
    split = chance(rng, len(given), rate / 2)
    given[split] = given[split].str.replace(
        r"^(Abdul|Abdel)([a-z])", lambda m: m.group(1) + " " + m.group(2).upper(), regex=True
    )
    return given


def latin_article(
    family: pd.Series, rate: float, article: str, rng: np.random.Generator
) -> pd.Series:
    """The article of a family name in the list's style (``Al-``), varied per record."""
    stem = family.str.replace(r"^(?:[Aa]l|[Ee]l)[- ]?(?=[A-Z])", "", regex=True)
    had = (stem != family).to_numpy()
    chosen = np.where(chance(rng, len(family), rate), rng.choice(ARTICLES, len(family)), article)
    return family.where(~had, pd.Series(chosen, index=family.index) + stem)


def format_dates(
    dates: pd.Series,
    rng: np.random.Generator,
    formats: dict[str, float],
    partial: dict[str, float],
    partial_rate: float,
    arabic_digits_rate: float = 0.0,
) -> pd.Series:
    """Dates written in the list's formats; a share written only to the month or year.

    Each format is applied once per distinct date (a few thousand days), not per record.
    """
    n = len(dates)
    full = _pick(formats, n, rng)
    part = _pick(partial, n, rng) if partial else full
    name = np.where(chance(rng, n, partial_rate), part, full)
    codes, distinct = pd.factorize(dates)
    distinct = pd.Series(distinct)
    out = np.full(n, "", dtype=object)
    for fmt in sorted(set(name)):
        rows = (name == fmt) & (codes >= 0)
        out[rows] = _written(distinct, fmt).to_numpy()[codes[rows]]
    out = pd.Series(out, index=dates.index)
    digits = chance(rng, n, arabic_digits_rate)
    out[digits] = out[digits].str.translate(ARABIC_DIGITS)
    return out


def _written(dates: pd.Series, fmt: str) -> pd.Series:
    """``dates`` (no missing values) written in one format."""
    y = dates.dt.year.astype(str)
    m, d = dates.dt.month, dates.dt.day
    m2, d2 = m.astype(str).str.zfill(2), d.astype(str).str.zfill(2)
    if fmt.startswith("month_"):
        names = LEVANT_MONTHS if fmt == "month_ar yyyy" else ENGLISH_MONTHS
        return pd.Series(np.array(names)[m.to_numpy() - 1], index=dates.index) + " " + y
    parts = {"dd": d2, "d": d.astype(str), "mm": m2, "m": m.astype(str), "yyyy": y}
    sep = "/" if "/" in fmt else "-"
    out = None
    for token in fmt.split(sep):
        out = parts[token] if out is None else out + sep + parts[token]
    return out


def _pick(weights: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return rng.choice(np.array(keys, dtype=object), n, p=p / p.sum())


def shift_dates(
    dates: pd.Series, rate: float, rng: np.random.Generator, max_days: int = 90
) -> pd.Series:
    """A share of dates recorded wrong by up to ``max_days`` days either way."""
    hit = chance(rng, len(dates), rate)
    days = rng.integers(1, max_days + 1, len(dates)) * rng.choice([-1, 1], len(dates))
    shift = pd.to_timedelta(np.where(hit, days, 0), unit="D")
    return dates + shift
