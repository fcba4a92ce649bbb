"""Linkage quality on simulated scenarios, against the truth, beside plain Splink.

For each seed: simulate N people (5 lists, Arabic and Latin), import every list into a
fresh workspace with the real CLI, run ``uncounted link`` (timed), then evaluate the stored
persons against ``truth.csv``. The same imported records also go through *plain Splink*
(its standard ``NameComparison`` on the names as recorded, exact matches on the rest,
connected components at 0.5) as the peer. Prints one table and writes JSON.

    .venv/bin/python benchmarks/link_quality.py --size 20000 --seeds 1 2 3 --out /tmp/lq

Needs a few minutes per 20,000-person seed on the development machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from uncounted.link.evaluate import evaluate

UNCOUNTED = str(Path(sys.executable).parent / "uncounted")


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}…: {done.stderr.strip()[-500:]}")
    return done.stdout


def build_workspace(size: int, seed: int, root: Path) -> tuple[Path, Path]:
    """Simulate and import with the real CLI; returns (workspace, scenario)."""
    scenario, ws = root / f"scenario-{seed}", root / f"ws-{seed}"
    sh(UNCOUNTED, "simulate", "--out", str(scenario), "--size", str(size), "--seed", str(seed))
    sh(UNCOUNTED, "init", str(ws))
    manifest = json.loads((scenario / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["lists"]:
        args = [UNCOUNTED, "-w", str(ws), "import", str(scenario / entry["file"])]
        args += ["--source", entry["source"]]
        if entry.get("mapping"):
            args += ["--mapping", str(scenario / entry["mapping"])]
        sh(*args, "--json")
    return ws, scenario


def ours(ws: Path, scenario: Path, official: str) -> dict:
    start = time.perf_counter()
    sh(UNCOUNTED, "-w", str(ws), "link", "--official", official, "--json")
    seconds = time.perf_counter() - start
    result = json.loads(
        sh(
            UNCOUNTED,
            "-w",
            str(ws),
            "evaluate-links",
            "--truth",
            str(scenario / "truth.csv"),
            "--json",
        )
    )
    result["seconds"] = seconds
    return result


def load_records(ws: Path) -> pd.DataFrame:
    with sqlite3.connect(ws / "uncounted.sqlite3") as con:
        return pd.read_sql_query(
            "SELECT r.id AS unique_id, s.name AS source, r.* FROM core_record r "
            "JOIN core_source s ON s.id = r.source_id",
            con,
        ).loc[:, lambda d: ~d.columns.duplicated()]


def plain_splink(records: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """The peer: Splink's standard comparisons on the names as recorded."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    start = time.perf_counter()
    df = records[
        [
            "unique_id",
            "source",
            "record_id",
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "mother_name",
            "sex",
            "birth_date",
            "governorate_pcode",
            "death_date",
            "arrest_date",
            "registry_number",
            "detainee_number",
        ]
    ].copy()
    df = df.replace("", None)
    df["birth_year"] = df["birth_date"].str[:4]
    names = ["given_name", "father_name", "grandfather_name", "family_name", "mother_name"]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            *(cl.NameComparison(n).configure(term_frequency_adjustments=True) for n in names),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("governorate_pcode"),
            cl.ExactMatch("death_date"),
            cl.ExactMatch("arrest_date"),
            cl.ExactMatch("registry_number"),
            cl.ExactMatch("detainee_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "father_name"),
            block_on("given_name", "family_name"),
            block_on("father_name", "family_name"),
            block_on("death_date"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(
        db_api.register(df.drop(columns=["source", "record_id"])), settings, log_level=logging.ERROR
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "father_name", "family_name", "birth_year")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("given_name", "father_name", "family_name"), block_on("death_date")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.5)
    labels = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - start
    links = df[["unique_id", "source", "record_id"]].merge(labels, on="unique_id")
    links = links.rename(columns={"cluster_id": "person_id"})
    edges = pairs.as_pandas_dataframe()[["unique_id_l", "unique_id_r"]]
    result = evaluate(links, truth, edges)
    result["seconds"] = seconds
    return result


def row(name: str, seed: int, r: dict) -> dict:
    return {
        "method": name,
        "seed": seed,
        "F1 before": round(r.get("pairwise_before_clustering", {}).get("f1", float("nan")), 4),
        "P after": round(r["pairwise_after_clustering"]["precision"], 4),
        "R after": round(r["pairwise_after_clustering"]["recall"], 4),
        "F1 after": round(r["pairwise_after_clustering"]["f1"], 4),
        "B3 F1": round(r["bcubed"]["f1"], 4),
        "persons": r["persons_found"],
        "true": r["persons_true"],
        "persons %": round(r["persons_difference_pct"], 2),
        "cells ok": f"{sum(c['within_tolerance'] for c in r['capture_cells'])}"
        f"/{len(r['capture_cells'])}",
        "seconds": round(r["seconds"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", type=Path, default=Path("/tmp/uncounted-link-quality"))
    parser.add_argument("--official", default="death_notices")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.pop("UNCOUNTED_DATABASE_URL", None)
    rows, details = [], {}
    for seed in args.seeds:
        ws, scenario = build_workspace(args.size, seed, args.out)
        truth = pd.read_csv(scenario / "truth.csv", dtype=str)
        mine = ours(ws, scenario, args.official)
        peer = plain_splink(load_records(ws), truth)
        rows += [row("uncounted", seed, mine), row("plain Splink", seed, peer)]
        details[seed] = {"uncounted": mine, "plain_splink": peer}
        print(pd.DataFrame(rows).to_string(index=False), flush=True)
    (args.out / "link_quality.json").write_text(json.dumps(details, indent=1, default=str))


if __name__ == "__main__":
    main()
