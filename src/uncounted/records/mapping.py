"""Which column of a file holds which canonical field, and how its values translate.

Three ways a column finds its field, in order:
1. the TOML mapping's ``[columns]`` (``"الاسم الكامل" = "full_name"``);
2. the column is already named as a canonical field (``full_name``, ``death_date``...);
3. a common header of Arabic or English lists, from :data:`HEADER_ALIASES`.

KoboToolbox exports prefix a question with its group (``group_victim/full_name``,
``personal_info/الاسم``): the part after the last ``/`` is what is matched. Kobo's own
metadata (``_uuid``, ``_submission_time``, ``_index``...) is kept raw and not reported as
unmapped; ``_uuid`` serves as ``record_id`` when the file has no id column.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from uncounted.errors import UserError
from uncounted.names.text import collapse_spaces
from uncounted.records.fields import CANONICAL_FIELDS

# Headers seen in Arabic and English lists (matched after header_key()): documentation, not
# magic. A mapping file always wins; add a spelling here when a real list uses it.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": (
        "id",
        "no",
        "number",
        "record id",
        "record no",
        "serial",
        "الرقم",
        "رقم السجل",
        "الرقم التسلسلي",
        "المعرف",
        "رقم",
        "م",
        "ت",
        "التسلسل",
    ),
    "full_name": (
        "name",
        "full name",
        "victim name",
        "name of victim",
        "الاسم الكامل",
        "الاسم",
        "الاسم الثلاثي",
        "الاسم الرباعي",
        "اسم الضحيه",
        "اسم الشهيد",
        "اسم المعتقل",
        "الاسم والكنيه",
        "الاسم الكامل للضحيه",
    ),
    "given_name": ("first name", "given name", "forename", "الاسم الاول", "اسم الضحيه الاول"),
    "father_name": ("father", "father name", "fathers name", "اسم الاب", "الاب"),
    "grandfather_name": ("grandfather", "grandfather name", "اسم الجد", "الجد"),
    "family_name": (
        "family",
        "family name",
        "surname",
        "last name",
        "الكنيه",
        "اسم العائله",
        "العائله",
        "النسبه",
        "اللقب",
    ),
    "mother_name": ("mother", "mother name", "mothers name", "اسم الام", "الام", "اسم الوالده"),
    "sex": ("gender", "sex", "الجنس", "النوع", "الجنس ذكر انثي"),
    "birth_date": (
        "date of birth",
        "dob",
        "birth date",
        "birthdate",
        "تاريخ الميلاد",
        "تاريخ الولاده",
        "المواليد",
        "مواليد",
        "الميلاد",
    ),
    "age": ("age", "age at death", "العمر", "السن", "العمر عند الوفاه"),
    "governorate": ("governorate", "province", "muhafaza", "المحافظه"),
    "district": ("district", "mantika", "المنطقه"),
    "place": (
        "place",
        "city",
        "town",
        "village",
        "residence",
        "place of residence",
        "المدينه",
        "البلده",
        "القريه",
        "مكان الاقامه",
        "السكن",
        "العنوان",
        "المدينه القريه",
    ),
    "registry_number": (
        "registry",
        "registry number",
        "civil registry",
        "qayd",
        "القيد",
        "رقم القيد",
        "مكان ورقم القيد",
        "الخانه",
    ),
    "arrest_date": (
        "arrest date",
        "date of arrest",
        "detention date",
        "تاريخ الاعتقال",
        "تاريخ الاحتجاز",
        "تاريخ الاختفاء",
    ),
    "arrest_place": ("arrest place", "place of arrest", "مكان الاعتقال", "مكان الاحتجاز الاول"),
    "arresting_party": (
        "arresting party",
        "arrested by",
        "perpetrator",
        "الجهه المعتقله",
        "جهه الاعتقال",
        "الجهه الخاطفه",
        "الجهه المسؤوله",
    ),
    "detention_facility": (
        "detention facility",
        "facility",
        "detention place",
        "branch",
        "prison",
        "مكان الاحتجاز",
        "الفرع",
        "مركز الاحتجاز",
        "السجن",
        "الفرع الامني",
    ),
    "detainee_number": (
        "detainee number",
        "detainee no",
        "prisoner number",
        "رقم المعتقل",
        "الرقم الامني",
        "رقم الجثه",
        "رقم الصوره",
    ),
    "death_date": (
        "death date",
        "date of death",
        "died on",
        "تاريخ الوفاه",
        "تاريخ الاستشهاد",
        "تاريخ القتل",
    ),
    "death_place": ("death place", "place of death", "مكان الوفاه", "مكان الاستشهاد", "مكان القتل"),
    "cause_of_death": ("cause of death", "cause", "سبب الوفاه", "طريقه القتل", "سبب الاستشهاد"),
    "status": ("status", "fate", "الحاله", "الوضع", "المصير", "الوضع الحالي"),
    "remains_returned": (
        "remains returned",
        "body returned",
        "body handed over",
        "تسليم الجثه",
        "هل سلمت الجثه",
        "تم تسليم الجثه",
        "الجثه",
    ),
    "notes": ("notes", "note", "comments", "remarks", "ملاحظات", "ملاحظه", "تفاصيل"),
}

KOBO_METADATA = re.compile(
    r"^(_id|_uuid|_submission_time|_index|_parent_index|_parent_table_name|_tags|_notes|"
    r"_status|_submitted_by|_validation_status|__version__|_version_|_attachments|"
    r"_geolocation|_xform_id_string|start|end|today|deviceid|username|meta/instanceid|"
    r"meta/rootuuid|meta/deprecatedid|formhub/uuid)$",
    re.IGNORECASE,
)
_ARABIC_HEADER = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_TASHKEEL = re.compile(r"[\u064B-\u065F\u0670]")


def header_key(header: str) -> str:
    """A header reduced for matching: group prefix, case, punctuation and hamza forms go."""
    text = header.rsplit("/", 1)[-1]
    text = _TASHKEEL.sub("", text.translate(_ARABIC_HEADER)).lower()
    text = re.sub(r"[_\-.:()\[\]'’?؟*]+", " ", text)
    return collapse_spaces(text)


_ALIASES = {
    header_key(alias): canonical
    for canonical, aliases in HEADER_ALIASES.items()
    for alias in (canonical, *aliases)
}


@dataclass
class Mapping:
    """A parsed mapping file (possibly empty): column → field and per-field value maps."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    path: str = ""

    def as_json(self) -> dict:
        return {"file": self.path, "columns": self.columns, "values": self.values}


