"""Governorates, districts and facilities from Arabic and Latin spellings."""

from __future__ import annotations

import pytest

from uncounted.names.places import (
    district_pcode,
    facilities,
    facility_id,
    governorate_pcode,
    governorates,
    subdistrict_pcode,
)


@pytest.mark.parametrize(
    ("text", "pcode"),
    [
        ("دمشق", "SY01"),
        ("محافظة دمشق", "SY01"),
        ("Damascus", "SY01"),
        ("حلب", "SY02"),
        ("Aleppo", "SY02"),
        ("ريف دمشق", "SY03"),
        ("Rif Dimashq", "SY03"),
        ("Damascus Countryside", "SY03"),
        ("حمص", "SY04"),
        ("Hims", "SY04"),
        ("حماة", "SY05"),
        ("حماه", "SY05"),
        ("Lattakia", "SY06"),
        ("اللاذقية", "SY06"),
        ("Idleb", "SY07"),
        ("إدلب", "SY07"),
        ("الحسكة", "SY08"),
        ("Hassakeh", "SY08"),
        ("Al-Hasakah", "SY08"),
        ("دير الزور", "SY09"),
        ("ديرالزور", "SY09"),
        ("Dayr az-Zawr", "SY09"),
        ("Deir ez-Zor", "SY09"),
        ("Tartous", "SY10"),
        ("الرقة", "SY11"),
        ("Ar-Raqqah", "SY11"),
        ("درعا", "SY12"),
        ("Dar'a", "SY12"),
        ("السويداء", "SY13"),
        ("Sweida", "SY13"),
        ("القنيطرة", "SY14"),
        ("Al Qunaytirah", "SY14"),
        ("SY05", "SY05"),
        ("Douma", "SY03"),  # a district: its governorate
    ],
)
def test_governorate_pcodes(text: str, pcode: str) -> None:
    assert governorate_pcode(text) == pcode


@pytest.mark.parametrize("text", ["", "Paris", "xyz", "123"])
def test_unknown_places_give_none(text: str) -> None:
    assert governorate_pcode(text) is None


def test_districts_and_subdistricts() -> None:
    assert district_pcode("دوما") == "SY0302"
    assert district_pcode("Douma") == "SY0302"
    assert district_pcode("Al-Hasakah", "SY08") == "SY0800"
    assert district_pcode("Douma", "SY01") is None  # not in that governorate
    code = subdistrict_pcode("Douma")
    assert code is not None and code.startswith("SY0302")


def test_reference_tables() -> None:
    assert [g.pcode for g in governorates()] == [f"SY{i:02d}" for i in range(1, 15)]
    assert len(facilities()) == 23


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("فرع فلسطين", "mi-235"),
        ("الفرع 235", "mi-235"),
        ("Palestine Branch", "mi-235"),
        ("Branch 215", "mi-215"),
        ("فرع ٢١٥", "mi-215"),
        ("سجن صيدنايا", "mp-saydnaya"),
        ("Sednaya", "mp-saydnaya"),
        ("مطار المزة العسكري", "afi-mezzeh"),
        ("فرع الخطيب", "gid-251"),
        ("مشفى 601", "hosp-601"),
    ],
)
def test_facilities_recognised(text: str, fid: str) -> None:
    assert facility_id(text) == fid


@pytest.mark.parametrize("text", ["", "الأمن السياسي", "فرع 999", "a house in Homs"])
def test_unknown_or_ambiguous_facilities_give_none(text: str) -> None:
    assert facility_id(text) is None
