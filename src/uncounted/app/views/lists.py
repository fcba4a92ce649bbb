"""Campaign lists: died in custody with remains not returned; still held; rankings.

Shown to roles with ``view_lists``; the CSV / XLSX export needs ``export`` as well.
"""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from uncounted.app import queries
from uncounted.app.permissions import requires
from uncounted.store.core.models import audit

SHOWN = 200
LISTS = {
    "died_custody": (
        "person",
        "name",
        "facility",
        "death_date",
        "arrest_date",
        "arresting_party",
        "governorate",
        "sources",
    ),
    "held": (
        "person",
        "name",
        "arrest_date",
        "arresting_party",
        "facility",
        "governorate",
        "sources",
    ),
    "facilities": ("detention_facility", "persons"),
    "arresting_parties": ("arresting_party", "persons"),
}


def rows_of(kind: str) -> list[dict]:
    """One list's rows, computed once per data version (see :func:`queries.cached`)."""
    if kind in ("died_custody", "held"):
        return queries.cached(kind, lambda: queries.campaign_rows(kind))
    if kind == "facilities":
        return queries.cached(kind, lambda: queries.ranking("detention_facility", True))
    if kind == "arresting_parties":
        return queries.cached(kind, lambda: queries.ranking("arresting_party", False))
    raise Http404


@requires("view_lists")
def lists(request: HttpRequest) -> HttpResponse:
    died = rows_of("died_custody")
    held = rows_of("held")
    return render(
        request,
        "webapp/lists.html",
        {
            "section": "lists",
            "died": died[:SHOWN],
            "died_total": len(died),
            "held": held[:SHOWN],
            "held_total": len(held),
            "facilities": rows_of("facilities")[:50],
            "parties": rows_of("arresting_parties")[:50],
            "shown": SHOWN,
        },
    )


@requires("view_lists", "export")
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """One campaign list as CSV (UTF-8 with BOM, so Excel reads Arabic) or XLSX."""
    if kind not in LISTS or fmt not in ("csv", "xlsx"):
        raise Http404
    columns = LISTS[kind]
    rows = rows_of(kind)
    audit(
        request.user.username,
        "list.export",
        object_type="list",
        object_id=kind,
        details={"format": fmt, "rows": len(rows)},
    )
    name = f"uncounted-{kind}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([[r.get(c, "") for c in columns] for r in rows])
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(columns, rows, kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_bytes(columns: tuple[str, ...], rows: list[dict], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(columns))
    for r in rows:
        sheet.append([r.get(c, "") for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
