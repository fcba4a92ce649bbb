"""The frozen result every estimator returns, with intervals at any level and JSON export.

A result carries what is needed to reproduce and audit it: the table's hash, the method's
parameters, the seed and the package version, plus diagnostics and warnings. Its uncertainty
comes in one of three forms: posterior ``draws`` (LCMCR), a ``posterior`` over a grid of N
(dga) or a ``profile`` likelihood over N (log-linear), and :meth:`EstimateResult.interval`
reads whichever the method produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from uncounted import __version__


@dataclass(frozen=True, eq=False)
class EstimateResult:
    """One estimate of the total N from one capture table."""

    method: str
    observed: int
    estimate: float
    lower: float
    upper: float
    seed: int | None
    table_hash: str
    lists: tuple[str, ...]
    parameters: dict[str, Any]
    level: float = 0.95
    draws: np.ndarray | None = None
    chains: np.ndarray | None = None
    posterior: tuple[np.ndarray, np.ndarray] | None = None
    profile: tuple[np.ndarray, np.ndarray] | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    version: str = __version__

    def __post_init__(self) -> None:
        for name in ("draws", "chains"):
            value = getattr(self, name)
            if value is not None:
                value = np.array(value, copy=True)
                value.setflags(write=False)
                object.__setattr__(self, name, value)

    @property
    def unobserved(self) -> float:
        """Estimated number of persons on no list."""
        return self.estimate - self.observed

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Equal-tailed credible interval (draws, posterior grid) or profile-likelihood one."""
        if not 0 < level < 1:
            raise ValueError("level must be between 0 and 1")
        tail = (1 - level) / 2
        if self.draws is not None:
            lo, hi = np.quantile(self.draws, [tail, 1 - tail])
            return float(lo), float(hi)
        if self.posterior is not None:
            grid, prob = self.posterior
            return grid_quantile(grid, prob, tail), grid_quantile(grid, prob, 1 - tail)
        if self.profile is not None:
            return profile_interval(*self.profile, level=level)
        return math.nan, math.nan

    def sample(self, size: int, seed: int | None = None) -> np.ndarray:
        """Draws of N (the draws themselves, or sampled from the posterior or profile)."""
        rng = np.random.default_rng(seed)
        if self.draws is not None:
            return rng.choice(self.draws, size=size, replace=True).astype(float)
        if self.posterior is not None:
            grid, prob = self.posterior
            return rng.choice(grid, size=size, p=prob / prob.sum()).astype(float)
        if self.profile is not None:
            grid, loglik = self.profile
            weights = np.exp(loglik - loglik.max())
            return rng.choice(grid, size=size, p=weights / weights.sum()).astype(float)
        return np.full(size, self.estimate, dtype=float)

    @property
    def summary(self) -> str:
        """A short human-readable summary (plain text)."""
        pct = round(self.level * 100)
        lines = [
            f"method      {self.method}",
            f"lists       {len(self.lists)} ({', '.join(self.lists)})",
            f"observed    {self.observed:,}",
            f"estimate    {self.estimate:,.0f}",
            f"{pct}% interval {self.lower:,.0f} – {self.upper:,.0f}",
            f"seed        {self.seed}",
            f"table       {self.table_hash[:16]}",
        ]
        for key in ("model", "criterion"):
            if key in self.details:
                lines.append(f"{key:<11} {self.details[key]}")
        for key in ("rhat", "ess", "iterations_per_second"):
            if key in self.diagnostics:
                lines.append(f"{key:<11} {_fmt(self.diagnostics[key])}")
        lines.extend(f"warning     {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (contract keys first)."""
        out: dict[str, Any] = {
            "method": self.method,
            "observed": self.observed,
            "estimate": json_safe(self.estimate),
            "lower": json_safe(self.lower),
            "upper": json_safe(self.upper),
            "level": self.level,
            "seed": self.seed,
            "table_sha256": self.table_hash,
            "lists": list(self.lists),
            "parameters": json_safe(self.parameters),
            "version": self.version,
            "diagnostics": json_safe(self.diagnostics),
            "warnings": list(self.warnings),
            "details": json_safe(self.details),
        }
        if self.draws is not None:
            out["draw_summary"] = {
                "n_draws": len(self.draws),
                "mean": float(np.mean(self.draws)),
                "median": float(np.median(self.draws)),
                "sd": float(np.std(self.draws, ddof=1)) if len(self.draws) > 1 else 0.0,
            }
        return out


def grid_quantile(grid: np.ndarray, prob: np.ndarray, q: float) -> float:
    """Quantile of a discrete distribution on ``grid`` (smallest value with cdf >= q)."""
    cdf = np.cumsum(prob) / prob.sum()
    return float(grid[min(int(np.searchsorted(cdf, q)), len(grid) - 1)])


def profile_interval(grid: np.ndarray, loglik: np.ndarray, level: float) -> tuple[float, float]:
    """Likelihood-ratio interval from a profile log-likelihood on a fine grid of N."""
    cut = loglik.max() - stats.chi2.ppf(level, 1) / 2
    inside = np.nonzero(loglik >= cut)[0]
    lo, hi = inside[0], inside[-1]
    lower = _crossing(grid, loglik, lo - 1, lo, cut) if lo > 0 else float(grid[0])
    upper = _crossing(grid, loglik, hi, hi + 1, cut) if hi < len(grid) - 1 else math.inf
    return lower, upper


def _crossing(grid: np.ndarray, loglik: np.ndarray, i: int, j: int, cut: float) -> float:
    """Linear interpolation of where the profile crosses the cut between grid points i, j."""
    y0, y1 = loglik[i], loglik[j]
    if y1 == y0:
        return float(grid[i])
    t = (cut - y0) / (y1 - y0)
    return float(grid[i] + t * (grid[j] - grid[i]))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}"
    return str(value)


def json_safe(value: Any) -> Any:
    """Turn numpy scalars/arrays and non-finite floats (as null) into JSON-safe values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value
