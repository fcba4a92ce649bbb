"""The importer: provenance, canonical fields, versions, all-or-nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importdata import HEADER, ROWS, db_counts, write_csv, write_xlsx

from uncounted.errors import UserError
from uncounted.records.importer import file_sha256, import_file

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def records(source: str = "NGO A") -> dict[str, object]:
    from uncounted.store.core.models import Record

    return {r.record_id: r for r in Record.objects.filter(source__name=source)}


def test_import_keeps_rows_verbatim_with_provenance(tmp_path: Path) -> None:
    from uncounted.store.core.models import AuditEntry, ImportBatch, SourceRow

    path = write_csv(tmp_path / "list.csv", ROWS)
    report = import_file(path, "NGO A", actor="officer1")
    assert (report.rows_read, report.records_created, report.rows_rejected) == (4, 4, 0)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.file_name == "list.csv"
    assert batch.file_sha256 == file_sha256(path)
    assert batch.imported_by == "officer1" and batch.imported_at is not None
    assert (batch.encoding, batch.delimiter, batch.file_format) == ("utf-8", ",", "csv")
    rows = list(SourceRow.objects.filter(batch=batch).order_by("row_number"))
    assert [r.row_number for r in rows] == [2, 3, 4, 5]
    assert rows[0].raw == dict(zip(HEADER, ROWS[0], strict=True))
    record = records()["A-1"]
    assert record.row_id == rows[0].pk and record.batch_id == batch.pk
    audit = AuditEntry.objects.get(action="import")
    assert audit.actor == "officer1" and audit.after["records_created"] == 4


def test_canonical_fields_are_derived(tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "list.csv", ROWS), "NGO A")
    got = records()
    first = got["A-1"]
    assert (first.sex, first.birth_date, first.death_date) == ("M", "1980", "2013-05-12")
    assert (first.governorate, first.governorate_pcode) == ("دمشق", "SY01")
    assert (first.facility_id, first.status) == ("mi-235", "dead")
    assert first.given_name == "محمد" and first.family_name
    assert first.raw_values["birth_date"] == "١٩٨٠"
    second = got["A-2"]
    assert (second.sex, second.birth_date, second.governorate_pcode) == ("M", "1975-03", "SY04")
    assert second.facility_id == "mp-saydnaya"
    third = got["A-3"]
    assert (third.sex, third.governorate_pcode, third.status) == ("F", "SY03", "disappeared")
    assert got["A-4"].status == "detained"


def test_parts_build_the_full_name_and_values_are_mapped(tmp_path: Path) -> None:
    header = ["رقم", "الاسم الأول", "اسم الأب", "الكنية", "الجنس", "العمر", "تسليم الجثة"]
    rows = [
        ["1", "خالد", "محمد", "الأحمد", "ذ", "٣٥ سنة", "لا"],
        ["2", "Sara", "", "Haddad", "F", "x", ""],
    ]
    path = write_csv(tmp_path / "list.csv", rows, header=header)
    mapping = tmp_path / "map.toml"
    mapping.write_text('[values.sex]\n"ذ" = "M"\n', encoding="utf-8")
    report = import_file(path, "NGO A", mapping)
    got = records()
    assert got["1"].full_name == "خالد محمد الأحمد"
    assert (got["1"].sex, got["1"].age, got["1"].remains_returned) == ("M", 35, "no")
    assert got["2"].full_name == "Sara Haddad" and got["2"].age is None
    assert got["2"].problems == [{"field": "age", "reason": "not an age (0-120)"}]
    assert report.problems == [{"row": 3, "field": "age", "reason": "not an age (0-120)"}]


def test_unparseable_values_are_kept_raw_and_reported(tmp_path: Path) -> None:
    rows = [["B-1", "علي حسن", "؟؟", "31/02/2013", "Narnia", "", "", "ok"]]
    report = import_file(write_csv(tmp_path / "list.csv", rows), "NGO A")
    record = records()["B-1"]
    assert (record.sex, record.birth_date, record.governorate_pcode) == ("", "", "")
    assert record.raw_values["birth_date"] == "31/02/2013"
    assert {p["field"] for p in record.problems} == {"sex", "birth_date", "governorate", "status"}
    assert report.problem_counts["birth_date: not a date"] == 1


def test_empty_record_id_rejects_the_row_but_keeps_it(tmp_path: Path) -> None:
    from uncounted.store.core.models import SourceRow

    rows = [ROWS[0], ["", "سمير", "", "", "", "", "", ""]]
    report = import_file(write_csv(tmp_path / "list.csv", rows), "NGO A")
    assert report.rejected == [{"row": 3, "field": "record_id", "reason": "empty"}]
    assert (report.rows_read, report.rows_rejected, report.records_created) == (2, 1, 1)
    assert SourceRow.objects.get(row_number=3).accepted is False


def test_strict_refuses_any_problem_and_changes_nothing(tmp_path: Path) -> None:
    rows = [ROWS[0], ["B-1", "علي حسن", "؟؟", "", "", "", "", ""]]
    before = db_counts()
    with pytest.raises(UserError, match=r"--strict refuses.*row 3 field sex"):
        import_file(write_csv(tmp_path / "list.csv", rows), "NGO A", strict=True)
    assert db_counts() == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    before = db_counts()
    report = import_file(write_csv(tmp_path / "list.csv", ROWS), "NGO A", dry_run=True)
    assert report.records_created == 4 and report.batch_id is None
    assert db_counts() == before


def test_same_file_refused_unless_again(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    import_file(path, "NGO A")
    before = db_counts()
    with pytest.raises(UserError, match=r"already imported .*pass --again"):
        import_file(path, "NGO B")
    assert db_counts() == before
    report = import_file(path, "NGO A", again=True)
    assert (report.records_unchanged, report.records_created) == (4, 0)


def test_duplicate_record_id_names_both_rows(tmp_path: Path) -> None:
    rows = [*ROWS, ROWS[1]]
    before = db_counts()
    with pytest.raises(UserError, match=r"list\.csv rows 3 and 6: the same record_id"):
        import_file(write_csv(tmp_path / "list.csv", rows), "NGO A")
    assert db_counts() == before


@pytest.mark.parametrize(
    ("n", "options"),
    [(12000, {"batch_rows": 1000}), (3000, {"batch_rows": 700, "parallel": True})],
    ids=["serial", "parallel"],
)
def test_error_late_in_a_big_file_leaves_nothing(tmp_path: Path, n: int, options: dict) -> None:
    rows = [[f"C-{i}", *ROWS[i % 4][1:]] for i in range(n)]
    path = write_csv(tmp_path / "list.csv", rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("C-x,ragged\n")
    before = db_counts()
    with pytest.raises(UserError, match=f"row {n + 2}: 2 cells where the header has 8"):
        import_file(path, "NGO A", **options)
    assert db_counts() == before


def test_new_version_updates_by_record_id_and_keeps_history(tmp_path: Path) -> None:
    from uncounted.store.core.models import AuditEntry, RecordVersion

    first = import_file(write_csv(tmp_path / "v1.csv", ROWS), "NGO A", actor="a")
    changed = [list(r) for r in ROWS[:3]]
    changed[1][7] = "released"  # A-2 released
    changed.append(["A-9", "Nour Saleh", "F", "", "", "", "", ""])
    second = import_file(write_csv(tmp_path / "v2.csv", changed), "NGO A", actor="b")
    assert (second.records_updated, second.records_unchanged, second.records_created) == (1, 2, 1)
    assert second.records_not_in_file == 1  # A-4 stays, untouched
    got = records()
    assert len(got) == 5
    a2 = got["A-2"]
    assert (a2.status, a2.version, a2.batch_id) == ("released", 2, second.batch_id)
    old = RecordVersion.objects.get(record=a2)
    assert (old.version, old.batch_id, old.replaced_by_batch_id) == (
        1,
        first.batch_id,
        second.batch_id,
    )
    assert old.fields["status"] == "dead"
    assert got["A-1"].version == 1 and got["A-1"].batch_id == first.batch_id
    entry = AuditEntry.objects.get(action="record.update")
    assert (entry.actor, entry.object_id) == ("b", str(a2.pk))
    assert (entry.before, entry.after) == ({"status": "dead"}, {"status": "released"})


def test_file_without_id_column_gets_stable_content_ids(tmp_path: Path) -> None:
    header = ["full_name", "sex"]
    rows = [["محمد علي", "ذكر"], ["محمد علي", "ذكر"], ["Lina Haddad", "F"]]
    report = import_file(write_csv(tmp_path / "a.csv", rows, header=header), "NGO A")
    assert report.record_id_from == ""
    ids = sorted(records())
    assert len(ids) == 3 and ids[0].startswith("h")
    again = import_file(
        write_csv(tmp_path / "b.csv", [*rows, ["Omar", "M"]], header=header), "NGO A"
    )
    assert (again.records_unchanged, again.records_created) == (3, 1)


def test_xlsx_and_kobo_export(tmp_path: Path) -> None:
    header = [
        "start",
        "group_v/full_name",
        "group_v/الجنس",
        "group_v/تاريخ_الوفاة",
        "_uuid",
        "_submission_time",
    ]
    rows = [
        ["2024-01-01", "حسن علي", "ذكر", "2013-05", "uuid-1", "2024-01-02T10:00:00"],
        ["2024-01-01", "Rami Aziz", "male", "", "uuid-2", "2024-01-02T11:00:00"],
    ]
    report = import_file(write_xlsx(tmp_path / "kobo.xlsx", rows, header=header), "Kobo")
    assert report.format == "xlsx" and report.record_id_from == "_uuid"
    assert report.unmapped_columns == []
    got = records("Kobo")
    assert set(got) == {"uuid-1", "uuid-2"}
    assert (got["uuid-1"].sex, got["uuid-1"].death_date) == ("M", "2013-05")


def test_windows_1256_semicolon_file(tmp_path: Path) -> None:
    rows = [["1", "محمد علي", "ذكر", "1980", "حمص", "", "", ""]]
    path = write_csv(tmp_path / "list.csv", rows, encoding="cp1256", delimiter=";")
    report = import_file(path, "NGO A")
    assert (report.encoding, report.delimiter) == ("cp1256", ";")
    assert records()["1"].full_name == "محمد علي"
    assert records()["1"].governorate_pcode == "SY04"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary" * 50, "a binary file"),
        (b"record_id,full_name\n", "no rows under the header"),
    ],
)
def test_bad_files_change_nothing(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = db_counts()
    with pytest.raises(UserError, match=message):
        import_file(path, "NGO A")
    assert db_counts() == before


def test_progress_is_reported_per_batch(tmp_path: Path) -> None:
    rows = [[f"P-{i}", *ROWS[i % 4][1:]] for i in range(2500)]
    path = write_csv(tmp_path / "list.csv", rows)
    calls: list[tuple[int, int]] = []
    import_file(
        path, "NGO A", batch_rows=1000, progress=lambda done, total: calls.append((done, total))
    )
    assert len(calls) == 3
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)


def test_kobo_csv_with_semicolons_and_value_map_for_places(tmp_path: Path) -> None:
    header = ["group_a/الاسم_الكامل", "group_a/المحافظة", "group_a/gender", "_uuid", "_index"]
    rows = [
        ["أحمد سعيد", "الشام", "male", "u-1", "1"],
        ["ريم ناصر", "ريف الشام", "female", "u-2", "2"],
    ]
    path = write_csv(tmp_path / "kobo.csv", rows, header=header, delimiter=";")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[values.governorate]\n"ريف الشام" = "ريف دمشق"\n', encoding="utf-8")
    report = import_file(path, "Kobo", mapping)
    assert report.delimiter == ";" and report.metadata_columns == ["_index"]
    got = records("Kobo")
    assert (got["u-1"].governorate_pcode, got["u-2"].governorate_pcode) == ("SY01", "SY03")
    assert got["u-2"].raw_values["governorate"] == "ريف الشام"  # the text as received
    assert (got["u-1"].sex, got["u-2"].sex) == ("M", "F")


def test_parallel_derivation_gives_the_same_records(tmp_path: Path) -> None:
    from uncounted.store.core.models import Record

    rows = [[f"Q-{i}", *ROWS[i % 4][1:]] for i in range(3000)]
    path = write_csv(tmp_path / "list.csv", rows)
    serial = import_file(path, "serial", batch_rows=700, parallel=False)
    parallel = import_file(path, "parallel", batch_rows=700, parallel=True, again=True)
    assert serial.records_created == parallel.records_created == 3000
    assert serial.problem_counts == parallel.problem_counts

    def fields(source: str) -> list[tuple]:
        return list(
            Record.objects.filter(source__name=source)
            .order_by("record_id")
            .values_list(
                "record_id",
                "full_name",
                "given_name",
                "sex",
                "death_date",
                "governorate_pcode",
                "facility_id",
                "status",
                "raw_values",
                "row__raw",
            )
        )

    assert fields("serial") == fields("parallel")
