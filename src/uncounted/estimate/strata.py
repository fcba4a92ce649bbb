"""Stratified estimation: one estimate per stratum, the total as a sum of posterior draws.

Summing draws (not medians or interval ends) gives the total's posterior when strata are
estimated independently. A stratum the estimator cannot handle (too few persons, too few
lists, no finite estimate) is flagged with its reason and contributes its observed count, a
hard floor, so that nobody counted is ever dropped from the total.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from uncounted.errors import UserError
from uncounted.estimate.result import EstimateResult
from uncounted.estimate.table import CaptureTable


class Estimator(Protocol):
    method: str
    seed: int | None

    def fit(self, table: CaptureTable) -> EstimateResult: ...


@dataclass(frozen=True, eq=False)
class StratifiedResult:
    """Per-stratum results, flagged strata with reasons, and the total."""

    total: EstimateResult
    strata: dict[str, EstimateResult]
    flagged: dict[str, str]
    observed_by_stratum: dict[str, int]

    @property
    def summary(self) -> str:
        lines = [
            self.total.summary,
            "",
            "stratum                     observed   estimate   95% interval",
        ]
        for name, n_obs in self.observed_by_stratum.items():
            if name in self.strata:
                r = self.strata[name]
                lines.append(
                    f"{name[:26]:<26} {n_obs:>9,} {r.estimate:>10,.0f}   "
                    f"{r.lower:,.0f} – {r.upper:,.0f}"
                )
            else:
                lines.append(f"{name[:26]:<26} {n_obs:>9,}   flagged: {self.flagged[name]}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        out = self.total.to_dict()
        out["strata"] = {
            name: (
                self.strata[name].to_dict()
                if name in self.strata
                else {"observed": n, "flagged": self.flagged[name]}
            )
            for name, n in self.observed_by_stratum.items()
        }
        return out


def fit_strata(
    estimator: Estimator,
    tables: Mapping[str, CaptureTable],
    draws: int = 4000,
    seed: int | None = None,
    min_observed: int = 10,
    level: float = 0.95,
) -> StratifiedResult:
    """Fit ``estimator`` on every stratum; total = sum of per-stratum draws of N."""
    if not tables:
        raise UserError("stratified estimate: no strata given")
    base_seed = seed if seed is not None else estimator.seed
    if base_seed is None:
        base_seed = int(np.random.SeedSequence().generate_state(1)[0])
    seeds = np.random.SeedSequence(base_seed).spawn(len(tables))
    strata: dict[str, EstimateResult] = {}
    flagged: dict[str, str] = {}
    observed: dict[str, int] = {}
    total = np.zeros(draws)
    for (name, table), child in zip(tables.items(), seeds, strict=True):
        stratum_seed = int(child.generate_state(1)[0])
        observed[name] = table.observed
        if table.observed < min_observed:
            flagged[name] = f"only {table.observed} persons observed (< {min_observed})"
            total += table.observed
            continue
        try:
            result = dataclasses.replace(estimator, seed=stratum_seed).fit(table)  # type: ignore[type-var]
        except UserError as exc:
            flagged[name] = str(exc)
            total += table.observed
            continue
        if not np.isfinite(result.upper):
            flagged[name] = "no finite upper bound for N"
            total += table.observed
            continue
        strata[name] = result
        total += result.sample(draws, seed=stratum_seed)
    tail = (1 - level) / 2
    lower, upper = (float(x) for x in np.quantile(total, [tail, 1 - tail]))
    warnings = []
    if flagged:
        warnings.append(
            f"{len(flagged)} stratum/strata could not be estimated and count with their "
            f"observed persons only: {', '.join(flagged)}"
        )
    for name, result in strata.items():
        warnings += [f"{name}: {w}" for w in result.warnings]
    digest = hashlib.sha256()
    for name, table in tables.items():
        digest.update(f"{name}\x1f{table.sha256}\n".encode())
    total_result = EstimateResult(
        method=f"{estimator.method} (stratified)",
        observed=sum(observed.values()),
        estimate=float(np.median(total)),
        lower=lower,
        upper=upper,
        level=level,
        seed=base_seed,
        table_hash=digest.hexdigest(),
        lists=tuple(sorted({lst for t in tables.values() for lst in t.lists})),
        parameters={
            "estimator": dataclasses.asdict(estimator),  # type: ignore[call-overload]
            "draws": draws,
            "min_observed": min_observed,
            "strata": len(tables),
        },
        draws=total,
        warnings=tuple(warnings),
        details={"flagged": dict(flagged)},
    )
    return StratifiedResult(total_result, strata, flagged, observed)
