"""The fast scorer gives Splink's match weights, on Splink's pairs, for the trained model."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from uncounted.link import model, scoring
from uncounted.link.features import build_features
from uncounted.link.pipeline import FEATURE_TABLE


@pytest.fixture
def trained(imported):
    """The imported scenario's features in DuckDB and a model trained on them."""
    from uncounted.link.store import load_records

    features = build_features(load_records())
    named = model.comparison_table(features)
    con = duckdb.connect()
    con.register("named_df", named)
    con.execute(f"CREATE TABLE {FEATURE_TABLE} AS SELECT * FROM named_df")
    con.unregister("named_df")
    result = model.train(con, FEATURE_TABLE, len(named))
    yield con, result.model, named
    con.close()


def _same_pairs_and_weights(fast: pd.DataFrame, splink: pd.DataFrame, at_least: int):
    """The pairs of both, joined, after checking they are the same pairs with one weight."""
    both = fast.merge(
        splink,
        on=["unique_id_l", "unique_id_r"],
        how="outer",
        suffixes=("_f", "_s"),
        indicator=True,
    )
    assert len(fast) == len(splink) > at_least
    assert (both["_merge"] == "both").all()
    assert np.abs(both["match_weight_f"] - both["match_weight_s"]).max() < 1e-6
    return both


@pytest.mark.django_db
def test_every_blocked_pair_gets_splinks_weight(trained, monkeypatch):
    con, trained_model, _ = trained
    monkeypatch.setattr(scoring, "CHUNK", 40)  # many chunks, scored on two threads
    assert scoring.supported(con, FEATURE_TABLE, trained_model)
    fast = scoring.predict(con, FEATURE_TABLE, trained_model, threshold=None)
    splink = model.predict(con, FEATURE_TABLE, trained_model, threshold=None)
    both = _same_pairs_and_weights(fast, splink, at_least=200)
    assert (both["match_key_f"].astype(str) == both["match_key_s"].astype(str)).all()
    # the scored pairs span the whole range, from clear non-matches to certain matches
    assert both["match_probability_f"].min() < 0.01 and both["match_probability_f"].max() > 0.99


@pytest.mark.django_db
def test_given_pairs_and_threshold_match_splink(trained):
    con, trained_model, named = trained
    rng = np.random.default_rng(3)
    ids = named["unique_id"].to_numpy()
    pairs = pd.DataFrame(
        {"unique_id_l": rng.choice(ids, 3000), "unique_id_r": rng.choice(ids, 3000)}
    )
    fast = scoring.score_pairs(con, FEATURE_TABLE, trained_model, pairs)
    splink = model.score_pairs(con, FEATURE_TABLE, trained_model, pairs)
    _same_pairs_and_weights(fast, splink, at_least=2500)
    kept = scoring.predict(con, FEATURE_TABLE, trained_model, threshold=0.5)
    assert len(kept) and kept["match_probability"].min() >= 0.5


@pytest.mark.django_db
def test_a_level_it_cannot_evaluate_means_splink_scores(trained):
    con, trained_model, _ = trained
    odd = {**trained_model, "comparisons": [dict(c) for c in trained_model["comparisons"]]}
    levels = [dict(lv) for lv in odd["comparisons"][0]["comparison_levels"]]
    levels[3]["sql_condition"] = (
        'list_contains("chain_keys_r", "given_key_l") AND '
        'jaro_winkler_similarity("given_key_l", "given_key_r") >= 0.9'
    )
    odd["comparisons"][0] = {**odd["comparisons"][0], "comparison_levels": levels}
    assert not scoring.supported(con, FEATURE_TABLE, odd)
    with pytest.raises(scoring.UnsupportedComparison):
        scoring.plan(con, FEATURE_TABLE, odd)


