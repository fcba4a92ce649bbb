"""Partial dates: precision kept, Arabic-Indic digits, Arabic month names, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from uncounted.names.dates import PartialDate, parse_partial_date


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("2013", "2013", "year"),
        ("2013-05", "2013-05", "month"),
        ("2013-05-12", "2013-05-12", "day"),
        ("12/05/2013", "2013-05-12", "day"),
        ("12.5.2013", "2013-05-12", "day"),
        ("05/2013", "2013-05", "month"),
        ("٢٠١٣", "2013", "year"),
        ("١٢/٠٥/٢٠١٣", "2013-05-12", "day"),
        ("٢٠١٣/٥/١٢", "2013-05-12", "day"),
        ("05/25/2013", "2013-05-25", "day"),  # cannot be day/month: read month first
        ("أيار 2013", "2013-05", "month"),
        ("12 أيار ٢٠١٣", "2013-05-12", "day"),
        ("تشرين الثاني 2012", "2012-11", "month"),
        ("كانون الأول 2012", "2012-12", "month"),
        ("مايو 2013", "2013-05", "month"),
        ("12 May 2013", "2013-05-12", "day"),
        ("May 12, 2013", "2013-05-12", "day"),
        ("2013م", "2013", "year"),
        ("عام 2013", "2013", "year"),
        ("2013-05-12 10:30:00", "2013-05-12", "day"),
        ("2013-05-12T10:30:00.000+03:00", "2013-05-12", "day"),
    ],
)
def test_reads_partial_dates_at_their_precision(text: str, iso: str, precision: str) -> None:
    parsed = parse_partial_date(text)
    assert parsed is not None
    assert parsed.iso == iso
    assert parsed.precision == precision


@pytest.mark.parametrize(
    "text",
    ["", "  ", "abc", "31/02/2013", "12/05/13", "1700", "2013-13", "13/13/2013", "12 foo 2013"],
)
def test_refuses_what_it_cannot_read_safely(text: str) -> None:
    assert parse_partial_date(text) is None


def test_spreadsheet_dates_and_fields() -> None:
    assert parse_partial_date(dt.date(2013, 5, 12)) == PartialDate(2013, 5, 12)
    assert parse_partial_date(dt.datetime(2013, 5, 12, 9, 0)).iso == "2013-05-12"
    assert str(PartialDate(2013, 5)) == "2013-05"
    assert PartialDate(2013).month is None
