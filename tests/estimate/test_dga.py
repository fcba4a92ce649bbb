"""Decomposable-graph model averaging: graph counts, Madigan & York's published numbers,
and the marginal likelihood against a direct Dirichlet-multinomial computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from uncounted.errors import UserError
from uncounted.estimate import DGA, decomposable_graphs
from uncounted.estimate.dga import Graph


@pytest.mark.parametrize(("lists", "count"), [(3, 8), (4, 61), (5, 822)])
def test_number_of_decomposable_graphs(lists, count):
    assert len(decomposable_graphs(lists)) == count


def test_four_cycle_is_not_decomposable():
    cycle = {(0, 1), (1, 2), (2, 3), (0, 3)}
    assert all(set(g.edges) != cycle for g in decomposable_graphs(4))


def test_madigan_york_spina_bifida(load):
    """dga's test of M&Y (1997): delta = 1, their negative-binomial prior on N
    (a = 13.14, b = 55.17): Bayes estimate 731, posterior mode 728, top model 0.37."""
    result = DGA(delta=1.0, prior="negbin", prior_a=13.14, prior_b=55.17).fit(
        load("dga_madigan_york_spina_3lists")
    )
    assert round(result.details["bayes_relative_loss"]) == 731
    assert result.details["posterior_mode"] == 728
    assert round(result.details["model_weights"][0]["weight"], 2) == 0.37
    assert result.details["model_weights"][0]["graph"] == "[S2,S3][S1]"
    assert sum(m["weight"] for m in result.details["model_weights"]) == pytest.approx(1.0)


def test_saturated_graph_equals_dirichlet_multinomial(load):
    """The complete graph's likelihood is the Dirichlet-multinomial of the full table."""
    table = load("conting_spina")
    delta = 0.5
    config = DGA(delta=delta, prior="uniform")
    grid = np.arange(0, 400)
    complete = next(g for g in decomposable_graphs(3) if len(g.edges) == 3)
    ours = config._log_weights(table, (complete,), delta, grid)[0]
    full = table.full_counts().astype(float)
    direct = []
    for n0 in grid:
        y = full.copy()
        y[0] = n0
        big_n = y.sum()
        direct.append(
            special.gammaln(8 * delta) - special.gammaln(big_n + 8 * delta)
            + np.sum(special.gammaln(y + delta) - special.gammaln(delta))
            + special.gammaln(big_n + 1) - special.gammaln(n0 + 1)
        )  # fmt: skip
    direct = np.array(direct)
    assert np.allclose(ours - ours.max(), direct - direct.max(), atol=1e-8)


def test_independence_graph_is_product_of_one_list_margins(load):
    table = load("conting_spina")
    delta = 1.0
    empty = Graph((), (1, 2, 4), ())
    grid = np.arange(0, 300)
    ours = DGA(delta=delta, prior="uniform")._log_weights(table, (empty,), delta, grid)[0]
    totals = list(table.list_totals().values())
    direct = np.zeros(len(grid))
    for t in totals:
        big_n = table.observed + grid
        a = delta * 4  # each cell of a one-list margin pools 4 cells of the 2^3 table
        direct += (
            special.gammaln(t + a) + special.gammaln(big_n - t + a) - 2 * special.gammaln(a)
            + special.gammaln(8 * delta) - special.gammaln(big_n + 8 * delta)
        )  # fmt: skip
    direct += special.gammaln(table.observed + grid + 1) - special.gammaln(grid + 1)
    assert np.allclose(ours - ours.max(), direct - direct.max(), atol=1e-8)


def test_five_lists_and_result_contract(load):
    result = DGA(seed=4).fit(load("dga_madigan_york_5lists"))
    d = result.to_dict()
    assert d["parameters"]["graphs"] == 822
    assert d["observed"] == 537 and d["seed"] == 4
    assert d["lower"] <= d["estimate"] <= d["upper"]
    assert result.interval(0.5)[0] >= result.lower


def test_refuses_other_list_counts(load):
    with pytest.raises(UserError, match="3, 4 or 5 lists"):
        DGA().fit(load("SparseMSE_UKdat"))
