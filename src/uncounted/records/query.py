"""Look at what was imported: sources with their batches, and records with filters."""

from __future__ import annotations

from uncounted.errors import UserError
from uncounted.records.canonical import RECORD_FIELDS

FILTER_FIELDS = ("record_id", "version", *RECORD_FIELDS)
INT_FIELDS = {"version", "age"}


def source_summaries() -> list[dict]:
    """Per source: records, batches and the last import (file, when, who)."""
    from django.db.models import Count

    from uncounted.store.core.models import ImportBatch, Record, Source

    records = dict(
        Record.objects.values_list("source").annotate(n=Count("id")).values_list("source", "n")
    )
    summaries = []
    for source in Source.objects.annotate(n_batches=Count("batches")).order_by("name"):
        last = ImportBatch.objects.filter(source=source).order_by("-imported_at", "-id").first()
        summaries.append(
            {
                "source": source.name,
                "records": records.get(source.pk, 0),
                "batches": source.n_batches,
                "last_import": None
                if last is None
                else {
                    "batch": last.pk,
                    "file": last.file_name,
                    "at": last.imported_at.isoformat(),
                    "by": last.imported_by,
                    "rows_read": last.rows_read,
                    "rows_rejected": last.rows_rejected,
                },
            }
        )
    return summaries


def parse_where(conditions: list[str]) -> dict[str, object]:
    """``field=value`` strings as ORM filters; unknown fields are a clear error."""
    filters: dict[str, object] = {}
    for condition in conditions:
        name, sep, value = condition.partition("=")
        name = name.strip()
        if not sep or name not in FILTER_FIELDS:
            raise UserError(
                f"--where {condition!r}: expected FIELD=VALUE with FIELD one of "
                f"{', '.join(FILTER_FIELDS)}"
            )
        if name in INT_FIELDS and value != "":
            if not value.strip().isdigit():
                raise UserError(f"--where {condition!r}: {name} takes a whole number")
            filters[name] = int(value)
        elif name in INT_FIELDS or (name == "name_parse_confidence" and value == ""):
            filters[f"{name}__isnull"] = True
        else:
            filters[name] = value
    return filters


def list_records(
    source: str | None = None, where: list[str] | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict]]:
    """``(total matching, the page)``: records as dicts in import order."""
    from uncounted.store.core.models import Record, Source

    if limit < 0 or offset < 0:
        raise UserError("--limit and --offset must not be negative")
    queryset = Record.objects.all()
    if source is not None:
        if not Source.objects.filter(name=source).exists():
            raise UserError(f"--source {source!r}: no such source (see 'uncounted sources')")
        queryset = queryset.filter(source__name=source)
    queryset = queryset.filter(**parse_where(where or []))
    total = queryset.count()
    page = queryset.order_by("source_id", "id").values(
        "source__name",
        "record_id",
        "version",
        "batch_id",
        "row__row_number",
        *RECORD_FIELDS,
        "raw_values",
        "problems",
    )[offset : offset + limit]
    return total, [_record_dict(r) for r in page]


def _record_dict(row: dict) -> dict:
    out = {
        "source": row.pop("source__name"),
        "record_id": row.pop("record_id"),
        "version": row.pop("version"),
        "batch": row.pop("batch_id"),
        "row_number": row.pop("row__row_number"),
    }
    return out | row
