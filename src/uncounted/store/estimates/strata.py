"""Strata for a workspace estimate: each person's value of a field, and the pooling rule.

Pure pandas (no Django), so the rule can be tested on its own and quoted in the report.

A person is a cluster of records that may disagree (one list says Aleppo, another Idlib);
their value of a field is the majority value that linkage gives
(:func:`uncounted.link.store.capture_histories`). Derived fields: ``death_year``,
``arrest_year``, ``birth_year`` (the year of a partial ISO date) and ``age_group`` (the age
recorded, else the death year minus the birth year).

**The pooling rule** (``POOLING_RULE`` below is the text the report prints). A stratum is
*estimable* when it has at least ``MIN_OBSERVED`` persons, persons on at least ``MIN_LISTS``
lists, and at least ``MIN_OVERLAP`` persons seen on two or more lists (without overlaps MSE
has nothing to extrapolate from). Strata that fail are flagged with the reason and pooled,
never dropped:

* ordered fields (years, age groups): the smallest failing stratum is merged with its
  smaller neighbour, repeatedly, so pooled strata are always contiguous ranges;
* other fields (governorate, facility, ...): all failing strata are pooled into one
  "other" stratum; if that still fails it joins the smallest estimable stratum.

Persons with no value for the field are counted (``missing``): they are in the overall
estimate but in no stratum. Arresting parties are grouped by agency whatever the script or
form of the name (:func:`agency`), so one agency is one stratum.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

MIN_OBSERVED = 50
MIN_LISTS = 3
MIN_OVERLAP = 10

POOLING_RULE = (
    f"A stratum is estimated on its own when it has at least {MIN_OBSERVED} documented "
    f"persons, persons on at least {MIN_LISTS} lists and at least {MIN_OVERLAP} persons "
    "found on two or more lists. Smaller or sparser strata are flagged and pooled, never "
    "dropped: for years and age groups a stratum is merged with its smaller neighbour until "
    "every stratum passes; for other fields the failing strata are pooled into one 'other' "
    "stratum, which joins the smallest passing stratum if it still fails. Persons with no "
    "value for the field are counted as missing: they are in the overall estimate only."
)

ALIASES = {
    "year": "death_year",
    "governorate_pcode": "governorate",
    "facility": "detention_facility",
    "facility_id": "detention_facility",
    "age": "age_group",
}
YEAR_FIELDS = {"death_year": "death_date", "arrest_year": "arrest_date", "birth_year": "birth_date"}
ORDERED_FIELDS = {*YEAR_FIELDS, "age_group"}
AGE_BINS = [(0, 17), (18, 29), (30, 44), (45, 59), (60, 200)]
MISSING = ""


# The security agencies of the reference facility list, with the words lists use for them
# (full and short names, Arabic and English). Checked in order: police before intelligence.
AGENCIES = (
    ("Military Police", ("الشرطة العسكرية", "military police")),
    ("Air Force Intelligence Directorate", ("الجوية", "air force")),
    ("General Intelligence Directorate (State Security)",
     ("أمن الدولة", "المخابرات العامة", "state security", "general intelligence")),
    ("Political Security Directorate", ("الأمن السياسي", "political security")),
    ("Military Intelligence Directorate",
     ("المخابرات العسكرية", "الأمن العسكري", "military intelligence", "military security")),
)  # fmt: skip


@lru_cache(maxsize=4096)
def agency(text: str) -> str:
    """One English name per agency whatever the script or form ('الأمن العسكري' → Military
    Intelligence Directorate), so that a ranking is not split by spelling; else the text."""
    from uncounted.names import normalize_arabic, normalize_latin

    key = f" {normalize_arabic(text)} {normalize_latin(text)} "
    for name, words in AGENCIES:
        if any(f" {normalize_arabic(w) or normalize_latin(w)} " in key for w in words):
            return name
    return text


def canonical_field(name: str) -> str:
    """The field a user meant (``year`` → ``death_year``, ``facility`` → ...)."""
    name = name.strip().lower().replace("-", "_")
    return ALIASES.get(name, name)


def record_columns(fields: Sequence[str]) -> list[str]:
    """The record columns needed to derive ``fields``."""
    needed: list[str] = []
    for name in fields:
        if name in YEAR_FIELDS:
            needed.append(YEAR_FIELDS[name])
        elif name == "age_group":
            needed += ["age", "birth_date", "death_date"]
        else:
            needed.append(name)
    return list(dict.fromkeys(needed))


def derive(records: pd.DataFrame, name: str) -> pd.Series:
    """One string value per record for a (possibly derived) field; '' when unknown."""
    if name in YEAR_FIELDS:
        text = records[YEAR_FIELDS[name]].fillna("").astype(str).str[:4]
        return text.where(text.str.fullmatch(r"\d{4}"), MISSING)
    if name == "age_group":
        return _age_group(records)
    values = records[name].fillna("").astype(str).str.strip()
    return values.map(agency) if name == "arresting_party" else values


def _age_group(records: pd.DataFrame) -> pd.Series:
    age = pd.to_numeric(records["age"], errors="coerce")
    birth = pd.to_numeric(records["birth_date"].fillna("").astype(str).str[:4], errors="coerce")
    death = pd.to_numeric(records["death_date"].fillna("").astype(str).str[:4], errors="coerce")
    age = age.fillna(death - birth)
    out = pd.Series(MISSING, index=records.index, dtype=object)
    for low, high in AGE_BINS:
        label = f"{low}+" if high >= 200 else f"{low}-{high}"
        out[(age >= low) & (age <= high)] = label
    return out


@dataclass
class Stratum:
    """A stratum after pooling: its label, the original strata in it, its persons."""

    label: str
    key: dict[str, str]
    members: list[str]
    persons: pd.DataFrame = field(repr=False)
    pooled: bool = False
    flag: str = ""

    @property
    def observed(self) -> int:
        return len(self.persons)


def sparsity(captures: pd.DataFrame) -> str:
    """Why a stratum's captures are too sparse to estimate ('' when they are fine)."""
    observed = len(captures)
    if observed < MIN_OBSERVED:
        return f"{observed} persons (< {MIN_OBSERVED})"
    lists = int((captures.sum(axis=0) > 0).sum())
    if lists < MIN_LISTS:
        return f"persons on {lists} lists (< {MIN_LISTS})"
    overlap = int((captures.sum(axis=1) >= 2).sum())
    if overlap < MIN_OVERLAP:
        return f"{overlap} persons on 2+ lists (< {MIN_OVERLAP})"
    return ""


