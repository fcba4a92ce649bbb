"""Columns find their canonical fields: mapping file, canonical names, Arabic/English aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from uncounted.errors import UserError
from uncounted.records.mapping import Mapping, header_key, load_mapping, plan_columns


def plan(header: list[str], mapping: Mapping | None = None):
    return plan_columns(header, mapping or Mapping(), "list.csv")


def fields(header: list[str], mapping: Mapping | None = None) -> dict[str, str]:
    result = plan(header, mapping)
    return {f: header[i] for f, i in result.field_columns.items()}


def test_arabic_headers_need_no_mapping() -> None:
    header = [
        "الرقم",
        "الاسم الكامل",
        "اسم الأب",
        "اسم الام",
        "الجنس",
        "المحافظة",
        "تاريخ الوفاة",
        "تاريخ الإعتقال",
        "مكان الاحتجاز",
        "ملاحظات",
        "لون العينين",
    ]
    assert fields(header) == {
        "record_id": "الرقم",
        "full_name": "الاسم الكامل",
        "father_name": "اسم الأب",
        "mother_name": "اسم الام",
        "sex": "الجنس",
        "governorate": "المحافظة",
        "death_date": "تاريخ الوفاة",
        "arrest_date": "تاريخ الإعتقال",
        "detention_facility": "مكان الاحتجاز",
        "notes": "ملاحظات",
    }
    assert plan(header).unmapped == ["لون العينين"]


def test_english_and_canonical_headers() -> None:
    header = ["ID", "Full Name", "Gender", "Date of Birth", "governorate", "death_date", "x"]
    assert fields(header) == {
        "record_id": "ID",
        "full_name": "Full Name",
        "sex": "Gender",
        "birth_date": "Date of Birth",
        "governorate": "governorate",
        "death_date": "death_date",
    }


def test_kobo_groups_and_metadata() -> None:
    header = [
        "start",
        "end",
        "group_victim/full_name",
        "group_victim/الجنس",
        "group_detention/arrest_date",
        "q_color",
        "_id",
        "_uuid",
        "_submission_time",
        "_index",
    ]
    result = plan(header)
    assert fields(header) == {
        "full_name": "group_victim/full_name",
        "sex": "group_victim/الجنس",
        "arrest_date": "group_detention/arrest_date",
        "record_id": "_uuid",
    }
    assert result.unmapped == ["q_color"]
    assert result.metadata == ["start", "end", "_id", "_submission_time", "_index"]
    assert result.id_from == "_uuid"


def test_header_key_normalises_hamza_and_punctuation() -> None:
    assert header_key("group_a/اسم الأمّ") == header_key("اسم الام")
    assert header_key("Date-of_Birth:") == "date of birth"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_file_columns_and_values(tmp_path: Path) -> None:
    mapping = load_mapping(
        write(
            tmp_path,
            """
[columns]
"الاسم" = "full_name"
"رقم" = "record_id"
"الجنس" = "notes"

[values.sex]
"ذ" = "M"
""",
        )
    )
    assert mapping.values == {"sex": {"ذ": "M"}}
    header = ["رقم", "الاسم", "الجنس", "Gender"]
    assert fields(header, mapping) == {
        "record_id": "رقم",
        "full_name": "الاسم",
        "notes": "الجنس",
        "sex": "Gender",
    }


def test_explicit_mapping_beats_a_guessed_header(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, '[columns]\n"victim" = "full_name"\n'))
    result = plan(["victim", "name"], mapping)
    assert result.field_columns == {"full_name": 0}
    assert result.unmapped == ["name"]


def test_two_guessed_columns_for_one_field_is_an_error() -> None:
    with pytest.raises(UserError, match="'name' and 'full name' both give field 'full_name'"):
        plan(["name", "full name"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns\n", r"map.toml: not valid TOML"),
        (
            '[columns]\n"a" = "nickname"\n',
            r"map.toml \[columns\] 'a': 'nickname' is not a canonical field",
        ),
        ('[values.colour]\n"x" = "y"\n', r"\[values.colour\]: 'colour' is not a canonical field"),
        ('[values.sex]\n"x" = 1\n', r"\[values.sex\]: must map source text to text"),
        ("[options]\nx = 1\n", r"unknown section \[options\]"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        load_mapping(write(tmp_path, text))


def test_mapping_naming_a_missing_column(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, '[columns]\n"الاسم" = "full_name"\n'))
    with pytest.raises(UserError, match=r"map.toml \[columns\]: column 'الاسم' is not in list.csv"):
        plan(["name"], mapping)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="mapping file not found"):
        load_mapping(tmp_path / "nope.toml")
