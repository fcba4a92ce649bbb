"""Log-linear multiple systems estimation (Poisson GLM on the observable cells).

Models: independence (Rcapture's Mt), M0, the Rcapture heterogeneity models Mth-Chao,
Mth-Darroch, Mth-Poisson2 and Mth-Gamma3.5 (Rivest & Baillargeon 2007), and models with
two-way interactions chosen by AIC or BIC, exhaustively over all subsets of pairs (up to 5
lists) or stepwise as in SparseMSE (Chan, Silverman & Vincent 2021). A model whose MLE of N
is not finite or not identified is never reported: the check is the linear programme in
:func:`uncounted.estimate.glm.intercept_recession`.

N̂ = n + exp(β̂0): every column is 0 on the unobserved cell, so the intercept is its log mean.
Intervals come from the multinomial profile likelihood of N (Cormack 1992), as Rcapture's
closedpCI does; the point estimate's standard error is the delta-method one of Rcapture.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from uncounted.errors import UserError
from uncounted.estimate import diagnostics as diag
from uncounted.estimate.glm import PoissonFit, fit_poisson, intercept_recession
from uncounted.estimate.result import EstimateResult
from uncounted.estimate.table import CaptureTable

HETEROGENEITY = ("Chao", "Darroch", "Poisson2", "Gamma3.5")
NAMED_MODELS = ("M0", "Mt", "independence", *(f"Mth-{h}" for h in HETEROGENEITY))
EXHAUSTIVE_MAX_LISTS = 5
PROFILE_POINTS = 120


@dataclass(frozen=True)
class ModelSpec:
    """A log-linear model: main effects (or M0's common one), pairs, heterogeneity form."""

    pairs: tuple[tuple[int, int], ...] = ()
    heterogeneity: str | None = None
    common: bool = False  # M0: one capture parameter for all lists

    def name(self, lists: Sequence[str]) -> str:
        base = "M0" if self.common else ("Mth" if self.heterogeneity else "Mt")
        parts = [base + (f"-{self.heterogeneity}" if self.heterogeneity else "")]
        parts += [f"{lists[i]}:{lists[j]}" for i, j in self.pairs]
        return " + ".join(parts)


@dataclass(frozen=True)
class _Fitted:
    spec: ModelSpec
    fit: PoissonFit
    observed: int
    n_cells: int

    @property
    def unobserved(self) -> float:
        return float(math.exp(min(self.fit.beta[0], 700.0)))

    @property
    def aic(self) -> float:
        return -2 * self.fit.loglik + 2 * self.fit.n_params

    @property
    def bic(self) -> float:
        return -2 * self.fit.loglik + math.log(self.observed) * self.fit.n_params

    def criterion(self, name: str) -> float:
        return self.aic if name == "aic" else self.bic

    @property
    def stderr(self) -> float:
        """Rcapture's s.e. of N̂ = n + exp(β0): sqrt(n0 + n0² var(β0)) (delta method)."""
        n0 = self.unobserved
        return float(math.sqrt(max(n0 + n0**2 * self.fit.cov[0, 0], 0.0)))


@dataclass(frozen=True)
class LogLinear:
    """Configuration of a log-linear estimate; :meth:`fit` runs it on a table.

    ``model``: 'auto' (two-way interactions chosen by ``criterion``), 'Mt'/'independence',
    'M0', 'Mth-Chao', 'Mth-Darroch', 'Mth-Poisson2', 'Mth-Gamma3.5'.
    ``interactions``: fixed pairs of list names added to the model (with 'Mt' or 'Mth-*').
    ``search``: 'exhaustive', 'stepwise' or 'auto' (exhaustive up to 5 lists).
    """

    model: str = "auto"
    criterion: str = "aic"
    search: str = "auto"
    interactions: tuple[tuple[str, str], ...] = ()
    level: float = 0.95
    max_lists: int = 12
    seed: int | None = None
    candidates: int = field(default=10, repr=False)

    method = "loglinear"

    def fit(self, table: CaptureTable) -> EstimateResult:
        """Fit (or select) the model, then profile the likelihood of N for the interval."""
        self._check()
        warnings: list[str] = []
        dropped = [name for name in table.lists if name not in table.active_lists()]
        if dropped:
            warnings.append(f"lists that recorded nobody were left out: {', '.join(dropped)}")
            table = table.drop_empty_lists()
        if table.n_lists < 2 or table.n_lists > self.max_lists:
            raise UserError(
                f"loglinear: {table.n_lists} list(s) with records; log-linear models need 2 "
                f"to {self.max_lists} (use --method lcmcr for more)"
            )
        design = _Design(table)
        chosen, ranking = self._choose(design)
        n_hat = table.observed + chosen.unobserved
        grid, loglik = profile_likelihood(design, chosen.spec, n_hat)
        lower, upper = _profile_bounds(design, chosen.spec, grid, loglik, self.level)
        warnings += diag.table_warnings(table)
        warnings += diag.tail_warning(n_hat, lower, upper, table.observed)
        if not chosen.fit.converged:
            warnings.append("the model fit did not converge")
        if chosen.spec.heterogeneity and chosen.fit.beta[-1] < 0:
            warnings.append("heterogeneity parameter is negative: the Mth model does not fit")
        return EstimateResult(
            method=self.method,
            observed=table.observed,
            estimate=float(n_hat),
            lower=lower,
            upper=upper,
            level=self.level,
            seed=self.seed,
            table_hash=table.sha256,
            lists=table.lists,
            parameters={
                "model": self.model,
                "criterion": self.criterion,
                "search": self._search(table.n_lists),
                "interactions": [list(p) for p in self.interactions],
                "level": self.level,
            },
            profile=(grid, loglik),
            warnings=tuple(warnings),
            details={
                "model": chosen.spec.name(table.lists),
                "criterion": self.criterion,
                "stderr": chosen.stderr,
                "aic": chosen.aic,
                "bic": chosen.bic,
                "loglik": chosen.fit.loglik,
                "deviance": design.deviance(chosen.fit),
                "df": design.n_cells - chosen.fit.n_params,
                "coefficients": dict(
                    zip(design.column_names(chosen.spec), chosen.fit.beta.tolist(), strict=True)
                ),
                "candidates": ranking[: self.candidates],
            },
        )

    def _check(self) -> None:
        if self.model not in (*NAMED_MODELS, "auto"):
            raise UserError(f"loglinear: unknown model '{self.model}' ({', '.join(NAMED_MODELS)})")
        if self.criterion not in ("aic", "bic"):
            raise UserError("loglinear: criterion must be 'aic' or 'bic'")
        if self.search not in ("auto", "exhaustive", "stepwise"):
            raise UserError("loglinear: search must be 'auto', 'exhaustive' or 'stepwise'")

    def _search(self, n_lists: int) -> str:
        if self.search != "auto":
            return self.search
        return "exhaustive" if n_lists <= EXHAUSTIVE_MAX_LISTS else "stepwise"

    def _choose(self, design: _Design) -> tuple[_Fitted, list[dict]]:
        fixed = design.pairs_from_names(self.interactions)
        if self.model != "auto":
            spec = _named_spec(self.model, fixed, design.n_lists)
            fitted = design.fit(spec)
            status = design.check(spec)
            if status != "ok":
                raise UserError(f"loglinear: model {spec.name(design.lists)}: {_STATUS[status]}")
            return fitted, [design.describe(fitted, status)]
        if self._search(design.n_lists) == "exhaustive":
            return design.select_exhaustive(fixed, self.criterion)
        return design.select_stepwise(fixed, self.criterion)


_STATUS = {
    "ok": "finite MLE",
    "infinite": "no finite MLE of N (the data do not bound it)",
    "unidentifiable": "N is not identifiable from the observed cells",
    "boundary": "the MLE lies on the boundary (N̂ = n): the data cannot support this model",
    "no_mle": "some parameters have no finite MLE (an empty overlap): the model is too rich",
}


def _named_spec(model: str, pairs: tuple[tuple[int, int], ...], n_lists: int) -> ModelSpec:
    if model == "M0":
        return ModelSpec(common=True)
    if model in ("Mt", "independence"):
        return ModelSpec(pairs=pairs)
    heterogeneity = model.removeprefix("Mth-")
    if heterogeneity == "Chao" and n_lists < 3:
        raise UserError("loglinear: Mth-Chao needs at least 3 lists")
    return ModelSpec(pairs=pairs, heterogeneity=heterogeneity)


class _Design:
    """The observable cells of a table and the columns of every model on them."""

    def __init__(self, table: CaptureTable) -> None:
        self.lists = table.lists
        self.n_lists = table.n_lists
        self.observed = table.observed
        codes = np.arange(1 << self.n_lists, dtype=np.int64)
        shifts = np.arange(self.n_lists - 1, -1, -1, dtype=np.int64)
        self.bits = ((codes[:, None] >> shifts) & 1).astype(float)  # row 0: unobserved cell
        self.y_full = table.full_counts().astype(float)
        self.y = self.y_full[1:]
        self.n_cells = len(self.y)
        self._fits: dict[ModelSpec, _Fitted] = {}
        self._checks: dict[ModelSpec, str] = {}

    def pairs_from_names(self, names: Sequence[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
        index = {name: j for j, name in enumerate(self.lists)}
        out = set()
        for a, b in names:
            if a not in index or b not in index or a == b:
                raise UserError(f"loglinear: interaction {a}:{b} does not name two lists")
            out.add(tuple(sorted((index[a], index[b]))))
        return tuple(sorted(out))

    def columns(self, spec: ModelSpec, rows: slice | None = None) -> np.ndarray:
        """Design matrix on all 2^J cells (row 0 is the unobserved cell, all columns 0 there)."""
        bits = self.bits
        s = bits.sum(axis=1)
        cols = [np.ones(len(bits))]
        cols += [s] if spec.common else [bits[:, j] for j in range(self.n_lists)]
        cols += [bits[:, i] * bits[:, j] for i, j in spec.pairs]
        cols += _heterogeneity_columns(spec.heterogeneity, s, self.n_lists)
        X = np.column_stack(cols)
        return X if rows is None else X[rows]

    def column_names(self, spec: ModelSpec) -> list[str]:
        names = ["(intercept)"]
        names += ["captures"] if spec.common else list(self.lists)
        names += [f"{self.lists[i]}:{self.lists[j]}" for i, j in spec.pairs]
        n_het = len(_heterogeneity_columns(spec.heterogeneity, np.zeros(1), self.n_lists))
        names += [f"h{k + 1}" for k in range(n_het)]
        return names

    def fit(self, spec: ModelSpec) -> _Fitted:
        if spec not in self._fits:
            X = self.columns(spec, slice(1, None))
            fit = fit_poisson(X, self.y)
            if spec.heterogeneity == "Chao":
                fit = self._chao_nonnegative(spec, X, fit)
            self._fits[spec] = _Fitted(spec, fit, self.observed, self.n_cells)
        return self._fits[spec]

    def _chao_nonnegative(self, spec: ModelSpec, X: np.ndarray, fit: PoissonFit) -> PoissonFit:
        """Rcapture's rule for Chao's model: drop hinge columns whose slope is negative."""
        n_het = _n_het(spec, self.n_lists)
        first = X.shape[1] - n_het
        keep = list(range(X.shape[1]))
        while True:
            hinge = [c for c in keep if c >= first]
            beta = dict(zip(keep, fit.beta, strict=True))
            negative = [c for c in hinge if beta[c] < 0]
            if not negative:
                break
            keep.remove(min(negative, key=lambda c: beta[c]))
            fit = fit_poisson(X[:, keep], self.y)
        if len(keep) == X.shape[1]:
            return fit
        full_beta = np.zeros(X.shape[1])
        full_beta[keep] = fit.beta
        cov = np.zeros((X.shape[1], X.shape[1]))
        cov[np.ix_(keep, keep)] = fit.cov
        return PoissonFit(full_beta, fit.mu, fit.loglik, cov, fit.converged, fit.iterations)

    def check(self, spec: ModelSpec) -> str:
        if spec not in self._checks:
            X = self.columns(spec, slice(1, None))
            self._checks[spec] = intercept_recession(X, self.y)
        return self._checks[spec]

    def deviance(self, fit: PoissonFit) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(self.y > 0, self.y * np.log(self.y / fit.mu), 0.0)
        return float(2 * np.sum(term - (self.y - fit.mu)))

    def describe(self, fitted: _Fitted, status: str) -> dict:
        return {
            "model": fitted.spec.name(self.lists),
            "estimate": self.observed + fitted.unobserved if status == "ok" else None,
            "aic": fitted.aic,
            "bic": fitted.bic,
            "status": status,
        }

    def select_exhaustive(
        self, fixed: tuple[tuple[int, int], ...], criterion: str
    ) -> tuple[_Fitted, list[dict]]:
        """Every subset of the two-way interactions; the best by criterion among valid fits."""
        pairs = list(itertools.combinations(range(self.n_lists), 2))
        optional = [p for p in pairs if p not in fixed]
        fits = []
        for r in range(len(optional) + 1):
            for subset in itertools.combinations(optional, r):
                spec = ModelSpec(pairs=tuple(sorted(fixed + subset)))
                fits.append(self.fit(spec))
        fits.sort(key=lambda f: f.criterion(criterion))
        return self._first_valid(fits)

    def select_stepwise(
        self, fixed: tuple[tuple[int, int], ...], criterion: str
    ) -> tuple[_Fitted, list[dict]]:
        """Forward stepwise over two-way interactions (SparseMSE): add the best valid term."""
        current = self.fit(ModelSpec(pairs=fixed))
        if self.check(current.spec) != "ok":
            raise UserError(f"loglinear: {current.spec.name(self.lists)}: no finite MLE of N")
        tried: list[_Fitted] = [current]
        pairs = list(itertools.combinations(range(self.n_lists), 2))
        while True:
            options = [
                self.fit(ModelSpec(pairs=tuple(sorted((*current.spec.pairs, p)))))
                for p in pairs
                if p not in current.spec.pairs
            ]
            options.sort(key=lambda f: f.criterion(criterion))
            tried += options
            better = [
                f for f in options if f.criterion(criterion) < current.criterion(criterion) - 1e-9
            ]
            step = next((f for f in better if self.check(f.spec) == "ok"), None)
            if step is None:
                break
            current = step
        tried.sort(key=lambda f: f.criterion(criterion))
        ranking = [self.describe(f, self.check(f.spec)) for f in tried[:10]]
        return current, ranking

    def _first_valid(self, fits: list[_Fitted]) -> tuple[_Fitted, list[dict]]:
        ranking = []
        chosen = None
        for fitted in fits:
            status = self.check(fitted.spec)
            if len(ranking) < 10:
                ranking.append(self.describe(fitted, status))
            if status == "ok":
                chosen = fitted
                break
        if chosen is None:
            raise UserError("loglinear: no candidate model has a finite, identified MLE of N")
        return chosen, ranking


def _n_het(spec: ModelSpec, n_lists: int) -> int:
    return len(_heterogeneity_columns(spec.heterogeneity, np.zeros(1), n_lists))


def _heterogeneity_columns(kind: str | None, s: np.ndarray, n_lists: int) -> list[np.ndarray]:
    """Columns h(number of captures), all 0 at no capture (Rivest & Baillargeon 2007)."""
    if kind is None:
        return []
    if kind == "Chao":
        return [np.maximum(s - k, 0.0) for k in range(2, n_lists)]
    if kind == "Darroch":
        return [s**2 / 2]
    if kind == "Poisson2":
        return [2.0**s - 1]
    if kind == "Gamma3.5":
        return [-np.log(3.5 + s) + np.log(3.5)]
    raise UserError(f"loglinear: unknown heterogeneity '{kind}'")


def profile_loglik(design: _Design, spec: ModelSpec, total: float) -> float:
    """Multinomial log-likelihood of the complete table at N = total, maximised over β."""
    X = design.columns(spec)
    y = design.y_full.copy()
    y[0] = total - design.observed
    fit = fit_poisson(X, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(fit.mu / total), 0.0)
    return float(
        np.sum(term) + special.gammaln(total + 1) - special.gammaln(total - design.observed + 1)
    )


def profile_likelihood(
    design: _Design, spec: ModelSpec, n_hat: float
) -> tuple[np.ndarray, np.ndarray]:
    """Profile log-likelihood of N on a grid from n to well past the 99.9% upper bound."""
    n = design.observed
    cut = stats.chi2.ppf(0.999, 1) / 2 + 1.0
    centre = max(n_hat, n + 0.5)
    top = profile_loglik(design, spec, centre)
    hi = centre + max(centre - n, 1.0)
    while profile_loglik(design, spec, hi) > top - cut and hi < 1e4 * (n + 10):
        hi = n + (hi - n) * 2
    grid = np.unique(
        np.concatenate(
            [
                np.linspace(n + 1e-6, centre, PROFILE_POINTS // 2),
                np.geomspace(max(centre - n, 1e-3), hi - n, PROFILE_POINTS // 2) + n,
            ]
        )
    )
    loglik = np.array([profile_loglik(design, spec, x) for x in grid])
    return grid, loglik


def _profile_bounds(
    design: _Design,
    spec: ModelSpec,
    grid: np.ndarray,
    loglik: np.ndarray,
    level: float,
) -> tuple[float, float]:
    """Refine the likelihood-ratio interval's end points with a root finder."""
    best = int(np.argmax(loglik))
    top = loglik[best]
    if 0 < best < len(grid) - 1:
        res = optimize.minimize_scalar(
            lambda x: -profile_loglik(design, spec, x),
            bounds=(grid[best - 1], grid[best + 1]),
            method="bounded",
        )
        top = max(top, -res.fun)
    cut = top - stats.chi2.ppf(level, 1) / 2

    def gap(x: float) -> float:
        return profile_loglik(design, spec, x) - cut

    inside = np.nonzero(loglik >= cut)[0]
    lo_i, hi_i = inside[0], inside[-1]
    lower = (
        float(optimize.brentq(gap, grid[lo_i - 1], grid[lo_i], xtol=1e-6))
        if lo_i > 0
        else float(design.observed)
    )
    upper = (
        float(optimize.brentq(gap, grid[hi_i], grid[hi_i + 1], xtol=1e-6))
        if hi_i < len(grid) - 1
        else math.inf
    )
    return lower, upper


def rcapture_models(table: CaptureTable) -> list[dict]:
    """The Rcapture closedp.t table: M0, Mt and the Mth models, with N̂, s.e., AIC, BIC."""
    design = _Design(table.drop_empty_lists())
    out = []
    for model in ("M0", "Mt", *(f"Mth-{h}" for h in HETEROGENEITY)):
        if model == "Mth-Chao" and design.n_lists < 3:
            continue
        spec = _named_spec(model, (), design.n_lists)
        fitted = design.fit(spec)
        status = design.check(spec)
        row = design.describe(fitted, status)
        row.update(
            model=model,
            stderr=fitted.stderr if status == "ok" else None,
            deviance=design.deviance(fitted.fit),
            df=design.n_cells - fitted.fit.n_params,
        )
        out.append(row)
    return out
