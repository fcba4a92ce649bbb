"""The Fellegi-Sunter model: Splink 5 settings on DuckDB, unsupervised training, prediction.

Comparisons work on the features of :mod:`uncounted.link.features`: each name part is
compared on its normalised form, then its cross-script key (so ``محمد`` and ``Mohammad``
agree), then a close key; exact levels carry term-frequency adjustments so that a shared
``محمد`` counts for little and a shared rare name for much. Every comparison has a null
level: a missing value is neutral, never evidence against.
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals import comparison_level as _splink_level

from uncounted.link.features import CHAIN_PARTS, NAME_PARTS

logging.getLogger("splink").setLevel(logging.ERROR)

# Splink 5.0.0 refuses an m probability below 1e-300 *during* EM, and EM drives the m of a
# level that true matches never reach (in a clean training block) to exactly 0.0, so a whole
# training session fails. Zero is a valid probability there; :func:`floor_m` then lifts
# every m to a floor before the model is used.
_splink_level.M_U_CLAMP_MIN = 0.0

NAME_LABELS = {
    "given": "given name",
    "father": "father's name",
    "grandfather": "grandfather's name",
    "family": "family name",
    "mother": "mother's name",
}


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        "label_for_charts": "missing",
        "is_null_level": True,
    }


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "different"}


def name_comparison(part: str) -> dict[str, Any]:
    """Exact normalised, same cross-script key, close key (Jaro-Winkler), different."""
    norm, key = f"{part}_norm", f"{part}_key"
    return {
        "output_column_name": part,
        "comparison_description": NAME_LABELS[part],
        "comparison_levels": [
            _null(key),
            {
                "sql_condition": f'"{norm}_l" = "{norm}_r"',
                "label_for_charts": "same spelling",
                "tf_adjustment_column": norm,
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f'"{key}_l" = "{key}_r"',
                "label_for_charts": "same cross-script key",
                "tf_adjustment_column": key,
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f'"{part}_skel_l" = "{part}_skel_r" OR '
                f"({_not_two_names(part)}("
                f'jaro_winkler_similarity("{key}_l", "{key}_r") >= 0.92 '
                f'OR damerau_levenshtein("{key}_l", "{key}_r") <= 1))',
                "label_for_charts": "close key",
            },
            {
                "sql_condition": f"{_not_two_names(part)}"
                f'jaro_winkler_similarity("{key}_l", "{key}_r") >= 0.8',
                "label_for_charts": "similar key",
            },
            *_other_place(part),
            *_reordered(part),
            *_elsewhere(part),
            *_near_across_scripts(part),
            _different_given() if part == "given" else _else(),
        ],
    }


# Two different keys that both occur at least this often, neither more than
# DISTINCT_NAME_RATIO times the other, are two names, not a typo of one.
DISTINCT_NAME_MIN = 5
DISTINCT_NAME_RATIO = 20


def _not_two_names(part: str) -> str:
    """SQL prefix that keeps a "close" level from two common names a letter apart.

    A slip of the keyboard makes a rare spelling beside a common one; محمد and أحمد, حسن
    and حسين are brothers' names, and brothers share everything else. Keys with one
    consonant skeleton stay close whatever their counts: a Latin spelling often drops the
    long vowels an Arabic one writes (عواد ``ewad``, Awad ``ewd``). Only within one
    script: across scripts a transliteration blurs letters (Nazir is نذير or نظير).
    """
    if part not in CHAIN_PARTS:
        return ""
    lo = f'least("{part}_freq_l", "{part}_freq_r")'
    hi = f'greatest("{part}_freq_l", "{part}_freq_r")'
    return (
        f'NOT coalesce("latin_l" = "latin_r" AND {lo} >= {DISTINCT_NAME_MIN} AND '
        f"{lo} * {DISTINCT_NAME_RATIO} >= {hi}, false) AND "
    )


def _different_given() -> dict[str, Any]:
    """A different given name, with m fixed low rather than learned.

    Brothers share father, grandfather, family name, place, often the arrest date: EM on
    blocks of such chains cannot tell them from one person written twice, and learns that
    a person's given name often differs between lists — the wrong lesson. The given name
    of one person differs between lists only by a dropped or reordered part (the earlier
    levels) or a rare substitution: m is fixed low. Lower than that rate, in fact: brothers
    also share their mother's name and often a birth year, so under the model's
    independence their other agreements outweigh one different name. At 1e-5 (-16.6 bits,
    against -13.3 at 1e-4) precision after clustering rose from 0.987-0.991 to 0.991-0.994
    on the simulated scenarios for 0.1 point of recall.
    """
    return {
        "sql_condition": "ELSE",
        "label_for_charts": "different",
        "m_probability": GIVEN_DIFFERENT_M,
        "fix_m_probability": True,
    }


def _near_across_scripts(part: str) -> list[dict[str, Any]]:
    """A Latin given name two letters from the Arabic one's key (or its skeleton one).

    A typo in a Latin spelling moves its cross-script key further than a typo in Arabic:
    the key is built from letter groups (``sh``, ``dh``, ``kh``), so one wrong letter in
    "badhir" for "bashir" changes two of ``bcyr``, and vowels written or not change the
    rest. Such a pair otherwise reaches "different" (-16.6 bits, the brothers' level) and
    one typo vetoes a person's every other agreement. Only across scripts (in one script
    the close levels catch a typo, and two letters apart are two names). Its m is EM's
    (at the floor: about -1.8 bits on the simulated scenarios, true m there 0.003).
    Brothers' names two letters apart across scripts (Marwan / أمير) then meet on the rest
    of their chain; on the simulated scenarios (seeds 1-3) the level adds 40-55 true pairs
    for 4-14 false ones, which the attach step's mean floor (:mod:`cluster`) more than
    takes back.
    """
    if part != "given":
        return []
    key, skel = f"{part}_key", f"{part}_skel"
    return [
        {
            "sql_condition": f'"latin_l" <> "latin_r" AND '
            f'(damerau_levenshtein("{key}_l", "{key}_r") <= 2 '
            f'OR damerau_levenshtein("{skel}_l", "{skel}_r") <= 1)',
            "label_for_charts": "two letters apart across scripts",
        }
    ]


def _other_place(part: str) -> list[dict[str, Any]]:
    """A two-part name's second name against the other's father or family name.

    "given X" (a photograph, a partial record) may give X as the father's name or as the
    family name; read one way, it lands in the other place of a full chain. Only where the
    record names nothing at that other place. On consonant skeletons (the Latin spelling
    of the same name may drop its long vowels).
    """
    other = {"family": "father", "father": "family"}.get(part)
    if other is None:
        return []
    a, b = f"{part}_skel", f"{other}_skel"
    return [
        {
            "sql_condition": f'("{b}_l" IS NULL AND "{a}_l" = "{b}_r") '
            f'OR ("{b}_r" IS NULL AND "{a}_r" = "{b}_l")',
            "label_for_charts": f"the other's {NAME_LABELS[other]}",
        }
    ]


def _reordered(part: str) -> list[dict[str, Any]]:
    """The given name is the other's family name, and the other's given name is this
    chain's family or father's name: one of the two chains was written in another order
    (given and family exchanged, or the family name first). Counted once, on the given
    name: each name alone "elsewhere in the other chain" is weak evidence (common names
    sit everywhere), the two together are not. On consonant skeletons, so that the Latin
    and Arabic spellings of a re-ordered chain still meet.
    """
    if part != "given":
        return []

    def one_way(a: str, b: str) -> str:
        return (
            f'"given_skel_{a}" = "family_skel_{b}" AND '
            f'("family_skel_{a}" = "given_skel_{b}" OR "father_skel_{a}" = "given_skel_{b}")'
        )

    return [
        {
            "sql_condition": f"({one_way('l', 'r')}) OR ({one_way('r', 'l')})",
            "label_for_charts": "chain in another order",
        }
    ]


def _elsewhere(part: str) -> list[dict[str, Any]]:
    """The name found in another place of the other record's chain (order, dropped part).

    Written on ``chain_keys`` (the list of a record's chain keys), not on the other parts'
    columns, so that EM blocked on one part can still estimate the others. A level before
    it for a name moved together with another of the chain's names helped a little at
    20,000 people but broke EM at a million records (its match class took in relatives
    and namesakes: m of "different mother" 0.58, precision after clustering 0.946), so
    there is none.
    """
    if part not in CHAIN_PARTS:
        return []
    key = f"{part}_key"
    return [
        {
            "sql_condition": f'list_contains("chain_keys_r", "{key}_l") '
            f'OR list_contains("chain_keys_l", "{key}_r")',
            "label_for_charts": "elsewhere in the other chain",
        }
    ]


def birth_year_comparison() -> dict[str, Any]:
    """Birth-year ranges (an age gives a two-year range) overlapping, or within 2 or 5."""

    def within(years: int) -> str:
        return f'"by_lo_l" - {years} <= "by_hi_r" AND "by_lo_r" - {years} <= "by_hi_l"'

    return {
        "output_column_name": "birth_year",
        "comparison_description": "birth year",
        "comparison_levels": [
            _null("by_lo"),
            {"sql_condition": within(0), "label_for_charts": "same birth year"},
            {"sql_condition": within(2), "label_for_charts": "within 2 years"},
            {"sql_condition": within(5), "label_for_charts": "within 5 years"},
            _else(),
        ],
    }


def date_comparison(prefix: str, label: str) -> dict[str, Any]:
    """A partial date compared at the precision both records have.

    Two full dates are compared by their distance in days (lists date a death by the day it
    happened, was notified or was registered: weeks apart for one person); a year-only date
    agrees with any date in that year.
    """
    y, ym, d = f"{prefix}_y", f"{prefix}_ym", f"{prefix}_d"
    both_days = f'"{d}_l" IS NOT NULL AND "{d}_r" IS NOT NULL'
    gap = f'abs(date_diff(\'day\', CAST("{d}_l" AS DATE), CAST("{d}_r" AS DATE)))'
    return {
        "output_column_name": prefix,
        "comparison_description": label,
        "comparison_levels": [
            _null(y),
            {"sql_condition": f'"{d}_l" = "{d}_r"', "label_for_charts": "same day"},
            {
                "sql_condition": f"{both_days} AND {gap} <= 31",
                "label_for_charts": "within a month",
            },
            {
                "sql_condition": f"{both_days} AND {gap} <= 122",
                "label_for_charts": "within four months",
            },
            {"sql_condition": both_days, "label_for_charts": "days far apart"},
            {"sql_condition": f'"{ym}_l" = "{ym}_r"', "label_for_charts": "same month"},
            {"sql_condition": f'"{y}_l" = "{y}_r"', "label_for_charts": "same year"},
            {"sql_condition": f'abs("{y}_l" - "{y}_r") <= 1', "label_for_charts": "next year"},
            _else(),
        ],
    }


def exact_comparison(col: str, label: str, close: bool = False) -> dict[str, Any]:
    """Same value or not (with one edit allowed for numbers copied by hand)."""
    levels = [
        _null(col),
        {"sql_condition": f'"{col}_l" = "{col}_r"', "label_for_charts": "same"},
    ]
    if close:
        levels.append(
            {
                "sql_condition": f'damerau_levenshtein("{col}_l", "{col}_r") <= 1',
                "label_for_charts": "one character apart",
            }
        )
    levels.append(_else())
    return {"output_column_name": col, "comparison_description": label, "comparison_levels": levels}


def place_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "place",
        "comparison_description": "governorate / district",
        "comparison_levels": [
            _null("gov"),
            {"sql_condition": '"dist_l" = "dist_r"', "label_for_charts": "same district"},
            {"sql_condition": '"gov_l" = "gov_r"', "label_for_charts": "same governorate"},
            _else(),
        ],
    }


def comparisons() -> list[dict[str, Any]]:
    return [
        *(name_comparison(p) for p in NAME_PARTS),
        birth_year_comparison(),
        exact_comparison("sex", "sex"),
        place_comparison(),
        date_comparison("arrest", "arrest date"),
        date_comparison("death", "death date"),
        exact_comparison("facility", "detention facility"),
        exact_comparison("registry", "civil registry number", close=True),
        exact_comparison("detainee", "detainee number", close=True),
        list_comparison(),
    ]


def list_comparison() -> dict[str, Any]:
    """Whether the two records come from one list or from two.

    A list is partly deduplicated by those who keep it, so two of its records are less
    often one person than two records of different lists: on the simulated scenarios the
    matches per pair within each of the four larger lists are 4-18 times rarer than across
    lists (3e-6 to 1.6e-5 against 4e-5 to 7e-5). One prior for every pair (Splink's) gives within-list pairs (a quarter of all
    pairs: brothers written into one list) too much and cross-list pairs too little; this
    comparison lets EM and random sampling set the difference (about -2.5 bits within,
    +0.3 across), without naming any list.
    """
    return {
        "output_column_name": "list",
        "comparison_description": "list",
        "comparison_levels": [
            {"sql_condition": '"source_l" = "source_r"', "label_for_charts": "same list"},
            {"sql_condition": "ELSE", "label_for_charts": "different lists"},
        ],
    }


def _keys_equal(*cols: str) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in cols)


# Blocking rules: every pair that matches at least one rule is scored. They are built on
# the cross-script keys so that Arabic and Latin spellings of one person meet; each rule
# alone misses the pairs where one of its keys is wrong or missing, the union rarely does.
BLOCK_KEYS: list[tuple[str, tuple[tuple[str, int], ...], int]] = [
    # (name, ((feature column, first letters or 0 for all), ...), largest block kept)
    ("given+father", (("given_key", 0), ("father_key", 0)), 300),
    ("given+family", (("given_key", 0), ("family_key", 0)), 300),
    ("father+family", (("father_key", 0), ("family_key", 0)), 300),
    ("given+father+family", (("given_key", 0), ("father_key", 0), ("family_key", 0)), 300),
    ("given+grandfather", (("given_key", 0), ("grandfather_key", 0)), 60),
    ("given+mother", (("given_key", 0), ("mother_key", 0)), 60),
    ("given+birth year", (("given_key", 0), ("by_lo", 0)), 60),
    ("father+birth year", (("father_key", 0), ("by_lo", 0)), 60),
    ("family+death day", (("family_key", 0), ("death_d", 0)), 300),
    ("given+death day", (("given_key", 0), ("death_d", 0)), 300),
    ("given+arrest day", (("given_key", 0), ("arrest_d", 0)), 300),
    ("family+birth year", (("family_key", 0), ("by_lo", 0)), 60),
    ("given, family: first 3 letters", (("given_key", 3), ("family_key", 3)), 60),
    ("given+family skeletons", (("given_skel", 0), ("family_skel", 0)), 60),
    ("given+father skeletons", (("given_skel", 0), ("father_skel", 0)), 60),
    (
        "given, father: first 2 letters, birth year",
        (("given_key", 2), ("father_key", 2), ("by_lo", 0)),
        60,
    ),
    ("given+next name", (("given_key", 0), ("next_key", 0)), 300),
    ("family+arrest day", (("family_key", 0), ("arrest_d", 0)), 300),
    (
        "given, family: first 2 letters, arrest month",
        (("given_key", 2), ("family_key", 2), ("arrest_ym", 0)),
        60,
    ),
    (
        "given, family: first 2 letters, death month",
        (("given_key", 2), ("family_key", 2), ("death_ym", 0)),
        60,
    ),
    ("registry number", (("registry", 0),), 300),
    ("detainee number", (("detainee", 0),), 300),
]
# A block (records sharing a rule's key) larger than its limit is dropped from that rule: at
# a million records "محمد son of أحمد" alone would be tens of millions of pairs. Such records
# still meet through the more specific rules (three names, a name and a date). The rules
# that mostly catch spelling and order variants keep only small blocks: at a million
# records they added 5-12 million pairs each for about a thousand matches.


def comparison_table(features: pd.DataFrame) -> pd.DataFrame:
    """The records linkage compares (those with a name) with their blocking key columns:
    the table Splink and the scorer read."""
    named = features[features["has_name"]].drop(columns=["has_name"]).reset_index(drop=True)
    return pd.concat([named, block_key_columns(named)], axis=1)


def block_key_columns(features: pd.DataFrame) -> pd.DataFrame:
    """One integer column per rule of :data:`BLOCK_KEYS` (null: missing or too common)."""
    out = {}
    for i, (_, parts, max_block) in enumerate(BLOCK_KEYS):
        cols = {}
        for col, letters in parts:
            values = features[col]
            cols[col] = values.astype(object).str[:letters] if letters else values
        frame = pd.DataFrame(cols)
        grouped = frame.groupby(list(cols), dropna=True, sort=False)
        code = grouped.ngroup()
        size = grouped[next(iter(cols))].transform("size")
        keep = frame.notna().all(axis=1) & (size <= max_block)
        out[f"bk{i}"] = code.where(keep).astype("Int64")
    return pd.DataFrame(out, index=features.index)


BLOCKING_RULES: list[tuple[str, Any]] = [
    *((name, f'l."bk{i}" = r."bk{i}"') for i, (name, _, _) in enumerate(BLOCK_KEYS)),
    ("two name keys in any order", block_on("name_pairs", arrays_to_explode=["name_pairs"])),
]


def blocked_pairs(keyed: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Whether any rule of :data:`BLOCKING_RULES` generates each pair (``left[k]``,
    ``right[k]``: unique ids); a pair with a record missing from ``keyed`` is not.

    ``keyed``: the features of the records that are linked, with their
    :func:`block_key_columns`. Measures what blocking keeps (benchmarks: blocking recall).
    """
    table = keyed.set_index("unique_id")
    hit = np.zeros(len(left), dtype=bool)
    for i in range(len(BLOCK_KEYS)):
        a = table[f"bk{i}"].reindex(left).to_numpy()
        b = table[f"bk{i}"].reindex(right).to_numpy()
        hit |= (pd.notna(a) & pd.notna(b) & (a == b)).astype(bool)
    tokens = table["name_pairs"]
    sides = []
    for ids in (left, right):
        frame = pd.DataFrame({"k": np.arange(len(ids)), "tokens": tokens.reindex(ids).to_numpy()})
        sides.append(frame.explode("tokens").dropna())
    shared = sides[0].merge(sides[1], on=["k", "tokens"])["k"].to_numpy()
    hit[shared] = True
    return hit


# Training blocks for EM: each leaves the other comparisons free to be estimated.
EM_RULES: list[str] = [
    _keys_equal("given_key", "father_key", "family_key"),
    _keys_equal("given_key", "by_lo"),
    _keys_equal("father_key", "family_key"),
    _keys_equal("death_d"),
]

# Deterministic rules used to estimate the prior (few false positives expected).
DETERMINISTIC_RULES: list[str] = [
    _keys_equal("given_key", "father_key", "family_key", "by_lo"),
    _keys_equal("given_key", "father_key", "grandfather_key", "family_key"),
]


def settings(rules: list[tuple[str, str]] | None = None) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=[r for _, r in (rules or BLOCKING_RULES)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
        max_iterations=20,
        em_convergence=0.001,
    )


@dataclass
class TrainedModel:
    """The model as Splink saves it, and how it was trained (for the run record)."""

    model: dict[str, Any]
    training: dict[str, Any] = field(default_factory=dict)


def _linker(con: duckdb.DuckDBPyConnection, table: str, model: Any) -> Linker:
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table)
    return Linker(sdf, model, log_level=logging.ERROR)


