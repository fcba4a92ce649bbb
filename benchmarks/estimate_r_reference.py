"""Our LCMCR against the reference R package LCMCR, same tables, same settings, same run.

For each table and seed it runs R's ``lcmCR`` + ``lcmCR_PostSampl`` (one chain) and ours
(``LCMCR(chains=1)``) with the same K, a_alpha = b_alpha = 0.25, burn-in, samples and
thinning, and prints the posterior quantiles of N side by side with iterations per second
(CPU and wall) and the ratio ours / R measured in the same run. Both samplers run 500
warm-up iterations before the burn-in, so the iteration counts are equal.

    .venv/bin/python benchmarks/estimate_r_reference.py                      # quick set
    .venv/bin/python benchmarks/estimate_r_reference.py --speed              # issue's speed run
    .venv/bin/python benchmarks/estimate_r_reference.py --verdata --seeds 19481210 1 2
        # verdata's exact length on Colombia R1/R2 (5,010,500 iterations; ~6 min per chain)

Sets: default = Kosovo (K 10), dga_madigan_york_5lists (K 10), Colombia R1 and R2 (K 15),
burn-in 10,000, 1,000 samples, thinning 100. ``--speed``: Kosovo and a synthetic 5-list
table of 100,606 persons, 100,000 burn-in + 2,000,000 iterations (the issue's R figures).
``--verdata``: R1 and R2 with verdata's call (burn-in 10,000, 10,000 samples, thinning
500, every 10th kept = 1,000 draws), compared with verdata's published draws too.

Needs R with the LCMCR package. CRAN is not reachable here, so build it from source outside
this repository (LCMCR is GPL; never copy its code into this Apache-2.0 project):

    apt-get install -y r-base-core r-base-dev libgsl-dev
    # get LCMCR's source (DESCRIPTION, NAMESPACE, R/*.R, src/**) e.g. from the cran/LCMCR
    # GitHub mirror into /work/rref/LCMCR; configure is not needed: write src/Makevars from
    # src/Makevars.in with GSL_CFLAGS empty, GSL_LIBS = -lgsl -lgslcblas -lm, INL empty
    mkdir -p /work/rref/lib && R CMD INSTALL --library=/work/rref/lib /work/rref/LCMCR
    R_LIBS=/work/rref/lib .venv/bin/python benchmarks/estimate_r_reference.py

The script exits with one line when Rscript or the LCMCR package is missing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from uncounted.estimate import LCMCR, CaptureTable

MSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "mse"
STEM = "colombia_recruitment_men_1999"
WARM_UP = 500  # both samplers: LCMCR's Initializes() and our kernel's WARM_UP

# Our own small R driver (calls the package's exported functions only). It expands the
# pattern table to one row per person, as verdata passes it, and times the sampler.
R_DRIVER = r"""
suppressMessages(library(LCMCR))
a <- commandArgs(trailingOnly = TRUE)
tab <- read.csv(a[1], check.names = FALSE)
K <- as.integer(a[2]); seed <- as.integer(a[3]); burnin <- as.integer(a[4])
samples <- as.integer(a[5]); thin <- as.integer(a[6])
lists <- setdiff(names(tab), "count")
rows <- rep(seq_len(nrow(tab)), tab$count)
df <- as.data.frame(lapply(tab[rows, lists, drop = FALSE], factor, levels = c(0, 1)))
names(df) <- lists
t0 <- proc.time()
s <- lcmCR(captures = df, K = K, tabular = FALSE, seed = seed, buffer_size = 10000,
           thinning = 1000, in_list_label = "1", not_in_list_label = "0", verbose = FALSE)
N <- lcmCR_PostSampl(s, burnin = burnin, samples = samples, thinning = thin, output = FALSE)
t1 <- proc.time() - t0
write.csv(data.frame(N = N), a[7], row.names = FALSE)
cat(sprintf("%.4f %.4f\n", t1[["elapsed"]], t1[["user.self"]] + t1[["sys.self"]]))
"""


@dataclass(frozen=True)
class Run:
    """One chain's draws of N and how long its sampler took (warm-up included)."""

    draws: np.ndarray
    iterations: int = 0
    wall: float = 0.0
    cpu: float = 0.0


def r_available() -> str | None:
    """None when Rscript and the LCMCR package load, else the reason in one line."""
    if shutil.which("Rscript") is None:
        return (
            "Rscript not found: install R and build LCMCR from source (see this file's docstring)"
        )
    probe = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(LCMCR))"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return (
            "R package LCMCR not installed (set R_LIBS to its library; see this file's docstring)"
        )
    return None


