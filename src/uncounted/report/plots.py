"""Report plots: matplotlib figures written as inline SVG (text kept as text, no fonts).

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so
rendering is safe inside a web request and deterministic (fixed SVG hash salt, no date).
Labels in plots are Latin script: matplotlib does not shape Arabic, so Arabic text stays in
the HTML tables where the browser shapes it right to left.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from uncounted.report.model import ComparisonLevel, EstimateRow, MethodResult

INK = "#1f2933"
DOCUMENTED = "#3b6ea8"
ESTIMATED = "#c2541b"
TRUTH = "#2e7d32"
GRID = "#d9dee4"
WEIGHT_LIMIT = 20.0

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "uncounted",
    "font.family": ["DejaVu Sans", "Noto Sans", "sans-serif"],
    "font.size": 9,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
}


def to_svg(fig: Figure, title: str) -> str:
    """The figure as an SVG element that scales with the page, titled for screen readers."""
    buf = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg", f'<svg role="img" aria-label="{label}" class="plot"', 1)


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def upset(overlaps: dict[tuple[str, ...], int], sources: Sequence[str], top: int = 20) -> str:
    """UpSet-style plot: persons per exact combination of lists, largest first."""
    items = sorted(overlaps.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    with matplotlib.rc_context(_STYLE):
        fig = _figure(max(6.0, 0.38 * len(items) + 2.5), 4.2)
        grid = fig.add_gridspec(2, 2, height_ratios=[2.2, 1], width_ratios=[1, 4])
        bars = fig.add_subplot(grid[0, 1])
        dots = fig.add_subplot(grid[1, 1], sharex=bars)
        sizes = fig.add_subplot(grid[1, 0])
        x = np.arange(len(items))
        counts = [c for _, c in items]
        bars.bar(x, counts, color=DOCUMENTED, width=0.7)
        for xi, c in zip(x, counts, strict=True):
            bars.text(xi, c, f"{c:,}", ha="center", va="bottom", fontsize=7, rotation=90)
        bars.set_ylabel("persons")
        bars.tick_params(axis="x", bottom=False, labelbottom=False)
        bars.set_ylim(0, max(counts or [1]) * 1.25)
        ys = np.arange(len(sources))
        for xi, (combo, _) in zip(x, items, strict=True):
            on = [i for i, s in enumerate(sources) if s in combo]
            dots.scatter([xi] * len(ys), ys, s=28, color=GRID, zorder=1)
            dots.scatter([xi] * len(on), on, s=28, color=INK, zorder=2)
            if len(on) > 1:
                dots.plot([xi, xi], [min(on), max(on)], color=INK, lw=1.5, zorder=2)
        dots.set_yticks(ys, list(sources))
        dots.set_ylim(-0.5, len(sources) - 0.5)
        dots.invert_yaxis()
        dots.tick_params(axis="x", bottom=False, labelbottom=False)
        for side in ("left", "bottom"):
            dots.spines[side].set_visible(False)
        totals = [sum(c for combo, c in overlaps.items() if s in combo) for s in sources]
        sizes.barh(ys, totals, color=DOCUMENTED)
        sizes.set_ylim(-0.5, len(sources) - 0.5)
        sizes.invert_yaxis()
        sizes.invert_xaxis()
        sizes.set_yticks([])
        sizes.set_xlabel("persons on list")
        sizes.spines["left"].set_visible(False)
        return to_svg(fig, "Persons by combination of lists")


def documented_vs_estimated(rows: Sequence[EstimateRow], title: str, horizontal: bool) -> str:
    """Documented persons as bars, the estimate and its 95% interval as points and lines."""
    labels = [r.label for r in rows]
    pos = np.arange(len(rows))
    observed = np.array([r.observed for r in rows], dtype=float)
    est = np.array([np.nan if r.estimate is None else r.estimate for r in rows])
    lo = np.array([np.nan if r.lower is None else r.lower for r in rows])
    hi = np.array([np.nan if r.upper is None else r.upper for r in rows])
    truth = [r.truth for r in rows]
    with matplotlib.rc_context(_STYLE):
        if horizontal:
            fig = _figure(7.0, 0.32 * len(rows) + 1.2)
        else:
            fig = _figure(max(6.0, 0.5 * len(rows) + 1.5), 3.4)
        ax = fig.add_subplot()
        bar, err = (ax.barh, "xerr") if horizontal else (ax.bar, "yerr")
        bar(pos, observed, color=DOCUMENTED, alpha=0.85, label="documented")
        ok = ~np.isnan(est)
        spread = np.vstack([est - lo, hi - est])[:, ok]
        coords = (est[ok], pos[ok]) if horizontal else (pos[ok], est[ok])
        ax.errorbar(
            *coords,
            **{err: spread},
            fmt="o",
            color=ESTIMATED,
            ms=4,
            capsize=3,
            label="estimated (95% interval)",
        )
        if any(t is not None for t in truth):
            tp = [(p, t) for p, t in zip(pos, truth, strict=True) if t is not None]
            tx, ty = zip(*tp, strict=True)
            coords = (ty, tx) if horizontal else (tx, ty)
            ax.scatter(*coords, marker="D", s=14, color=TRUTH, zorder=3, label="true (simulated)")
        if horizontal:
            ax.set_yticks(pos, labels)
            ax.invert_yaxis()
            ax.set_xlabel("persons")
            ax.grid(axis="x", color=GRID, lw=0.6)
        else:
            ax.set_xticks(pos, labels, rotation=45 if len(rows) > 8 else 0, ha="right")
            ax.set_ylabel("persons")
            ax.grid(axis="y", color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(frameon=False, fontsize=8, loc="best")
        return to_svg(fig, title)


def methods_side_by_side(results: Sequence[MethodResult], observed: int) -> str:
    """Each estimator's estimate and interval on one axis, with the documented count."""
    shown = [r for r in results if r.estimate is not None]
    with matplotlib.rc_context(_STYLE):
        fig = _figure(6.5, 0.45 * len(shown) + 1.3)
        ax = fig.add_subplot()
        y = np.arange(len(shown))
        for yi, r in zip(y, shown, strict=True):
            lo = r.lower if r.lower is not None else r.estimate
            hi = r.upper if r.upper is not None else r.estimate
            ax.plot([lo, hi], [yi, yi], color=ESTIMATED, lw=2)
            ax.plot([r.estimate], [yi], "o", color=ESTIMATED)
        ax.axvline(observed, color=DOCUMENTED, ls="--", lw=1, label="documented")
        ax.set_yticks(y, [r.method for r in shown])
        ax.set_ylim(-0.7, len(shown) - 0.3)
        ax.invert_yaxis()
        ax.set_xlabel("total persons (95% interval)")
        ax.grid(axis="x", color=GRID, lw=0.6)
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        return to_svg(fig, "Estimate by estimator")


