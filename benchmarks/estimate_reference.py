"""Every reference table under every estimator with default settings (Markdown table).

    .venv/bin/python benchmarks/estimate_reference.py [--seed 1] [--methods lcmcr,dga]

The figures quoted in docs/estimation.md come from this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from uncounted.errors import UserError
from uncounted.estimate import DGA, LCMCR, CaptureTable, LogLinear

MSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "mse"
OPEN_POPULATIONS = ("Rcapture_duck", "Rcapture_bunting", "Rcapture_mvole", "Rcapture_rbvole")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="lcmcr,loglinear,dga", help="comma-separated")
    args = parser.parse_args()
    methods = set(args.methods.split(","))
    if not methods <= {"lcmcr", "loglinear", "dga"}:
        parser.error(
            f"--methods: unknown {', '.join(sorted(methods - {'lcmcr', 'loglinear', 'dga'}))}"
        )
    print("| table | lists | observed | method | estimate | 95% interval | model / notes |")
    print("|---|---:|---:|---|---:|---|---|")
    for path in sorted(MSE.glob("*.csv")):
        if "posterior" in path.name or path.stem.startswith(OPEN_POPULATIONS):
            continue
        table = CaptureTable.from_csv(path)
        verdata = path.stem.startswith("colombia")
        configs = (
            LCMCR(seed=args.seed, verdata=verdata),
            LogLinear(criterion="aic"),
            LogLinear(criterion="bic"),
            DGA(seed=args.seed),
        )
        for config in (c for c in configs if c.method in methods):
            label = config.method + (
                f" ({config.criterion})" if config.method == "loglinear" else ""
            )
            try:
                r = config.fit(table)
            except UserError as exc:
                print(
                    f"| {path.stem} | {table.n_lists} | {table.observed:,} | {label} | – | – | {exc} |"
                )
                continue
            note = r.details.get("model", "")
            if r.method == "lcmcr":
                note = f"R-hat {r.diagnostics['rhat']:.3f}, ESS {r.diagnostics['ess']:.0f}"
            print(
                f"| {path.stem} | {table.n_lists} | {table.observed:,} | {label} | "
                f"{r.estimate:,.0f} | {r.lower:,.0f} – {r.upper:,.0f} | {note} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
