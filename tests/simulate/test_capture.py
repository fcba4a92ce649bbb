"""Capture follows the parameters: rates, windows, heterogeneity, dependence, independence."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from uncounted.simulate import SimulationConfig, simulate


def chapman(n1: int, n2: int, m: int) -> tuple[float, float]:
    """Chapman's (1951) nearly unbiased two-list estimate and its variance (Seber 1970)."""
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    return estimate, variance


def two_list_counts(table, a: str, b: str) -> tuple[int, int, int]:
    """n_a, n_b and the overlap m from a capture-history table."""
    count = table["count"]
    return (
        int(count[table[a] == 1].sum()),
        int(count[table[b] == 1].sum()),
        int(count[(table[a] == 1) & (table[b] == 1)].sum()),
    )


@pytest.fixture(scope="module")
def independent(tmp_path_factory):
    config = SimulationConfig.independent_homogeneous(20_000, seed=3)
    return simulate(config, tmp_path_factory.mktemp("independent"))


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    return simulate(SimulationConfig(size=20_000, seed=4), tmp_path_factory.mktemp("realistic"))


def test_independent_capture_rates_equal_base_rates(independent):
    n = independent.config.size
    for spec in independent.config.lists:
        rate = independent.captures[spec.name].mean()
        sd = np.sqrt(spec.base_rate * (1 - spec.base_rate) / n)
        assert abs(rate - spec.base_rate) < 4 * sd, spec.name


def test_independent_homogeneous_chapman_gives_back_n(independent):
    n = independent.config.size
    table = independent.capture_table
    names = [s.name for s in independent.config.lists]
    for a, b in itertools.combinations(names, 2):
        estimate, variance = chapman(*two_list_counts(table, a, b))
        assert abs(estimate - n) < 4 * np.sqrt(variance), (a, b, estimate)


def test_independent_lists_are_independent_in_every_stratum(independent):
    captures, pop = independent.captures, independent.population
    for group in (pop["governorate_pcode"] == "SY12", pop["death_year"] >= 2016):
        for spec in independent.config.lists:
            rate = captures.loc[group.to_numpy(), spec.name].mean()
            sd = np.sqrt(spec.base_rate * (1 - spec.base_rate) / group.sum())
            assert abs(rate - spec.base_rate) < 4 * sd


def test_realistic_heterogeneity_and_dependence_bias_chapman_down(realistic):
    """Shared visibility and forwarding make lists positively dependent: Chapman undercounts."""
    estimate, variance = chapman(
        *two_list_counts(realistic.capture_table, "ngo_arabic", "family_reports")
    )
    assert estimate + 4 * np.sqrt(variance) < realistic.config.size


def test_realistic_windows_and_governorate_effects(realistic):
    pop, cap = realistic.population, realistic.captures
    photos = realistic.config.lists[-1]
    outside = (pop["death_year"] > photos.death_years[1]) | ~pop["facility_id"].isin(
        photos.facility_ids
    )
    assert cap.loc[outside.to_numpy(), "body_photos"].sum() == 0
    assert cap.loc[~outside.to_numpy(), "body_photos"].mean() > 0.2
    notices = cap["death_notices"]
    hama = notices[(pop["governorate_pcode"] == "SY05").to_numpy()].mean()
    idlib = notices[(pop["governorate_pcode"] == "SY07").to_numpy()].mean()
    assert hama > 0.3 > 0.05 > idlib


def test_realistic_families_report_to_the_arabic_ngo(realistic):
    cap = realistic.captures
    with_family = cap.loc[cap["family_reports"], "ngo_arabic"].mean()
    without = cap.loc[~cap["family_reports"], "ngo_arabic"].mean()
    assert with_family > without + 0.25


def test_realistic_population_shape(realistic):
    pop = realistic.population
    assert 0.93 < (pop["sex"] == "M").mean() < 0.97
    years = pop["death_year"].value_counts(normalize=True)
    assert set(years.index) == set(range(2011, 2019))
    assert years[2013] > years[2011] and years[2013] > years[2018]
    assert (pop["arrest_date"] <= pop["death_date"]).all()
    assert (pop["arrest_date"] >= np.datetime64("2011-03-15")).all()
    assert pop["governorate_pcode"].value_counts().index[0] == "SY03"
    top = pop.loc[pop["sex"] == "M", "given_name"].value_counts(normalize=True)
    assert top.index[0] == "محمد" and top.iloc[0] > 0.05


def test_realistic_capture_follows_the_logistic_model(realistic):
    """Within bins of the latent visibility, the capture share matches the model's mean."""
    from uncounted.simulate.capture import capture_probabilities

    pop, cap = realistic.population, realistic.captures
    for spec in realistic.config.lists:
        if spec.forward_from:
            continue  # forwarding adds to the model; checked in its own test
        p = capture_probabilities(pop, spec, pop["visibility"].to_numpy(), independent=False)
        bins = np.digitize(pop["visibility"], [-1.0, 0.0, 1.0])
        for b in range(4):
            rows = (bins == b) & (p > 0)
            expected, n = p[rows].mean(), rows.sum()
            observed = cap.loc[rows, spec.name].mean()
            sd = np.sqrt(p[rows] @ (1 - p[rows])) / n
            assert abs(observed - expected) < 4 * sd, (spec.name, b, observed, expected)
        high = cap.loc[(pop["visibility"] > 1).to_numpy() & (p > 0), spec.name].mean()
        low = cap.loc[(pop["visibility"] < -1).to_numpy() & (p > 0), spec.name].mean()
        assert high > low  # visible people are on every list more often
