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
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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

_VOCAB_TEXT = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def vocab_key(text: str) -> str:
    """A coded value reduced for lookup (case, hamza forms, ta marbuta, punctuation)."""
    text = collapse_spaces(re.sub(r"[._\-/()'\"]+", " ", text.translate(_VOCAB_TEXT).lower()))
    return text


def _vocabulary(table: dict[str, str]) -> dict[str, str]:
    return {vocab_key(word): code for words, code in table.items() for word in words.split("|")}


UNKNOWN_WORDS = {
    vocab_key(w)
    for w in ["غير معروف", "غير محدد", "مجهول", "unknown", "n/a", "na", "?", "-", "--", "لا يوجد"]
}
SEX = _vocabulary(
    {
        "ذكر|ذ|male|m|man|boy|رجل|ولد|طفل ذكر|h": "M",
        "أنثى|انثى|انثي|ا|female|f|woman|girl|امرأة|امراة|بنت|طفلة": "F",
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


@dataclass
class RowResult:
    """One source row: verbatim cells plus what was derived from them."""

    row_number: int
    raw: dict[str, str]
    record_id: str
    fields: dict[str, object] = field(default_factory=dict)
    raw_values: dict[str, str] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)
    rejected: dict[str, str] | None = None


class Canonicaliser:
    """Turns batches of rows of one file into :class:`RowResult` values."""

    def __init__(self, header: list[str], plan: ColumnPlan, mapping: Mapping) -> None:
        self.header = header
        self.plan = plan
        self.value_maps = mapping.values
        self.cache: dict[str, dict] = {}
        self._id_seen: dict[str, int] = {}

    # ----------------------------------------------------------------- per distinct value

    def _each(self, name: str, values: Sequence[str], fn: Callable[[str], object]) -> list:
        """``fn`` applied once per distinct value (cached across batches, bounded)."""
        cache = self.cache.setdefault(name, {})
        if len(cache) > 200_000:
            cache.clear()
        for value in set(values) - cache.keys():
            cache[value] = fn(value)
        return [cache[v] for v in values]

    def _column(self, target: str, rows: list[tuple[int, list[str]]]) -> list[str]:
        """The text of one canonical field for every row (value map applied, spaces tidied)."""
        index = self.plan.field_columns.get(target)
        if index is None:
            return [""] * len(rows)
        values = [cells[index] for _, cells in rows]
        value_map = self.value_maps.get(target, {})
        return self._each(f"text:{target}", values, lambda v: _tidy(value_map.get(v.strip(), v)))

    # ------------------------------------------------------------------------ the batch

    def batch(self, rows: list[tuple[int, list[str]]]) -> list[RowResult]:
        """Canonical fields for a batch of ``(row_number, cells)``."""
        columns = {
            f: self._column(f, rows) for f in CANONICAL_FIELDS if f in self.plan.field_columns
        }
        results = [
            RowResult(number, dict(zip(self.header, cells, strict=True)), "")
            for number, cells in rows
        ]
        self._record_ids(results, columns.get("record_id"))
        for f in CANONICAL_FIELDS[1:]:
            text = columns.get(f)
            if text is None:
                continue
            for result, value in zip(results, text, strict=True):
                if value:
                    result.raw_values[f] = value
        self._text_fields(results, columns)
        self._names(results, columns)
        self._coded(results, columns)
        self._dates_and_age(results, columns)
        self._places(results, columns)
        return results

    def _record_ids(self, results: list[RowResult], ids: list[str] | None) -> None:
        for i, result in enumerate(results):
            if ids is None:
                result.record_id = self._content_id(result.raw)
                continue
            result.record_id = ids[i]
            if not ids[i]:
                result.rejected = {"field": "record_id", "reason": "empty"}
            elif len(ids[i]) > MAX_LENGTHS["record_id"]:
                result.rejected = {"field": "record_id", "reason": "longer than 200 characters"}

    def _content_id(self, raw: dict[str, str]) -> str:
        """An id from the row's content, for lists without one: stable across versions."""
        digest = hashlib.sha256(json.dumps(raw, ensure_ascii=False).encode()).hexdigest()[:16]
        seen = self._id_seen.get(digest, 0) + 1
        self._id_seen[digest] = seen
        return f"h{digest}" if seen == 1 else f"h{digest}-{seen}"

    def _text_fields(self, results: list[RowResult], columns: dict[str, list[str]]) -> None:
        plain = [f for f in CANONICAL_FIELDS[1:] if f in columns and f not in _SPECIAL]
        for f in plain:
            limit = MAX_LENGTHS.get(f)
            for result, value in zip(results, columns[f], strict=True):
                if limit and len(value) > limit:
                    value = value[:limit]
                    result.problems.append(
                        {"field": f, "reason": f"longer than {limit} characters, shortened"}
                    )
                result.fields[f] = value

    def _names(self, results: list[RowResult], columns: dict[str, list[str]]) -> None:
        """Split ``full_name`` where the parts are absent; build it where only parts exist."""
        full = columns.get("full_name")
        has_parts = any(p in columns for p in NAME_PARTS)
        if full is not None:
            need = [i for i, r in enumerate(results) if full[i] and not _any_part(r)]
            chains = self._each("chain", [full[i] for i in need], parse_chain)
            for i, chain in zip(need, chains, strict=True):
                given, father, grandfather, family, confidence = chain
                results[i].fields.update(
                    given_name=given[:200],
                    father_name=father[:200],
                    grandfather_name=grandfather[:200],
                    family_name=family[:200],
                    name_parse_confidence=confidence,
                )
        if has_parts:
            for result in results:
                if not result.fields.get("full_name"):
                    parts = (result.fields.get(p, "") for p in NAME_PARTS)
                    result.fields["full_name"] = " ".join(p for p in parts if p)[:500]

    def _coded(self, results: list[RowResult], columns: dict[str, list[str]]) -> None:
        for f, vocabulary in VOCABULARIES.items():
            if f not in columns:
                continue
            codes = self._each(f"code:{f}", columns[f], lambda v, voc=vocabulary: _code(v, voc))
            for result, code in zip(results, codes, strict=True):
                result.fields[f] = code or ""
                if code is None:
                    result.problems.append({"field": f, "reason": "value not recognised"})

    def _dates_and_age(self, results: list[RowResult], columns: dict[str, list[str]]) -> None:
        for f in DATE_FIELDS:
            if f not in columns:
                continue
            dates = self._each("date", columns[f], _date)
            for result, iso in zip(results, dates, strict=True):
                result.fields[f] = iso or ""
                if iso is None:
                    result.problems.append({"field": f, "reason": "not a date"})
        if "age" in columns:
            ages = self._each("age", columns["age"], _age)
            for result, age in zip(results, ages, strict=True):
                result.fields["age"] = age if age != -1 else None
                if age == -1:
                    result.problems.append({"field": "age", "reason": "not an age (0-120)"})

    def _places(self, results: list[RowResult], columns: dict[str, list[str]]) -> None:
        governorates = columns.get("governorate", [""] * len(results))
        gov_codes = self._each("governorate", governorates, lambda v: governorate_pcode(v) or "")
        districts = columns.get("district")
        if districts is not None:
            keys = list(zip(districts, gov_codes, strict=True))
            dist_codes = self._each(
                "district", keys, lambda k: district_pcode(k[0], k[1] or None) or ""
            )
        for i, result in enumerate(results):
            code = gov_codes[i]
            if governorates[i] and not code:
                result.problems.append(
                    {"field": "governorate", "reason": "not a known governorate"}
                )
            if districts is not None:
                result.fields["district_pcode"] = dist_codes[i]
                code = code or dist_codes[i][:4]
            result.fields["governorate_pcode"] = code
        if "detention_facility" in columns:
            ids = self._each(
                "facility", columns["detention_facility"], lambda v: facility_id(v) or ""
            )
            for result, fid in zip(results, ids, strict=True):
                result.fields["facility_id"] = fid


_SPECIAL = {"sex", "status", "remains_returned", "age", *DATE_FIELDS}


def _tidy(value: str) -> str:
    return collapse_spaces(value) if value else ""


def _any_part(result: RowResult) -> bool:
    return any(result.fields.get(p) for p in NAME_PARTS)


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
