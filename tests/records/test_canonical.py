"""Canonical fields from rows, without a database: vocabularies, names, lengths, problems."""

from __future__ import annotations

import json

import pytest

from uncounted.records.canonical import REMAINS, SEX, STATUS, Canonicaliser, _code
from uncounted.records.mapping import Mapping, plan_columns


def derive(header: list[str], rows: list[list[str]], mapping: Mapping | None = None):
    mapping = mapping or Mapping()
    canon = Canonicaliser(header, plan_columns(header, mapping, "t.csv"), mapping)
    return canon.batch([(i + 2, row) for i, row in enumerate(rows)])


@pytest.mark.parametrize(
    ("vocabulary", "value", "code"),
    [
        (SEX, "ذكر", "M"),
        (SEX, "Male", "M"),
        (SEX, "m", "M"),
        (SEX, "أنثى", "F"),
        (SEX, "انثى", "F"),
        (SEX, "FEMALE", "F"),
        (SEX, "غير معروف", ""),
        (SEX, "", ""),
        (SEX, "xyz", None),
        (STATUS, "متوفى", "dead"),
        (STATUS, "متوفاة", "dead"),
        (STATUS, "Died in custody", "dead"),
        (STATUS, "معتقلة", "detained"),
        (STATUS, "مختفي قسرياً", "disappeared"),
        (STATUS, "مختفية", "disappeared"),
        (STATUS, "missing", "disappeared"),
        (STATUS, "أفرج عنه", "released"),
        (STATUS, "released", "released"),
        (REMAINS, "نعم", "yes"),
        (REMAINS, "لم تسلم", "no"),
        (REMAINS, "No", "no"),
    ],
)
def test_coded_values(vocabulary: dict, value: str, code: str | None) -> None:
    assert _code(value, vocabulary) == code


def test_full_name_is_split_only_where_parts_are_absent() -> None:
    header = ["record_id", "full_name", "given_name", "family_name"]
    out = derive(header, [["1", "محمد أحمد علي الحسن", "", ""], ["2", "Omar Aziz", "Omar", "Aziz"]])
    assert out.fields["given_name"] == ["محمد", "Omar"]
    assert out.fields["father_name"][0] == "أحمد"
    assert out.fields["family_name"] == ["الحسن", "Aziz"]
    assert (
        out.fields["name_parse_confidence"][0] > 0
        and out.fields["name_parse_confidence"][1] is None
    )


def test_values_too_long_are_shortened_and_noted() -> None:
    out = derive(["record_id", "place"], [["1", "x" * 400]])
    assert out.fields["place"] == ["x" * 300]
    assert out.problems == {
        0: [{"field": "place", "reason": "longer than 300 characters, shortened"}]
    }
    assert json.loads(out.raw_values[0])["place"] == "x" * 400  # the text as received


def test_district_gives_the_governorate_when_it_is_missing() -> None:
    out = derive(["record_id", "district"], [["1", "دوما"], ["2", "Nowhere"]])
    assert out.fields["district_pcode"] == ["SY0302", ""]
    assert out.fields["governorate_pcode"] == ["SY03", ""]


def test_raw_json_keeps_every_cell_in_order() -> None:
    header = ["record_id", "full_name", "لون"]
    out = derive(header, [["1", "علي", "أحمر"]])
    assert out.raw == ['{"record_id":"1","full_name":"علي","لون":"أحمر"}']
