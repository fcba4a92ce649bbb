"""Workspace estimation: strata, pooling, storage and the --json object, on known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uncounted.errors import UserError
from uncounted.store.estimates import service
from uncounted.store.estimates.models import Estimate, unpack_draws

SOURCES = ["A", "B", "C", "D"]
TRUE_BY_GOV = {"SY01": 3000, "SY02": 2000, "SY03": 60, "SY04": 40}


def population(seed: int = 7) -> tuple[pd.DataFrame, int]:
    """Independent lists (p = 0.3 each); the persons no list saw are dropped, as in life."""
    rng = np.random.default_rng(seed)
    govs = np.repeat(list(TRUE_BY_GOV), list(TRUE_BY_GOV.values()))
    caps = (rng.random((len(govs), len(SOURCES))) < 0.3).astype("int8")
    frame = pd.DataFrame(caps, columns=SOURCES)
    frame["governorate"] = govs
    frame.loc[frame.index % 50 == 0, "governorate"] = ""  # missing for 2% of persons
    seen = frame[SOURCES].any(axis=1)
    return frame[seen].reset_index(drop=True), len(govs)


@pytest.mark.django_db
@pytest.mark.postgres
def test_stratified_estimate_is_stored_and_covers_truth() -> None:
    persons, true_n = population()
    stored = service.run(
        by=["governorate"], method="lcmcr", seed=3, persons=persons, sources=SOURCES, actor="t"
    )
    assert stored.lower <= true_n <= stored.upper
    assert stored.observed == len(persons)
    assert stored.missing == int((persons["governorate"] == "").sum()) > 0
    strata = list(stored.strata.all())
    assert sum(s.observed for s in strata) + stored.missing == stored.observed
    pooled = [s for s in strata if s.pooled]
    assert len(pooled) == 1 and "(< 50)" in pooled[0].flag
    assert len(unpack_draws(stored.draws)) > 100
    again = Estimate.objects.get(pk=stored.pk)
    assert again.inputs_hash == stored.inputs_hash and len(again.inputs_hash) == 64


@pytest.mark.django_db
def test_same_inputs_and_seed_give_the_same_numbers() -> None:
    persons, _ = population()
    a = service.run(method="lcmcr", seed=5, persons=persons, sources=SOURCES)
    b = service.run(method="lcmcr", seed=5, persons=persons, sources=SOURCES)
    assert (a.estimate, a.lower, a.upper, a.inputs_hash) == (
        b.estimate,
        b.lower,
        b.upper,
        b.inputs_hash,
    )


@pytest.mark.django_db
def test_json_has_the_mse_keys_and_strata() -> None:
    persons, _ = population()
    stored = service.run(
        by=["governorate"], method="loglinear", seed=1, persons=persons, sources=SOURCES
    )
    out = service.as_json(stored)
    for key in ("method", "observed", "estimate", "lower", "upper", "seed"):
        assert key in out
    assert out["method"] == "loglinear" and out["seed"] == 1
    assert {s["label"] for s in out["strata"] if not s["pooled"]} >= {"Damascus", "Aleppo"}
    assert out["missing"] > 0


def test_bad_field_and_method_are_user_errors() -> None:
    with pytest.raises(UserError, match="not a field"):
        service.check_fields(["shoe_size"])
    with pytest.raises(UserError, match="unknown method"):
        service.make_estimator("magic", 1)
    assert service.check_fields(["year", "facility"]) == ["death_year", "detention_facility"]


def test_a_list_that_never_records_the_field_is_warned_about() -> None:
    persons, _ = population()
    alone_on_d = (persons[SOURCES].sum(axis=1) == 1) & (persons["D"] == 1)
    persons.loc[alone_on_d, "governorate"] = ""
    warnings = service.blind_lists(persons, SOURCES, ["governorate"])
    assert len(warnings) == 1 and warnings[0].startswith("D record(s) almost no governorate")
    assert service.blind_lists(population()[0], SOURCES, ["governorate"]) == []