def load_mapping(path: Path | None) -> Mapping:
    """Read and check a TOML mapping file; every mistake is named with the file and key."""
    if path is None:
        return Mapping()
    path = Path(path)
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"{path}: mapping file not found") from None
    except UnicodeDecodeError:
        raise UserError(f"{name}: the mapping file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{name}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - {"columns", "values"})
    if unknown:
        raise UserError(
            f"{name}: unknown section [{unknown[0]}] (expected [columns], [values.FIELD])"
        )
    columns = data.get("columns", {})
    values = data.get("values", {})
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise UserError(f"{name}: [columns] and [values] must be tables")
    for column, target in columns.items():
        if not isinstance(target, str) or target not in CANONICAL_FIELDS:
            raise UserError(
                f"{name} [columns] {column!r}: {target!r} is not a canonical field "
                f"(one of {', '.join(CANONICAL_FIELDS)})"
            )
    for target, table in values.items():
        if target not in CANONICAL_FIELDS:
            raise UserError(f"{name} [values.{target}]: {target!r} is not a canonical field")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise UserError(f"{name} [values.{target}]: must map source text to text")
    return Mapping(
        columns=dict(columns),
        values={k: {str(a).strip(): b for a, b in v.items()} for k, v in values.items()},
        path=str(path),
    )


@dataclass
class ColumnPlan:
    """How one file's header maps onto canonical fields."""

    field_columns: dict[str, int]  # canonical field → column index
    unmapped: list[str]
    metadata: list[str]
    id_from: str  # the header providing record_id ('' when derived from row content)


def plan_columns(header: list[str], mapping: Mapping, file_name: str) -> ColumnPlan:
    """Decide each column's field; refuse mappings that name absent columns or clash."""
    index = {h: i for i, h in enumerate(header)}
    missing = [c for c in mapping.columns if c not in index]
    if missing:
        raise UserError(
            f"{Path(mapping.path).name} [columns]: column {missing[0]!r} is not in {file_name}"
        )
    field_columns: dict[str, int] = {}
    unmapped, metadata = [], []
    for i, column in enumerate(header):
        target = mapping.columns.get(column) or _auto_field(column)
        if target is None:
            (metadata if KOBO_METADATA.match(column) else unmapped).append(column)
            continue
        if target in field_columns:
            other = header[field_columns[target]]
            if column in mapping.columns and other not in mapping.columns:
                unmapped.append(other)  # an explicit mapping beats a guessed header
            elif other in mapping.columns and column not in mapping.columns:
                unmapped.append(column)
                continue
            else:
                raise UserError(
                    f"{file_name}: columns {other!r} and {column!r} both give field {target!r}; "
                    "map one of them in [columns]"
                )
        field_columns[target] = i
    id_from = header[field_columns["record_id"]] if "record_id" in field_columns else ""
    if not id_from:
        uuid = next((h for h in header if h.lower() in ("_uuid", "meta/instanceid")), None)
        if uuid:
            field_columns["record_id"] = index[uuid]
            metadata.remove(uuid)
            id_from = uuid
    return ColumnPlan(field_columns, unmapped, metadata, id_from)


def _auto_field(column: str) -> str | None:
    if KOBO_METADATA.match(column):
        return None
    return _ALIASES.get(header_key(column))
