"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997; dga).

Every decomposable (chordal) graph on the J lists is a model of list dependence; with a
hyper-Dirichlet prior (parameter ``delta`` per cell of the full table) the marginal
likelihood of the completed table factorises over cliques and separators, so for each
subset S of lists we need only one vector over the grid of unobserved counts n0:

    f_S(n0) = Σ_cells [lgamma(y_c + α_S) − lgamma(α_S)] − [lgamma(N + α) − lgamma(α)],
    α_S = delta · 2^(J − |S|),  α = delta · 2^J,  the zero cell of S holding y_0 + n0,

and log p(y, n0 | G) = Σ_cliques f_C − Σ_separators f_S + log N!/n0! (+ a constant). One
matrix product over all graphs then gives the joint posterior of (graph, N). Graphs are
enumerated here (8, 61, 822 for 3, 4, 5 lists), not shipped.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import special

from uncounted.errors import UserError
from uncounted.estimate import diagnostics as diag
from uncounted.estimate.result import EstimateResult, grid_quantile
from uncounted.estimate.table import CaptureTable

MAX_GRID_POINTS = 5_000
SCOUT_POINTS = 400
TAIL_MASS = 1e-6


@dataclass(frozen=True)
class Graph:
    """A decomposable graph: its edges, maximal cliques and separators (as list bitmasks)."""

    edges: tuple[tuple[int, int], ...]
    cliques: tuple[int, ...]
    separators: tuple[int, ...]

    def name(self, lists: tuple[str, ...]) -> str:
        """Cliques written as [A,B][C]: lists in one bracket are mutually dependent."""
        parts = []
        for mask in self.cliques:
            members = [lists[j] for j in range(len(lists)) if mask >> (len(lists) - 1 - j) & 1]
            parts.append("[" + ",".join(members) + "]")
        return "".join(parts)


@cache
def decomposable_graphs(n_lists: int) -> tuple[Graph, ...]:
    """All decomposable graphs on ``n_lists`` vertices (chordal: no chordless cycle > 3)."""
    if not 2 <= n_lists <= 6:
        raise UserError(f"dga: {n_lists} lists; decomposable-graph averaging supports 2 to 5")
    pairs = list(itertools.combinations(range(n_lists), 2))
    graphs = []
    for r in range(len(pairs) + 1):
        for edges in itertools.combinations(pairs, r):
            adjacency = _adjacency(n_lists, edges)
            if _is_chordal(adjacency):
                cliques = _maximal_cliques(adjacency)
                graphs.append(Graph(edges, cliques, _separators(cliques, n_lists)))
    return tuple(graphs)


def _adjacency(n: int, edges: tuple[tuple[int, int], ...]) -> list[int]:
    adjacency = [0] * n
    for i, j in edges:
        adjacency[i] |= 1 << j
        adjacency[j] |= 1 << i
    return adjacency


def _is_chordal(adjacency: list[int]) -> bool:
    """Chordal iff simplicial vertices (neighbours form a clique) can be removed one by one."""
    alive = (1 << len(adjacency)) - 1
    while alive:
        for v in range(len(adjacency)):
            if not alive >> v & 1:
                continue
            nbrs = adjacency[v] & alive
            if all(
                (adjacency[u] | 1 << u) & nbrs == nbrs
                for u in range(len(adjacency))
                if nbrs >> u & 1
            ):
                alive &= ~(1 << v)
                break
        else:
            return False
    return True


def _maximal_cliques(adjacency: list[int]) -> tuple[int, ...]:
    """Maximal cliques as bitmasks in the table's bit order (first list = highest bit)."""
    n = len(adjacency)
    cliques = [
        s
        for s in range(1, 1 << n)
        if all((adjacency[v] | 1 << v) & s == s for v in range(n) if s >> v & 1)
    ]
    maximal = [s for s in cliques if not any(t != s and t & s == s for t in cliques)]
    return tuple(sorted(_to_table_bits(s, n) for s in maximal))


