"""Syrian places and detention facilities, from the many ways lists spell them, to codes.

Governorates, districts and sub-districts become OCHA P-codes (SY01, SY0101, SY010000) and a
facility named in a record becomes its ``facility_id`` from the shipped reference list
(``uncounted/data/``, see the READMEs there for sources and licences).

Matching goes from strict to loose and stops at the first level that gives exactly one
answer, so a spelling that could mean two places gives ``None`` rather than a guess:
1. the exact text after light normalisation (case, hamza/alef forms, ta marbuta, tashkeel,
   "محافظة"/"Governorate" words, articles ال/al-/as-/ar-/el-...);
2. for Latin spellings a consonant skeleton (``Hassakeh``, ``Hasaka``, ``Al-Hasakah`` all
   give ``hsk``), kept only where it is unambiguous among units of the same level.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from uncounted.names.text import ascii_digits, collapse_spaces, has_arabic

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GEOGRAPHY_DIR = DATA_DIR / "geography"
FACILITIES_FILE = DATA_DIR / "detention_facilities" / "syria_detention_facilities.csv"
LEVELS = ("governorate", "district", "subdistrict")

_TASHKEEL = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_ADMIN_WORDS = re.compile(
    r"\b(governorate|province|muhafazat|mohafazat|district|sub ?district|nahiya|nahiyeh|"
    r"mantiqat|city|of|the|center|centre|markaz)\b"
)
_ARABIC_ADMIN_WORDS = {"محافظه", "منطقه", "ناحيه", "مركز", "مدينه"}
_LATIN_ARTICLE = re.compile(r"\b(al|el|as|ash|ar|ad|ed|ez|az|es|an|at|adh|ath|ad|d)\b")
_SKELETON_VOWELS = re.compile(r"[aeiouyw]")


def arabic_place_key(text: str) -> str:
    """Arabic spelling reduced to what distinguishes places (no ال, no spaces, one alef)."""
    text = _TASHKEEL.sub("", ascii_digits(text)).translate(_ARABIC_LETTERS)
    words = [w for w in re.split(r"[\s\-_/،,.()]+", text) if w and w not in _ARABIC_ADMIN_WORDS]
    return "".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words)


def latin_place_key(text: str) -> str:
    """Latin spelling lower-cased, without accents, admin words, articles or punctuation."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[-_'`’‘ʿʾ.]", " ", text)
    text = _LATIN_ARTICLE.sub(" ", _ADMIN_WORDS.sub(" ", text))
    return re.sub(r"[^a-z0-9]", "", text)


def latin_skeleton(key: str) -> str:
    """A consonant skeleton of a Latin key: first letter, no vowels, no doubled letters."""
    if not key:
        return ""
    key = re.sub(r"(.)\1+", r"\1", key)
    key = re.sub(r"(?<=[aeiou])h$", "", key)
    return key[0] + _SKELETON_VOWELS.sub("", key[1:])


def place_keys(text: str) -> list[str]:
    """The lookup keys of a spelling, strictest first (empty list for empty text)."""
    text = collapse_spaces(str(text or ""))
    if not text:
        return []
    if has_arabic(text):
        key = arabic_place_key(text)
        return [f"ar:{key}", f"al:{key.replace('ال', '')}"] if key else []
    key = latin_place_key(text)
    return [f"en:{key}", f"sk:{latin_skeleton(key)}"] if key else []


@dataclass(frozen=True)
class AdminUnit:
    """One governorate, district or sub-district of the reference list."""

    level: str
    pcode: str
    name_en: str
    name_ar: str
    governorate_pcode: str
    district_pcode: str


@cache
def _units() -> dict[str, AdminUnit]:
    with (GEOGRAPHY_DIR / "admin_units_flat.csv").open(encoding="utf-8") as handle:
        return {
            row["id"]: AdminUnit(
                level=row["level"],
                pcode=row["ocha_pcode"],
                name_en=row["name_en"],
                name_ar=row["name_ar"],
                governorate_pcode=row["governorate_pcode"] or row["ocha_pcode"][:4],
                district_pcode=row["district_pcode"]
                or (row["ocha_pcode"][:6] if row["level"] != "governorate" else ""),
            )
            for row in csv.DictReader(handle)
        }


