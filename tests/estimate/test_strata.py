"""Stratified estimation: total from summed draws; small strata flagged and floored."""

from __future__ import annotations

import json

import numpy as np

from uncounted.estimate import DGA, LCMCR, CaptureTable, LogLinear, fit_strata


def table(scale: int) -> CaptureTable:
    patterns = np.array(
        [[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0], [0, 0, 1]]
    )
    return CaptureTable(("A", "B", "C"), patterns, np.array([2, 8, 6, 30, 5, 25, 20]) * scale)


def test_total_is_sum_of_stratum_draws_and_small_strata_are_kept():
    tables = {"north": table(1), "south": table(3), "tiny": table(1).drop_empty_lists()}
    tiny = CaptureTable(("A", "B", "C"), np.array([[1, 0, 0], [0, 1, 0]]), [2, 3])
    tables["tiny"] = tiny
    config = LCMCR(chains=2, burn_in=200, samples=500, thinning=5)
    result = fit_strata(config, tables, draws=2000, seed=9)
    assert set(result.strata) == {"north", "south"}
    assert "tiny" in result.flagged and "5 persons" in result.flagged["tiny"]
    assert result.total.observed == table(1).observed + table(3).observed + 5
    assert result.total.draws.min() >= result.total.observed
    medians = sum(r.estimate for r in result.strata.values()) + 5
    assert abs(result.total.estimate - medians) < 0.1 * medians
    assert any("tiny" in w for w in result.total.warnings)
    again = fit_strata(config, tables, draws=2000, seed=9)
    assert np.array_equal(again.total.draws, result.total.draws)
    json.dumps(result.to_dict())
    assert "tiny" in result.summary


def test_estimator_refusal_is_flagged_not_dropped():
    tables = {
        "three": table(2),
        "two": CaptureTable(("A", "B"), np.array([[1, 1], [1, 0], [0, 1]]), [5, 20, 30]),
    }
    result = fit_strata(DGA(), tables, draws=1000, seed=1)
    assert "two" in result.flagged and "3, 4 or 5 lists" in result.flagged["two"]
    assert result.total.observed == table(2).observed + 55


def test_loglinear_strata_draw_from_profile_likelihood():
    result = fit_strata(LogLinear(model="Mt"), {"a": table(1), "b": table(2)}, draws=4000, seed=3)
    point = sum(r.estimate for r in result.strata.values())
    assert abs(result.total.estimate - point) < 0.05 * point
