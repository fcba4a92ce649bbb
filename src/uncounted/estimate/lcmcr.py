"""LCMCR: the Bayesian non-parametric latent class model (Manrique-Vallier 2016).

Parameter names follow the R package LCMCR (K, a_alpha, b_alpha, burn_in, samples,
thinning, seed). Differences from the R defaults, and why:

* several chains (4) run in parallel threads, so that R-hat and ESS can be reported;
* thinning 100 (R: 10): N mixes slowly (an unobserved class can absorb many persons), and
  1,000 kept draws 10 iterations apart carry only a few dozen effective draws;
* K defaults to 10 (R: 5): with few classes the mixture cannot represent strong
  heterogeneity, and extra classes cost little because unused ones stay empty;
* ``verdata=True`` applies HRDAG's practice: K = min(2^J − 1, 15), lists that recorded
  nobody are dropped, and a table with fewer than 3 lists is refused.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from uncounted.errors import UserError
from uncounted.estimate import diagnostics as diag
from uncounted.estimate._lcmcr_kernel import WARM_UP, run_chain
from uncounted.estimate.result import EstimateResult
from uncounted.estimate.table import CaptureTable


@dataclass(frozen=True)
class LCMCR:
    """Configuration of the LCMCR sampler; :meth:`fit` runs it on a table."""

    K: int = 10
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    burn_in: int = 10_000
    samples: int = 1_000
    thinning: int = 100
    chains: int = 4
    seed: int | None = None
    verdata: bool = False
    min_lists: int = 2
    threads: int | None = None

    method = "lcmcr"

    def fit(self, table: CaptureTable) -> EstimateResult:
        """Run the chains and summarise the posterior of N (median, equal-tailed 95%)."""
        self._check()
        table, n_classes = self._prepare(table)
        seed = self.seed if self.seed is not None else _fresh_seed()
        chain_seeds = _chain_seeds(seed, self.chains)
        ptr, idx = _csr(table.patterns)
        counts = np.ascontiguousarray(table.counts, dtype=np.int64)
        totals = counts @ table.patterns.astype(np.int64)
        # LCMCR's start: n_j / n (clipped off 0 and 1 only for a list that recorded nobody
        # or everybody, where LCMCR's logs would be infinite)
        lam_init = np.clip(totals / table.observed, 1e-9, 1 - 1e-9)
        n_draws, n_alpha, n_cls = (
            np.zeros((self.chains, self.samples), dtype=dtype)
            for dtype in (np.int64, np.float64, np.int64)
        )

        def one(c: int) -> None:
            run_chain(
                ptr, idx, counts, table.n_lists, n_classes, self.a_alpha, self.b_alpha,
                self.burn_in, self.samples, self.thinning, chain_seeds[c], lam_init,
                n_draws[c], n_alpha[c], n_cls[c],
            )  # fmt: skip

        start = time.perf_counter()
        workers = self.threads or min(self.chains, os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(one, range(self.chains)))
        else:
            for c in range(self.chains):
                one(c)
        elapsed = time.perf_counter() - start
        return self._result(table, n_classes, seed, n_draws, n_alpha, n_cls, elapsed)

    def _check(self) -> None:
        if self.K < 1 or self.chains < 1 or self.samples < 1 or self.thinning < 1:
            raise UserError("lcmcr: K, chains, samples and thinning must be at least 1")
        if self.burn_in < 0 or self.a_alpha <= 0 or self.b_alpha <= 0:
            raise UserError("lcmcr: burn-in must be >= 0 and a_alpha, b_alpha > 0")

    def _prepare(self, table: CaptureTable) -> tuple[CaptureTable, int]:
        if self.verdata:
            table = table.drop_empty_lists()
        min_lists = max(self.min_lists, 3 if self.verdata else 2)
        active = len(table.active_lists())
        if active < min_lists:
            raise UserError(
                f"lcmcr: {active} list(s) with records; at least {min_lists} are needed"
            )
        if table.observed == 0:
            raise UserError("lcmcr: the table is empty")
        n_classes = min(2**table.n_lists - 1, 15) if self.verdata else self.K
        return table, n_classes

    def _result(
        self,
        table: CaptureTable,
        n_classes: int,
        seed: int,
        n_draws: np.ndarray,
        n_alpha: np.ndarray,
        n_cls: np.ndarray,
        elapsed: float,
    ) -> EstimateResult:
        draws = n_draws.reshape(-1).astype(float)
        median = float(np.median(draws))
        lower, upper = (float(x) for x in np.quantile(draws, [0.025, 0.975]))
        rhat = diag.split_rhat(n_draws) if self.chains > 1 else float("nan")
        ess = diag.effective_sample_size(n_draws)
        iterations = self.chains * (WARM_UP + self.burn_in + self.samples * self.thinning)
        warnings = diag.table_warnings(table)
        warnings += diag.chain_warnings(rhat if self.chains > 1 else 1.0, ess)
        warnings += diag.tail_warning(median, lower, upper, table.observed)
        parameters = {k: v for k, v in asdict(self).items() if k != "threads"}
        parameters["K_used"] = n_classes
        return EstimateResult(
            method=self.method,
            observed=table.observed,
            estimate=median,
            lower=lower,
            upper=upper,
            seed=seed,
            table_hash=table.sha256,
            lists=table.lists,
            parameters=parameters,
            draws=draws,
            chains=n_draws,
            diagnostics={
                "rhat": rhat,
                "ess": ess,
                "seconds": elapsed,
                "iterations_per_second": iterations / elapsed if elapsed > 0 else None,
                "ess_per_second": ess / elapsed if elapsed > 0 else None,
                "alpha_mean": float(n_alpha.mean()),
                "occupied_classes_mean": float(n_cls.mean()),
                "occupied_classes_max": int(n_cls.max()),
            },
            warnings=tuple(warnings),
            details={
                "posterior_mean": float(draws.mean()),
                "posterior_sd": float(draws.std(ddof=1)) if len(draws) > 1 else 0.0,
                "chain_seeds": [int(s) for s in _chain_seeds(seed, self.chains)],
            },
        )


def _fresh_seed() -> int:
    """A random seed, recorded in the result so the run can be repeated."""
    return int(np.random.SeedSequence().generate_state(1)[0])


def _chain_seeds(seed: int, chains: int) -> np.ndarray:
    """Independent per-chain seeds derived from one user seed (numpy SeedSequence)."""
    children = np.random.SeedSequence(seed).spawn(chains)
    return np.array([c.generate_state(1)[0] for c in children], dtype=np.int64)


def _csr(patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which lists each pattern is on, as CSR (pointer, indices) arrays."""
    rows, cols = np.nonzero(patterns)
    ptr = np.zeros(patterns.shape[0] + 1, dtype=np.int64)
    np.add.at(ptr, rows + 1, 1)
    return np.cumsum(ptr), cols.astype(np.int64)
