"""Linkage quality on simulated scenarios, against the truth, beside plain Splink.

For each seed: simulate N people (5 lists, Arabic and Latin), import every list into a
fresh workspace with the real CLI, run ``uncounted link`` (timed), then evaluate the stored
persons against ``truth.csv`` with ``uncounted evaluate-links``. The same imported records
also go through *plain Splink* (its standard ``NameComparison`` on the names as recorded,
exact matches on the rest, connected components at 0.5) as the peer.

Every figure is given twice: over all records, and over the records that carry enough to
be linked (the store's rule ``LINKABLE_SQL``: two name parts, the mother's included, or a
civil registry number; what estimation counts), with the number of records too sparse to
link. Blocking recall (the share of true pairs that some blocking rule generates) and the
candidate pairs generated come from the same records. Prints one table, writes JSON.

    .venv/bin/python benchmarks/link_quality.py --size 20000 --seeds 1 2 3 --out /tmp/lq

``--reuse`` keeps workspaces already imported under ``--out`` (only ``uncounted link`` and
the evaluation run again); ``--no-peer`` leaves plain Splink out. Needs a few minutes per
20,000-person seed on the development machine.

``--explain`` adds *what the data allow* (:func:`explain_splits`): over the linkable
records, every true person the persons split, each extra part put in one class — no
blocking rule meets it; a likely pair (p >= 0.5) that clustering kept apart; its best pair
with the rest of its person below even odds and (a) a wrong pair of either record at
least as strong ("outscored"), of which (b) some as strong on every comparison
("indistinguishable"), or (c) neither ("weak evidence"). Then the persons and the
capture-history cells if classes were fixed by an oracle (their parts rejoined): blocking
and clustering alone; weak evidence too; every class. How many of all the pairs left
apart at each weight are true (calibration): what a lower threshold would buy. And for
records left alone, their best candidate person when it sits below even odds, by weight
and by its margin over the next candidate: how often it is the record's own person, the
precision a rule "join your clear best candidate" would have.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from uncounted.link import model
from uncounted.link.evaluate import capture_table, compare_capture_tables, evaluate
from uncounted.link.features import build_features

UNCOUNTED = str(Path(sys.executable).parent / "uncounted")


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}…: {done.stderr.strip()[-500:]}")
    return done.stdout


def build_workspace(size: int, seed: int, root: Path, reuse: bool) -> tuple[Path, Path]:
    """Simulate and import with the real CLI; returns (workspace, scenario)."""
    scenario, ws = root / f"scenario-{seed}", root / f"ws-{seed}"
    if reuse and (ws / "uncounted.sqlite3").is_file() and (scenario / "truth.csv").is_file():
        return ws, scenario
    for folder in (scenario, ws):
        if folder.exists():
            raise SystemExit(f"{folder} exists: remove it, or pass --reuse")
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
    """``uncounted link`` (timed: wall and the child's CPU seconds), then the evaluation."""
    start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    run = json.loads(sh(UNCOUNTED, "-w", str(ws), "link", "--official", official, "--json"))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    truth = str(scenario / "truth.csv")
    result = json.loads(sh(UNCOUNTED, "-w", str(ws), "evaluate-links", "--truth", truth, "--json"))
    result["seconds"] = seconds
    result["cpu_seconds"] = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    result["pairs_generated"] = run["blocking"][-1]["cumulative_pairs"] if run["blocking"] else 0
    return result


def linkable_ids(ws: Path) -> set[int]:
    """Records with enough to be linked, by the store's own rule (``LINKABLE_SQL``)."""
    from uncounted.store.db import configure
    from uncounted.store.workspace import load

    configure(load(ws))  # the rule lives in a module that needs Django configured
    from uncounted.link.store import LINKABLE_SQL

    with sqlite3.connect(ws / "uncounted.sqlite3") as con:
        rows = con.execute(f"SELECT r.id FROM core_record r WHERE {LINKABLE_SQL}").fetchall()
    return {row[0] for row in rows}


def blocking_recall(records: pd.DataFrame, truth: pd.DataFrame, linkable: set[int]) -> dict:
    """Share of the true pairs that some blocking rule generates: all and linkable records."""
    features = build_features(records)
    keyed = model.comparison_table(features)
    ids = records[["unique_id", "source", "record_id"]].merge(truth, on=["source", "record_id"])
    pairs = ids.merge(ids, on="person_id", suffixes=("_l", "_r"))
    pairs = pairs[pairs["unique_id_l"] < pairs["unique_id_r"]]
    left, right = pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy()
    hit = model.blocked_pairs(keyed, left, right)
    both = np.isin(left, list(linkable)) & np.isin(right, list(linkable))
    return {
        "all": float(hit.mean()) if len(hit) else 1.0,
        "linkable": float(hit[both].mean()) if both.any() else 1.0,
        "true_pairs": len(hit),
        "true_pairs_linkable": int(both.sum()),
    }


def load_records(ws: Path) -> pd.DataFrame:
    with sqlite3.connect(ws / "uncounted.sqlite3") as con:
        return pd.read_sql_query(
            "SELECT r.id AS unique_id, s.name AS source, r.* FROM core_record r "
            "JOIN core_source s ON s.id = r.source_id",
            con,
        ).loc[:, lambda d: ~d.columns.duplicated()]


def plain_splink(records: pd.DataFrame, truth: pd.DataFrame, linkable: set[int]) -> dict:
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
    result = evaluate(links, truth, edges, linkable=linkable)
    result["seconds"] = seconds
    return result


METHOD_LIMITED = ("not blocked", "clustering", "weak evidence")
DATA_LIMITED = ("outscored", "indistinguishable")
ORACLES = {  # what an oracle rejoins, cumulatively
    "if_blocking_and_clustering_fixed": ("not blocked", "clustering"),
    "if_weak_evidence_also_linked": METHOD_LIMITED,
    "if_every_part_rejoined": (*METHOD_LIMITED, *DATA_LIMITED),
}
BEST_CANDIDATE_WEIGHTS = (-1.0, -2.0, -4.0)
BEST_CANDIDATE_MARGINS = (0.0, 6.0, 10.0)
WEIGHT_BANDS = (-np.inf, -10.0, -6.0, -3.0, -1.0, 0.0)


def explain_splits(
    records: pd.DataFrame, truth: pd.DataFrame, linkable: set[int], official: str
) -> dict:
    """Why each true person the persons split was split, over the linkable records.

    Links in-process with the run's defaults, keeping every scored pair down to p = 1e-7
    (the persons can differ slightly from the command's: the prior is re-estimated over
    more pairs) so that wrong pairs weaker than a missed true pair
    can be seen. A true person's largest part is its main part; every other part is put in
    one class by its best pair with the main part (see the module docstring).
    """
    import duckdb

    from uncounted.link import pipeline, scoring

    params = pipeline.LinkParameters(
        exclusive_sources=(official,), predict_threshold=1e-7, keep_threshold=1e-7
    )
    res = pipeline.run_linkage(records, params=params)
    ids = records[["unique_id", "source", "record_id"]].merge(truth, on=["source", "record_id"])
    true_of = ids.set_index("unique_id")["person_id"]
    ids = ids[ids["unique_id"].isin(linkable)].reset_index(drop=True)
    ids["pred"] = res.persons.set_index("unique_id")["label"].reindex(ids["unique_id"]).to_numpy()
    parts = ids.groupby(["person_id", "pred"]).size().rename("n").reset_index()
    parts = parts.sort_values(["person_id", "n", "pred"], ascending=[True, False, True])
    main = parts[~parts.duplicated("person_id")].set_index("person_id")["pred"]
    extra = parts[parts.duplicated("person_id")].copy()
    extra["main_pred"] = main.reindex(extra["person_id"]).to_numpy()
    a = extra.merge(ids, on=["person_id", "pred"])[["person_id", "pred", "unique_id"]]
    b = ids.merge(main.rename("m").reset_index(), on="person_id")
    b = b.loc[b["pred"] == b["m"], ["person_id", "unique_id"]].rename(columns={"unique_id": "b"})
    cross = a.merge(b, on="person_id")
    named = model.comparison_table(res.features)
    cross["blocked"] = model.blocked_pairs(
        named, cross["unique_id"].to_numpy(), cross["b"].to_numpy()
    )
    con = duckdb.connect()
    con.register("features_df", named)
    con.execute("CREATE TABLE features AS SELECT * FROM features_df")
    comps = [c["output_column_name"] for c in res.model["comparisons"]]

    def scored(left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Weight and per-comparison weights of pairs, indexed by (low id, high id)."""
        frame = scoring.score_pairs(
            con,
            "features",
            res.model,
            pd.DataFrame({"unique_id_l": left, "unique_id_r": right}),
            detail=True,
        )
        out = pd.DataFrame({"w": frame["match_weight"]})
        for c in comps:
            out[c] = frame[f"mw_{c}"].fillna(0.0)
            if f"mw_tf_adj_{c}" in frame:
                out[c] += frame[f"mw_tf_adj_{c}"].fillna(0.0)
        low = np.minimum(frame["unique_id_l"], frame["unique_id_r"])
        high = np.maximum(frame["unique_id_l"], frame["unique_id_r"])
        out.index = pd.MultiIndex.from_arrays([low, high])
        return out[~out.index.duplicated()]

    def key(left: pd.Series, right: pd.Series) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays([np.minimum(left, right), np.maximum(left, right)])

    true_scores = scored(cross["unique_id"].to_numpy(), cross["b"].to_numpy())
    cross["w"] = true_scores["w"].reindex(key(cross["unique_id"], cross["b"])).to_numpy()
    cross["w"] = np.where(cross["blocked"], cross["w"], -np.inf)
    best = cross.sort_values("w", ascending=False).drop_duplicates(["person_id", "pred"])
    extra = extra.merge(best, on=["person_id", "pred"], how="left")
    # the strongest wrong pair of each record (every scored pair down to p = 1e-7)
    pairs = res.pairs
    wrong = pairs[
        true_of.reindex(pairs["unique_id_l"]).to_numpy()
        != true_of.reindex(pairs["unique_id_r"]).to_numpy()
    ]
    sides = _both_sides(wrong)
    top = sides.groupby("u")["w"].max()
    rival = np.maximum(
        top.reindex(extra["unique_id"]).fillna(-np.inf).to_numpy(),
        top.reindex(extra["b"]).fillna(-np.inf).to_numpy(),
    )
    extra["class"] = np.select(
        [~extra["blocked"], extra["w"] >= 0, rival >= extra["w"]],
        ["not blocked", "clustering", "outscored"],
        "weak evidence",
    )
    # outscored by a wrong pair that is as strong on every comparison: indistinguishable
    out = extra[extra["class"] == "outscored"]
    rivals = pd.concat(
        [
            out[["unique_id", "unique_id", "b", "w"]].set_axis(["u", "a", "b", "w0"], axis=1),
            out[["b", "unique_id", "b", "w"]].set_axis(["u", "a", "b", "w0"], axis=1),
        ]
    ).merge(sides, on="u")
    rivals = rivals[rivals["w"] >= rivals["w0"]]
    if len(rivals):
        mine = true_scores.reindex(key(rivals["a"], rivals["b"]))[comps].to_numpy()
        theirs = scored(rivals["u"].to_numpy(), rivals["x"].to_numpy())
        theirs = theirs.reindex(key(rivals["u"], rivals["x"]))[comps].to_numpy()
        as_good = (theirs >= mine - 1e-9).all(axis=1)
        same = key(rivals["a"], rivals["b"])[as_good]
        hit = key(extra["unique_id"], extra["b"]).isin(same) & (extra["class"] == "outscored")
        extra.loc[hit, "class"] = "indistinguishable"
    source = records.set_index("unique_id")["source"]
    extra["lists"] = [
        " / ".join(sorted(p))
        for p in zip(source.reindex(extra["unique_id"]), source.reindex(extra["b"]), strict=True)
    ]
    return {
        "extra_parts": len(extra),
        "classes": extra["class"].value_counts().to_dict(),
        "by_lists": pd.crosstab(extra["lists"], extra["class"]).to_dict(orient="index"),
        "clustering_reasons": _clustering_reasons(extra, res.persons, scored, key),
        **_if_fixed(ids, extra),
        "calibration": _calibration(res.pairs, ids, extra),
        "best_candidate": _best_candidate(res.pairs, ids),
    }


def _both_sides(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each scored pair twice, once from each record: ``u`` (the record), ``x``, ``w``."""
    cols = ["unique_id_l", "unique_id_r", "match_weight"]
    return pd.concat(
        [
            pairs[cols].set_axis(["u", "x", "w"], axis=1),
            pairs[[cols[1], cols[0], cols[2]]].set_axis(["u", "x", "w"], axis=1),
        ],
        ignore_index=True,
    )


def _clustering_reasons(
    extra: pd.DataFrame, persons: pd.DataFrame, scored: Callable, key: Callable
) -> dict[str, int]:
    """Why clustering kept each *clustering* part apart from its person's main part.

    Average linkage leaves a part apart when its mean weight with the main part is below
    the merge weight; the step that attaches a record left alone then only takes single
    records, and refuses one with a pair below ``cluster.ATTACH_FLOOR`` or a mean below
    ``cluster.ATTACH_MEAN_FLOOR`` with the main part (all its records, linkable or not).
    """
    from uncounted.link import cluster

    parts = extra[extra["class"] == "clustering"]
    if len(parts) == 0:
        return {}
    groups = persons.groupby("label")["unique_id"].agg(list)
    a = groups.reindex(parts["pred"]).explode().to_numpy()
    frame = pd.DataFrame(
        {"part": np.repeat(np.arange(len(parts)), groups.reindex(parts["pred"]).map(len)), "a": a}
    )
    frame["main"] = parts["main_pred"].to_numpy()[frame["part"]]
    frame = frame.merge(groups.rename("b").explode().rename_axis("main").reset_index(), on="main")
    frame[["a", "b"]] = frame[["a", "b"]].astype(np.int64)
    frame["w"] = (
        scored(frame["a"].to_numpy(), frame["b"].to_numpy())["w"]
        .reindex(key(frame["a"], frame["b"]))
        .to_numpy()
    )
    per = frame.groupby("part").agg(n=("a", "nunique"), low=("w", "min"), mean=("w", "mean"))
    reason = np.select(
        [
            per["n"] > 1,
            per["low"] < cluster.ATTACH_FLOOR,
            per["mean"] < cluster.ATTACH_MEAN_FLOOR,
        ],
        ["a part of 2+ records", "a pair below the floor", "mean below the floor"],
        "other",
    )
    return pd.Series(reason).value_counts().to_dict()


def _if_fixed(ids: pd.DataFrame, extra: pd.DataFrame) -> dict:
    """Persons and cells within tolerance now, and under each oracle (:data:`ORACLES`)."""
    true_table = capture_table(ids["person_id"], ids["source"])
    out = {"persons_true": int(ids["person_id"].nunique())}
    for name, fix in (("now", ()), *ORACLES.items()):
        rejoin = extra[extra["class"].isin(fix)][["person_id", "pred", "main_pred"]]
        moved = ids.merge(rejoin, on=["person_id", "pred"], how="left")["main_pred"]
        pred = np.where(moved.notna(), moved, ids["pred"])
        cells = compare_capture_tables(capture_table(pd.Series(pred), ids["source"]), true_table)
        out[f"persons_{name}"] = len(np.unique(pred))
        out[f"cells_{name}"] = f"{int(cells['within_tolerance'].sum())}/{len(cells)}"
    return out


def _calibration(pairs: pd.DataFrame, ids: pd.DataFrame, extra: pd.DataFrame) -> list[dict]:
    """Per weight band below even odds: the scored pairs of linkable records left in two
    persons, how many of them are true, and the missed parts whose best pair sits there."""
    pred = ids.set_index("unique_id")["pred"]
    person = ids.set_index("unique_id")["person_id"]
    left, right = pairs["unique_id_l"], pairs["unique_id_r"]
    pl, pr = pred.reindex(left).to_numpy(), pred.reindex(right).to_numpy()
    apart = pd.notna(pl) & pd.notna(pr) & (pl != pr)
    weight = pairs["match_weight"].to_numpy()[apart]
    true = person.reindex(left).to_numpy()[apart] == person.reindex(right).to_numpy()[apart]
    missed = extra.loc[extra["class"] != "not blocked", "w"].to_numpy()
    rows = []
    for lo, hi in itertools.pairwise(WEIGHT_BANDS):
        band = (weight >= lo) & (weight < hi)
        rows.append(
            {
                "band": f"[{lo:g}, {hi:g})",
                "pairs_apart": int(band.sum()),
                "true": int(true[band].sum()),
                "missed_parts": int(((missed >= lo) & (missed < hi)).sum()),
            }
        )
    return rows


def _best_candidate(pairs: pd.DataFrame, ids: pd.DataFrame) -> list[dict]:
    """Records left alone: how often their best candidate below even odds is their person.

    A candidate is another person with a scored pair to the record (its weight: the
    strongest such pair); the margin is the best weight less the next candidate's (no
    next one: infinite). "Own person": the record's true person is the candidate's most
    common true person.
    """
    pred = ids.set_index("unique_id")["pred"]
    alone = pred.map(pred.value_counts()) == 1
    sides = _both_sides(pairs)
    sides = sides[sides["u"].isin(alone.index[alone]) & sides["x"].isin(pred.index)]
    sides["person"] = pred.reindex(sides["x"]).to_numpy()
    cand = sides.groupby(["u", "person"])["w"].max().reset_index()
    cand = cand.sort_values(["u", "w"], ascending=[True, False])
    best = cand.drop_duplicates("u").set_index("u")
    runner = cand[cand.duplicated("u")].drop_duplicates("u").set_index("u")["w"]
    margin = best["w"] - runner.reindex(best.index).fillna(-np.inf)
    counts = ids.groupby(["pred", "person_id"]).size().sort_values(ascending=False)
    majority = counts.reset_index().drop_duplicates("pred").set_index("pred")["person_id"]
    truth = ids.set_index("unique_id")["person_id"]
    own = truth.reindex(best.index).to_numpy() == majority.reindex(best["person"]).to_numpy()
    rows = []
    for low in BEST_CANDIDATE_WEIGHTS:
        for least in BEST_CANDIDATE_MARGINS:
            hit = ((best["w"] >= low) & (best["w"] < 0) & (margin >= least)).to_numpy()
            rows.append(
                {"weight": f"[{low:g}, 0)", "margin >=": least, "records": int(hit.sum()),
                 "own person": int(own[hit].sum())}
            )  # fmt: skip
    return rows


def print_explanation(seed: int, e: dict) -> None:
    classes = {c: e["classes"].get(c, 0) for c in (*METHOD_LIMITED, *DATA_LIMITED)}
    print(
        f"seed {seed}: {e['extra_parts']} extra parts (linkable records); "
        + ", ".join(f"{c} {n}" for c, n in classes.items())
        + f"; persons {e['persons_now']:,} (true {e['persons_true']:,}), cells ok "
        f"{e['cells_now']}",
        flush=True,
    )
    for name in ORACLES:
        print(
            f"  {name.replace('_', ' ')}: persons {e['persons_' + name]:,}, "
            f"cells ok {e['cells_' + name]}",
            flush=True,
        )
    reasons = ", ".join(f"{r} {n}" for r, n in e["clustering_reasons"].items())
    print(f"  kept apart by clustering: {reasons or 'none'}", flush=True)
    print(pd.DataFrame(e["calibration"]).to_string(index=False), flush=True)
    print("  records left alone, best candidate below even odds:", flush=True)
    print(pd.DataFrame(e["best_candidate"]).to_string(index=False), flush=True)


def rows_for(name: str, seed: int, r: dict, blocking: dict | None) -> list[dict]:
    """Two table rows for one method: all records, then the linkable ones."""
    out = []
    for scope, figures in (("all", r), ("linkable", r["linkable"])):
        cells = figures["capture_cells"]
        out.append(
            {
                "method": name,
                "seed": seed,
                "records": scope,
                "n": figures["records_evaluated"],
                "F1 before": round(
                    figures.get("pairwise_before_clustering", {}).get("f1", float("nan")), 4
                ),
                "P after": round(figures["pairwise_after_clustering"]["precision"], 4),
                "R after": round(figures["pairwise_after_clustering"]["recall"], 4),
                "F1 after": round(figures["pairwise_after_clustering"]["f1"], 4),
                "B3 F1": round(figures["bcubed"]["f1"], 4),
                "persons": figures["persons_found"],
                "true": figures["persons_true"],
                "persons %": round(figures["persons_difference_pct"], 2),
                "cells ok": f"{sum(c['within_tolerance'] for c in cells)}/{len(cells)}",
                "blocking recall": round(blocking[scope], 4) if blocking else None,
                "pairs generated": r.get("pairs_generated"),
                "seconds": round(r["seconds"], 1),
                "cpu s": round(r["cpu_seconds"], 1) if "cpu_seconds" in r else None,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", type=Path, default=Path("/tmp/uncounted-link-quality"))
    parser.add_argument("--official", default="death_notices")
    parser.add_argument("--reuse", action="store_true", help="keep imported workspaces")
    parser.add_argument("--no-peer", action="store_true", help="leave plain Splink out")
    parser.add_argument(
        "--explain", action="store_true", help="classify the persons split (what data allow)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.pop("UNCOUNTED_DATABASE_URL", None)
    pd.set_option("display.width", 250)
    rows, details = [], {}
    for seed in args.seeds:
        ws, scenario = build_workspace(args.size, seed, args.out, args.reuse)
        truth = pd.read_csv(scenario / "truth.csv", dtype=str)
        mine = ours(ws, scenario, args.official)
        records = load_records(ws)
        linkable = linkable_ids(ws)
        blocking = blocking_recall(records, truth, linkable)
        mine["blocking_recall"] = blocking
        rows += rows_for("uncounted", seed, mine, blocking)
        details[seed] = {"uncounted": mine}
        if args.explain:
            details[seed]["explain"] = explain_splits(records, truth, linkable, args.official)
            print_explanation(seed, details[seed]["explain"])
        if not args.no_peer:
            peer = plain_splink(records, truth, linkable)
            rows += rows_for("plain Splink", seed, peer, None)
            details[seed]["plain_splink"] = peer
        print(
            f"seed {seed}: {len(records) - len(linkable):,} of {len(records):,} records too "
            f"sparse to link",
            flush=True,
        )
        print(pd.DataFrame(rows).to_string(index=False), flush=True)
    (args.out / "link_quality.json").write_text(json.dumps(details, indent=1, default=str))


if __name__ == "__main__":
    main()
