"""LCMCR on verdata's Colombian replicate tables, compared with verdata's published posterior.

verdata ran LCMCR (K = 15, burn-in 10,000, 10,000 draws 500 iterations apart of which every
10th is kept, one chain, seed 19481210) on each replicate; we run the verdata option of our
sampler with several chains and compare the posterior quantiles and the two-sample
Kolmogorov-Smirnov distance with verdata's draws. On R1 a single chain, R's or ours, settles
in one of several states depending on its seed (docs/estimation.md), so expect the chains
to disagree there.

    .venv/bin/python benchmarks/estimate_verdata.py [--thin 200] [--samples 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from uncounted.estimate import LCMCR, CaptureTable

MSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "mse"
STEM = "colombia_recruitment_men_1999"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--thin", type=int, default=200)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--burn-in", type=int, default=20_000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    published = pd.read_csv(MSE / f"{STEM}_lcmcr_posterior_draws.csv")
    print("replicate  source    2.5%    25%  median    75%   97.5%   mean   ESS  R-hat  KS-p")
    for replicate in ("R1", "R2"):
        table = CaptureTable.from_csv(MSE / f"{STEM}_{replicate}_capture_patterns.csv")
        theirs = published.loc[published.replicate == replicate, "N"].to_numpy()
        config = LCMCR(
            verdata=True, burn_in=args.burn_in, samples=args.samples, thinning=args.thin,
            chains=args.chains, seed=args.seed,
        )  # fmt: skip
        result = config.fit(table)
        ours = result.draws
        ks = stats.ks_2samp(ours, theirs)
        for name, x, extra in (
            ("verdata", theirs, ""),
            (
                "ours",
                ours,
                f" {result.diagnostics['ess']:5.0f} {result.diagnostics['rhat']:6.3f} "
                f"{ks.pvalue:5.3f}",
            ),
        ):
            q = np.quantile(x, [0.025, 0.25, 0.5, 0.75, 0.975])
            print(
                f"{replicate:<10} {name:<8}" + "".join(f"{v:7.0f}" for v in q)
                + f" {x.mean():6.0f}{extra}"
            )  # fmt: skip
        sys.stdout.flush()


if __name__ == "__main__":
    main()
