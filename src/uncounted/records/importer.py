"""Import one file into one source: all of it or none of it, with full provenance.

Every row lands verbatim in ``SourceRow`` (raw JSON, row number, batch with file name,
SHA-256, who and when); canonical ``Record`` rows are derived from it. The whole import is
one database transaction: an error anywhere (a duplicate ``record_id``, a ragged row found
at row 900,000, ``--strict`` refusing a problem) leaves the database as it was.

A second version of a source's list updates records by ``record_id``: a changed record's
previous state goes to ``RecordVersion`` and an audit entry with before/after; an unchanged
one is counted, not rewritten. Rows are read, derived and written in batches, never all at
once; SQLite gets ``executemany`` on the raw connection and PostgreSQL gets ``COPY``
(ids are reserved first so that records can point at their rows without a round trip).
Big files are read and derived in a helper process (:mod:`uncounted.records.pipeline`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from itertools import repeat
from pathlib import Path

from uncounted.errors import UserError
from uncounted.records.canonical import RECORD_FIELDS, Batch, Canonicaliser
from uncounted.records.mapping import Mapping, load_mapping, plan_columns
from uncounted.records.pipeline import derived_batches
from uncounted.records.readers import TableFile, open_table

BATCH_ROWS = 5000
REPORT_LIMIT = 1000  # rejected rows / problems listed in full; all are counted

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    file: str
    source: str
    sha256: str
    format: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # canonical field → header
    record_id_from: str = ""
    unmapped_columns: list[str] = field(default_factory=list)
    metadata_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    records_created: int = 0
    records_updated: int = 0
    records_unchanged: int = 0
    records_not_in_file: int = 0
    rejected: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    problem_counts: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    dry_run: bool = False

    @property
    def problem_total(self) -> int:
        return sum(self.problem_counts.values())

    def to_dict(self) -> dict:
        return asdict(self) | {"problem_total": self.problem_total}


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    path: Path | str,
    source: str,
    mapping: Path | str | Mapping | None = None,
    actor: str = "unknown",
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    again: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> ImportReport:
    """Import ``path`` into the source named ``source`` (created if new). All or nothing.

    ``parallel``: derive in a forked helper process (default: for CSV files of 8 MB or more).
    """
    from django.db import transaction

    path = Path(path)
    source = (source or "").strip()
    if not source or len(source) > 200:
        raise UserError("--source: give a source name of 1 to 200 characters")
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(Path(mapping) if mapping else None)
    with closing(open_table(path, encoding=encoding, sheet=sheet)) as table:
        plan = plan_columns(table.header, mapping, path.name)
        report = ImportReport(
            file=path.name,
            source=source,
            sha256=file_sha256(path),
            format=table.format,
            encoding=table.encoding,
            delimiter=table.delimiter,
            sheet=table.sheet,
            columns={f: table.header[i] for f, i in plan.field_columns.items()},
            record_id_from=plan.id_from,
            unmapped_columns=plan.unmapped,
            metadata_columns=plan.metadata,
            dry_run=dry_run,
        )
        try:
            with transaction.atomic():
                _Import(table, plan, mapping, report, actor, again, progress).run(
                    batch_rows, parallel
                )
                if strict and (report.rows_rejected or report.problem_total):
                    raise UserError(_strict_message(report))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            report.batch_id = None
    return report


def _strict_message(report: ImportReport) -> str:
    first = (report.rejected or report.problems)[0]
    return (
        f"{report.file}: --strict refuses the file: {report.rows_rejected} rows rejected, "
        f"{report.problem_total} values not understood (first: row {first['row']} "
        f"field {first['field']}: {first['reason']})"
    )


class _Import:
    """One run of the import inside its transaction."""

    def __init__(
        self,
        table: TableFile,
        plan,
        mapping: Mapping,
        report: ImportReport,
        actor: str,
        again: bool,
        progress: Progress | None,
    ) -> None:
        from django.db import connection

        self.table, self.report, self.actor, self.again = table, report, actor, again
        self.canon = Canonicaliser(table.header, plan, mapping)
        self.mapping = mapping
        self.progress = progress
        self.writer = _Writer(connection)
        self.seen_ids: dict[str, int] = {}
        self.problems: Counter[str] = Counter()

    def run(self, batch_rows: int, parallel: bool | None) -> None:
        from uncounted.store.core.models import Record, audit

        self.source, self.batch = self._start()
        self.existing = Record.objects.filter(source=self.source).count()
        for batch, position in derived_batches(self.table, self.canon, batch_rows, parallel):
            self._check_duplicates(batch)
            self._account(batch)
            self._store(batch)
            if self.progress:
                self.progress(position, self.table.size)
        if self.report.rows_read == 0:
            raise UserError(f"{self.table.path.name}: no rows under the header")
        self.report.records_not_in_file = self.existing - (
            self.report.records_updated + self.report.records_unchanged
        )
        self.report.problem_counts = dict(self.problems)
        self.report.batch_id = self.batch.pk
        self._finish()
        audit(
            self.actor,
            "import",
            self.batch,
            after=self._summary(),
            details={
                "file": self.report.file,
                "sha256": self.report.sha256,
                "source": self.source.name,
            },
        )

    def _start(self):
        from uncounted.store.core.models import ImportBatch, Source, audit

        report = self.report
        earlier = (
            ImportBatch.objects.filter(file_sha256=report.sha256)
            .select_related("source")
            .order_by("-imported_at")
            .first()
        )
        if earlier is not None and not self.again:
            raise UserError(
                f"{report.file}: already imported (same SHA-256) into source "
                f"{earlier.source.name!r} on {earlier.imported_at:%Y-%m-%d %H:%M} UTC as batch "
                f"{earlier.pk}; pass --again to import it again"
            )
        source, created = Source.objects.get_or_create(
            name=report.source, defaults={"created_by": self.actor}
        )
        if created:
            audit(self.actor, "source.create", source, after={"name": source.name})
        batch = ImportBatch.objects.create(
            source=source,
            file_name=report.file,
            file_sha256=report.sha256,
            file_size=self.table.path.stat().st_size,
            file_format=report.format,
            encoding=report.encoding,
            delimiter=report.delimiter,
            sheet=report.sheet,
            mapping=self.mapping.as_json(),
            imported_by=self.actor,
        )
        return source, batch

    def _check_duplicates(self, batch: Batch) -> None:
        seen, rejected = self.seen_ids, batch.rejected
        for i, (rid, number) in enumerate(zip(batch.record_ids, batch.row_numbers, strict=True)):
            first = seen.setdefault(rid, number)
            if first != number and i not in rejected:
                raise UserError(
                    f"{self.report.file} rows {first} and {number}: the same "
                    f"record_id (field record_id, column {self.report.record_id_from!r}) twice"
                )

    def _account(self, batch: Batch) -> None:
        """Count the batch's rows, rejections and problems into the report."""
        report = self.report
        report.rows_read += len(batch)
        report.rows_rejected += len(batch.rejected)
        for i, reason in batch.rejected.items():
            if len(report.rejected) < REPORT_LIMIT:
                report.rejected.append({"row": batch.row_numbers[i], **reason})
        for i, problems in batch.problems.items():
            if i in batch.rejected:
                continue
            for problem in problems:
                self.problems[f"{problem['field']}: {problem['reason']}"] += 1
                if len(report.problems) < REPORT_LIMIT:
                    report.problems.append({"row": batch.row_numbers[i], **problem})

    def _store(self, batch: Batch) -> None:
        """Write the batch's verbatim rows, then its new (or changed) records."""
        n = len(batch)
        row_pks = self.writer.reserve("core_sourcerow", n)
        accepted = [i not in batch.rejected for i in range(n)] if batch.rejected else repeat(True)
        self.writer.insert(
            "core_sourcerow",
            ("id", "batch_id", "row_number", "record_id", "raw", "accepted"),
            zip(
                row_pks,
                repeat(self.batch.pk),
                batch.row_numbers,
                (r[:200] for r in batch.record_ids),
                batch.raw,
                accepted,
            ),
        )
        indices = [i for i in range(n) if i not in batch.rejected] if batch.rejected else None
        if self.existing:
            indices = self._update_existing(batch, row_pks, indices)
        self._insert_records(batch, row_pks, indices)

    def _insert_records(self, batch: Batch, row_pks: list[int], indices: list[int] | None) -> None:
        """Insert new records for the rows at ``indices`` (every row when ``None``)."""
        count = len(batch) if indices is None else len(indices)
        if not count:
            return
        pick = (
            (lambda values: values)
            if indices is None
            else (lambda values: [values[i] for i in indices])
        )
        self.writer.insert(
            "core_record",
            (
                "id",
                "source_id",
                "record_id",
                "version",
                "batch_id",
                "row_id",
                *RECORD_FIELDS,
                "raw_values",
                "problems",
            ),
            zip(
                self.writer.reserve("core_record", count),
                repeat(self.source.pk),
                pick(batch.record_ids),
                repeat(1),
                repeat(self.batch.pk),
                pick(row_pks),
                *(batch.column(f, indices) for f in RECORD_FIELDS),
                pick(batch.raw_values),
                batch.problems_json(indices),
            ),
        )
        self.report.records_created += count

    def _update_existing(
        self, batch: Batch, row_pks: list[int], indices: list[int] | None
    ) -> list[int]:
        """Update records this source already has; return the indices of new records."""
        from uncounted.store.core.models import AuditEntry, Record, RecordVersion

        indices = list(range(len(batch))) if indices is None else indices
        found = {
            r.record_id: r
            for r in Record.objects.filter(
                source=self.source, record_id__in=[batch.record_ids[i] for i in indices]
            )
        }
        new, changed, versions, entries = [], [], [], []
        for i in indices:
            record = found.get(batch.record_ids[i])
            if record is None:
                new.append(i)
                continue
            values = batch.values(i)
            before = {f: getattr(record, f) for f in RECORD_FIELDS}
            if values == before:
                self.report.records_unchanged += 1
                continue
            versions.append(
                RecordVersion(
                    record=record,
                    version=record.version,
                    batch_id=record.batch_id,
                    row_id=record.row_id,
                    replaced_by_batch=self.batch,
                    fields=before | {"raw_values": record.raw_values, "problems": record.problems},
                )
            )
            diff = [f for f in RECORD_FIELDS if values[f] != before[f]]
            entries.append(
                AuditEntry(
                    actor=self.actor,
                    action="record.update",
                    object_type="core.record",
                    object_id=str(record.pk),
                    before={f: before[f] for f in diff},
                    after={f: values[f] for f in diff},
                    details={
                        "source": self.source.name,
                        "batch": self.batch.pk,
                        "row": batch.row_numbers[i],
                        "version": record.version + 1,
                    },
                )
            )
            for f, value in values.items():
                setattr(record, f, value)
            record.version += 1
            record.batch_id, record.row_id = self.batch.pk, row_pks[i]
            record.raw_values = json.loads(batch.raw_values[i])
            record.problems = batch.problems.get(i, [])
            changed.append(record)
        RecordVersion.objects.bulk_create(versions, batch_size=1000)
        Record.objects.bulk_update(
            changed,
            [*RECORD_FIELDS, "version", "batch", "row", "raw_values", "problems"],
            batch_size=500,
        )
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        self.report.records_updated += len(changed)
        return new

    def _summary(self) -> dict:
        keys = (
            "rows_read",
            "rows_rejected",
            "records_created",
            "records_updated",
            "records_unchanged",
            "records_not_in_file",
        )
        return {k: getattr(self.report, k) for k in keys} | {"problems": self.report.problem_total}

    def _finish(self) -> None:
        batch, report = self.batch, self.report
        batch.rows_read = report.rows_read
        batch.rows_rejected = report.rows_rejected
        batch.records_created = report.records_created
        batch.records_updated = report.records_updated
        batch.records_unchanged = report.records_unchanged
        batch.report = report.to_dict()
        batch.save()


class _Writer:
    """Fast inserts for the two big tables, on the raw DB-API connection under Django's
    (so in the same transaction), without the ORM's per-object cost."""

    def __init__(self, connection) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.next_id: dict[str, int] = {}
        if self.vendor == "sqlite":  # room for the indexes of a million-row import
            self.raw.execute("PRAGMA cache_size = -262144")

    def reserve(self, table: str, count: int) -> list[int]:
        """``count`` fresh primary keys (the transaction holds SQLite's write lock)."""
        if self.vendor == "postgresql":
            with self.raw.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if table not in self.next_id:  # AUTOINCREMENT: past the max and the sequence
            found = self.raw.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))",
                [table],
            ).fetchone()
            self.next_id[table] = found[0] + 1
        start = self.next_id[table]
        self.next_id[table] = start + count
        return list(range(start, start + count))

    def insert(self, table: str, columns: tuple[str, ...], rows) -> None:
        names = ", ".join(columns)
        if self.vendor == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