@pytest.mark.django_db
def test_explanations_are_splinks_levels_and_weights(trained):
    con, trained_model, _ = trained
    pairs = model.predict(con, FEATURE_TABLE, trained_model, threshold=None).iloc[::7]
    pairs = pairs[["unique_id_r", "unique_id_l"]].rename(  # either order of a pair
        columns={"unique_id_r": "unique_id_l", "unique_id_l": "unique_id_r"}
    )
    fast = scoring.explain_pairs(con, FEATURE_TABLE, trained_model, pairs)
    slow = model.explain_pairs(con, FEATURE_TABLE, trained_model, pairs)
    assert len(fast) == len(pairs) > 20
    assert fast == slow
    levels = {part["level"] for row in fast for part in row}
    assert {"missing", "different"} <= levels and len(levels) > 8


@pytest.mark.django_db
def test_pairs_per_blocking_rule_are_splinks_count(trained):
    from uncounted.link.pipeline import _count_blocked

    con, trained_model, _ = trained
    blocked: dict[str, int] = {}
    scoring.predict(con, FEATURE_TABLE, trained_model, 0.5, blocked)
    marginal, estimated = _count_blocked(con)
    assert not estimated and sum(marginal) > 200
    assert [blocked.get(str(i), 0) for i in range(len(marginal))] == marginal


@pytest.mark.django_db
def test_many_chunks_on_two_threads_give_the_same_pairs_every_time(trained, monkeypatch):
    con, trained_model, _ = trained
    monkeypatch.setattr(scoring, "CHUNK", 25)
    runs = [
        scoring.predict(con, FEATURE_TABLE, trained_model, threshold=None).sort_values(
            ["unique_id_l", "unique_id_r"], ignore_index=True
        )
        for _ in range(4)
    ]
    for run in runs[1:]:
        pd.testing.assert_frame_equal(run, runs[0])


@pytest.mark.django_db
def test_the_same_records_give_the_same_model_and_persons(imported):
    from uncounted.link.pipeline import LinkParameters, run_linkage
    from uncounted.link.store import load_records

    records = load_records()
    params = LinkParameters(u_pairs=2e5)
    first, second = run_linkage(records, params=params), run_linkage(records, params=params)
    # m and u equal to rounding (a 16th-digit difference can straddle the 12th digit)
    assert _parameters(first.model) == pytest.approx(_parameters(second.model), rel=1e-11)
    pd.testing.assert_frame_equal(first.pairs, second.pairs)
    pd.testing.assert_frame_equal(first.persons, second.persons)


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [0.001, 0.2, 0.9])
def test_pairs_above_a_threshold_are_splinks_pairs_above_it(trained, threshold):
    con, trained_model, _ = trained
    fast = scoring.predict(con, FEATURE_TABLE, trained_model, threshold=threshold)
    splink = model.predict(con, FEATURE_TABLE, trained_model, threshold=threshold)
    _same_pairs_and_weights(fast, splink, at_least=50)


@pytest.mark.django_db
def test_a_model_the_scorer_cannot_evaluate_is_scored_by_splink_with_the_same_persons(
    imported, monkeypatch
):
    from uncounted.link.pipeline import LinkParameters, run_linkage
    from uncounted.link.store import load_records

    records = load_records()
    params = LinkParameters(u_pairs=2e5)
    fast = run_linkage(records, params=params)
    monkeypatch.setattr(scoring, "supported", lambda *args: False)
    slow = run_linkage(records, params=params)
    pd.testing.assert_frame_equal(slow.persons, fast.persons)
    assert len(slow.pairs) == len(fast.pairs) > 50
    # the pairs per rule: counted on the scored pairs, or by Splink's own count
    assert [r["pairs"] for r in slow.blocking] == [r["pairs"] for r in fast.blocking]
    assert len(slow.review) == len(fast.review)


def _parameters(trained_model: dict) -> list[float]:
    return [
        level.get(key, 0.0)
        for comparison in trained_model["comparisons"]
        for level in comparison["comparison_levels"]
        for key in ("m_probability", "u_probability")
    ]