def train(
    con: duckdb.DuckDBPyConnection,
    table: str,
    n_records: int,
    seed: int = 1,
    u_pairs: float = 2e6,
    labelled: pd.DataFrame | None = None,
) -> TrainedModel:
    """u by random sampling, m by EM over several blocking rules, the prior from rules.

    With ``labelled`` (must-link pairs decided by people: ``unique_id_l``, ``unique_id_r``)
    the m probabilities are also estimated from those pairs and averaged with EM's, weighted
    by how many pairs each saw.
    """
    linker = _linker(con, table, settings())
    info: dict[str, Any] = {}
    if n_records > 1:
        with contextlib.suppress(ValueError):
            linker.training.estimate_probability_two_random_records_match(
                DETERMINISTIC_RULES, recall=0.6
            )
    prior = linker._settings_obj._probability_two_random_records_match
    if not 0 < prior < 0.5:  # no deterministic match at all (e.g. one clean list)
        linker._settings_obj._probability_two_random_records_match = 1.0 / max(n_records, 2)
    max_pairs = min(u_pairs, max(n_records * (n_records - 1) / 2, 1))
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    sessions = 0
    for rule in EM_RULES:
        snapshot = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=EM_MAX_PAIRS if n_records > 100_000 else None,
            )
            sessions += 1
            # Each session starts from floored values: an m of exactly 0 from one session
            # would be log(0) in the next.
            linker = _linker(con, table, floor_m(linker.misc.save_model_to_json()))
        except Exception as exc:  # too few pairs under this rule
            info.setdefault("em_skipped", []).append(f"{rule}: {str(exc)[:200]}")
            linker = _linker(con, table, snapshot)  # a failed session can leave it partial
    info["em_sessions"] = sessions
    model = floor_m(linker.misc.save_model_to_json())
    if labelled is not None and len(labelled):
        model = _blend_labelled_m(con, table, model, labelled)
        info["labelled_pairs"] = len(labelled)
    return TrainedModel(model=model, training=info)


