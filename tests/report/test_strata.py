"""The pooling rule: sparse strata are flagged and pooled, never dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uncounted.store.estimates.strata import (
    MIN_OBSERVED,
    agency,
    capture_counts,
    derive,
    sparsity,
    stratify,
)

SOURCES = ["A", "B", "C"]


def persons(groups: dict[str, int], field: str = "governorate", seed: int = 0) -> pd.DataFrame:
    """Persons with random captures on three lists (each seen at least once)."""
    rng = np.random.default_rng(seed)
    rows = []
    for value, n in groups.items():
        caps = rng.random((n, 3)) < 0.5
        caps[~caps.any(axis=1), rng.integers(0, 3)] = True
        for c in caps:
            rows.append({**dict(zip(SOURCES, c.astype(int), strict=True)), field: value})
    return pd.DataFrame(rows)


def total(strata) -> int:
    return sum(s.observed for s in strata)


def test_unordered_small_strata_are_pooled_into_other() -> None:
    frame = persons({"SY01": 400, "SY02": 300, "SY03": 20, "SY04": 15, "SY05": 30})
    strata, missing = stratify(frame, SOURCES, ["governorate"])
    assert missing == 0
    assert total(strata) == len(frame)
    labels = [s.label for s in strata]
    assert "SY01" in labels and "SY02" in labels
    other = [s for s in strata if s.pooled]
    assert len(other) == 1
    assert sorted(other[0].members) == ["SY03", "SY04", "SY05"]
    assert "SY03" in other[0].flag and f"< {MIN_OBSERVED}" in other[0].flag
    assert all(not sparsity(s.persons[SOURCES]) for s in strata)


def test_unordered_other_still_sparse_joins_smallest_passing() -> None:
    frame = persons({"SY01": 400, "SY02": 300, "SY03": 20})
    strata, _ = stratify(
        frame, SOURCES, ["governorate"], labels={"governorate": {"SY02": "Aleppo"}}
    )
    assert total(strata) == len(frame)
    assert len(strata) == 2
    merged = next(s for s in strata if s.pooled)
    assert merged.members == ["Aleppo", "SY03"]


def test_ordered_strata_merge_with_neighbours_only() -> None:
    frame = persons({"2011": 10, "2012": 200, "2013": 30, "2014": 200, "2015": 20}, "death_year")
    strata, _ = stratify(frame, SOURCES, ["death_year"])
    assert total(strata) == len(frame)
    assert all(not sparsity(s.persons[SOURCES]) for s in strata)
    for s in strata:  # contiguous ranges only
        years = [int(m) for m in s.members]
        assert years == list(range(years[0], years[-1] + 1))
    assert next(s.members for s in strata if s.pooled)[0] == "2011"


def test_missing_values_are_counted_not_stratified() -> None:
    frame = persons({"SY01": 100, "": 7})
    strata, missing = stratify(frame, SOURCES, ["governorate"])
    assert missing == 7
    assert total(strata) == 100


def test_sparsity_reasons() -> None:
    few_lists = pd.DataFrame({"A": [1] * 80, "B": [1] * 80, "C": [0] * 80})
    assert "lists" in sparsity(few_lists)
    no_overlap = pd.DataFrame(np.eye(3, dtype=int).repeat(30, axis=0), columns=SOURCES)
    assert "2+ lists" in sparsity(no_overlap)


@pytest.mark.parametrize(
    ("field", "expected"),
    [("death_year", ["2013", "2014", ""]), ("age_group", ["30-44", "60+", "18-29"])],
)
def test_derived_fields(field: str, expected: list[str]) -> None:
    records = pd.DataFrame(
        {
            "death_date": ["2013-05-02", "2014", "x"],
            "birth_date": ["1980", "", "1990"],
            "age": [None, 61, 25],
        }
    )
    assert derive(records, field).tolist() == expected


def test_capture_counts_contract_shape() -> None:
    caps = pd.DataFrame({"A": [1, 1, 0, 1], "B": [0, 0, 1, 1]})
    table = capture_counts(caps)
    assert list(table.columns) == ["A", "B", "count"]
    assert table["count"].sum() == 4
    assert dict(zip(map(tuple, table[["A", "B"]].to_numpy()), table["count"], strict=True)) == {
        (1, 1): 1,
        (1, 0): 2,
        (0, 1): 1,
    }


@pytest.mark.parametrize(
    "text",
    [
        "الأمن العسكري",
        "شعبة المخابرات العسكرية",
        "Military Intelligence",
        "military intelligence directorate",
    ],
)
def test_arresting_parties_group_by_agency_across_scripts(text: str) -> None:
    assert agency(text) == "Military Intelligence Directorate"


def test_police_is_not_intelligence_and_unknown_text_stays() -> None:
    assert agency("الشرطة العسكرية") == "Military Police"
    assert agency("Air Force Intelligence") == "Air Force Intelligence Directorate"
    assert agency("كتيبة مجهولة") == "كتيبة مجهولة"
