"""Simulator speed: time to draw and write a scenario of N people (target: 200,000 in < 60 s).

    .venv/bin/python benchmarks/simulate_bench.py [--size 200000] [--runs 3]

Prints wall-clock and CPU time of each run, the medians, and the counts, for
benchmarks/README.md (CPU time shows the cost when the machine is shared).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from uncounted.simulate import SimulationConfig, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times, cpu = [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            start, start_cpu = time.perf_counter(), time.process_time()
            scenario = simulate(SimulationConfig(size=args.size, seed=run), Path(tmp))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            records = sum(e["records"] for e in scenario.manifest["lists"])
            size_mb = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 1e6
        print(
            f"run {run + 1}: {times[-1]:.1f} s wall, {cpu[-1]:.1f} s CPU, {records:,} records, "
            f"{size_mb:.0f} MB written"
        )
    print(
        f"size {args.size:,}: median {statistics.median(times):.1f} s wall, "
        f"{statistics.median(cpu):.1f} s CPU over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