M_FLOOR = 0.005
# EM on a million records: a deterministic sample of each training block is enough (the
# m of a level is a share among matches; a million pairs pin it to well under 1%).
EM_MAX_PAIRS = 1e6
GIVEN_DIFFERENT_M = 1e-5


def floor_m(model: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """Keep every m probability at or above ``floor``, then renormalise per comparison.

    EM on blocks of near-certain matches learns that true matches *never* disagree on a
    birth year or a date (m ≈ 1e-60, a weight of -200), so one recording error would veto
    every other piece of evidence. Lists do carry such errors (a few percent per field);
    the floor says so. Levels never observed (m missing) stay neutral.
    """
    for comp in model.get("comparisons", []):
        levels = [
            lv
            for lv in comp["comparison_levels"]
            if not lv.get("is_null_level") and isinstance(lv.get("m_probability"), int | float)
        ]
        fixed = [lv for lv in levels if lv.get("fix_m_probability")]
        free = [lv for lv in levels if not lv.get("fix_m_probability")]
        for level in fixed:  # a fixed m is a decision, not an estimate: restore it
            level["m_probability"] = _FIXED_M.get(level["label_for_charts"], floor)
        left = 1.0 - sum(lv["m_probability"] for lv in fixed)
        raised = [max(float(lv["m_probability"]), floor) for lv in free]
        total = sum(raised)
        for level, m in zip(free, raised, strict=True):
            level["m_probability"] = left * m / total
    return model


_FIXED_M = {"different": GIVEN_DIFFERENT_M}


def _blend_labelled_m(
    con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], labelled: pd.DataFrame
) -> dict[str, Any]:
    """Average EM's m with the level frequencies among pairs people said are one person."""
    gammas = score_pairs(con, table, _detailed(model), labelled)
    n = len(gammas)
    weight = n / (n + 200.0)
    for comp in model["comparisons"]:
        col = f"gamma_{comp['output_column_name']}"
        if col not in gammas:
            continue
        observed = gammas[col][gammas[col] >= 0]
        if observed.empty:
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for i, level in enumerate(levels):
            gamma_value = len(levels) - 1 - i
            share = float((observed == gamma_value).sum() + 0.5) / (
                len(observed) + 0.5 * len(levels)
            )
            old = level.get("m_probability")
            if isinstance(old, int | float):
                level["m_probability"] = (1 - weight) * old + weight * share
    return model


