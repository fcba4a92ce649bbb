"""Name chains: a full name split into given, father, grandfather and family name.

Arabic names are chains: the person's given name, the father's, often the grandfather's,
then the family name (often with the article, often a nisba such as الحلبي / al-Halabi).
``bin`` / ``ibn`` / بن / بنت mark a chain explicitly. Compound names (عبد الرحمن,
Abu Bakr, نور الدين) count as one part. The parts keep the spelling they were written in.

How many parts a name has decides the reading (counts from the Gaza MoH list, see
``../shared/data/names/README.md``: 94% of full names have 4 units, 4% have 5, 2% have 3):

====== ==================================================== ==========
units  reading                                              confidence
====== ==================================================== ==========
1      given                                                0.3
2      given + family                                       0.5 (0.7 with article/nisba)
3      given + father + family                              0.6 (0.8 with article/nisba)
4      given + father + grandfather + family                0.85 (0.9 with article/nisba)
5      4 with a two-unit family (family + trailing nisba)   0.7 if the last unit is a nisba, else 0.5
6+     given + father + grandfather + family (rest)         0.4
====== ==================================================== ==========

An explicit bin/ibn chain (محمد بن علي بن حسن) is read as written: confidence 0.9.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from uncounted.names.normalize import (
    CHAIN_MARKERS,
    PREFIX_PARTICLES,
    SUFFIX_PARTICLES,
    normalize_name,
)

_MARKERS, _PREFIXES, _SUFFIXES = CHAIN_MARKERS, PREFIX_PARTICLES, SUFFIX_PARTICLES

_SPECIAL = _MARKERS | _SUFFIXES | _PREFIXES
_RAW_TOKENS = re.compile(r"[^\s,;/|()\[\]{}،؛\"]+")


@lru_cache(maxsize=1 << 17)
def _normalize_piece(text: str) -> str:
    """normalize_name for words and word groups, which repeat across names (cached)."""
    return normalize_name(text)


@dataclass(frozen=True)
class NameChain:
    """The parts of one full name ('' where absent) and how sure the reading is (0..1)."""

    given: str = ""
    father: str = ""
    grandfather: str = ""
    family: str = ""
    confidence: float = 0.0


# A unit is a plain (text as written, normalised text) tuple: millions are made per column.
_Unit = tuple[str, str]


def _units(full: str) -> tuple[list[_Unit], int]:
    """Raw tokens grouped into name units as the normaliser groups them; count of markers."""
    units: list[_Unit] = []
    pending: list[str] = []
    markers = 0
    for raw in _RAW_TOKENS.findall(full or ""):
        norm = _normalize_piece(raw)
        if not norm:
            continue
        if norm in _SPECIAL:
            if norm in _MARKERS:
                markers += 1
                units.append((raw, norm))
                continue
            if norm in _SUFFIXES and units and not pending and units[-1][1] not in _MARKERS:
                text = f"{units[-1][0]} {raw}"
                units[-1] = (text, _normalize_piece(text))
                continue
            if norm in _PREFIXES:
                pending.append(raw)
                continue
        if pending:
            pending.append(raw)
            text = " ".join(pending)
            pending = []
            grouped = _normalize_piece(text)
            if grouped in _SUFFIXES and units and units[-1][1] not in _MARKERS:
                text = f"{units[-1][0]} {text}"  # Nour + El Din
                units[-1] = (text, _normalize_piece(text))
            else:
                units.append((text, grouped))
        else:
            units.append((raw, norm))
    if pending:
        text = " ".join(pending)
        units.append((text, _normalize_piece(text)))
    return units, markers


def _is_family_like(norm: str) -> bool:
    """Article (الحسن, alhassan) or nisba ending (الحلبي, halabi): reads as a family name."""
    if norm.startswith("ال") and len(norm) >= 4:
        return True
    if norm.startswith("al") and len(norm) >= 5:
        return True
    return _is_nisba(norm)


def _is_nisba(norm: str) -> bool:
    return len(norm) >= 4 and (norm.endswith("ي") or norm.endswith(("i", "y")))


_Parts = tuple[str, str, str, str, float]  # given, father, grandfather, family, confidence
_EMPTY: _Parts = ("", "", "", "", 0.0)


def _explicit_chain(units: list[_Unit]) -> _Parts:
    """G bin F bin GF [family...]: every unit after a marker is an ancestor."""
    names = [text for text, norm in units if norm not in _MARKERS]
    last_marker = max(i for i, (_, norm) in enumerate(units) if norm in _MARKERS)
    ancestors = sum(1 for _, norm in units[: last_marker + 1] if norm not in _MARKERS) + 1
    chain, family = names[:ancestors], names[ancestors:]
    chain += [""] * (3 - len(chain))
    return (chain[0], chain[1], chain[2], " ".join(family + chain[3:]), 0.9)


def _positional(units: list[_Unit]) -> _Parts:
    names = [text for text, _ in units]
    n = len(names)
    family_like = _is_family_like(units[-1][1])
    if n == 1:
        return (names[0], "", "", "", 0.3)
    if n == 2:
        return (names[0], "", "", names[1], 0.7 if family_like else 0.5)
    if n == 3:
        return (names[0], names[1], "", names[2], 0.8 if family_like else 0.6)
    if n == 4:
        return (names[0], names[1], names[2], names[3], 0.9 if family_like else 0.85)
    confidence = (0.7 if _is_nisba(units[-1][1]) else 0.5) if n == 5 else 0.4
    return (names[0], names[1], names[2], " ".join(names[3:]), confidence)


def chain_parts(full: str) -> _Parts:
    """:func:`parse_name_chain` as a plain tuple (given, father, grandfather, family, confidence).

    The column functions use it: a million frozen dataclasses cost more than the parsing.
    """
    units, markers = _units(full)
    if markers:
        while units and units[0][1] in _MARKERS:
            units.pop(0)
        while units and units[-1][1] in _MARKERS:
            units.pop()
        if any(norm in _MARKERS for _, norm in units):
            return _explicit_chain(units)
    return _positional(units) if units else _EMPTY


def parse_name_chain(full: str) -> NameChain:
    """Split a full name (either script) into given / father / grandfather / family."""
    return NameChain(*chain_parts(full))