def _separators(cliques: tuple[int, ...], n: int) -> tuple[int, ...]:
    """Separators: intersections along a maximum-weight spanning tree of the cliques."""
    edges = sorted(
        ((bin(a & b).count("1"), i, j) for (i, a), (j, b) in itertools.combinations(
            enumerate(cliques), 2)),
        reverse=True,
    )  # fmt: skip
    parent = list(range(len(cliques)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    seps = []
    for weight, i, j in edges:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[ri] = rj
            if weight > 0:
                seps.append(cliques[i] & cliques[j])
    return tuple(sorted(seps))


def _to_table_bits(mask: int, n: int) -> int:
    """Vertex v (list v) is bit n-1-v in table codes (first list most significant)."""
    return sum(1 << (n - 1 - v) for v in range(n) if mask >> v & 1)


def _grid(top: int) -> np.ndarray:
    """Every integer up to MAX_GRID_POINTS, then geometric steps up to ``top``: exact where
    the posterior sits, coarse in a long right tail."""
    fine = np.arange(0, min(top, MAX_GRID_POINTS) + 1, dtype=np.int64)
    if top <= MAX_GRID_POINTS:
        return fine
    coarse = np.round(np.geomspace(MAX_GRID_POINTS, top, 3_000)).astype(np.int64)
    return np.unique(np.concatenate([fine, coarse]))


def _widths(grid: np.ndarray) -> np.ndarray:
    """How many integers each grid point stands for (1 on the fine part)."""
    return np.gradient(grid.astype(float)) if len(grid) > 1 else np.ones(1)


@dataclass(frozen=True)
class DGA:
    """Configuration of decomposable-graph model averaging; :meth:`fit` runs it.

    ``delta``: hyper-Dirichlet prior count per cell of the full table (default 1/2^J, a
    total prior weight of one person). ``prior``: prior on N, 'inverse' (∝ 1/N, as dga's
    default), 'uniform', or 'negbin' with ``prior_a``, ``prior_b`` (Madigan & York's
    negative-binomial prior: p(N) ∝ Γ(N+a)/N! · (b/(1+b))^N).
    """

    delta: float | None = None
    prior: str = "inverse"
    prior_a: float = 13.14
    prior_b: float = 55.17
    max_missing: int | None = None
    seed: int | None = None

    method = "dga"

    def fit(self, table: CaptureTable) -> EstimateResult:
        """Posterior of N averaged over all decomposable graphs, on a grid of n0."""
        if self.prior not in ("inverse", "uniform", "negbin"):
            raise UserError("dga: prior must be 'inverse', 'uniform' or 'negbin'")
        if not 3 <= table.n_lists <= 5:
            raise UserError(f"dga: {table.n_lists} lists; dga works on 3, 4 or 5 lists")
        if len(table.active_lists()) < 2:
            raise UserError("dga: fewer than 2 lists with records; N cannot be estimated")
        delta = self.delta if self.delta is not None else 1.0 / 2**table.n_lists
        if delta <= 0:
            raise UserError("dga: delta must be positive")
        graphs = decomposable_graphs(table.n_lists)
        weights, grid, truncated = self._joint(table, graphs, delta)
        posterior = weights.sum(axis=0)
        model_weights = weights.sum(axis=1)
        totals = grid + table.observed
        estimate = grid_quantile(totals, posterior, 0.5)
        lower, upper = (
            grid_quantile(totals, posterior, 0.025),
            grid_quantile(totals, posterior, 0.975),
        )
        order = np.argsort(-model_weights)
        warnings = diag.table_warnings(table) + diag.tail_warning(
            estimate, lower, upper, table.observed
        )
        if truncated:
            warnings.append("posterior mass reaches the end of the grid of N: raise max_missing")
        return EstimateResult(
            method=self.method,
            observed=table.observed,
            estimate=float(estimate),
            lower=float(lower),
            upper=float(upper),
            seed=self.seed,
            table_hash=table.sha256,
            lists=table.lists,
            parameters={
                "delta": delta,
                "prior": self.prior,
                **(
                    {"prior_a": self.prior_a, "prior_b": self.prior_b}
                    if self.prior == "negbin"
                    else {}
                ),
                "graphs": len(graphs),
                "max_missing": int(grid[-1]),
            },
            posterior=(totals.astype(float), posterior),
            warnings=tuple(warnings),
            details={
                "posterior_mean": float(posterior @ totals),
                "posterior_mode": float(totals[int(np.argmax(posterior / _widths(grid)))]),
                "bayes_relative_loss": float(
                    (posterior @ (1.0 / totals)) / (posterior @ (1.0 / totals**2))
                ),
                "model": graphs[order[0]].name(table.lists),
                "model_weights": [
                    {
                        "graph": graphs[i].name(table.lists),
                        "weight": float(model_weights[i]),
                        "estimate": float(
                            grid_quantile(totals, weights[i] / weights[i].sum(), 0.5)
                        ),
                    }
                    for i in order[:10]
                ],
            },
        )

    def _joint(
        self, table: CaptureTable, graphs: tuple[Graph, ...], delta: float
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """Posterior weights (graphs × grid of n0) on a grid that holds all but 1e-6 of it,
        and whether the density at the grid's end is still too high to ignore the rest.

        A coarse geometric scout grid (up to 1000 n) finds where the posterior of n0 ends;
        the fine, evenly spaced grid then covers 1.25 times that."""
        top, truncated = self.max_missing, False
        if top is None:
            cap = 1000 * max(table.observed, 100)
            scout = np.unique(np.round(np.geomspace(1, cap + 1, SCOUT_POINTS)).astype(np.int64) - 1)
            logw = self._log_weights(table, graphs, delta, scout)
            mass = np.exp(logw - logw.max()).sum(axis=0) * np.gradient(scout.astype(float))
            tail = np.cumsum(mass[::-1])[::-1] / mass.sum()  # mass at or beyond each point
            beyond = np.nonzero(tail < TAIL_MASS)[0]
            top = int(scout[beyond[0]] * 1.25) if len(beyond) else cap
            truncated = not len(beyond)
            top = max(top, 100)
        grid = _grid(top)
        logw = self._log_weights(table, graphs, delta, grid)
        weights = np.exp(logw - logw.max()) * _widths(grid)  # mass of each grid cell
        weights /= weights.sum()
        if self.max_missing is not None:
            truncated = weights[:, grid >= 0.95 * top].sum() > TAIL_MASS
        return weights, grid, bool(truncated)

    def _log_weights(
        self, table: CaptureTable, graphs: tuple[Graph, ...], delta: float, grid: np.ndarray
    ) -> np.ndarray:
        n_lists = table.n_lists
        full = table.full_counts()
        codes = np.arange(1 << n_lists)
        total_alpha = delta * 2**n_lists
        big_n = grid + table.observed
        norm = special.gammaln(total_alpha) - special.gammaln(big_n + total_alpha)
        f = np.zeros((1 << n_lists, len(grid)))
        for subset in range(1, 1 << n_lists):
            size = bin(subset).count("1")
            alpha = delta * 2 ** (n_lists - size)
            marginal = np.bincount(codes & subset, weights=full, minlength=1 << n_lists)
            cells = marginal[np.unique(codes & subset)]  # cell 0 first
            fixed = np.sum(special.gammaln(cells[1:] + alpha) - special.gammaln(alpha))
            zero = special.gammaln(cells[0] + grid + alpha) - special.gammaln(alpha)
            f[subset] = fixed + zero + norm
        design = np.zeros((len(graphs), 1 << n_lists))
        for g, graph in enumerate(graphs):
            for c in graph.cliques:
                design[g, c] += 1
            for s in graph.separators:
                design[g, s] -= 1
        loglik = design @ f
        loglik += special.gammaln(big_n + 1) - special.gammaln(grid + 1)
        return loglik + self._log_prior(big_n)[None, :]

    def _log_prior(self, big_n: np.ndarray) -> np.ndarray:
        if self.prior == "inverse":
            return -np.log(big_n)
        if self.prior == "uniform":
            return np.zeros(len(big_n))
        a, b = self.prior_a, self.prior_b
        return (
            big_n * math.log(b)
            - (big_n + a) * math.log1p(b)
            + special.gammaln(big_n + a)
            - special.gammaln(big_n + 1)
            - special.gammaln(a)
        )