def score_pairs(
    con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], pairs: pd.DataFrame
) -> pd.DataFrame:
    """Score given pairs (``unique_id_l``, ``unique_id_r``) with the model, unblocked.

    Used for the pairs people decided (training from labels) and to fill in the pairs inside
    a tentative cluster that blocking did not generate, so that splitting a cluster sees
    every within-cluster pair.
    """
    left = np.minimum(pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy())
    right = np.maximum(pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy())
    blocked = pd.DataFrame({"match_key": "0", "join_key_l": left, "join_key_r": right})
    blocked = blocked[blocked.join_key_l != blocked.join_key_r].drop_duplicates()
    linker = _linker(con, table, model)
    registered = linker._db_api.register(blocked)
    linker.table_management.register_blocked_pairs_for_predict(registered)
    sdf = linker.inference.predict(warning_mode="never")
    df = sdf.as_pandas_dataframe()
    sdf.drop_table_from_database_and_remove_from_cache()
    registered.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    return df


# Above this many records, pairs are generated and scored in chunks (left × right record
# slices), so that the pairs in flight stay within DuckDB's memory limit.
PREDICT_CHUNK = 250_000


def predict(
    con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], threshold: float
) -> pd.DataFrame:
    """Scored candidate pairs at or above ``threshold`` (match probability)."""
    linker = _linker(con, table, model)
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    chunks = max(1, math.ceil(n / PREDICT_CHUNK))
    sdf = linker.inference.predict(
        threshold_match_probability=threshold,
        num_chunks_left=chunks if chunks > 1 else None,
        num_chunks_right=chunks if chunks > 1 else None,
        warning_mode="never",
    )
    df = sdf.as_pandas_dataframe()
    sdf.drop_table_from_database_and_remove_from_cache()
    return df


