"""Benchmark: ``uncounted demo`` end to end (simulate → import → link → estimate → report).

Targets (issue 7): at most 2 minutes at the default 20,000 persons, at most 15 minutes at
200,000 persons, on the project's machine. Each run is a fresh process (as a user runs it);
the script prints per-stage seconds, the total, the peak memory and whether the 95%
interval covered the simulated truth, then the median total per size.

    .venv/bin/python benchmarks/demo_bench.py                 # 20,000 persons, 3 runs
    .venv/bin/python benchmarks/demo_bench.py --size 200000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOK = re.compile(r"Took (\d+) s \((.*)\)")
DOCUMENTED = re.compile(r"Documented persons .*?: ([\d,]+)")
SEEN = re.compile(r"of whom ([\d,]+) are on at least one list")
HEADLINE = re.compile(r"Estimated total .*?: ([\d,]+) \(95% interval ([\d,]+) – ([\d,]+)\)")
STAGE = re.compile(r"(\w+) (\d+) s")


def one_run(size: int, seed: int, folder: Path) -> dict:
    """Run the demo once in a new process; its stage timings, total and coverage."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "uncounted.cli", "demo", "--dir", str(folder / f"d{seed}"),
         "--size", str(size), "--seed", str(seed)],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"demo failed:\n{result.stderr[-3000:]}")
    took = TOOK.search(result.stdout)
    stages = {k: int(v) for k, v in STAGE.findall(took.group(2))} if took else {}
    covered = "inside the interval" in result.stdout
    found = HEADLINE.search(result.stdout)
    headline = "{} ({} – {})".format(*found.groups()) if found else "?"
    matches = (DOCUMENTED.search(result.stdout), SEEN.search(result.stdout))
    documented, seen = (m.group(1) if m else "?" for m in matches)
    headline += f"; documented persons {documented} (truly on a list: {seen})"
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "wall": wall,
        "stages": stages,
        "covered": covered,
        "peak_mib": peak_mib,
        "headline": headline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    walls = []
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        for i in range(args.runs):
            run = one_run(args.size, args.seed + i, Path(tmp))
            walls.append(run["wall"])
            stages = ", ".join(f"{k} {v} s" for k, v in run["stages"].items())
            print(
                f"size {args.size:,} seed {args.seed + i}: {run['wall']:.1f} s wall "
                f"({stages}); peak RSS so far {run['peak_mib']:.0f} MiB; "
                f"estimate {run['headline']}, truth {args.size:,} "
                f"{'inside' if run['covered'] else 'OUTSIDE'} the 95% interval",
                flush=True,
            )
    print(f"median wall time at {args.size:,} persons over {len(walls)} run(s): "
          f"{statistics.median(walls):.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
