"""Names benchmark: speed on a million full names, quality on labelled pairs.

    .venv/bin/python benchmarks/names_bench.py [--rows 1000000] [--repeat 3] [--pairs 4000]

Speed: a column of ``--rows`` synthetic full names (4-unit chains of frequent attested
names, 60% written in Arabic script with orthographic noise, 40% in Latin script from the
transliteration-variant model; 250,000 people, each written several ways) is normalised,
parsed and keyed with :func:`uncounted.names.prepare_names` (work once per distinct
value). The lexicon is loaded before timing; the per-process word caches start empty.

Quality: ROC AUC, precision and recall at ``MATCH_THRESHOLD`` on the hand-checked pairs
(``tests/names/data/name_pairs.csv``) and on pairs from :func:`generate_pairs` (several
seeds, with the default and with every Latin spelling mutated), and on names the lexicon has
never seen (:func:`held_out_pairs`: a fifth of the look-alike names hidden from the lexicon).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from uncounted.names import MATCH_THRESHOLD, prepare_names
from uncounted.names.evaluation import evaluate, lexicon_without
from uncounted.names.lexicon import lexicon
from uncounted.names.variants import (
    _pool,
    arabic_variant,
    generate_pairs,
    held_out_pairs,
    latin_variant,
)

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "names" / "data" / "name_pairs.csv"
PEOPLE = 250_000
VARIANTS_PER_NAME = 6


def synthetic_names(rows: int, seed: int = 0) -> list[str]:
    """``rows`` full names: PEOPLE four-unit chains, each record one written form."""
    rng = random.Random(seed)
    pool = list(_pool())
    table = lexicon().arabic_to_latin
    weights = np.array([sum(c for _, c in table[n]) for n in pool], dtype=float) ** 0.7
    weights /= weights.sum()
    arabic = [[arabic_variant(n, rng) for _ in range(VARIANTS_PER_NAME)] for n in pool]
    latin = [[latin_variant(n, rng, mutate=0.3) for _ in range(VARIANTS_PER_NAME)] for n in pool]
    gen = np.random.default_rng(seed)
    people = gen.choice(len(pool), size=(PEOPLE, 4), p=weights)
    who = gen.integers(0, PEOPLE, size=rows)
    in_latin = gen.random(rows) < 0.4
    pick = gen.integers(0, VARIANTS_PER_NAME, size=(rows, 4))
    out = []
    for r in range(rows):
        forms = latin if in_latin[r] else arabic
        units = people[who[r]]
        out.append(" ".join(forms[units[i]][pick[r, i]] for i in range(4)))
    return out


def bench_speed(rows: int, repeat: int) -> dict[str, float]:
    names = synthetic_names(rows)
    lexicon()
    distinct = len(set(names))
    wall, cpu = [], []
    for _ in range(repeat):
        _clear_caches()
        start, start_cpu = time.perf_counter(), time.process_time()
        table = prepare_names(names)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert len(table) == rows
    return {"rows": rows, "distinct": distinct, "wall_median_s": round(statistics.median(wall), 2),
            "wall_min_s": round(min(wall), 2), "cpu_median_s": round(statistics.median(cpu), 2)}  # fmt: skip


def _clear_caches() -> None:
    from uncounted.names import chain, normalize
    from uncounted.names import lexicon as lex

    for func in (normalize._arabic_word, normalize._latin_word, normalize._canonical_token,
                 chain._normalize_piece, lex.unit_key):  # fmt: skip
        func.cache_clear()


def bench_quality(pairs: int) -> pd.DataFrame:
    rows = [{"set": "hand-checked", **evaluate(pd.read_csv(PAIRS)).to_dict()}]
    for mutate in (0.5, 1.0):
        for seed in (1, 2, 3):
            quality = evaluate(generate_pairs(pairs, seed=seed, mutate=mutate))
            rows.append({"set": f"generated seed={seed} mutate={mutate}", **quality.to_dict()})
    for seed in (1, 2, 3):
        held, hidden = held_out_pairs(pairs // 2, seed=seed)
        with lexicon_without(hidden):
            quality = evaluate(held)
        rows.append({"set": f"unseen names seed={seed}", **quality.to_dict()})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=4000)
    args = parser.parse_args()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"threshold {MATCH_THRESHOLD}")
        print(bench_quality(args.pairs).to_string(index=False))
    print(bench_speed(args.rows, args.repeat))


if __name__ == "__main__":
    main()
