"""A small synthetic world for the web tests: two lists, three persons, one review pair.

Built straight through the ORM (the importer and the linkage have their own tests); the
name features come from the real :mod:`uncounted.names` so that search works as in use.
"""

from __future__ import annotations

from dataclasses import dataclass

from uncounted.names import name_key, normalize_name
from uncounted.store.core.models import ImportBatch, Record, Source, SourceRow
from uncounted.store.linkage.models import (
    LinkRun,
    Membership,
    Person,
    RecordFeatures,
    ReviewItem,
)

RECORDS = [
    # source, record_id, person, fields
    (
        "official",
        "A1",
        "P-1",
        {
            "full_name": "محمد أحمد الخطيب",
            "given_name": "محمد",
            "father_name": "أحمد",
            "family_name": "الخطيب",
            "mother_name": "فاطمة",
            "birth_date": "1985",
            "governorate": "حلب",
            "governorate_pcode": "SY02",
            "status": "dead",
            "death_date": "2014-03-12",
            "cause_of_death": "heart attack",
            "detention_facility": "Saydnaya Military Prison",
            "arresting_party": "Air Force Intelligence",
            "arrest_date": "2012-11",
            "remains_returned": "no",
        },
    ),
    (
        "families",
        "F7",
        "P-1",
        {
            "full_name": "Mohammad Ahmad al-Khatib",
            "given_name": "Mohammad",
            "father_name": "Ahmad",
            "family_name": "al-Khatib",
            "birth_date": "1985-02",
            "governorate": "Aleppo",
            "governorate_pcode": "SY02",
            "status": "dead",
            "death_date": "2014-03",
            "cause_of_death": "torture",
            "detention_facility": "Saydnaya Military Prison",
            "arrest_date": "2012-11-03",
        },
    ),
    (
        "families",
        "F8",
        "P-2",
        {
            "full_name": "Ahmad Ali Hassan",
            "given_name": "Ahmad",
            "father_name": "Ali",
            "family_name": "Hassan",
            "birth_date": "1990",
            "governorate": "Homs",
            "governorate_pcode": "SY04",
            "status": "detained",
            "arrest_date": "2013-05",
            "arresting_party": "Military Intelligence",
        },
    ),
    (
        "official",
        "A2",
        "P-3",
        {
            "full_name": "أحمد علي حسن",
            "given_name": "أحمد",
            "father_name": "علي",
            "family_name": "حسن",
            "birth_date": "1991",
            "governorate": "حمص",
            "governorate_pcode": "SY04",
            "status": "dead",
            "death_date": "2015-01-20",
            "detention_facility": "Military Intelligence Branch 215",
            "remains_returned": "no",
        },
    ),
]


@dataclass
class World:
    records: dict[str, Record]
    persons: dict[str, Person]
    item: ReviewItem


def build(review_items: int = 1) -> World:
    """Create the sources, rows, records, one link run, persons and the review queue."""
    run = LinkRun.objects.create(actor="test", status="done", version="test", is_current=True)
    sources, batches, records, persons = {}, {}, {}, {}
    for number, (source, rid, pid, fields) in enumerate(RECORDS, start=2):
        if source not in sources:
            sources[source] = Source.objects.create(name=source, created_by="test")
            batches[source] = ImportBatch.objects.create(
                source=sources[source],
                file_name=f"{source}.csv",
                file_sha256="0" * 64,
                file_size=100,
                file_format="csv",
                imported_by="test",
            )
        raw = {"id": rid, "name": fields["full_name"], "status": fields.get("status", "")}
        row = SourceRow.objects.create(
            batch=batches[source], row_number=number, record_id=rid, raw=raw
        )
        rec = Record.objects.create(
            source=sources[source], record_id=rid, batch=batches[source], row=row, **fields
        )
        records[f"{source}:{rid}"] = rec
        if pid not in persons:
            persons[pid] = Person.objects.create(
                public_id=pid, created_run=run, last_run=run, record_count=0
            )
        person = persons[pid]
        person.record_count += 1
        person.sources = sorted({*person.sources, source})
        person.save()
        Membership.objects.create(record=rec, person=person, run=run)
        features(rec)
    item = None
    for _ in range(review_items):
        item = ReviewItem.objects.create(
            run=run,
            record_a=records["families:F8"],
            record_b=records["official:A2"],
            match_probability=0.62,
            match_weight=0.7,
            explanation=[
                {"comparison": "given_name", "level": "same cross-script key", "weight": 2.1},
                {"comparison": "birth_year", "level": "within 1 year", "weight": 1.2},
                {"comparison": "death_date", "level": "different", "weight": -2.6},
            ],
            priority=1.0 + _,
        )
    return World(records, persons, item)


def features(rec: Record) -> None:
    parts = {
        "given": rec.given_name,
        "father": rec.father_name,
        "grandfather": rec.grandfather_name,
        "family": rec.family_name,
        "mother": rec.mother_name,
    }
    year = int(rec.birth_date[:4]) if rec.birth_date else None
    RecordFeatures.objects.create(
        record=rec,
        source=rec.source,
        birth_year=year,
        birth_year_min=year,
        birth_year_max=year,
        **{f"{p}_norm": normalize_name(v) if v else "" for p, v in parts.items()},
        **{f"{p}_key": name_key(v) if v else "" for p, v in parts.items()},
    )


def build_lists(persons: int = 300, seed: int = 3) -> None:
    """Persons seen on three lists with independent capture, for estimate jobs.

    Each person's records carry the same governorate so strata work.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    run = LinkRun.objects.create(actor="test", status="done", version="test", is_current=True)
    names = ("list_a", "list_b", "list_c")
    sources = [Source.objects.create(name=n, created_by="test") for n in names]
    batches = [
        ImportBatch.objects.create(
            source=s,
            file_name=f"{s.name}.csv",
            file_sha256="1" * 64,
            file_size=1,
            file_format="csv",
            imported_by="test",
        )
        for s in sources
    ]
    seen = rng.random((persons, 3)) < np.array([0.5, 0.4, 0.3])
    for i, row in enumerate(seen):
        if not row.any():
            continue
        person = Person.objects.create(
            public_id=f"Q-{i}",
            created_run=run,
            last_run=run,
            record_count=int(row.sum()),
            sources=[names[j] for j in range(3) if row[j]],
        )
        for j in np.flatnonzero(row):
            src_row = SourceRow.objects.create(
                batch=batches[j], row_number=i + 2, record_id=str(i), raw={"id": str(i)}
            )
            rec = Record.objects.create(
                source=sources[j],
                record_id=str(i),
                batch=batches[j],
                row=src_row,
                full_name=f"Person {i}",
                given_name="Person",
                family_name=str(i),
                governorate="Aleppo" if i % 2 else "Homs",
                governorate_pcode="SY02" if i % 2 else "SY04",
                status="dead",
            )
            Membership.objects.create(record=rec, person=person, run=run)
