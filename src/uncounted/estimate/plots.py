"""Trace and posterior plots as SVG text, for embedding in HTML reports (no files, no CDN).

Uses matplotlib's object API with the SVG canvas directly (no pyplot state), so plots can be
drawn from any thread.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from uncounted.estimate.result import EstimateResult


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buffer)
    return buffer.getvalue()


def trace_plot_svg(result: EstimateResult, width: float = 7.0, height: float = 3.0) -> str:
    """Draws of N by iteration, one line per chain (only for sampled results)."""
    if result.chains is None:
        raise ValueError(f"{result.method}: no chains to plot (not a sampled estimate)")
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    for c, chain in enumerate(result.chains):
        ax.plot(np.arange(len(chain)), chain, lw=0.6, alpha=0.8, label=f"chain {c + 1}")
    ax.set_xlabel("draw (after burn-in and thinning)")
    ax.set_ylabel("N")
    rhat = result.diagnostics.get("rhat")
    ess = result.diagnostics.get("ess")
    ax.set_title(f"Trace of N — R-hat {rhat:.3f}, ESS {ess:.0f}" if rhat else "Trace of N")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return _svg(fig)


def posterior_plot_svg(result: EstimateResult, width: float = 7.0, height: float = 3.0) -> str:
    """Posterior of N (histogram of draws, or the grid posterior), or the profile likelihood."""
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    if result.draws is not None:
        ax.hist(result.draws, bins=min(80, max(10, len(np.unique(result.draws)))), density=True,
                color="#5b7fa6")  # fmt: skip
        ax.set_ylabel("posterior density")
    elif result.posterior is not None:
        grid, prob = result.posterior
        ax.plot(grid, prob, color="#5b7fa6")
        ax.set_ylabel("posterior probability")
    elif result.profile is not None:
        grid, loglik = result.profile
        ax.plot(grid, loglik - loglik.max(), color="#5b7fa6")
        ax.set_ylabel("profile log-likelihood")
    ax.axvline(result.observed, color="black", ls=":", lw=1, label=f"observed {result.observed:,}")
    ax.axvline(result.estimate, color="#b03a2e", lw=1.2, label=f"estimate {result.estimate:,.0f}")
    for bound in (result.lower, result.upper):
        if np.isfinite(bound):
            ax.axvline(bound, color="#b03a2e", ls="--", lw=0.8)
    ax.set_xlabel("N (total, observed + unobserved)")
    ax.set_title(
        f"{result.method}: {result.estimate:,.0f} ({result.lower:,.0f} – {result.upper:,.0f})"
    )
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return _svg(fig)
