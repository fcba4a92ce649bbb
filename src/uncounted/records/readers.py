"""Read the files documentation groups really have, one row at a time.

CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM as Excel's "Unicode text", Windows-1256;
``,`` ``;`` tab or ``|`` delimited) and XLSX (openpyxl in read-only streaming mode). Rows are
yielded as lists of text cells with their row number (the header is row 1, as a spreadsheet
shows it), never gathered in memory. Anything that makes the file unreadable as a table
raises :class:`~uncounted.errors.UserError` naming the file and row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uncounted.errors import UserError

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
CSV_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class TableFile:
    """An opened source file: how it was read, its header, and a row iterator."""

    path: Path
    format: str
    header: list[str]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    size: int = 0
    _rows: Iterator[tuple[int, list[str]]] | None = field(default=None, repr=False)
    _position: Any = field(default=None, repr=False)
    _closer: Any = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row_number, cells)`` for every non-blank row under the header."""
        assert self._rows is not None
        return self._rows

    def close(self) -> None:
        """Release the file (and workbook) even when reading stopped half-way."""
        if self._rows is not None and hasattr(self._rows, "close"):
            self._rows.close()
        if self._closer is not None:
            self._closer()

    def position(self) -> int:
        """How far reading has got, in the unit of :attr:`size` (bytes or rows)."""
        return self._position() if self._position else 0


def open_table(path: Path, encoding: str | None = None, sheet: str | None = None) -> TableFile:
    """Open ``path`` as a table, detecting format, encoding and delimiter."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise UserError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC):
        raise UserError(
            f"{path.name}: an old Excel (.xls) or other binary document; save it as .xlsx or CSV"
        )
    if suffix in XLSX_EXTENSIONS or (suffix not in CSV_EXTENSIONS and head.startswith(ZIP_MAGIC)):
        return _open_xlsx(path, head, size, sheet)
    if suffix == ".xls":
        raise UserError(f"{path.name}: .xls files are not read; save it as .xlsx or CSV")
    if head.startswith(ZIP_MAGIC):
        raise UserError(
            f"{path.name}: not CSV text but a zip archive (an XLSX workbook?); "
            "give it the .xlsx extension"
        )
    return _open_csv(path, head, size, encoding)


# --------------------------------------------------------------------------------- CSV


def detect_encoding(head: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1256; binary is refused."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise UserError(f"{name}: a binary file, not CSV text (it holds NUL bytes)")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1256"


def _check_text(text: str, name: str) -> None:
    control = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n")
    if control > max(2, len(text) // 200):
        raise UserError(f"{name}: a binary file, not CSV text (control characters)")


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    lines = sample.splitlines()[:50]
    if len(sample) >= SAMPLE_BYTES // 2 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            ]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(path: Path, head: bytes, size: int, encoding: str | None) -> TableFile:
    name = path.name
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UserError(f"--encoding {encoding!r}: not an encoding Python knows") from None
    else:
        encoding = detect_encoding(head, name)
    try:
        sample = codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{name}: not valid {encoding} text ({exc.reason}); try --encoding"
        ) from None
    _check_text(sample, name)
    delimiter = detect_delimiter(sample.lstrip("\ufeff"))
    binary = path.open("rb")
    # surrogateescape keeps undecodable bytes visible per row, so the error names its row
    text = io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
        _check_decoded("".join(header), name, 1, encoding)
    except (StopIteration, csv.Error) as exc:
        binary.close()
        raise UserError(f"{name} row 1: cannot read the header ({exc})") from None
    except UserError:
        binary.close()
        raise
    header = clean_header(header, name)
    table = TableFile(path, "csv", header, encoding=encoding, delimiter=delimiter, size=size)
    table._rows = _csv_rows(reader, binary, len(header), name, encoding)
    table._position = lambda: size if binary.closed else binary.tell()
    table._closer = binary.close
    return table


def _csv_rows(reader, binary, width: int, name: str, encoding: str):
    row_number = 1
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise UserError(f"{name} row {row_number + 1}: unreadable CSV ({exc})") from None
            row_number += 1
            joined = "".join(cells)
            _check_decoded(joined, name, row_number, encoding)
            if not joined.strip():
                continue
            yield row_number, fit_width(cells, width, name, row_number)
    finally:
        binary.close()


def _check_decoded(text: str, name: str, row_number: int, encoding: str) -> None:
    """Refuse a row holding bytes that were not valid in the file's encoding."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(
            f"{name} row {row_number}: not valid {encoding} text; "
            "pass --encoding (e.g. cp1256 or utf-8)"
        ) from None


def fit_width(cells: list[str], width: int, name: str, row_number: int) -> list[str]:
    """The row's cells, padded or trimmed only where that loses nothing; else a clear error."""
    if len(cells) == width:
        return cells
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        return cells[:width]
    raise UserError(
        f"{name} row {row_number}: {len(cells)} cells where the header has {width} "
        "(ragged row: check the delimiter and quoting)"
    )


def clean_header(header: list[str], name: str) -> list[str]:
    """Header cells trimmed; trailing blanks dropped; blanks named; duplicates refused."""
    cells = [str(c or "").replace("\ufeff", "").strip() for c in header]
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        raise UserError(f"{name} row 1: the header row is empty")
    cells = [c or f"column_{i}" for i, c in enumerate(cells, start=1)]
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        if cell in seen:
            raise UserError(
                f"{name} row 1: column {cell!r} appears twice (columns {seen[cell]} and {i})"
            )
        seen[cell] = i
    return cells


# -------------------------------------------------------------------------------- XLSX


def _open_xlsx(path: Path, head: bytes, size: int, sheet: str | None) -> TableFile:
    import zipfile

    import openpyxl

    name = path.name
    if not head.startswith(ZIP_MAGIC):
        raise UserError(f"{name}: not an XLSX workbook (not a zip archive); is it CSV text?")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UserError(f"{name}: not a readable XLSX workbook ({type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException and friends
        raise UserError(f"{name}: not a readable XLSX workbook ({type(exc).__name__})") from None
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        workbook.close()
        raise UserError(f"{name}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
    iterator = worksheet.iter_rows(values_only=True)
    first = next(iterator, None)
    if first is None or not any(cell_text(c).strip() for c in first):
        workbook.close()
        raise UserError(f"{name} sheet {worksheet.title!r}: empty (no header in row 1)")
    header = clean_header([cell_text(c) for c in first], name)
    counter = {"row": 1}
    total = worksheet.max_row or 0
    table = TableFile(path, "xlsx", header, sheet=worksheet.title, size=total)
    table._rows = _xlsx_rows(iterator, workbook, len(header), name, counter)
    table._position = lambda: counter["row"]
    table._closer = workbook.close
    return table


def _xlsx_rows(iterator, workbook, width: int, name: str, counter: dict):
    try:
        for row_number, values in enumerate(iterator, start=2):
            counter["row"] = row_number
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield row_number, fit_width(cells, width, name, row_number)
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person sees (dates as ISO, 1980.0 as 1980)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
