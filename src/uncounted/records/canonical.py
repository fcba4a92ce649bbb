"""Derive canonical record fields from source rows, one batch of rows at a time.

Lists repeat the same values endlessly (the same governorate, date, facility or given
name thousands of times), so every derivation works once per *distinct* value and caches
the answer; a batch is processed column by column, not row by row.

A value that cannot be read (a date like ``31/02/2013``, a sex of ``?x``) is kept as text in
``raw_values`` and noted in ``problems``; it never stops the import unless ``--strict``.
A row is *rejected* (kept verbatim, no record made) only when it has no usable ``record_id``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

import orjson

from uncounted.names import parse_name_chain
from uncounted.names.dates import parse_partial_date
from uncounted.names.places import district_pcode, facility_id, governorate_pcode
from uncounted.names.text import ascii_digits, collapse_spaces
from uncounted.records.fields import CANONICAL_FIELDS, DATE_FIELDS, NAME_PARTS
from uncounted.records.mapping import ColumnPlan, Mapping

MAX_LENGTHS = {
    "record_id": 200,
    "full_name": 500,
    "given_name": 200,
    "father_name": 200,
    "grandfather_name": 200,
    "family_name": 200,
    "mother_name": 200,
    "governorate": 200,
    "district": 200,
    "place": 300,
    "registry_number": 100,
    "arrest_place": 300,
    "arresting_party": 300,
    "detention_facility": 300,
    "detainee_number": 100,
    "death_place": 300,
    "cause_of_death": 300,
}
# Derived columns of core.Record besides the canonical text fields.
DERIVED_FIELDS = ("name_parse_confidence", "governorate_pcode", "district_pcode", "facility_id")
RECORD_FIELDS = tuple(f for f in CANONICAL_FIELDS if f != "record_id") + DERIVED_FIELDS


def to_json(value: object) -> str:
    """JSON text, non-ASCII kept (orjson: about 5x faster than json on Arabic rows)."""
    return orjson.dumps(value).decode()


_TASHKEEL = re.compile(r"[\u064B-\u065F\u0670]")
_VOCAB_TEXT = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def vocab_key(text: str) -> str:
    """A coded value reduced for lookup (case, tashkeel, hamza forms, ta marbuta, punctuation)."""
    text = _TASHKEEL.sub("", text.translate(_VOCAB_TEXT).lower())
    return collapse_spaces(re.sub(r"[._\-/()'\"]+", " ", text))


def _vocabulary(table: dict[str, str]) -> dict[str, str]:
    return {vocab_key(word): code for words, code in table.items() for word in words.split("|")}


UNKNOWN_WORDS = {
    vocab_key(w)
    for w in ["غير معروف", "غير محدد", "مجهول", "unknown", "n/a", "na", "?", "-", "--", "لا يوجد"]
}
SEX = _vocabulary(
    {
        "ذكر|male|m|man|boy|رجل|ولد|طفل ذكر": "M",
        "أنثى|انثى|انثي|female|f|woman|girl|امرأة|امراة|بنت|طفلة": "F",
    }
)
STATUS = _vocabulary(
    {
        "متوفى|متوفي|توفي|توفي تحت التعذيب|قتل|قتل تحت التعذيب|قتيل|مقتول|شهيد|استشهد|أعدم|"
        "اعدام|متوفاة|متوفية|شهيدة|مقتولة|قتيلة|dead|deceased|died|killed|died in custody|"
        "executed|death": "dead",
        "معتقل|معتقلة|محتجز|محتجزة|مسجون|مسجونة|سجين|سجينة|قيد الاعتقال|detained|in detention|imprisoned|arrested|"
        "detainee": "detained",
        "مختفي|مختفى|مختفية|مختفي قسريا|مختفى قسريا|مختفية قسريا|مختفي قسرا|مغيب|مغيبة|"
        "مغيب قسريا|مغيبة قسريا|مفقود|مفقودة|disappeared|"
        "forcibly disappeared|missing|enforced disappearance": "disappeared",
        "مفرج عنه|أفرج عنه|افرج عنه|مفرج عنها|أفرج عنها|طليق|طليقة|released|freed": "released",
    }
)
REMAINS = _vocabulary(
    {
        "نعم|yes|y|true|1|سلمت|تم التسليم|تم تسليمها|تم تسليم الجثة|returned": "yes",
        "لا|no|n|false|0|لم تسلم|لم يتم التسليم|لم تسلم الجثة|not returned": "no",
    }
)
VOCABULARIES = {"sex": SEX, "status": STATUS, "remains_returned": REMAINS}
_AGE_WORDS = re.compile(r"(سنه|سنة|سنوات|عام|أعوام|اعوام|years?|yrs?|y/o|yo|y)\s*$", re.I)


DEFAULTS = {"age": None, "name_parse_confidence": None}


@dataclass
class Batch:
    """A batch of rows, column by column: verbatim JSON, ids and derived fields.

    ``fields`` holds a full-length list for every record field the file gives or derives;
    fields it lacks take :data:`DEFAULTS` (else ``""``). Problems and rejections are sparse
    (row index → ...), since most rows have none.
    """

    row_numbers: list[int]
    raw: list[str]
    record_ids: list[str]
    fields: dict[str, list] = field(default_factory=dict)
    raw_values: list[str] = field(default_factory=list)
    problems: dict[int, list[dict[str, str]]] = field(default_factory=dict)
    rejected: dict[int, dict[str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.row_numbers)

    def column(self, name: str, indices: list[int] | None = None) -> Iterable:
        """One record field for the rows at ``indices`` (all rows when ``None``)."""
        values = self.fields.get(name)
        if values is None:
            return repeat(DEFAULTS.get(name, ""), len(self) if indices is None else len(indices))
        return values if indices is None else [values[i] for i in indices]

    def problems_json(self, indices: list[int] | None = None) -> list[str]:
        rows = range(len(self)) if indices is None else indices
        return [to_json(self.problems[i]) if i in self.problems else "[]" for i in rows]

    def values(self, i: int) -> dict[str, object]:
        """Every record field of row ``i`` (to compare with a stored record)."""
        return {
            f: self.fields[f][i] if f in self.fields else DEFAULTS.get(f, "") for f in RECORD_FIELDS
        }

    def problem(self, i: int, name: str, reason: str) -> None:
        self.problems.setdefault(i, []).append({"field": name, "reason": reason})


class Canonicaliser:
    """Turns batches of rows of one file into :class:`Batch` values."""

    def __init__(self, header: list[str], plan: ColumnPlan, mapping: Mapping) -> None:
        self.header = header
        self.plan = plan
        self.value_maps = mapping.values
        self.cache: dict[str, dict] = {}
        self._id_seen: dict[str, int] = {}

    # ----------------------------------------------------------------- per distinct value

    def _each(self, name: str, values: Sequence, fn: Callable[[Any], object]) -> list:
        """``fn`` applied once per distinct value (cached across batches, bounded)."""
        cache = self.cache.setdefault(name, {})
        if len(cache) > 200_000:
            cache.clear()
        for value in set(values).difference(cache):  # a dict argument: O(len(values))
            cache[value] = fn(value)
        return list(map(cache.__getitem__, values))

    def _column(self, target: str, cells: list[list[str]]) -> list[str]:
        """The text of one canonical field for every row (value map applied, spaces tidied)."""
        index = self.plan.field_columns[target]
        value_map = self.value_maps.get(target, {})
        return self._each(
            f"text:{target}",
            list(map(itemgetter(index), cells)),
            lambda v: _tidy(value_map.get(v.strip(), v)),
        )

    # ------------------------------------------------------------------------ the batch

    def batch(self, rows: list[tuple[int, list[str]]]) -> Batch:
        """Canonical fields for a batch of ``(row_number, cells)``."""
        cells = [c for _, c in rows]
        header, dumps = self.header, to_json
        out = Batch(
            row_numbers=[n for n, _ in rows],
            raw=[dumps(dict(zip(header, c, strict=True))) for c in cells],
            record_ids=[],
        )
        given = [f for f in CANONICAL_FIELDS if f in self.plan.field_columns]
        columns = {f: self._column(f, cells) for f in given}
        self._record_ids(out, columns.get("record_id"))
        received = [f for f in given if f != "record_id"]
        indexes = [self.plan.field_columns[f] for f in received]
        out.raw_values = [
            dumps({f: c[i] for f, i in zip(received, indexes, strict=True) if c[i]}) for c in cells
        ]
        self._text_fields(out, columns)
        self._names(out, columns)
        self._coded(out, columns)
        self._dates_and_age(out, columns)
        self._places(out, columns)
        return out

    def _record_ids(self, out: Batch, ids: list[str] | None) -> None:
        if ids is None:
            out.record_ids = [self._content_id(raw) for raw in out.raw]
            return
        out.record_ids = ids
        for i, rid in enumerate(ids):
            if not rid:
                out.rejected[i] = {"field": "record_id", "reason": "empty"}
            elif len(rid) > MAX_LENGTHS["record_id"]:
                out.rejected[i] = {"field": "record_id", "reason": "longer than 200 characters"}

    def _content_id(self, raw: str) -> str:
        """An id from the row's content, for lists without one: stable across versions."""
        digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
        seen = self._id_seen.get(digest, 0) + 1
        self._id_seen[digest] = seen
        return f"h{digest}" if seen == 1 else f"h{digest}-{seen}"

    def _text_fields(self, out: Batch, columns: dict[str, list[str]]) -> None:
        for f in columns:
            if f == "record_id" or f in _SPECIAL:
                continue
            values = columns[f]
            limit = MAX_LENGTHS.get(f)
            if limit and max(map(len, values)) > limit:
                values = list(values)
                for i, value in enumerate(values):
                    if len(value) > limit:
                        values[i] = value[:limit]
                        out.problem(i, f, f"longer than {limit} characters, shortened")
            out.fields[f] = values

    def _names(self, out: Batch, columns: dict[str, list[str]]) -> None:
        """Split ``full_name`` where the parts are absent; build it where only parts exist."""
        n = len(out)
        parts = [columns[p] for p in NAME_PARTS if p in columns]
        has_part = [any(t) for t in zip(*parts, strict=True)] if parts else [False] * n
        full = columns.get("full_name")
        if full is not None:
            need = [i for i in range(n) if full[i] and not has_part[i]]
            if need:
                for p in NAME_PARTS:
                    out.fields[p] = list(out.fields.get(p) or [""] * n)
                confidence: list[float | None] = [None] * n
                chains = self._each("chain", [full[i] for i in need], parse_chain)
                for i, chain in zip(need, chains, strict=True):
                    for p, value in zip(NAME_PARTS, chain, strict=False):
                        out.fields[p][i] = value[:200]
                    confidence[i] = chain[4]
                out.fields["name_parse_confidence"] = confidence
        if parts and (full is None or not all(full)):
            built = [" ".join(p for p in t if p)[:500] for t in zip(*parts, strict=True)]
            out.fields["full_name"] = [f or b for f, b in zip(full or built, built, strict=True)]

    def _coded(self, out: Batch, columns: dict[str, list[str]]) -> None:
        for f, vocabulary in VOCABULARIES.items():
            if f not in columns:
                continue
            codes = self._each(f"code:{f}", columns[f], lambda v, voc=vocabulary: _code(v, voc))
            out.fields[f] = [c or "" for c in codes]
            for i in _indexes_of_none(codes):
                out.problem(i, f, "value not recognised")

    def _dates_and_age(self, out: Batch, columns: dict[str, list[str]]) -> None:
        for f in DATE_FIELDS:
            if f not in columns:
                continue
            dates = self._each("date", columns[f], _date)
            out.fields[f] = [d or "" for d in dates]
            for i in _indexes_of_none(dates):
                out.problem(i, f, "not a date")
        if "age" in columns:
            ages = self._each("age", columns["age"], _age)
            out.fields["age"] = [None if a == -1 else a for a in ages]
            for i, age in enumerate(ages):
                if age == -1:
                    out.problem(i, "age", "not an age (0-120)")

    def _places(self, out: Batch, columns: dict[str, list[str]]) -> None:
        governorates = columns.get("governorate")
        districts = columns.get("district")
        codes = [""] * len(out)
        if governorates is not None:
            codes = self._each("governorate", governorates, lambda v: governorate_pcode(v) or "")
            for i, (text, code) in enumerate(zip(governorates, codes, strict=True)):
                if text and not code:
                    out.problem(i, "governorate", "not a known governorate")
        if districts is not None:
            keys = list(zip(districts, codes, strict=True))
            found = self._each("district", keys, lambda k: district_pcode(k[0], k[1] or None) or "")
            out.fields["district_pcode"] = found
            codes = [c or d[:4] for c, d in zip(codes, found, strict=True)]
        out.fields["governorate_pcode"] = codes
        if "detention_facility" in columns:
            out.fields["facility_id"] = self._each(
                "facility", columns["detention_facility"], lambda v: facility_id(v) or ""
            )


