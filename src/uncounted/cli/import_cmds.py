"""``uncounted import``, ``uncounted sources``, ``uncounted records``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from uncounted.cli.common import console, current_user, err_console, open_workspace
from uncounted.errors import UserError

PROGRESS_MIN_BYTES = 2 * 1024 * 1024
SHOWN = 20  # rejected rows / problems printed; all are in the batch report


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("sources")(sources_command)
    app.command("records")(records_command)


def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file to import.")],
    source: Annotated[str, typer.Option("--source", "-s", help="Name of the list (source).")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help="TOML mapping: \\[columns] and \\[values.FIELD] tables."
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding of a CSV (default: detected).")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first).")] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse the file on any problem.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    again: Annotated[
        bool, typer.Option("--again", help="Import a file even if already imported (same SHA-256).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a list into a source: every row kept verbatim, all or nothing."""
    from django.db import DatabaseError

    from uncounted.records.importer import import_file

    if not file.is_file():
        raise UserError(f"{file}: no such file")
    open_workspace(ctx)
    show_progress = not as_json and file.stat().st_size >= PROGRESS_MIN_BYTES
    with _progress(show_progress, file.name) as update:
        try:
            report = import_file(
                file,
                source,
                mapping,
                actor=current_user(),
                encoding=encoding,
                sheet=sheet,
                strict=strict,
                dry_run=dry_run,
                again=again,
                progress=update,
            )
        except DatabaseError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UserError(f"{file.name}: database error, nothing imported ({first})") from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)


class _progress:
    """A Rich progress bar on stderr for big files (or nothing), as an update callback."""

    def __init__(self, enabled: bool, name: str) -> None:
        self.enabled, self.name = enabled, name
        self.bar: Progress | None = None

    def __enter__(self):
        if not self.enabled:
            return None
        self.bar = Progress(
            TextColumn("importing {task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task(self.name, total=None)

        def update(done: int, total: int) -> None:
            self.bar.update(task, completed=done, total=total or None)

        return update

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_report(report) -> None:
    verb = "would import" if report.dry_run else "imported"
    console.print(
        f"[bold]{escape(report.file)}[/] {verb} into source [bold]{escape(report.source)}[/]"
        + ("" if report.dry_run else f" (batch {report.batch_id})"),
        highlight=False,
    )
    how = report.format + (f", {report.encoding}" if report.encoding else "")
    how += f", delimiter {report.delimiter!r}" if report.delimiter else ""
    how += f", sheet {report.sheet!r}" if report.sheet else ""
    console.print(f"  read as {how}; sha256 {report.sha256[:16]}…", highlight=False)
    console.print(
        f"  rows {report.rows_read}, rejected {report.rows_rejected}; records created "
        f"{report.records_created}, updated {report.records_updated}, unchanged "
        f"{report.records_unchanged}, not in this file {report.records_not_in_file}",
        highlight=False,
        soft_wrap=True,
    )
    if not report.record_id_from:
        console.print("  no record_id column: ids derived from each row's content")
    if report.unmapped_columns:
        console.print(
            "  unmapped columns (kept in the raw rows): "
            + escape(", ".join(report.unmapped_columns)),
            highlight=False,
            soft_wrap=True,
        )
    for entry in report.rejected[:SHOWN]:
        console.print(f"  rejected row {entry['row']}: {entry['field']}: {entry['reason']}")
    if report.problem_counts:
        console.print(f"  values kept raw (not understood): {report.problem_total}")
        for what, count in sorted(report.problem_counts.items(), key=lambda kv: -kv[1]):
            console.print(f"    {what}: {count}", highlight=False)
        for entry in report.problems[:SHOWN]:
            console.print(f"    row {entry['row']}: {entry['field']}: {entry['reason']}")
    if report.dry_run:
        console.print("dry run: nothing was written")


def sources_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The sources: records, batches and last import of each."""
    from uncounted.records.query import source_summaries

    open_workspace(ctx)
    summaries = source_summaries()
    if as_json:
        typer.echo(json.dumps({"sources": summaries}, ensure_ascii=False, indent=2))
        return
    if not summaries:
        console.print("no sources yet: uncounted import FILE --source NAME")
        return
    table = Table("source", "records", "batches", "last import", "file", "by")
    for s in summaries:
        last = s["last_import"] or {}
        cells = (
            s["source"],
            s["records"],
            s["batches"],
            last.get("at", "")[:16],
            last.get("file", ""),
            last.get("by", ""),
        )
        table.add_row(*(escape(str(c)) for c in cells))
    console.print(table)


def records_command(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Only this source.")] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="FIELD=VALUE (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Records per page.")] = 50,
    offset: Annotated[int, typer.Option(help="Records to skip.")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"total": N, "records": [...]}.')
    ] = False,
) -> None:
    """Records, filtered by source and field values, a page at a time."""
    from uncounted.records.query import list_records

    open_workspace(ctx)
    total, records = list_records(source, where or [], limit=limit, offset=offset)
    if as_json:
        typer.echo(json.dumps({"total": total, "records": records}, ensure_ascii=False))
        return
    table = Table(
        "source",
        "record_id",
        "full_name",
        "sex",
        "birth",
        "governorate",
        "death",
        "status",
        title=f"{total} records (showing {offset + 1}–{offset + len(records)})",
    )
    for r in records:
        cells = (
            r["source"],
            r["record_id"],
            r["full_name"],
            r["sex"],
            r["birth_date"],
            r["governorate_pcode"] or r["governorate"],
            r["death_date"],
            r["status"],
        )
        table.add_row(*(escape(str(c)) for c in cells))
    console.print(table)
