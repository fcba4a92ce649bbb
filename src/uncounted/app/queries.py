"""What the pages show, computed in SQL (aggregates, joins), never by looping over records.

Views stay thin: they check permissions, call these functions and render.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, Q, Value
from django.db.models.functions import Substr

from uncounted.names import name_key
from uncounted.records.fields import CANONICAL_FIELDS
from uncounted.store.core.models import ImportBatch, Record, Source
from uncounted.store.linkage.models import LinkRun, Membership, Person, ReviewItem

T = TypeVar("T")


def data_version() -> str:
    """Changes whenever records or persons may have changed (a new import or link run)."""
    run = LinkRun.objects.aggregate(m=Max("id"), s=Max("started_at"), f=Max("finished_at"))
    batch = ImportBatch.objects.aggregate(m=Max("id"), at=Max("imported_at"))
    text = f"{run}:{batch}:{Record.objects.count()}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cached(name: str, compute: Callable[[], T]) -> T:
    """Aggregates over every record (seconds at 200,000 records) computed once per data
    version, not once per page view."""
    key = f"webapp:{name}:{data_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=3600)
    return value


# Fields shown side by side on the person and review pages, in this order.
COMPARE_FIELDS = tuple(f for f in CANONICAL_FIELDS if f not in ("record_id", "notes"))
NAME_FIELDS = frozenset(
    {"full_name", "given_name", "father_name", "grandfather_name", "family_name", "mother_name"}
)


def display_name(record: Record) -> str:
    """The record's name as written (full name, else its parts joined)."""
    if record.full_name:
        return record.full_name
    parts = (record.given_name, record.father_name, record.grandfather_name, record.family_name)
    return " ".join(p for p in parts if p)


def records_per_source() -> list[dict]:
    return list(
        Source.objects.annotate(n=Count("records")).values("id", "name", "n").order_by("name")
    )


