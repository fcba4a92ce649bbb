"""The sampler's random variates against scipy's exact distributions (chi-square and KS).

Each regime of each algorithm is covered: binomial by inversion (n·p < 10) and by BTRS
(n·p >= 10, including n·p just above 10, p > 1/2 and n in the millions), Poisson by
multiplication and by PTRS, gamma below and above shape 1, and the multinomial of
``_multinomial`` (binomials then one-by-one draws for the last few persons).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from uncounted.estimate import _rng
from uncounted.estimate._lcmcr_kernel import SMALL_MULTINOMIAL, _multinomial, _truncated_n0

DRAWS = 200_000


@njit
def _binomials(seed, n, p, draws):
    s = _rng.new_state(seed)
    out = np.empty(draws, dtype=np.int64)
    for i in range(draws):
        out[i] = _rng.binomial(s, n, p)
    return out


@njit
def _poissons(seed, lam, draws):
    s = _rng.new_state(seed)
    out = np.empty(draws, dtype=np.int64)
    for i in range(draws):
        out[i] = _rng.poisson(s, lam)
    return out


@njit
def _log_gammas(seed, shape, draws):
    s = _rng.new_state(seed)
    out = np.empty(draws)
    for i in range(draws):
        out[i] = _rng.log_gamma(s, shape)
    return out


@njit
def _normals(seed, draws):
    s = _rng.new_state(seed)
    out = np.empty(draws)
    for i in range(draws):
        out[i] = _rng.normal(s)
    return out


@njit
def _multinomials(seed, total, weight, draws):
    s = _rng.new_state(seed)
    k = weight.shape[0]
    out = np.zeros((draws, k), dtype=np.int64)
    order, cum = np.arange(k), np.empty(k)
    for i in range(draws):
        _multinomial(s, total, weight, out[i], order, cum)
    return out


def chi_square_p(draws: np.ndarray, pmf) -> float:
    """p-value of a chi-square test of integer draws against a pmf, pooling cells with fewer
    than 5 expected draws into one."""
    values = np.arange(draws.min(), draws.max() + 1)
    observed = np.bincount(draws - values[0])
    expected = pmf(values) * len(draws)
    keep = expected >= 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], len(draws) - expected[keep].sum())
    if exp[-1] < 5:  # fold a tiny leftover cell into the last kept cell
        obs, exp = np.append(obs[:-2], obs[-2:].sum()), np.append(exp[:-2], exp[-2:].sum())
    return stats.chisquare(obs, exp).pvalue


BINOMIAL_CASES = [(7, 0.3), (40, 0.24), (40, 0.26), (101, 0.5), (1000, 0.3), (1000, 0.93)]
BINOMIAL_CASES += [(25, 0.999), (3_000_000, 1e-6), (3_000_000, 0.17)]


@pytest.mark.parametrize("n, p", BINOMIAL_CASES)
def test_binomial_matches_exact_distribution(n, p):
    draws = _binomials(11, n, p, DRAWS)
    assert draws.min() >= 0 and draws.max() <= n
    assert chi_square_p(draws, lambda k: stats.binom.pmf(k, n, p)) > 1e-3


def test_binomial_edges():
    assert set(_binomials(1, 0, 0.4, 10)) == {0}
    assert set(_binomials(1, 9, 0.0, 10)) == {0}
    assert set(_binomials(1, 9, 1.0, 10)) == {9}


@pytest.mark.parametrize("lam", [0.3, 9.5, 10.5, 400.0, 2e6])
def test_poisson_matches_exact_distribution(lam):
    draws = _poissons(12, lam, DRAWS)
    assert chi_square_p(draws, lambda k: stats.poisson.pmf(k, lam)) > 1e-3


@pytest.mark.parametrize("shape", [0.02, 0.4, 1.0, 3.5, 2e5])
def test_gamma_matches_exact_distribution(shape):
    logs = _log_gammas(13, shape, DRAWS)
    # log G for G ~ Gamma(a) is scipy's loggamma(a); compared on the log scale, where tiny
    # shapes keep their whole distribution (G itself underflows to 0 for shape 0.02)
    assert stats.kstest(logs, stats.loggamma(shape).cdf).pvalue > 1e-3


def test_normal_matches_exact_distribution():
    assert stats.kstest(_normals(14, DRAWS), stats.norm.cdf).pvalue > 1e-3


def test_same_seed_same_stream():
    assert np.array_equal(_binomials(5, 500, 0.3, 100), _binomials(5, 500, 0.3, 100))
    assert not np.array_equal(_binomials(5, 500, 0.3, 100), _binomials(6, 500, 0.3, 100))


@pytest.mark.parametrize("total", [1, SMALL_MULTINOMIAL, SMALL_MULTINOMIAL + 1, 60, 5000])
def test_multinomial_cells_are_binomial_and_sum(total):
    """Every class count of a multinomial is Binomial(total, w_k / Σ w): checked for one
    dominant class, a middling one and a rare one, across the switch from binomials to
    one-by-one draws; the counts always add up to the total."""
    weight = np.array([3e-4, 5.0, 1e-9, 0.8, 0.0, 0.2, 2.5e-3])  # unnormalised, one zero
    draws = _multinomials(21, total, weight, 60_000)
    assert np.all(draws.sum(axis=1) == total)
    assert np.all(draws[:, 4] == 0)
    prob = weight / weight.sum()
    for k in (1, 3, 6):
        assert chi_square_p(draws[:, k], lambda x, k=k: stats.binom.pmf(x, total, prob[k])) > 1e-3
    # the pair (class 3, class 5) has the multinomial's covariance −total·p3·p5; the s.e. of
    # a sample covariance of near-normal counts is sqrt(var3·var5 + cov²)/sqrt(draws)
    exact = -total * prob[3] * prob[5]
    var3, var5 = (total * prob[k] * (1 - prob[k]) for k in (3, 5))
    se = np.sqrt((var3 * var5 + exact**2) / len(draws))
    assert np.cov(draws[:, 3], draws[:, 5])[0, 1] == pytest.approx(exact, abs=4.5 * se)


@njit
def _n0_draws(seed, n_obs, p0, cap, draws):
    s = _rng.new_state(seed)
    out = np.empty(draws, dtype=np.int64)
    for i in range(draws):
        out[i] = _truncated_n0(s, n_obs, p0, cap)
    return out


@pytest.mark.parametrize(
    "n_obs, p0, cap",
    [(50, 0.3, 1000), (200, 0.95, 4000), (200, 0.97, 4000), (30, 0.999, 600)],
)
def test_unobserved_count_is_truncated_negative_binomial(n_obs, p0, cap):
    """n0 ~ NB(n, 1 − p0) given n0 <= 20 n (LCMCR's truncation): by redrawing when the cap
    is rarely hit, by inversion from the cap down when it binds (p0 = 0.97, 0.999)."""
    draws = _n0_draws(3, n_obs, p0, cap, 100_000)
    assert draws.max() <= cap
    truncated = stats.nbinom(n_obs, 1 - p0)
    mass = truncated.cdf(cap)
    assert chi_square_p(draws, lambda k: truncated.pmf(k) / mass) > 1e-3
