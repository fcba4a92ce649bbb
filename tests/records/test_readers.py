"""Reading files as documentation groups have them, and refusing what is not a table."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from importdata import HEADER, ROWS, write_csv, write_xlsx

from uncounted.errors import UserError
from uncounted.names.text import ascii_digits
from uncounted.records.readers import open_table


def read_all(path: Path, **options) -> tuple:
    table = open_table(path, **options)
    return table, list(table.rows())


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1256", "cp1256"), ("utf-16", "utf-16")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    written = [[ascii_digits(c) for c in r] for r in ROWS]  # Windows-1256 has no ٠..٩
    path = write_csv(tmp_path / "list.csv", written, encoding=encoding)
    table, rows = read_all(path)
    assert table.encoding == detected
    assert table.header == HEADER
    assert rows[0] == (2, written[0])
    assert [cells for _, cells in rows] == written


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    rows = [[*r[:-1], "قتل، تحت التعذيب; نعم"] for r in ROWS]  # delimiters inside quoted cells
    path = write_csv(tmp_path / "list.csv", rows, delimiter=delimiter)
    table, read = read_all(path)
    assert table.delimiter == delimiter
    assert [cells for _, cells in read] == rows


def test_encoding_override_and_unknown_encoding(tmp_path: Path) -> None:
    written = [[ascii_digits(c) for c in r] for r in ROWS]
    path = write_csv(tmp_path / "list.csv", written, encoding="cp1256")
    _, rows = read_all(path, encoding="cp1256")
    assert rows[0][1][1] == ROWS[0][1]
    with pytest.raises(UserError, match="not an encoding"):
        open_table(path, encoding="klingon")
    with pytest.raises(UserError, match="not valid utf-8"):
        open_table(path, encoding="utf-8")


def test_invalid_utf8_late_in_the_file_names_the_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS * 30000)  # bigger than the detection sample
    with path.open("ab") as handle:
        handle.write(b"B-1," + "عمر".encode("cp1256") + b",M,,,,,\n")
    table = open_table(path)
    assert table.encoding == "utf-8"
    with pytest.raises(UserError, match=r"list.csv row 120002: not valid utf-8"):
        list(table.rows())


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [ROWS[0], [""] * len(HEADER), ROWS[1]])
    _, rows = read_all(path)
    assert [n for n, _ in rows] == [2, 4]


def test_multiline_cells_count_as_one_row(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:-1], "سطر أول\nسطر ثان"], ROWS[1]]
    _, read = read_all(write_csv(tmp_path / "list.csv", rows))
    assert [n for n, _ in read] == [2, 3]
    assert read[0][1][-1] == "سطر أول\nسطر ثان"


def test_xlsx_first_sheet_or_named_sheet(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    path = tmp_path / "list.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "notes"
    workbook.active.append(["nothing here"])
    sheet = workbook.create_sheet("victims")
    sheet.append(HEADER)
    sheet.append(["A-1", "محمد علي", "ذكر", dt.datetime(1980, 5, 1), "دمشق", 2013, None, "متوفى"])
    sheet.append([None] * len(HEADER))
    sheet.append([7, "Ahmad Omar", "male", 1975.0, "Homs", None, None, None])
    workbook.save(path)
    table, rows = read_all(path, sheet="victims")
    assert table.format == "xlsx" and table.sheet == "victims"
    assert rows[0] == (2, ["A-1", "محمد علي", "ذكر", "1980-05-01", "دمشق", "2013", "", "متوفى"])
    assert rows[1] == (4, ["7", "Ahmad Omar", "male", "1975", "Homs", "", "", ""])
    first, _ = read_all(path)
    assert first.sheet == "notes"
    with pytest.raises(UserError, match=r"no sheet 'x' \(sheets: notes, victims\)"):
        open_table(path, sheet="x")


def test_xlsx_streams_a_plain_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "list.xlsx", ROWS)
    _, rows = read_all(path)
    assert [cells for _, cells in rows] == ROWS


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("blank.csv", b"  \n\n", "blank.csv: the file is empty"),
        ("binary.csv", bytes(range(256)) * 8, "binary.csv: a binary file"),
        ("zip.csv", b"PK\x03\x04" + b"\x00" * 100, "zip.csv: not CSV text but a zip archive"),
        ("text.xlsx", b"a,b\n1,2\n", "text.xlsx: not an XLSX workbook"),
        ("broken.xlsx", b"PK\x03\x04garbage" * 10, "broken.xlsx: not a readable XLSX workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls: an old Excel"),
        ("header.csv", b",,,\n1,2,3\n", "header.csv row 1: the header row is empty"),
        ("twice.csv", b"name,name\n1,2\n", "column 'name' appears twice"),
    ],
)
def test_unreadable_files_are_one_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(".", r"\.")):
        list(open_table(path).rows())


def test_ragged_row_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n", encoding="utf-8")
    table = open_table(path)
    with pytest.raises(UserError, match=r"ragged.csv row 3: 2 cells where the header has 3"):
        list(table.rows())


def test_trailing_empty_cells_are_not_ragged(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("a,b,c,,\n1,2,3,,\n4,5,6\n", encoding="utf-8")
    table, rows = read_all(path)
    assert table.header == ["a", "b", "c"]
    assert rows == [(2, ["1", "2", "3"]), (3, ["4", "5", "6"])]


def test_utf16_bom_tab_text_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    text = "\t".join(HEADER) + "\r\n" + "\r\n".join("\t".join(r) for r in ROWS) + "\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    table, rows = read_all(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert [c for _, c in rows] == ROWS
