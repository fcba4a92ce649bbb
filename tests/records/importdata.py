"""Synthetic lists for the import tests (written at test time) and database counts."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "record_id",
    "full_name",
    "sex",
    "birth_date",
    "governorate",
    "death_date",
    "detention_facility",
    "status",
]
ROWS = [
    ["A-1", "محمد أحمد علي الحسن", "ذكر", "١٩٨٠", "دمشق", "12/05/2013", "فرع فلسطين", "متوفى"],
    ["A-2", "Ahmad Khaled al-Omar", "male", "1975-03", "Homs", "2014", "Sednaya", "dead"],
    ["A-3", "فاطمة علي حسين", "أنثى", "1990", "ريف دمشق", "", "", "مختفية"],
    ["A-4", "عمر خالد", "ذكر", "", "حلب", "", "", "معتقل"],
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    header: list[str] | None = None,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], header: list[str] | None = None, title="Sheet1"):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def db_counts() -> dict[str, int]:
    """Rows in every table of the core store (to prove a failed import changed nothing)."""
    from uncounted.store.core import models

    return {
        name: getattr(models, name).objects.count()
        for name in ("Source", "ImportBatch", "SourceRow", "Record", "RecordVersion", "AuditEntry")
    }
