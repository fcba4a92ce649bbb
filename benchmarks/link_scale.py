"""Linkage at scale: a simulated workspace of about a million records, end to end.

Times ``uncounted link`` (wall clock and CPU seconds of a child process: read every record
from the workspace, features, training, scoring, clustering, writing persons, memberships,
features and the review queue) and reads its peak memory (the child's maximum resident set
size) and the machine's load average before and after, then evaluates the stored persons
against the truth (not timed).

    .venv/bin/python benchmarks/link_scale.py --prepare 625000 --dir /tmp/link1m   # once
    .venv/bin/python benchmarks/link_scale.py --dir /tmp/link1m

``--prepare N`` simulates N people (about 1.6 records each) and imports the lists with the
real CLI (a few minutes for a million records; not part of the measure).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

UNCOUNTED = str(Path(sys.executable).parent / "uncounted")


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])}…: {done.stderr.strip()[-800:]}")
    return done.stdout


def prepare(size: int, folder: Path, seed: int) -> None:
    scenario, ws = folder / "scenario", folder / "ws"
    run(
        UNCOUNTED,
        "simulate",
        "--out",
        str(scenario),
        "--size",
        str(size),
        "--seed",
        str(seed),
        "--csv-only",
    )
    run(UNCOUNTED, "init", str(ws))
    manifest = json.loads((scenario / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["lists"]:
        args = [
            UNCOUNTED,
            "-w",
            str(ws),
            "import",
            str(scenario / entry["file"]),
            "--source",
            entry["source"],
            "--json",
        ]
        if entry.get("mapping"):
            args += ["--mapping", str(scenario / entry["mapping"])]
        run(*args)


def measure(folder: Path, official: str) -> dict:
    ws = folder / "ws"
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    out = run(UNCOUNTED, "-w", str(ws), "link", "--official", official, "--force", "--json")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    load_after = os.getloadavg()[0]
    linked = json.loads(out)
    evaluation = json.loads(
        run(
            UNCOUNTED,
            "-w",
            str(ws),
            "evaluate-links",
            "--truth",
            str(folder / "scenario" / "truth.csv"),
            "--json",
        )
    )
    return {
        "records": linked["counts"]["records"],
        "persons": linked["counts"]["persons"],
        "seconds_end_to_end": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_memory_gb": round(peak_kib / 1024**2, 2),
        # other processes share the machine: wall seconds stretch with the load, CPU do not
        "load_average_before_after": [round(load_before, 1), round(load_after, 1)],
        "timings": linked["timings"],
        "pairs_scored": sum(r["pairs"] for r in linked["blocking"]),
        "f1_after_clustering": round(evaluation["pairwise_after_clustering"]["f1"], 4),
        "precision_after": round(evaluation["pairwise_after_clustering"]["precision"], 4),
        "recall_after": round(evaluation["pairwise_after_clustering"]["recall"], 4),
        "persons_true": evaluation["persons_true"],
        "persons_difference_pct": round(evaluation["persons_difference_pct"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--prepare", type=int, default=0, help="simulate and import N people")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--official", default="death_notices")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.dir, args.seed)
        return
    print(json.dumps(measure(args.dir, args.official), indent=1))


if __name__ == "__main__":
    main()