def year_counts(date_field: str) -> list[tuple[str, int]]:
    """Records per year of a partial ISO date field (SQL substring + group by)."""
    rows = (
        Record.objects.exclude(**{date_field: ""})
        .annotate(year=Substr(date_field, 1, 4))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [(r["year"], r["n"]) for r in rows]


def governorate_counts() -> list[tuple[str, int]]:
    """Records per governorate p-code ('' for records whose governorate is unknown)."""
    rows = Record.objects.values("governorate_pcode").annotate(n=Count("id")).order_by("-n")
    return [(r["governorate_pcode"], r["n"]) for r in rows]


def person_count() -> int:
    return Person.objects.filter(active=True).count()


def open_review_count() -> int:
    return ReviewItem.objects.filter(status="open").count()


def representative_names(persons: list[Person]) -> dict[int, tuple[str, list[str]]]:
    """Per person: one name to show (the longest) and every distinct name (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    memberships = Membership.objects.filter(person__in=persons).select_related("record")
    for m in memberships:
        name = display_name(m.record)
        if name and name not in names[m.person_id]:
            names[m.person_id].append(name)
    return {pid: (max(ns, key=len), ns) for pid, ns in names.items()}


@dataclass
class FieldRow:
    """One field across a person's records: values per record and whether they disagree."""

    field: str
    values: list[str]
    disagree: bool
    is_name: bool


@dataclass
class PersonView:
    person: Person
    records: list[Record]
    rows: list[FieldRow]
    timeline: list[tuple[str, str, str, str]] = field(default_factory=list)
    remains: list[tuple[str, str]] = field(default_factory=list)


def person_view(person: Person) -> PersonView:
    """Every record of a person side by side; disagreements, timeline and remains status."""
    records = list(
        Record.objects.filter(membership__person=person)
        .select_related("source")
        .order_by("source__name", "record_id")
    )
    rows = []
    for name in COMPARE_FIELDS:
        values = ["" if getattr(r, name) is None else str(getattr(r, name)) for r in records]
        if any(values):
            forms = [comparable(r, name) for r in records]
            rows.append(FieldRow(name, values, disagree(name, forms), name in NAME_FIELDS))
    return PersonView(person, records, rows, timeline(records), remains(records))


def normal(value: str) -> str:
    return " ".join(value.split()).casefold()


# A place compares by its reference code when both records have one.
CODED = {
    "governorate": "governorate_pcode",
    "district": "district_pcode",
    "detention_facility": "facility_id",
}
DATES = frozenset({"birth_date", "arrest_date", "death_date"})


def comparable(record: Record, name: str) -> str:
    """A record's value in the form two sources can be compared in: names by their
    cross-script key (محمد = Mohammad), places by their code, the rest lightly normalised.
    ``''`` when the record says nothing."""
    value = getattr(record, name)
    if value is None or value == "":
        return ""
    if name in NAME_FIELDS:
        return name_key(str(value)) or normal(str(value))
    code = getattr(record, CODED[name], "") if name in CODED else ""
    return code or normal(str(value))


def disagree(name: str, forms: list[str]) -> bool:
    """Whether the sources that say something contradict each other. A missing value is not
    a contradiction, nor a date given more coarsely (2014-03 against 2014-03-12)."""
    present = sorted({f for f in forms if f})
    if name in DATES:
        return any(
            not (b.startswith(a) or a.startswith(b))
            for i, a in enumerate(present)
            for b in present[i + 1 :]
        )
    return len(present) > 1


TIMELINE_EVENTS = (
    ("birth_date", "born"),
    ("arrest_date", "arrested"),
    ("death_date", "died"),
)


def timeline(records: list[Record]) -> list[tuple[str, str, str, str]]:
    """(date, event, source, where) for each dated event any record claims, in date order."""
    events = []
    for r in records:
        for date_field, event in TIMELINE_EVENTS:
            date = getattr(r, date_field)
            if date:
                where = {
                    "arrested": r.arrest_place or r.arresting_party,
                    "died": r.death_place or r.detention_facility,
                }.get(event, "")
                events.append((date, event, r.source.name, where))
    return sorted(set(events))


def remains(records: list[Record]) -> list[tuple[str, str]]:
    """Each source's claim about the remains (only sources that say something)."""
    return [(r.source.name, r.remains_returned) for r in records if r.remains_returned]


def persons_page(source_id: int | None, offset: int, limit: int) -> tuple[list[Person], int]:
    qs = Person.objects.filter(active=True)
    if source_id:
        qs = qs.filter(memberships__record__source_id=source_id).distinct()
    total = qs.count()
    return list(qs.order_by("public_id")[offset : offset + limit]), total


# ---- campaign lists -------------------------------------------------------------------


def _flag(condition: Q):
    """1 when any of a person's records meets ``condition`` (aggregated with Max)."""
    from django.db.models import Case, When

    return Max(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _grouped_by_person():
    return Record.objects.filter(membership__person__active=True).values("membership__person_id")


def campaign_rows(kind: str) -> list[dict]:
    """``died_custody`` (remains not returned) or ``held`` (still detained / disappeared)."""
    base = _grouped_by_person().annotate(
        person=Max("membership__person__public_id"),
        dead=_flag(Q(status="dead")),
        released=_flag(Q(status="released")),
        held=_flag(Q(status__in=["detained", "disappeared"])),
        returned=_flag(Q(remains_returned="yes")),
        facility=Max("detention_facility"),
        arresting_party=Max("arresting_party"),
        arrest_date=Max("arrest_date"),
        death_date=Max("death_date"),
        governorate=Max("governorate"),
        name=Max("full_name"),
        sources=Count("source", distinct=True),
    )
    if kind == "died_custody":
        rows = base.filter(dead=1, returned=0).exclude(facility="").exclude(facility=None)
        return list(rows.order_by("facility", "person"))
    rows = base.filter(held=1, dead=0, released=0)
    return list(rows.order_by("person"))


def ranking(field_name: str, dead_only: bool) -> list[dict]:
    """Facilities or arresting parties ranked by distinct persons (dead only, or all)."""
    qs = Record.objects.filter(membership__person__active=True).exclude(**{field_name: ""})
    if dead_only:
        qs = qs.filter(status="dead")
    return list(
        qs.values(field_name)
        .annotate(persons=Count("membership__person", distinct=True))
        .order_by("-persons", field_name)
    )