def reestimate_prior(match_weight: np.ndarray, prior: float, n_records: int) -> float:
    """The prior consistent with the scored pairs (an EM fixed point on λ).

    Splink's deterministic-rule estimate depends on a guessed recall; here λ is set so that
    the expected number of matching pairs (the sum of match probabilities over the blocked
    pairs, the others being near zero) equals λ times all pairs. With several lists this
    counts the pairs within and across every list at once, which is what the model scores.
    """
    total = n_records * (n_records - 1) / 2
    if total <= 0 or len(match_weight) == 0:
        return prior
    bf = np.power(2.0, match_weight - _logit2(prior))
    for _ in range(50):
        odds = bf * prior / (1 - prior)
        expected = float(np.sum(odds / (1 + odds)))
        new = min(max(expected / total, 1e-12), 0.5)
        if abs(new - prior) <= 1e-6 * prior:
            return new
        prior = new
    return prior


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def rescale_weights(match_weight: np.ndarray, old_prior: float, new_prior: float) -> np.ndarray:
    """Match weights under a new prior (the Bayes factors do not change)."""
    return match_weight - _logit2(old_prior) + _logit2(new_prior)


def probability(match_weight: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.power(2.0, -match_weight))


DESCRIPTIONS = {c["output_column_name"]: c["comparison_description"] for c in comparisons()}


