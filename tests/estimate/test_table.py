"""CaptureTable: reading the contract CSV, refusing bad input, hashing the content."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uncounted.errors import UserError
from uncounted.estimate import CaptureTable


def write(tmp_path, text: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_contract_csv_with_bom_and_arabic_headers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffوزارة,منظمة,count\n1,1,5\n1,0,20\n0,1,30\n".encode())
    table = CaptureTable.from_csv(path)
    assert table.lists == ("وزارة", "منظمة")
    assert table.observed == 55
    assert table.list_totals() == {"وزارة": 25, "منظمة": 35}
    assert table.overlaps()[0, 1] == 5
    assert table.full_counts().tolist() == [0, 30, 20, 5]


def test_duplicates_are_summed_and_zero_rows_dropped(tmp_path):
    table = CaptureTable.from_csv(write(tmp_path, "A,B,count\n1,0,2\n1,0,3\n0,1,0\n1,1,1\n"))
    assert table.codes.tolist() == [3, 2]
    assert table.counts.tolist() == [1, 5]


def test_hash_ignores_row_order_but_not_content(tmp_path):
    a = CaptureTable.from_csv(write(tmp_path, "A,B,count\n1,0,2\n0,1,3\n", "a.csv"))
    b = CaptureTable.from_csv(write(tmp_path, "A,B,count\n0,1,3\n1,0,2\n", "b.csv"))
    c = CaptureTable.from_csv(write(tmp_path, "A,B,count\n0,1,4\n1,0,2\n", "c.csv"))
    assert a.sha256 == b.sha256 != c.sha256


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A,B,n\n1,0,2\n", "last column must be 'count'"),
        ("A,count\n1,2\n", "at least 2 list columns"),
        ("A,B,count\n1,2,2\n", "row 2, column 'B': expected 0 or 1"),
        ("A,B,count\n1,0,x\n", "row 2, column 'count': not a number"),
        ("A,B,count\n1,0,-1\n", "whole number"),
        ("A,B,count\n0,0,3\n", "all-zero pattern"),
        ("A,A,count\n1,0,3\n", "duplicate list column"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(UserError, match=message):
        CaptureTable.from_csv(write(tmp_path, text))


def test_missing_file_is_user_error(tmp_path):
    with pytest.raises(UserError, match="not found"):
        CaptureTable.from_csv(tmp_path / "absent.csv")


def test_from_memberships_and_frame_agree():
    people = [{"A"}, {"A", "B"}, {"B"}, {"B"}, {"C", "A"}]
    table = CaptureTable.from_memberships(people, lists=["A", "B", "C"])
    frame = pd.DataFrame(
        {"A": [1, 1, 0, 1], "B": [1, 0, 1, 0], "C": [0, 1, 0, 0], "count": [1, 1, 2, 1]}
    )
    assert table.sha256 == CaptureTable.from_frame(frame).sha256
    assert table.observed == 5


def test_drop_empty_lists_keeps_people():
    table = CaptureTable(("A", "B", "C"), np.array([[1, 0, 0], [1, 1, 0]]), np.array([4, 2]))
    assert table.active_lists() == ("A", "B")
    smaller = table.drop_empty_lists()
    assert smaller.lists == ("A", "B") and smaller.observed == 6


def test_every_reference_table_loads(mse_dir):
    for path in sorted(mse_dir.glob("*.csv")):
        if "posterior" in path.name:
            continue
        table = CaptureTable.from_csv(path)
        frame = pd.read_csv(path)
        assert table.observed == frame["count"].sum()
        assert table.n_lists == frame.shape[1] - 1


def test_numeric_frame_errors_name_row_and_column():
    frame = pd.DataFrame({"A": [1, 0], "B": [0, 2], "count": [3, 4]})
    with pytest.raises(UserError, match="row 3, column 'B'"):
        CaptureTable.from_frame(frame)
    frame = pd.DataFrame({"A": [1, 0], "B": [0, 1], "count": [3, 4.5]})
    with pytest.raises(UserError, match="row 3, column 'count'"):
        CaptureTable.from_frame(frame)