def _indexes_of_none(values: list) -> list[int]:
    return [i for i, v in enumerate(values) if v is None]


_SPECIAL = {"sex", "status", "remains_returned", "age", *DATE_FIELDS}


def _tidy(value: str) -> str:
    return collapse_spaces(value) if value else ""


def _code(value: str, vocabulary: dict[str, str]) -> str | None:
    """The code of a value; '' for empty or "unknown", ``None`` when not recognised."""
    if not value:
        return ""
    if value in vocabulary.values():
        return value
    key = vocab_key(value)
    if key in UNKNOWN_WORDS:
        return ""
    return vocabulary.get(key)


def _date(value: str) -> str | None:
    if not value:
        return ""
    parsed = parse_partial_date(value)
    return parsed.iso if parsed else None


def _age(value: str) -> int | None:
    """Whole years; ``None`` for empty, ``-1`` when it cannot be read as an age."""
    if not value:
        return None
    text = _AGE_WORDS.sub("", ascii_digits(value).strip().replace("٫", ".")).strip()
    try:
        number = float(text)
    except ValueError:
        return -1
    return int(number) if 0 <= number <= 120 and number == int(number) else -1


def parse_chain(full_name: str) -> tuple[str, str, str, str, float]:
    """(given, father, grandfather, family, confidence) from the names engine."""
    chain = parse_name_chain(full_name)
    return (chain.given, chain.father, chain.grandfather, chain.family, float(chain.confidence))