def level_weights(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Per comparison and level: label, m, u and match weight (log2 m/u), for display."""
    rows: list[dict[str, Any]] = []
    for comp in model.get("comparisons", []):
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        for i, level in enumerate(non_null):
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = (
                math.log2(m / u)
                if isinstance(m, int | float) and isinstance(u, int | float) and m > 0 and u > 0
                else None
            )
            rows.append(
                {
                    "comparison": comp.get("output_column_name"),
                    "description": DESCRIPTIONS.get(comp.get("output_column_name"), ""),
                    "gamma": len(non_null) - 1 - i,
                    "level": level.get("label_for_charts"),
                    "m": m,
                    "u": u,
                    "match_weight": weight,
                    "tf": bool(level.get("tf_adjustment_column")),
                }
            )
    return rows


def _detailed(model: dict[str, Any]) -> dict[str, Any]:
    """The model set to return comparison levels (gamma) and per-comparison weights."""
    return {
        **model,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
    }


def explain_pairs(
    con: duckdb.DuckDBPyConnection, table: str, trained: dict[str, Any], pairs: pd.DataFrame
) -> list[list[dict[str, Any]]]:
    """Per pair, per comparison: the level reached and its match weight (with the term
    frequency adjustment), so a reviewer sees why the model leans one way."""
    if len(pairs) == 0:
        return []
    scored = score_pairs(con, table, _detailed(trained), pairs)
    key = pd.MultiIndex.from_arrays(
        [
            np.minimum(scored["unique_id_l"], scored["unique_id_r"]),
            np.maximum(scored["unique_id_l"], scored["unique_id_r"]),
        ]
    )
    scored.index = key
    labels = {(row["comparison"], row["gamma"]): row for row in level_weights(trained)}
    out: list[list[dict[str, Any]]] = []
    for a, b in zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True):
        row = scored.loc[(min(a, b), max(a, b))]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        parts = []
        for comp in trained.get("comparisons", []):
            name = comp["output_column_name"]
            gamma = int(row.get(f"gamma_{name}", -1))
            weight = float(row.get(f"mw_{name}", 0.0)) + float(row.get(f"mw_tf_adj_{name}", 0.0))
            level = labels.get((name, gamma), {}).get("level", "missing")
            parts.append(
                {
                    "comparison": name,
                    "description": DESCRIPTIONS.get(name, name),
                    "level": level,
                    "weight": round(weight, 2) if math.isfinite(weight) else None,
                }
            )
        out.append(parts)
    return out