def natural_key(label: str) -> tuple:
    """Sort '2011' < '2012' and '0-17' < '18-29' < '60+' the way people expect."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", label))


def stratify(
    persons: pd.DataFrame,
    sources: Sequence[str],
    fields: Sequence[str],
    labels: dict[str, dict[str, str]] | None = None,
) -> tuple[list[Stratum], int]:
    """Split persons into strata by ``fields`` and pool the sparse ones.

    ``persons`` has one 0/1 column per source and one string column per field ('' when
    missing). ``labels`` maps a field's raw values to display names (p-code → governorate).
    Returns the strata and the number of persons missing a value.
    """
    labels = labels or {}
    keys = persons[list(fields)].astype(str)
    has_all = (keys != MISSING).all(axis=1)
    missing = int((~has_all).sum())
    present = persons[has_all]
    groups = keys[has_all].agg("\x1f".join, axis=1) if len(fields) > 1 else keys[has_all][fields[0]]
    strata = []
    for raw, members in present.groupby(groups, sort=False):
        parts = str(raw).split("\x1f")
        key = dict(zip(fields, parts, strict=True))
        label = " / ".join(labels.get(f, {}).get(v, v) for f, v in key.items())
        strata.append(Stratum(label=label, key=key, members=[label], persons=members))
    strata.sort(key=lambda s: natural_key("/".join(s.key.values())))
    ordered = len(fields) == 1 and fields[0] in ORDERED_FIELDS
    pooled = _pool_ordered(strata, sources) if ordered else _pool_unordered(strata, sources)
    return pooled, missing


def _merge(a: Stratum, b: Stratum, flag: str, label: str | None = None) -> Stratum:
    members = a.members + b.members
    return Stratum(
        label=label or f"{members[0]} – {members[-1]}",
        key={},
        members=members,
        persons=pd.concat([a.persons, b.persons]),
        pooled=True,
        flag="; ".join(x for x in (a.flag, b.flag, flag) if x),
    )


def _reason(stratum: Stratum, sources: Sequence[str]) -> str:
    return sparsity(stratum.persons[list(sources)])


def _pool_ordered(strata: list[Stratum], sources: Sequence[str]) -> list[Stratum]:
    """Merge the smallest failing stratum with its smaller neighbour until all pass."""
    strata = list(strata)
    while len(strata) > 1:
        failing = [(s.observed, i) for i, s in enumerate(strata) if _reason(s, sources)]
        if not failing:
            break
        _, i = min(failing)
        why = f"{strata[i].label}: {_reason(strata[i], sources)}"
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(strata)]
        j = min(neighbours, key=lambda k: strata[k].observed)
        lo, hi = sorted((i, j))
        strata[lo : hi + 1] = [_merge(strata[lo], strata[hi], why)]
    return strata


def _pool_unordered(strata: list[Stratum], sources: Sequence[str]) -> list[Stratum]:
    """Pool all failing strata into 'other'; if 'other' fails, join the smallest passing."""
    passing = [s for s in strata if not _reason(s, sources)]
    failing = [s for s in strata if _reason(s, sources)]
    if not failing:
        return passing
    other = failing[0]
    other.flag = f"{other.label}: {_reason(other, sources)}"
    for s in failing[1:]:
        other = _merge(other, s, f"{s.label}: {_reason(s, sources)}", label="other")
    other = Stratum(
        label=f"other ({len(other.members)} pooled)" if len(other.members) > 1 else other.label,
        key={},
        members=other.members,
        persons=other.persons,
        pooled=True,
        flag=other.flag,
    )
    if _reason(other, sources) and passing:
        target = min(passing, key=lambda s: s.observed)
        merged = _merge(target, other, "", label=f"{target.label} + other")
        passing = [merged if s is target else s for s in passing]
        return passing
    return [*passing, other]


def capture_counts(captures: pd.DataFrame) -> pd.DataFrame:
    """Collapse 0/1 rows to the capture-history table of the contract (pattern + count)."""
    columns = list(captures.columns)
    table = (
        captures.astype(np.int8).value_counts(sort=False).reset_index(name="count")
        if len(captures)
        else pd.DataFrame(columns=[*columns, "count"])
    )
    table = table[(table[columns].sum(axis=1) > 0)]
    return table.sort_values(columns, ascending=False).reset_index(drop=True)
