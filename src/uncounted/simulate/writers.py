"""Write a scenario as documentation groups hold it, and the truth beside it.

Lists go to ``lists/`` as CSV (UTF-8, UTF-8 with BOM or Windows-1256) or XLSX (openpyxl
write-only mode, so memory stays flat), each with a mapping TOML when its headers are not
canonical. The truth is ``truth.csv``, ``population.csv``, ``capture_histories.csv`` (the
contract table), ``capture_histories_by_stratum.csv`` and ``manifest.json``.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from uncounted.simulate.config import ListSpec

POPULATION_COLUMNS = (
    "person_id", "sex", "birth_date", "birth_year", "governorate_pcode", "governorate",
    "district_pcode", "place", "given_name", "father_name", "grandfather_name", "family_name",
    "full_name", "mother_name", "registry_number", "arrest_date", "arrest_place", "arresting_party",
    "facility_id", "detention_facility", "detainee_number", "death_date", "death_year",
    "death_place", "remains_returned", "group_id", "homonym_of", "visibility",
)  # fmt: skip
NUMERIC_HEADERS = ("Age", "Year of Birth", "العمر", "سنة الميلاد")
STRATA = ("governorate_pcode", "death_year", "sex")
FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # stamped on every XLSX part: same seed, same bytes


def write_list(frame: pd.DataFrame, spec: ListSpec, path: Path) -> None:
    """One list file in the list's format and encoding (fails on an unencodable character)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.file_format == "csv":
        frame.to_csv(
            path, index=False, sep=spec.delimiter, lineterminator=spec.line_end,
            encoding=spec.encoding, errors="strict",
        )  # fmt: skip
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.name[:31])
    ws.append(list(frame.columns))
    cells = frame.astype(object).where(frame != "", None)  # a blank cell is no cell
    for col in cells.columns.intersection(NUMERIC_HEADERS):  # Excel users type ages as numbers
        digits = cells[col].notna() & cells[col].astype(str).str.isdigit()
        cells.loc[digits, col] = cells.loc[digits, col].astype(int)
    for row in cells.itertuples(index=False, name=None):
        ws.append(row)
    wb.save(path)
    _fix_xlsx_timestamps(path)


def _fix_xlsx_timestamps(path: Path) -> None:
    """Replace the save time openpyxl writes (zip entries and document properties).

    Without this two runs with the same seed differ in a few bytes of every XLSX file, and
    a user checking a scenario's checksums would think the data changed.
    """
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    stamp = b"%04d-%02d-%02dT%02d:%02d:%02dZ" % FIXED_TIME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            out.writestr(fixed, data)


def write_population(pop: pd.DataFrame, captures: pd.DataFrame, path: Path) -> None:
    """The true population, ISO dates, and one ``in_<list>`` 0/1 column per list."""
    out = pop[list(POPULATION_COLUMNS)].copy()
    out["visibility"] = out["visibility"].round(4)
    for col in ("birth_date", "arrest_date", "death_date"):
        out[col] = out[col].to_numpy().astype("datetime64[D]").astype(str)  # ISO, fast
    for name in captures.columns:
        out[f"in_{name}"] = captures[name].astype(int).to_numpy()
    out.to_csv(path, index=False, encoding="utf-8")


def strata_table(pop: pd.DataFrame, captures: pd.DataFrame) -> pd.DataFrame:
    """True and observed N per stratum (governorate p-code, death year, sex)."""
    frame = pop[list(STRATA)].assign(observed=captures.any(axis=1).to_numpy())
    grouped = frame.groupby(list(STRATA))
    table = pd.DataFrame({"n": grouped.size(), "observed": grouped["observed"].sum()})
    return table.reset_index()


def stratum_capture_table(pop: pd.DataFrame, captures: pd.DataFrame) -> pd.DataFrame:
    """Capture histories per stratum: strata columns, one 0/1 column per list, ``count``."""
    seen = captures.any(axis=1).to_numpy()
    frame = pd.concat(
        [pop.loc[seen, list(STRATA)].reset_index(drop=True),
         captures[seen].astype(int).reset_index(drop=True)], axis=1,
    )  # fmt: skip
    keys = [*STRATA, *captures.columns]
    return frame.groupby(keys).size().rename("count").reset_index()


def write_json(data: dict, path: Path) -> None:
    """Pretty, UTF-8 (Arabic kept readable), stable key order."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=int) + "\n", "utf-8")