def match_weights(levels: Sequence[ComparisonLevel]) -> str:
    """The trained model: the match weight (log2 m/u) of every comparison level."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(7.0, 0.22 * len(levels) + 1.0)
        ax = fig.add_subplot()
        y = np.arange(len(levels))
        w = np.array([lv.weight for lv in levels])
        shown = np.clip(w, -WEIGHT_LIMIT, WEIGHT_LIMIT)
        ax.barh(y, shown, color=np.where(w >= 0, DOCUMENTED, ESTIMATED))
        for yi, wi, si in zip(y, w, shown, strict=True):
            if wi != si:  # a near-certain "different" would flatten every other bar
                ax.text(si, yi, f" {wi:.0f} ", va="center", ha="left" if wi < 0 else "right",
                        fontsize=7, color="white")  # fmt: skip
        ax.set_xlim(-WEIGHT_LIMIT * 1.02, WEIGHT_LIMIT * 1.02)
        ax.set_yticks(y, [f"{lv.comparison}: {lv.level}" for lv in levels], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color=INK, lw=0.8)
        ax.set_xlabel(
            "match weight (log2 of m/u): evidence for (right) or against (left); "
            f"bars beyond ±{WEIGHT_LIMIT:.0f} cut, value written on them"
        )
        ax.grid(axis="x", color=GRID, lw=0.6)
        return to_svg(fig, "Match weights of the linkage model")


def histogram(values: Sequence[float], xlabel: str, title: str) -> str:
    """A plain histogram (e.g. the match weights of pairs awaiting review)."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(6.0, 2.6)
        ax = fig.add_subplot()
        ax.hist(values, bins=min(40, max(5, len(values) // 5)), color=DOCUMENTED)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("pairs")
        return to_svg(fig, title)


def cluster_sizes(sizes: dict[int, int]) -> str:
    """How many persons have 1, 2, 3, ... records (log scale: singletons dominate)."""
    keys = sorted(sizes)
    with matplotlib.rc_context(_STYLE):
        fig = _figure(6.0, 2.6)
        ax = fig.add_subplot()
        ax.bar([str(k) for k in keys], [sizes[k] for k in keys], color=DOCUMENTED)
        ax.set_yscale("log")
        ax.set_xlabel("records per person")
        ax.set_ylabel("persons (log scale)")
        return to_svg(fig, "Cluster sizes")


def rankings(names: Sequence[str], documented: Sequence[int], title: str) -> str:
    """Documented deaths per facility or arresting party, largest first."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(7.0, 0.26 * len(names) + 1.0)
        ax = fig.add_subplot()
        y = np.arange(len(names))
        ax.barh(y, documented, color=DOCUMENTED)
        ax.set_yticks(y, list(names), fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("documented deaths")
        ax.grid(axis="x", color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        return to_svg(fig, title)
