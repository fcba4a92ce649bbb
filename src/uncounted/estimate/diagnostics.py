"""Convergence diagnostics (split R-hat, effective sample size) and data warnings.

The data warnings say, in plain words, what makes an estimate fragile: lists that never
overlap with another list (nothing ties them to the rest), sparse overlaps (a handful of
persons carry the whole dependence structure), and posteriors with a heavy right tail.
"""

from __future__ import annotations

import numpy as np

from uncounted.estimate.table import CaptureTable

RHAT_LIMIT = 1.05
ESS_MIN = 400
SPARSE_OVERLAP = 5
HEAVY_TAIL_RATIO = 2.0


def split_rhat(chains: np.ndarray) -> float:
    """Split R-hat (Gelman et al., BDA3 §11.4) of an array shaped (chains, draws)."""
    chains = np.asarray(chains, dtype=float)
    half = chains.shape[1] // 2
    if half < 2:
        return float("nan")
    parts = np.concatenate([chains[:, :half], chains[:, half : 2 * half]], axis=0)
    n = parts.shape[1]
    means = parts.mean(axis=1)
    within = parts.var(axis=1, ddof=1).mean()
    between = n * means.var(ddof=1)
    if within == 0:
        return 1.0 if between == 0 else float("inf")
    var_plus = (n - 1) / n * within + between / n
    return float(np.sqrt(var_plus / within))


def effective_sample_size(chains: np.ndarray) -> float:
    """Multi-chain ESS with Geyer's initial monotone sequence (BDA3 §11.5)."""
    chains = np.asarray(chains, dtype=float)
    m, n = chains.shape
    if n < 4:
        return float(m * n)
    centred = chains - chains.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n
    within = acov[:, 0].mean() * n / (n - 1)
    means = chains.mean(axis=1)
    var_plus = within * (n - 1) / n + (means.var(ddof=1) if m > 1 else 0.0)
    if var_plus <= 0:
        return float(m * n)
    rho = 1.0 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    pairs = rho[: (n // 2) * 2].reshape(-1, 2).sum(axis=1)
    positive = np.nonzero(pairs <= 0)[0]
    pairs = pairs[: positive[0]] if len(positive) else pairs
    pairs = np.minimum.accumulate(pairs)
    tau = -1.0 + 2.0 * pairs.sum()
    return float(m * n / max(tau, 1.0 / np.log10(m * n + 10)))


def table_warnings(table: CaptureTable) -> list[str]:
    """Warnings about the overlap structure of a table (never contain names)."""
    out: list[str] = []
    overlaps = table.overlaps()
    names = table.lists
    totals = np.diag(overlaps)
    for j, name in enumerate(names):
        if totals[j] == 0:
            out.append(f"list {name} recorded nobody")
            continue
        others = np.delete(overlaps[j], j)
        if others.sum() == 0:
            out.append(f"list {name} never overlaps with another list: it is not tied to them")
    empty, sparse = [], []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if totals[i] == 0 or totals[j] == 0:
                continue
            if overlaps[i, j] == 0:
                empty.append(f"{names[i]}∩{names[j]}")
            elif overlaps[i, j] < SPARSE_OVERLAP:
                sparse.append(f"{names[i]}∩{names[j]}")
    if empty:
        out.append(f"{len(empty)} pair(s) of lists share nobody: {_few(empty)}")
    if sparse:
        out.append(
            f"{len(sparse)} pair(s) of lists share fewer than {SPARSE_OVERLAP} persons: "
            f"{_few(sparse)}"
        )
    return out


def tail_warning(estimate: float, lower: float, upper: float, observed: int) -> list[str]:
    """Warn when the upper half of the interval is much longer than the lower half."""
    if not np.isfinite(upper):
        return ["the interval has no finite upper bound: the data do not bound N"]
    below, above = estimate - lower, upper - estimate
    if above > HEAVY_TAIL_RATIO * max(below, 1.0) and upper > 1.2 * max(estimate, observed):
        return [
            f"heavy right tail: the upper end ({upper:,.0f}) is {above / max(below, 1):.1f}× "
            "further from the estimate than the lower end"
        ]
    return []


def chain_warnings(rhat: float, ess: float) -> list[str]:
    """Warnings for non-convergence and too few effective draws."""
    out = []
    if not np.isfinite(rhat) or rhat > RHAT_LIMIT:
        out.append(f"chains have not converged (R-hat {rhat:.3f} > {RHAT_LIMIT}): run longer")
    if ess < ESS_MIN:
        out.append(f"few effective draws of N (ESS {ess:.0f} < {ESS_MIN}): run longer")
    return out


def _few(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