def _spellings() -> Iterable[tuple[str, str]]:
    """(unit id, spelling) for every name and alias of the reference data."""
    for unit_id, unit in _units().items():
        yield unit_id, unit.name_en
        yield unit_id, unit.name_ar
        yield unit_id, unit.pcode
    with (GEOGRAPHY_DIR / "admin_unit_aliases.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row["id"], row["alias"]
    yield from EXTRA_SPELLINGS


# Common spellings in Syrian lists that the reference aliases lack (checked by the tests).
EXTRA_SPELLINGS = [
    ("sy-damascus", "الشام"),
    ("sy-damascus", "Sham"),
    ("sy-damascus", "Dimashq"),
    ("sy-aleppo", "Halab"),
    ("sy-rif-dimashq", "ريف الشام"),
    ("sy-rif-dimashq", "Reef Dimashq"),
    ("sy-rif-dimashq", "Rural Damascus"),
    ("sy-rif-dimashq", "Damascus Countryside"),
    ("sy-deir-ez-zor", "Deir Ezzor"),
    ("sy-deir-ez-zor", "Deir al-Zour"),
    ("sy-deir-ez-zor", "Deir Ez Zor"),
    ("sy-as-suwayda", "Sweida"),
    ("sy-latakia", "Ladhiqiyah"),
    ("sy-latakia", "اللاذقيه"),
    ("sy-idlib", "Idleb"),
    ("sy-daraa", "Deraa"),
    ("sy-quneitra", "Qunaitra"),
    ("sy-al-hasakah", "Hassakeh"),
    ("sy-al-hasakah", "Hasakeh"),
]


@cache
def _index(level: str) -> dict[str, tuple[str, ...]]:
    """Key → the unit ids of one level that spell that way (more than one: ambiguous)."""
    units = _units()
    found: dict[str, set[str]] = defaultdict(set)
    for unit_id, spelling in _spellings():
        unit = units.get(unit_id)
        if unit is None or unit.level != level or not spelling:
            continue
        for key in place_keys(spelling):
            found[key].add(unit_id)
    return {key: tuple(sorted(ids)) for key, ids in found.items()}


def _lookup(text: str, level: str, within: str | None = None) -> AdminUnit | None:
    index, units = _index(level), _units()
    for key in place_keys(text):
        candidates = [units[i] for i in index.get(key, ())]
        if within:
            candidates = [u for u in candidates if u.pcode.startswith(within)]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            return None  # ambiguous at the strict level: a looser one cannot be safer
    return None


@lru_cache(maxsize=65536)
def governorate_pcode(text: str) -> str | None:
    """``SY01``..``SY14`` for a governorate's name, or for a district's (``Douma`` → SY03)."""
    if not text or not str(text).strip():
        return None
    unit = _lookup(text, "governorate")
    if unit is None:
        unit = _lookup(text, "district")
    return unit.governorate_pcode if unit else None


@lru_cache(maxsize=65536)
def district_pcode(text: str, governorate: str | None = None) -> str | None:
    """``SY0101``-style code of a district; ``governorate`` (a p-code) settles homonyms."""
    if not text or not str(text).strip():
        return None
    unit = _lookup(text, "district", within=governorate)
    return unit.pcode if unit else None


@lru_cache(maxsize=65536)
def subdistrict_pcode(text: str, within: str | None = None) -> str | None:
    """``SY010000``-style code of a sub-district (nahiya); ``within`` is a parent p-code."""
    if not text or not str(text).strip():
        return None
    unit = _lookup(text, "subdistrict", within=within)
    return unit.pcode if unit else None


def governorates() -> list[AdminUnit]:
    """The 14 governorates, by p-code."""
    return sorted((u for u in _units().values() if u.level == "governorate"), key=lambda u: u.pcode)


@dataclass(frozen=True)
class Facility:
    """A detention facility or security branch of the reference list."""

    facility_id: str
    agency_en: str
    agency_ar: str
    branch_number: str
    name_en: str
    name_ar: str
    aliases_en: tuple[str, ...]
    city: str
    governorate_pcode: str


@cache
def facilities() -> tuple[Facility, ...]:
    """The shipped list of facilities (see data/detention_facilities/README.md)."""
    with FACILITIES_FILE.open(encoding="utf-8") as handle:
        return tuple(
            Facility(
                facility_id=row["facility_id"],
                agency_en=row["agency_en"],
                agency_ar=row["agency_ar"],
                branch_number=row["branch_number"],
                name_en=row["name_en"],
                name_ar=row["name_ar"],
                aliases_en=tuple(a.strip() for a in row["aliases_en"].split(";") if a.strip()),
                city=row["city"],
                governorate_pcode=row["governorate_pcode"],
            )
            for row in csv.DictReader(handle)
        )


# Distinctive words that name one facility whatever else the text says (place or nickname).
FACILITY_WORDS = {
    "mp-saydnaya": ("صيدنايا", "صيدنايه", "saydnaya", "sednaya", "saidnaya"),
    "mi-235": ("فلسطين", "palestine", "falastin", "filastin"),
    "gid-251": ("الخطيب", "khatib"),
    "mp-qaboun": ("القابون", "qaboun", "qabun"),
    "hosp-tishreen": ("تشرين", "tishreen", "tishrin"),
    "prison-tadmur": ("تدمر", "tadmur", "tadmor", "palmyra"),
    "prison-adra": ("عدرا", "adra"),
    "afi-mezzeh": ("مطار المزه", "mezzeh airport", "mezze airport", "mazzeh airport"),
    "afi-harasta": ("جويه حرستا", "harasta"),
}
_BRANCH_WORDS = re.compile(r"(فرع|الفرع|مشفي|مستشفي|branch|far|hospital|hosp|^)\s*(\d{3})\b")


def _facility_text(text: str) -> str:
    return collapse_spaces(
        _TASHKEEL.sub("", ascii_digits(text)).translate(_ARABIC_LETTERS).lower()
    ).replace("'", "")


@cache
def _facility_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for facility in facilities():
        for spelling in (facility.name_en, facility.name_ar, *facility.aliases_en):
            names.setdefault(_facility_text(spelling), facility.facility_id)
    return names


@cache
def _facility_numbers() -> dict[str, str]:
    return {f.branch_number: f.facility_id for f in facilities() if f.branch_number}


@lru_cache(maxsize=65536)
def facility_id(text: str) -> str | None:
    """The ``facility_id`` of the facility a record names, or ``None`` if not recognisable."""
    if not text or not str(text).strip():
        return None
    cleaned = _facility_text(str(text))
    exact = _facility_names().get(cleaned)
    if exact:
        return exact
    found = {
        fid
        for fid, words in FACILITY_WORDS.items()
        if any(_facility_text(word) in cleaned for word in words)
    }
    numbers = {m.group(2) for m in _BRANCH_WORDS.finditer(cleaned)}
    found |= {_facility_numbers()[n] for n in numbers if n in _facility_numbers()}
    return found.pop() if len(found) == 1 else None
