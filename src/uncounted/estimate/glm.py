"""Poisson log-linear fitting (IRLS) and the existence check for the MLE of N.

Written with numpy rather than statsmodels: the models are small (at most 2^J − 1 cells) and
we need control over non-existent MLEs, which a general GLM library reports only as a
convergence failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

ETA_MAX = 700.0  # exp overflow guard


@dataclass(frozen=True)
class PoissonFit:
    """Maximum-likelihood fit of a Poisson log-linear model."""

    beta: np.ndarray
    mu: np.ndarray
    loglik: float
    cov: np.ndarray
    converged: bool
    iterations: int

    @property
    def n_params(self) -> int:
        return len(self.beta)


def fit_poisson(
    X: np.ndarray, y: np.ndarray, max_iter: int = 200, tol: float = 1e-10
) -> PoissonFit:
    """Iteratively reweighted least squares with step halving (log link)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    mu = y + max(y.mean(), 1.0) * 0.1 + 0.1
    eta = np.log(mu)
    beta = np.linalg.lstsq(X, eta, rcond=None)[0]
    eta = np.clip(X @ beta, -ETA_MAX, ETA_MAX)
    mu = np.exp(eta)
    ll_old = _loglik(y, mu)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - it is reported
        w = np.sqrt(mu)
        z = eta + (y - mu) / mu
        step = np.linalg.lstsq(X * w[:, None], z * w, rcond=None)[0]
        new_beta, ll_new = step, -np.inf
        for _ in range(30):
            new_eta = np.clip(X @ new_beta, -ETA_MAX, ETA_MAX)
            ll_new = _loglik(y, np.exp(new_eta))
            if ll_new >= ll_old - 1e-12 * abs(ll_old):
                break
            new_beta = (new_beta + beta) / 2
        beta, eta = new_beta, new_eta
        mu = np.exp(eta)
        if abs(ll_new - ll_old) <= tol * (abs(ll_new) + 1.0):
            ll_old = ll_new
            converged = True
            break
        ll_old = ll_new
    info = X.T @ (X * mu[:, None])
    cov = np.linalg.pinv(info)
    return PoissonFit(beta, mu, float(ll_old), cov, converged, it)


def _loglik(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson log-likelihood including the log(y!) constant (as R's glm reports it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(mu), 0.0)
    return float(np.sum(term - mu - special.gammaln(y + 1)))


def intercept_recession(X_obs: np.ndarray, y_obs: np.ndarray, tol: float = 1e-7) -> str:
    """Whether the MLE of the intercept (hence of N) is finite and identified.

    A direction d along which the likelihood never decreases satisfies X d = 0 on cells with
    counts and X d <= 0 on empty cells. If such a d can raise the intercept, N has no finite
    MLE ('infinite'); if it can both raise and lower it, N is not identified
    ('unidentifiable'); if it can only lower it, the MLE sits at N = n ('boundary'). If some
    other parameter runs off to infinity ('no_mle'), the model is really a smaller one with
    wrongly counted parameters, so it is rejected too, as SparseMSE does. 'ok' otherwise.
    Solved as linear programmes.
    """
    positive = y_obs > 0
    p = X_obs.shape[1]
    a_eq = X_obs[positive] if positive.any() else None
    b_eq = np.zeros(int(positive.sum())) if positive.any() else None
    a_ub = X_obs[~positive] if (~positive).any() else None
    b_ub = np.zeros(int((~positive).sum())) if (~positive).any() else None
    bounds = [(-1.0, 1.0)] * p
    extremes = []
    for sign in (-1.0, 1.0):  # maximise, then minimise, the intercept coordinate
        c = np.zeros(p)
        c[0] = sign
        res = optimize.linprog(
            c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
        )
        extremes.append(sign * res.fun if res.status == 0 else 0.0)
    up, down = extremes[0] > tol, extremes[1] < -tol
    if up and down:
        return "unidentifiable"
    if up:
        return "infinite"
    if down:
        return "boundary"
    if np.linalg.matrix_rank(X_obs) < p:
        return "unidentifiable"
    if a_ub is not None:  # can the fit run off to infinity without moving N?
        res = optimize.linprog(
            a_ub.sum(axis=0), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
            method="highs",
        )  # fmt: skip
        if res.status == 0 and res.fun < -tol:
            return "no_mle"
    return "ok"
