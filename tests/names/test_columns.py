"""Column versions (one call per distinct value) and name frequencies."""

from __future__ import annotations

import pandas as pd
import pytest

from uncounted.names import (
    NameFrequencies,
    name_key,
    name_keys,
    normalize_name,
    normalize_names,
    parse_name_chain,
    prepare_names,
)
from uncounted.names.columns import distinct_map

VALUES = ["محمد", "Mohammed", None, "محمد", "علي", float("nan"), "Mhd"]


def test_column_versions_match_the_scalar_functions() -> None:
    expected = [normalize_name(v) if isinstance(v, str) else "" for v in VALUES]
    assert normalize_names(VALUES) == expected
    assert name_keys(VALUES) == [name_key(v) if isinstance(v, str) else "" for v in VALUES]
    assert name_keys(pd.Series(VALUES)) == name_keys(VALUES)
    assert name_keys(iter(VALUES)) == name_keys(VALUES)


def test_distinct_map_calls_once_per_distinct_value() -> None:
    calls: list[str] = []

    def spy(value: str) -> str:
        calls.append(value)
        return value.upper()

    assert distinct_map(["a", "b", "a", None, "a"], spy) == ["A", "B", "A", "", "A"]
    assert sorted(calls) == ["", "a", "b"]


def test_frequencies_count_across_scripts() -> None:
    freq = NameFrequencies.from_values(["محمد", "Mohammed", "Mhd", "علي", "", None])
    assert freq.total == 4
    assert freq.key_frequency("Muhammad") == pytest.approx(0.75)
    assert freq.frequency("محمد") == pytest.approx(0.25)
    assert freq.key_frequency("Zaid") == 0.0
    table = freq.table()
    assert table.iloc[0]["value"] == "mhmd"
    assert table["frequency"].sum() == pytest.approx(1.0)


def test_prepare_names_matches_the_scalar_functions() -> None:
    values = [
        "محمد أحمد الحسن",
        None,
        "Mhd Ahmed Alhassan",
        "",
        "محمد أحمد الحسن",
        "Abd al-Rahman Nour ad-Din",
    ]
    table = prepare_names(values)
    assert list(table.columns) == [
        "name",
        "key",
        "given",
        "father",
        "grandfather",
        "family",
        "confidence",
    ]
    assert len(table) == len(values)
    for row, value in zip(table.itertuples(index=False), values, strict=True):
        text = value or ""
        chain = parse_name_chain(text)
        assert row.name == normalize_name(text)
        assert row.key == name_key(text)
        assert (row.given, row.father, row.grandfather, row.family) == (
            chain.given,
            chain.father,
            chain.grandfather,
            chain.family,
        )
        assert row.confidence == chain.confidence
    assert table["confidence"].dtype == float
    assert len(prepare_names([])) == 0