def run_r(table: CaptureTable, k: int, seed: int, burn_in: int, samples: int, thin: int) -> Run:
    """R's lcmCR + lcmCR_PostSampl on the table, timed inside R (R's start-up excluded)."""
    with tempfile.TemporaryDirectory() as tmp:
        driver, data, out = (Path(tmp) / name for name in ("run.R", "table.csv", "draws.csv"))
        driver.write_text(R_DRIVER)
        frame = pd.DataFrame(table.patterns, columns=list(table.lists))
        frame["count"] = table.counts
        frame.to_csv(data, index=False)
        args = [str(a) for a in (driver, data, k, seed, burn_in, samples, thin, out)]
        done = subprocess.run(["Rscript", *args], capture_output=True, text=True, check=True)
        wall, cpu = (float(x) for x in done.stdout.split()[-2:])
        draws = pd.read_csv(out)["N"].to_numpy()
    return Run(draws, WARM_UP + burn_in + samples * thin, wall, cpu)


def run_ours(table: CaptureTable, k: int, seed: int, burn_in: int, samples: int, thin: int) -> Run:
    """Our sampler, one chain in one thread, with the same settings."""
    config = LCMCR(K=k, burn_in=burn_in, samples=samples, thinning=thin, chains=1, seed=seed,
                   threads=1)  # fmt: skip
    wall, cpu = time.perf_counter(), time.process_time()
    result = config.fit(table)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Run(result.draws, WARM_UP + burn_in + samples * thin, wall, cpu)


def row(name: str, seed: int, who: str, run: Run, ratio: str = "") -> str:
    """One Markdown row; the timing cells stay empty for draws that were not timed."""
    q = np.quantile(run.draws, [0.025, 0.5, 0.975])
    timing = (
        f"{run.wall:.2f} | {run.cpu:.2f} | {run.iterations / run.cpu:,.0f}"
        if run.cpu > 0
        else "– | – | –"
    )
    return (
        f"| {name} | {seed} | {who} | {q[0]:,.0f} | {q[1]:,.0f} | {q[2]:,.0f} | "
        f"{run.draws.mean():,.0f} | {timing} | {ratio} |"
    )


def tables(args: argparse.Namespace) -> list[tuple[str, CaptureTable, int]]:
    """(name, table, K) for the chosen set."""
    colombia = [
        (r, CaptureTable.from_csv(MSE / f"{STEM}_{r}_capture_patterns.csv").drop_empty_lists(), 15)
        for r in ("R1", "R2")
    ]
    kosovo = ("Kosovo", CaptureTable.from_csv(MSE / "LCMCR_kosovo_aggregate.csv"), 10)
    if args.verdata:
        return colombia
    if args.speed:
        sys.path.insert(0, str(Path(__file__).parent))
        from estimate_speed import synthetic  # the speed benchmark's 5-list population

        return [kosovo, ("synthetic 5 lists", synthetic(100_606), 10)]
    five = CaptureTable.from_csv(MSE / "dga_madigan_york_5lists.csv")
    return [kosovo, ("dga_madigan_york_5lists", five, 10), *colombia]


def settings(args: argparse.Namespace) -> tuple[int, int, int]:
    if args.verdata:
        return 10_000, 10_000, 500
    if args.speed:
        return 100_000, 2_000_000, 1
    return args.burn_in, args.samples, args.thin


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--burn-in", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--thin", type=int, default=100)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--speed", action="store_true")
    group.add_argument("--verdata", action="store_true")
    args = parser.parse_args(argv)
    reason = r_available()
    if reason is not None:
        print(f"estimate_r_reference: {reason}", file=sys.stderr)
        raise SystemExit(1)
    burn_in, samples, thin = settings(args)
    chosen = tables(args)
    LCMCR(chains=1, burn_in=1, samples=2, thinning=1, seed=0).fit(chosen[0][1])  # compile
    print(f"load average {os.getloadavg()[0]:.2f}; burn-in {burn_in:,}, samples {samples:,}, "
          f"thinning {thin:,} (+{WARM_UP} warm-up); one chain each; times of the sampler only")  # fmt: skip
    print("\n| table | seed | sampler | 2.5% | median | 97.5% | mean | wall s | CPU s | "
          "it/s (CPU) | ours/R it/s (CPU; wall) |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for name, table, k in chosen:
        for seed in args.seeds:
            theirs = run_r(table, k, seed, burn_in, samples, thin)
            ours = run_ours(table, k, seed, burn_in, samples, thin)
            ratio = f"{theirs.cpu / ours.cpu:.2f}; {theirs.wall / ours.wall:.2f}"
            print(row(name, seed, "R LCMCR", theirs))
            print(row(name, seed, "ours", ours, ratio), flush=True)
            if args.verdata:
                print(row(name, seed, "R, every 10th (verdata)", Run(theirs.draws[::10])))
        if args.verdata:
            published = pd.read_csv(MSE / f"{STEM}_lcmcr_posterior_draws.csv")
            keep = published.loc[published.replicate == name, "N"].to_numpy()
            print(row(name, 19481210, "verdata published", Run(keep)))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(
        f"\nR processes' total CPU (start-up included): {child:.1f} s; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
