"""Upload a CSV / XLSX, map its columns (with a preview and suggestions), validate, commit.

Validation and commit both call the CLI's importer (:func:`import_file`): the validation is
its dry run, the commit is the same all-or-nothing transaction as ``uncounted import``.
"""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from uncounted.app import uploads
from uncounted.app.permissions import requires
from uncounted.errors import UserError
from uncounted.records.fields import CANONICAL_FIELDS
from uncounted.records.mapping import Mapping, plan_columns
from uncounted.records.readers import open_table
from uncounted.store.core.models import ImportBatch, Source

PREVIEW_ROWS = 5


@requires("import")
def imports(request: HttpRequest) -> HttpResponse:
    """Recent imports and the upload form."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
            return redirect("imports")
        try:
            token = uploads.save(upload.chunks(), upload.name, request.session)
        except UserError as exc:
            messages.error(request, str(exc))
            return redirect("imports")
        return redirect("import_mapping", token=token)
    batches = ImportBatch.objects.select_related("source").order_by("-imported_at")[:30]
    return render(
        request,
        "webapp/imports.html",
        {"section": "imports", "batches": batches, "sources": Source.objects.order_by("name")},
    )


def suggestions(header: list[str], name: str) -> list[str]:
    """The importer's own header recognition (canonical names, common Arabic headers)."""
    try:
        plan = plan_columns(header, Mapping(), name)
    except UserError:  # two columns claim one field: let the user choose
        return [""] * len(header)
    by_index = {i: f for f, i in plan.field_columns.items()}
    return [by_index.get(i, "") for i in range(len(header))]


def write_mapping(folder: Path, columns: dict[str, str]) -> Path:
    """A TOML mapping file, exactly the format ``uncounted import --mapping`` reads."""
    lines = ["[columns]"] + [
        f"{json.dumps(h, ensure_ascii=False)} = {json.dumps(f)}" for h, f in columns.items()
    ]
    path = folder / "mapping.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@requires("import")
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Preview, column mapping, dry-run report, and commit of one uploaded file."""
    path = uploads.path_of(token, request.session)
    if path is None:
        raise Http404
    try:
        table = open_table(path)
        preview = [cells for _n, cells in islice(table.rows(), PREVIEW_ROWS)]
    except UserError as exc:
        uploads.discard(token, request.session)
        messages.error(request, str(exc))
        return redirect("imports")
    header = table.header
    chosen = suggestions(header, path.name)
    source_name = ""
    report = None
    if request.method == "POST":
        chosen = [request.POST.get(f"col_{i}", "") for i in range(len(header))]
        chosen = [c if c in CANONICAL_FIELDS else "" for c in chosen]
        source_name = (request.POST.get("new_source") or request.POST.get("source") or "").strip()
        action = request.POST.get("action", "validate")
        if request.POST.get("cancel"):
            uploads.discard(token, request.session)
            return redirect("imports")
        if not source_name:
            messages.error(request, _("Pick a source or name a new one."))
        else:
            columns = {h: f for h, f in zip(header, chosen, strict=True) if f}
            map_path = write_mapping(path.parent, columns)
            try:
                report = run_import(
                    path, source_name, map_path, request.user.username, action != "commit"
                )
            except UserError as exc:
                messages.error(request, str(exc))
            else:
                if action == "commit":
                    uploads.discard(token, request.session)
                    messages.success(request, commit_message(report))
                    return redirect("imports")
    return render(
        request,
        "webapp/import_mapping.html",
        {
            "section": "imports",
            "token": token,
            "file_name": path.name,
            "table": table,
            "columns": list(zip(header, chosen, strict=True)),
            "preview": preview,
            "fields": CANONICAL_FIELDS,
            "sources": Source.objects.order_by("name"),
            "source_name": source_name,
            "source_is_new": bool(source_name)
            and not Source.objects.filter(name=source_name).exists(),
            "report": report,
        },
    )


def run_import(path: Path, source: str, map_path: Path, actor: str, dry_run: bool):
    from uncounted.records.importer import import_file

    return import_file(path, source, mapping=map_path, actor=actor, dry_run=dry_run)


def commit_message(report) -> str:
    return _(
        "Imported: %(created)s new records, %(updated)s updated, %(rejected)s rows rejected."
    ) % {
        "created": getattr(report, "records_created", "?"),
        "updated": getattr(report, "records_updated", "?"),
        "rejected": getattr(report, "rows_rejected", "?"),
    }
