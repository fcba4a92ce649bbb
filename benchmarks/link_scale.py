"""Linkage at scale: a simulated workspace of about a million records, end to end.

Times ``uncounted link`` (wall clock and CPU seconds of a child process: read every record
from the workspace, features, training, scoring, clustering, writing persons, memberships,
features and the review queue) and reads its peak memory (the child's maximum resident set
size) and the machine's load average before and after, then evaluates the stored persons
against the truth (not timed).

    .venv/bin/python benchmarks/link_scale.py --prepare 625000 --dir /tmp/link1m   # once
    .venv/bin/python benchmarks/link_scale.py --dir /tmp/link1m

``--prepare N`` simulates N people (about 1.6 records each) and imports the lists with the
real CLI (a few minutes for a million records; not part of the measure). ``--repeats N``
links N times and adds the medians and whether every run found the same partition (the
same records, parameters and decisions must give the same persons).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
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


def run_measured(*args: str) -> tuple[str, float, float]:
    """Run a command; its stdout, CPU seconds and peak resident memory (KiB), its own
    (``wait4`` on the child, not the maximum over every child so far)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args[:4])}…: {err.read().strip()[-800:]}")
        return out.read(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def partition_fingerprint(ws: Path) -> str:
    """A hash of the stored partition that ignores person ids: each record with the
    smallest record id of its person (SQLite workspaces)."""
    con = sqlite3.connect(ws / "uncounted.sqlite3")
    try:
        rows = con.execute(
            "SELECT record_id, MIN(record_id) OVER (PARTITION BY person_id) "
            "FROM linkage_membership ORDER BY record_id"
        ).fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def measure(folder: Path, official: str) -> dict:
    ws = folder / "ws"
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    out, cpu, peak_kib = run_measured(
        UNCOUNTED, "-w", str(ws), "link", "--official", official, "--force", "--json"
    )
    seconds = time.perf_counter() - start
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
        "partition": partition_fingerprint(ws),
    }


def summary(runs: list[dict]) -> dict:
    return {
        "runs": len(runs),
        "median_seconds_end_to_end": statistics.median(r["seconds_end_to_end"] for r in runs),
        "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_memory_gb": max(r["peak_memory_gb"] for r in runs),
        "same_partition_every_run": len({r["partition"] for r in runs}) == 1,
        "persons_per_run": [r["persons"] for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--prepare", type=int, default=0, help="simulate and import N people")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--official", default="death_notices")
    parser.add_argument("--repeats", type=int, default=1, help="link N times")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.dir, args.seed)
        return
    runs = []
    for _ in range(args.repeats):
        runs.append(measure(args.dir, args.official))
        print(json.dumps(runs[-1], indent=1), flush=True)
    if args.repeats > 1:
        print(json.dumps(summary(runs), indent=1))


if __name__ == "__main__":
    main()
