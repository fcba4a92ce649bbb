"""Speed of the estimators: LCMCR iterations/s and ESS/s, dga over 822 graphs, log-linear.

    .venv/bin/python benchmarks/estimate_speed.py [--repeats 3]

LCMCR is timed on one chain in one thread (100,000 iterations) for tables of very
different sizes, to show that the cost depends on the number of capture patterns, not of
persons; then 4 chains on all cores. Prints a Markdown table; figures are medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from uncounted.estimate import DGA, LCMCR, CaptureTable, LogLinear

MSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "mse"


def synthetic(n_persons: int, n_lists: int = 5, seed: int = 0) -> CaptureTable:
    """A heterogeneous population's capture table with about ``n_persons`` observed.

    Two classes (30% visible); pattern counts drawn as one multinomial, so a table of ten
    million persons costs no memory."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.7, 1.3, n_lists)
    bits = (np.arange(1 << n_lists)[:, None] >> np.arange(n_lists - 1, -1, -1)) & 1
    prob = np.zeros(1 << n_lists)
    for weight, level in ((0.3, 0.45), (0.7, 0.12)):
        p = level * scale
        prob += weight * np.prod(np.where(bits == 1, p, 1 - p), axis=1)
    total = int(n_persons / (1 - prob[0]))
    full = rng.multinomial(total, prob)
    full[0] = 0
    return CaptureTable.from_full_counts([f"L{j + 1}" for j in range(n_lists)], full)


def median_time(fn, repeats: int, clock=time.perf_counter) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = clock()
        out = fn()
        times.append(clock() - start)
    return statistics.median(times), out


def lcmcr_rows(repeats: int) -> list[str]:
    tables = {
        "Kosovo (4 lists, 15 patterns)": CaptureTable.from_csv(MSE / "LCMCR_kosovo_aggregate.csv"),
        "synthetic 5 lists": synthetic(100_606),
        "synthetic 5 lists, 10 million": synthetic(10_000_000, seed=1),
        "Colombia R1 (20 lists, 103 patterns)": CaptureTable.from_csv(
            MSE / "colombia_recruitment_men_1999_R1_capture_patterns.csv"
        ),
    }
    LCMCR(chains=1, burn_in=10, samples=10, thinning=1, seed=0).fit(tables["synthetic 5 lists"])
    rows = [
        "| table | persons | K | 100k iterations, 1 chain: CPU s | wall s | iterations/s (CPU) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, table in tables.items():
        k = 15 if "Colombia" in name else 10
        config = LCMCR(K=k, chains=1, burn_in=0, samples=10_000, thinning=10, seed=3, threads=1)
        cpu, _ = median_time(lambda c=config, t=table: c.fit(t), repeats, time.process_time)
        wall, _ = median_time(lambda c=config, t=table: c.fit(t), repeats)
        rows.append(
            f"| {name} | {table.observed:,} | {k} | {cpu:.2f} | {wall:.2f} | {100_000 / cpu:,.0f} |"
        )
    rows += ["", "| default LCMCR run (4 chains × 110,000 iterations) | wall s | CPU s | "
             "ESS of N | ESS/s (wall) | ESS/s (CPU) | R-hat |", "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for name in ("Kosovo (4 lists, 15 patterns)", "synthetic 5 lists"):
        config = LCMCR(seed=3)
        cpu, _ = median_time(lambda c=config, n=name: c.fit(tables[n]), repeats, time.process_time)
        wall, result = median_time(lambda c=config, n=name: c.fit(tables[n]), repeats)
        ess = result.diagnostics["ess"]
        rows.append(
            f"| {name}, {os.cpu_count()} threads | {wall:.2f} | {cpu:.2f} | {ess:.0f} | "
            f"{ess / wall:.0f} | {ess / cpu:.0f} | {result.diagnostics['rhat']:.3f} |"
        )
    return rows


def other_rows(repeats: int) -> list[str]:
    rows = [
        "",
        "| estimator | table | graphs / models | CPU s | wall s |",
        "|---|---|---:|---:|---:|",
    ]
    for stem in ("dga_madigan_york_5lists", "SparseMSE_UKdat_5", "LCMCR_kosovo_aggregate"):
        table = CaptureTable.from_csv(MSE / f"{stem}.csv")
        DGA().fit(table)  # graphs are enumerated once per process
        cpu, _ = median_time(lambda t=table: DGA().fit(t), repeats, time.process_time)
        seconds, result = median_time(lambda t=table: DGA().fit(t), repeats)
        rows.append(f"| dga | {stem} | {result.parameters['graphs']} | {cpu:.3f} | {seconds:.3f} |")
    for stem, search in (
        ("dga_madigan_york_5lists", "exhaustive"),
        ("SparseMSE_UKdat", "stepwise"),
    ):
        table = CaptureTable.from_csv(MSE / f"{stem}.csv")
        cpu, _ = median_time(lambda t=table: LogLinear().fit(t), repeats, time.process_time)
        seconds, result = median_time(lambda t=table: LogLinear().fit(t), repeats)
        models = "1024" if search == "exhaustive" else "–"
        rows.append(
            f"| loglinear ({search}, AIC) | {stem} | {models} | {cpu:.3f} | {seconds:.3f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--part", choices=("all", "lcmcr", "other"), default="all")
    args = parser.parse_args()
    rows = lcmcr_rows(args.repeats) if args.part in ("all", "lcmcr") else []
    rows += other_rows(args.repeats) if args.part in ("all", "other") else []
    for line in rows:
        print(line, flush=True)


if __name__ == "__main__":
    main()
