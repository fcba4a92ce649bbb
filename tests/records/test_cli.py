"""``uncounted import``, ``sources``, ``records`` in-process, and the failures that must be one
clear line with an unchanged database (the workspace and database errors run the real
console script in a subprocess, on the workspace's own SQLite file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from importdata import ROWS, db_counts, write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_import_then_sources_and_records_json(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    code, out, err = cli("import", str(path), "--source", "NGO A")
    assert code == 0, err
    assert "rows 4, rejected 0; records created 4" in out
    code, out, _ = cli("sources", "--json")
    assert code == 0
    [summary] = json.loads(out)["sources"]
    assert (summary["source"], summary["records"], summary["batches"]) == ("NGO A", 4, 1)
    assert summary["last_import"]["file"] == "list.csv"
    code, out, _ = cli("records", "--json", "--limit", "2", "--offset", "1")
    page = json.loads(out)
    assert page["total"] == 4
    assert [r["record_id"] for r in page["records"]] == ["A-2", "A-3"]
    code, out, _ = cli("records", "--json", "--source", "NGO A", "--where", "sex=F")
    assert [r["record_id"] for r in json.loads(out)["records"]] == ["A-3"]
    code, out, _ = cli("records", "--json", "--where", "governorate_pcode=SY01", "--where", "sex=M")
    assert json.loads(out)["total"] == 1
    code, out, _ = cli("records")
    assert code == 0 and "4 records" in out


def test_import_report_shows_unmapped_and_rejected(cli, tmp_path: Path) -> None:
    header = ["record_id", "full_name", "colour"]
    path = write_csv(tmp_path / "list.csv", [["1", "Ali", "red"], ["", "Omar", "blue"]], header)
    code, out, _ = cli("import", str(path), "--source", "S")
    assert code == 0
    assert "unmapped columns (kept in the raw rows): colour" in out
    assert "rejected row 3: record_id: empty" in out


def test_dry_run_and_json_report(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    before = db_counts()
    code, out, _ = cli("import", str(path), "--source", "S", "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["dry_run"] is True and report["records_created"] == 4
    assert db_counts() == before


def one_line_error(cli, *args: str, contains: str) -> None:
    before = db_counts()
    code, out, err = cli(*args)
    assert code != 0
    assert contains in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err + out
    assert db_counts() == before


def test_empty_file(cli, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    one_line_error(
        cli, "import", str(tmp_path / "e.csv"), "-s", "S", contains="e.csv: the file is empty"
    )


def test_binary_file(cli, tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_bytes(os.urandom(4096) + b"\x00")
    one_line_error(
        cli, "import", str(tmp_path / "b.csv"), "-s", "S", contains="b.csv: a binary file"
    )


def test_wrong_format_for_extension(cli, tmp_path: Path) -> None:
    write_csv(tmp_path / "list.xlsx", ROWS)
    one_line_error(
        cli, "import", str(tmp_path / "list.xlsx"), "-s", "S", contains="not an XLSX workbook"
    )


def test_ragged_rows(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [*ROWS, ["A-9", "too few"]])
    one_line_error(cli, "import", str(path), "-s", "S", contains="r.csv row 6: 2 cells")


def test_mapping_names_a_missing_column(cli, tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('[columns]\n"الاسم" = "full_name"\n', encoding="utf-8")
    path = write_csv(tmp_path / "l.csv", ROWS)
    one_line_error(
        cli,
        "import",
        str(path),
        "-s",
        "S",
        "-m",
        str(tmp_path / "m.toml"),
        contains="m.toml [columns]: column 'الاسم' is not in l.csv",
    )


def test_mapping_names_an_unknown_field(cli, tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('[columns]\n"status" = "fate"\n', encoding="utf-8")
    path = write_csv(tmp_path / "l.csv", ROWS)
    one_line_error(
        cli,
        "import",
        str(path),
        "-s",
        "S",
        "-m",
        str(tmp_path / "m.toml"),
        contains="'fate' is not a canonical field",
    )


def test_invalid_toml(cli, tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text("[columns\n", encoding="utf-8")
    path = write_csv(tmp_path / "l.csv", ROWS)
    one_line_error(
        cli,
        "import",
        str(path),
        "-s",
        "S",
        "-m",
        str(tmp_path / "m.toml"),
        contains="m.toml: not valid TOML",
    )


def test_duplicate_record_id_and_already_imported(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [*ROWS, ROWS[0]])
    one_line_error(cli, "import", str(path), "-s", "S", contains="d.csv rows 2 and 6")
    ok = write_csv(tmp_path / "ok.csv", ROWS)
    assert cli("import", str(ok), "-s", "S")[0] == 0
    one_line_error(cli, "import", str(ok), "-s", "S", contains="already imported")


def test_missing_file_and_bad_where(cli, tmp_path: Path) -> None:
    one_line_error(cli, "import", str(tmp_path / "nope.csv"), "-s", "S", contains="no such file")
    one_line_error(cli, "records", "--where", "colour=red", contains="--where 'colour=red'")
    one_line_error(cli, "records", "--source", "Nobody", contains="no such source")


# ------------------------------------------- the real console script on a workspace's SQLite

UNCOUNTED = [sys.executable, "-m", "uncounted.cli"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UNCOUNTED_")}
    return subprocess.run(
        [*UNCOUNTED, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environment, "COLUMNS": "200", **(env or {})},
    )


@pytest.mark.slow
def test_console_script_imports_into_the_workspace_database(tmp_path: Path) -> None:
    import sqlite3

    ws = tmp_path / "ws"
    assert run("init", str(ws)).returncode == 0
    path = write_csv(tmp_path / "list.csv", ROWS, encoding="utf-8-sig", delimiter=";")
    result = run("-w", str(ws), "import", str(path), "--source", "NGO A")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(ws / "uncounted.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM core_record").fetchone() == (4,)
        assert db.execute("SELECT count(*) FROM core_sourcerow").fetchone() == (4,)


@pytest.mark.slow
def test_corrupt_database_is_one_clear_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws)).returncode == 0
    db = ws / "uncounted.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 500)
    path = write_csv(tmp_path / "list.csv", ROWS)
    for args in (["import", str(path), "-s", "S"], ["sources"], ["records"]):
        result = run("-w", str(ws), *args)
        assert result.returncode != 0
        assert "cannot open the database" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert db.read_bytes() == b"this is not a database" * 500


@pytest.mark.slow
def test_missing_workspace_is_one_clear_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    result = run("-w", str(tmp_path / "nowhere"), "import", str(path), "-s", "S")
    assert result.returncode != 0
    assert "no workspace" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_options_reach_the_importer(cli, tmp_path: Path) -> None:
    from importdata import write_xlsx

    book = write_xlsx(tmp_path / "l.xlsx", ROWS, title="victims")
    code, out, err = cli("import", str(book), "-s", "X", "--sheet", "victims", "--json")
    assert code == 0, err
    assert json.loads(out)["sheet"] == "victims"
    one_line_error(
        cli, "import", str(book), "-s", "X", "--sheet", "nope", contains="no sheet 'nope'"
    )
    code, out, _ = cli("import", str(book), "-s", "X", "--sheet", "victims", "--again", "--json")
    assert code == 0 and json.loads(out)["records_unchanged"] == 4
    plain = [[c.replace("١٩٨٠", "1980") for c in r] for r in ROWS]
    text = write_csv(tmp_path / "w.csv", plain, encoding="cp1256")
    code, out, _ = cli("import", str(text), "-s", "W", "--encoding", "cp1256", "--json")
    assert code == 0 and json.loads(out)["encoding"] == "cp1256"
    bad = write_csv(tmp_path / "s.csv", [["Z-1", "Ali", "??", "", "", "", "", ""]])
    one_line_error(cli, "import", str(bad), "-s", "S", "--strict", contains="--strict refuses")
