"""Score candidate pairs with a trained Splink model, fast, with Splink's own weights.

Splink evaluates every comparison level on the strings of every candidate pair: at a
million records that is ~70 million pairs × five names × Jaro-Winkler and Damerau-
Levenshtein, about 200 s on two cores, while the pairs hold only a few million *distinct*
pairs of name keys. Here the same model scores the same pairs:

1. every text value (and list element) of the columns the comparisons read is replaced by
   an integer id from one dictionary (:func:`coded_features`, once per run), so equality,
   ``IS NULL`` and ``list_contains`` work on integers and give what they give on the text;
2. a level whose condition needs more (a string similarity, a date difference, numbers
   compared) is evaluated with its own SQL, on the real values, once per *distinct* pair of
   value tuples among the pairs still undecided when the level is reached;
3. weights: the prior, each level's log2(m/u) and the term-frequency adjustments, from
   Splink's own objects for the model, summed in Splink's order.

:func:`predict` runs this on numpy arrays in chunks on two threads
(:func:`score_vectorised`); :func:`score_pairs` and :func:`explain_pairs` (a few thousand
pairs, with per-comparison detail) run the same plan as one DuckDB query whose weights are
Splink's own SQL (:func:`score_blocked`). Both give Splink's match weights (tested).

Everything is read from the trained model (comparison levels, blocking rules, m, u, prior,
term-frequency columns), so a change of the comparisons in :mod:`uncounted.link.model`
flows through. A level this module cannot evaluate (one reading a list outside
``list_contains``, or a comparison without an else level) makes :func:`supported` false,
and the caller scores with Splink instead.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import sqlglot
from splink import DuckDBAPI, Linker
from splink.internals.misc import prob_to_match_weight, threshold_args_to_match_weight
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from sqlglot import exp

from uncounted.link.model import DESCRIPTIONS, level_weights

_CODE_SAFE = (
    exp.Column,
    exp.Identifier,
    exp.Is,
    exp.Null,
    exp.Not,
    exp.And,
    exp.Or,
    exp.Paren,
    exp.ArrayContains,
    exp.Boolean,
)
_PREFIX = "__uncounted_score"


class UnsupportedComparison(ValueError):
    """A comparison level this scorer cannot evaluate faithfully (the caller uses Splink)."""


@dataclass
class _Level:
    value: int  # the comparison vector value (gamma)
    sql: str  # the level's condition; "" for the else level
    memo: str | None = None  # column of the memo table holding this condition, if memoised


@dataclass
class _Comparison:
    gamma: str  # gamma column name
    levels: list[_Level]
    memo_columns: list[str] = field(default_factory=list)  # columns memo levels read


@dataclass
class _Plan:
    comparisons: list[_Comparison]
    text: list[str]  # VARCHAR columns coded as integers
    lists: list[str]  # VARCHAR[] columns coded as integer lists
    other: list[str]  # columns used as they are (numbers, dates)
    tf: list[str]  # term-frequency columns
    settings: Any  # Splink Settings of the model


def _linker(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]) -> Linker:
    """A Linker over ``table`` without re-validating the trained model's settings (the
    validation parses every SQL condition again: seconds per Linker)."""
    return Linker(
        DuckDBAPI(connection=con).register(table),
        model,
        log_level=logging.ERROR,
        validate_settings=False,
    )


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(f'DESCRIBE "{table}"').fetchall()
    return {r[0]: str(r[1]).upper() for r in rows}


def _base(name: str) -> str:
    """``given_key_l`` → ``given_key`` (Splink names a record's side by the suffix)."""
    if name.endswith(("_l", "_r")):
        return name[:-2]
    raise UnsupportedComparison(f"column {name!r} is not a left/right column")


def _columns(sql: str) -> set[str]:
    tree = sqlglot.parse_one(sql, read="duckdb")
    return {_base(c.name) for c in tree.find_all(exp.Column)}


def _code_safe(sql: str) -> bool:
    """True if the condition only compares columns for equality, nullness, list membership."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for node in tree.walk():
        if isinstance(node, exp.EQ | exp.NEQ):
            if not (isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Column)):
                return False
        elif not isinstance(node, _CODE_SAFE):
            return False
    return True


def _list_equality(sql: str, lists: set[str]) -> bool:
    """True if the condition compares a list column with ``=`` or ``<>``."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return any(
        _base(side.name) in lists
        for node in tree.find_all(exp.EQ, exp.NEQ)
        for side in (node.this, node.expression)
        if isinstance(side, exp.Column)
    )


def plan(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]) -> _Plan:
    """How each level of the model is evaluated; raises :class:`UnsupportedComparison`."""
    settings = _linker(con, table, model)._settings_obj
    types = _column_types(con, table)
    text_cols: set[str] = set()
    list_cols: set[str] = set()
    other_cols: set[str] = set()

    def kind(col: str) -> str:
        t = types.get(col)
        if t is None:
            raise UnsupportedComparison(f"column {col!r} is not in {table}")
        if t == "VARCHAR":
            return "text"
        if t == "VARCHAR[]":
            return "list"
        return "other"

    comparisons = []
    for cc in settings.comparisons:
        levels = []
        memo_cols: set[str] = set()
        for cl in cc.comparison_levels:
            if cl._is_else_level:
                levels.append(_Level(cl.comparison_vector_value, ""))
                continue
            cols = _columns(cl.sql_condition)
            kinds = {c: kind(c) for c in cols}
            for c, k in kinds.items():
                {"text": text_cols, "list": list_cols, "other": other_cols}[k].add(c)
            level = _Level(cl.comparison_vector_value, cl.sql_condition)
            if not _code_safe(cl.sql_condition):
                if any(k == "list" for k in kinds.values()):
                    raise UnsupportedComparison(
                        f"{cc.output_column_name}: level {cl.label_for_charts!r} reads a "
                        "list outside equality and list_contains"
                    )
                level.memo = f"__m{len(levels)}"
                memo_cols |= cols
            elif _list_equality(cl.sql_condition, list_cols):
                raise UnsupportedComparison(
                    f"{cc.output_column_name}: level {cl.label_for_charts!r} compares lists"
                )
            levels.append(level)
        if not any(not lv.sql for lv in levels):
            raise UnsupportedComparison(f"{cc.output_column_name}: no else level")
        comparisons.append(_Comparison(cc._gamma_column_name, levels, sorted(memo_cols)))
    tf = sorted(
        {c.input_name for cc in settings.comparisons for c in cc._tf_adjustment_input_columns}
    )
    for c in tf:
        kind(c)
    return _Plan(
        comparisons=comparisons,
        text=sorted(text_cols),
        lists=sorted(list_cols),
        other=sorted(other_cols - text_cols - list_cols),
        tf=tf,
        settings=settings,
    )


def supported(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]) -> bool:
    try:
        plan(con, table, model)
    except UnsupportedComparison:
        return False
    return True


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _build_coded(con: duckdb.DuckDBPyConnection, table: str, p: _Plan, uid: str) -> tuple[str, str]:
    """The dictionary (text → id) and the coded copy of ``table`` (with tf columns)."""
    dictionary, coded = f"{_PREFIX}_dict", f"{_PREFIX}_coded"
    values = [f"SELECT {_q(c)} AS v FROM {_q(table)}" for c in p.text]
    values += [f"SELECT unnest({_q(c)}) AS v FROM {_q(table)}" for c in p.lists]
    if not values:
        values = ["SELECT NULL::VARCHAR AS v"]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {dictionary} AS "
        "SELECT v, (row_number() OVER ())::INTEGER AS id FROM "
        f"(SELECT DISTINCT v FROM ({' UNION ALL '.join(values)}) WHERE v IS NOT NULL)"
    )
    select, joins = [f"t.{_q(uid)}"], []
    for k, c in enumerate(p.text):
        joins.append(f"LEFT JOIN {dictionary} d{k} ON d{k}.v = t.{_q(c)}")
        select.append(f"d{k}.id AS {_q(c)}")
    for k, c in enumerate(p.lists):
        joins.append(
            f"LEFT JOIN (SELECT e.u, list(d.id) AS ids FROM (SELECT {_q(uid)} AS u, "
            f"unnest({_q(c)}) AS v FROM {_q(table)}) e LEFT JOIN {dictionary} d ON d.v = e.v "
            f"GROUP BY e.u) l{k} ON l{k}.u = t.{_q(uid)}"
        )
        select.append(
            f"CASE WHEN t.{_q(c)} IS NULL THEN NULL "
            f"ELSE coalesce(l{k}.ids, []::INTEGER[]) END AS {_q(c)}"
        )
    select += [f"t.{_q(c)}" for c in p.other]
    for k, c in enumerate(p.tf):
        joins.append(
            f"LEFT JOIN (SELECT {_q(c)} AS v, cast(count(*) AS float8) / "
            f"(SELECT count({_q(c)}) FROM {_q(table)}) AS tf FROM {_q(table)} "
            f"WHERE {_q(c)} IS NOT NULL GROUP BY {_q(c)}) f{k} ON f{k}.v = t.{_q(c)}"
        )
        select.append(f"f{k}.tf AS {_q('tf_' + c)}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {coded} AS SELECT {', '.join(select)} "
        f"FROM {_q(table)} t {' '.join(joins)}"
    )
    return dictionary, coded


def _side(coded: str, p: _Plan, uid: str, side: str) -> str:
    cols = [*p.text, *p.lists, *p.other, *(f"tf_{c}" for c in p.tf)]
    cols += [f"__t{k}" for k, comp in enumerate(p.comparisons) if comp.memo_columns]
    select = ", ".join(f"{_q(c)} AS {_q(c + '_' + side)}" for c in cols)
    return f"(SELECT {_q(uid)} AS __uid{', ' + select if select else ''} FROM {coded})"


def _add_tuple_ids(con: duckdb.DuckDBPyConnection, coded: str, p: _Plan) -> None:
    """Per memoised comparison, an integer id of each record's tuple of the text it reads."""
    select, joins = ["c.*"], []
    for k, comp in enumerate(p.comparisons):
        if not comp.memo_columns:
            continue
        text = set(p.text)
        cols = [f"coalesce({_q(c)}, 0)" if c in text else _q(c) for c in comp.memo_columns]
        names = [f"v{i}" for i in range(len(cols))]
        ids = (
            "(SELECT *, (row_number() OVER ())::INTEGER AS id FROM (SELECT DISTINCT "
            + ", ".join(f"{c} AS {n}" for c, n in zip(cols, names, strict=True))
            + f" FROM {coded}))"
        )
        on = " AND ".join(
            f"t{k}.{n} = coalesce(c.{_q(c)}, 0)"
            if c in text
            else f"t{k}.{n} IS NOT DISTINCT FROM c.{_q(c)}"
            for n, c in zip(names, comp.memo_columns, strict=True)
        )
        joins.append(f"JOIN {ids} t{k} ON {on}")
        select.append(f"t{k}.id AS __t{k}")
    if joins:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {coded} AS SELECT {', '.join(select)} "
            f"FROM {coded} c {' '.join(joins)}"
        )


def _build_memos(
    con: duckdb.DuckDBPyConnection, pairs: str, coded: str, dictionary: str, p: _Plan, uid: str
) -> list[str]:
    """Per comparison with memoised levels: each level's answer per distinct pair of tuples.

    The distinct pairs of tuple ids of every memoised comparison come from one scan of the
    candidate pairs (grouping sets); each level's own SQL then runs once per such pair, on
    the decoded text.
    """
    memo = [k for k, comp in enumerate(p.comparisons) if comp.memo_columns]
    if not memo:
        return []
    distinct = f"{_PREFIX}_distinct"
    cols = ", ".join(f"l.__t{k} AS a{k}, r.__t{k} AS b{k}" for k in memo)
    sets = ", ".join(f"(a{k}, b{k})" for k in memo)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {distinct} AS SELECT * FROM (SELECT {cols} "
        f"FROM {pairs} b JOIN {coded} l ON l.{_q(uid)} = b.join_key_l "
        f"JOIN {coded} r ON r.{_q(uid)} = b.join_key_r) GROUP BY GROUPING SETS ({sets})"
    )
    names = []
    try:
        for k in memo:
            comp = p.comparisons[k]
            tuples = (
                f"(SELECT DISTINCT __t{k} AS t, "
                + ", ".join(f"{_q(c)} AS {_q('c_' + c)}" for c in comp.memo_columns)
                + f" FROM {coded})"
            )
            decode, joins = (
                [],
                [f"JOIN {tuples} tl ON tl.t = k.a", f"JOIN {tuples} tr ON tr.t = k.b"],
            )
            for i, c in enumerate(comp.memo_columns):
                for s in ("l", "r"):
                    if c not in p.text:
                        decode.append(f"t{s}.{_q('c_' + c)} AS {_q(f'{c}_{s}')}")
                        continue
                    joins.append(
                        f"LEFT JOIN {dictionary} d{s}{i} ON d{s}{i}.id = t{s}.{_q('c_' + c)}"
                    )
                    decode.append(f"d{s}{i}.v AS {_q(f'{c}_{s}')}")
            conds = ", ".join(f"({lv.sql}) AS {lv.memo}" for lv in comp.levels if lv.memo)
            name = f"{_PREFIX}_memo{k}"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT a, b, {conds} FROM "
                f"(SELECT k.a, k.b, {', '.join(decode)} FROM "
                f"(SELECT a{k} AS a, b{k} AS b FROM {distinct} WHERE a{k} IS NOT NULL) k "
                f"{' '.join(joins)})"
            )
            names.append(name)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {distinct}")
    return names


def _vectors_sql(pairs: str, coded: str, p: _Plan, uid: str) -> str:
    """The comparison vectors: ids, match key, gamma per comparison, tf per side."""
    select = [
        f"b.join_key_l AS {_q(uid + '_l')}",
        f"b.join_key_r AS {_q(uid + '_r')}",
        "b.match_key",
    ]
    joins = [
        f"JOIN {_side(coded, p, uid, 'l')} l ON l.__uid = b.join_key_l",
        f"JOIN {_side(coded, p, uid, 'r')} r ON r.__uid = b.join_key_r",
    ]
    for k, comp in enumerate(p.comparisons):
        alias = f"m{k}"
        if comp.memo_columns:
            on = f"{alias}.a = l.__t{k}_l AND {alias}.b = r.__t{k}_r"
            joins.append(f"LEFT JOIN {_PREFIX}_memo{k} {alias} ON {on}")
        whens = []
        for lv in comp.levels:
            if not lv.sql:
                whens.append(f"ELSE {lv.value}")
            elif lv.memo:
                whens.append(f"WHEN {alias}.{lv.memo} THEN {lv.value}")
            else:
                whens.append(f"WHEN {lv.sql} THEN {lv.value}")
        select.append(f"CASE {' '.join(whens)} END AS {_q(comp.gamma)}")
    for c in p.tf:
        select += [f"l.{_q(f'tf_{c}_l')}", f"r.{_q(f'tf_{c}_r')}"]
    return f"SELECT {', '.join(select)} FROM {pairs} b {' '.join(joins)}"


@dataclass(frozen=True)
class Coded:
    """The dictionary and the coded copy of a feature table, for one plan's columns."""

    dictionary: str
    coded: str
    signature: tuple


def _signature(p: _Plan) -> tuple:
    return (
        tuple(p.text),
        tuple(p.lists),
        tuple(p.other),
        tuple(p.tf),
        tuple(tuple(c.memo_columns) for c in p.comparisons),
    )


@contextmanager
def coded_features(
    con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]
) -> Iterator[Coded]:
    """Code ``table`` once for several scorings with models of the same comparisons (a
    run scores the blocked pairs, then pairs inside clusters, then the review queue)."""
    p = plan(con, table, model)
    uid = p.settings.column_info_settings.unique_id_column_name
    dictionary, coded = _build_coded(con, table, p, uid)
    try:
        _add_tuple_ids(con, coded, p)
        yield Coded(dictionary, coded, _signature(p))
    finally:
        con.execute(f"DROP TABLE IF EXISTS {coded}")
        con.execute(f"DROP TABLE IF EXISTS {dictionary}")


def score_blocked(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    pairs: str,
    threshold: float | None = None,
    detail: bool = False,
    coded: Coded | None = None,
) -> pd.DataFrame:
    """Score the pairs of table ``pairs`` (``match_key``, ``join_key_l`` < ``join_key_r``).

    Returns what Splink's predict returns for the same model and pairs: ``unique_id_l``,
    ``unique_id_r``, ``match_weight``, ``match_probability``, ``match_key``; with
    ``detail`` also per comparison its level (``gamma_*``), weight (``mw_*``) and
    term-frequency adjustment (``mw_tf_adj_*``). ``coded``: the table already coded by
    :func:`coded_features` (used when it was coded for the same columns).
    """
    model = {
        **model,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": detail,
    }
    p = plan(con, table, model)
    if coded is None or coded.signature != _signature(p):
        with coded_features(con, table, model) as own:
            return score_blocked(con, table, model, pairs, threshold, detail, own)
    uid = p.settings.column_info_settings.unique_id_column_name
    memos = _build_memos(con, pairs, coded.coded, coded.dictionary, p, uid)
    try:
        steps = predict_from_comparison_vectors_sqls_using_settings(
            p.settings, threshold_match_probability=threshold
        )
        vectors = _vectors_sql(pairs, coded.coded, p, uid)
        ctes = [f"__splink__df_comparison_vectors AS ({vectors})"]
        ctes += [f"{s['output_table_name']} AS ({s['sql']})" for s in steps[:-1]]
        final = steps[-1]["sql"]
        if detail:  # the levels too (Splink keeps them only with the matching columns)
            gammas = ", ".join(_q(c.gamma) for c in p.comparisons)
            final = final.replace("select", f"select {gammas},", 1)
        return con.execute(f"WITH {', '.join(ctes)} {final}").df()
    finally:
        for name in memos:
            con.execute(f"DROP TABLE IF EXISTS {name}")


def predict(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    threshold: float | None,
    blocked_counts: dict[str, int] | None = None,
    coded: Coded | None = None,
) -> pd.DataFrame:
    """Splink's blocking, then :func:`score_vectorised` on every blocked pair.

    ``blocked_counts``, if given, receives the number of pairs per ``match_key`` (the pairs
    each blocking rule adds beyond the earlier rules), counted exactly on the blocked pairs.
    """
    if coded is None:
        with coded_features(con, table, model) as own:
            return predict(con, table, model, threshold, blocked_counts, own)
    linker = _linker(con, table, model)
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    try:
        if blocked_counts is not None:
            rows = con.execute(
                f"SELECT match_key, count(*) FROM {blocked.physical_name} GROUP BY match_key"
            ).fetchall()
            blocked_counts.update({str(k): int(n) for k, n in rows})
        return score_vectorised(con, table, model, blocked.physical_name, threshold, coded)
    finally:
        blocked.drop_table_from_database_and_remove_from_cache()


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    pairs: pd.DataFrame,
    detail: bool = False,
    coded: Coded | None = None,
) -> pd.DataFrame:
    """Score given pairs (``unique_id_l``, ``unique_id_r``) with the model, unblocked."""
    left = pairs["unique_id_l"].to_numpy()
    right = pairs["unique_id_r"].to_numpy()
    blocked = pd.DataFrame(
        {
            "match_key": "0",
            "join_key_l": np.minimum(left, right),
            "join_key_r": np.maximum(left, right),
        }
    )
    blocked = blocked[blocked.join_key_l != blocked.join_key_r].drop_duplicates()
    name = f"{_PREFIX}_given_pairs"
    con.register(f"{name}_df", blocked)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_df")
    finally:
        con.unregister(f"{name}_df")
    try:
        return score_blocked(con, table, model, name, detail=detail, coded=coded)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def explain_pairs(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    pairs: pd.DataFrame,
    coded: Coded | None = None,
) -> list[list[dict[str, Any]]]:
    """Per pair, per comparison: the level reached and its match weight (with the term
    frequency adjustment), so a reviewer sees why the model leans one way.

    The same answer as :func:`uncounted.link.model.explain_pairs`, from one scoring pass.
    """
    if len(pairs) == 0:
        return []
    scored = score_pairs(con, table, model, pairs, detail=True, coded=coded)
    scored = scored.drop_duplicates(["unique_id_l", "unique_id_r"])
    left = pairs["unique_id_l"].to_numpy()
    right = pairs["unique_id_r"].to_numpy()
    rows = scored.set_index(["unique_id_l", "unique_id_r"]).reindex(
        pd.MultiIndex.from_arrays([np.minimum(left, right), np.maximum(left, right)])
    )
    labels = {(r["comparison"], r["gamma"]): r["level"] for r in level_weights(model)}
    parts = []
    for comp in model.get("comparisons", []):
        name = comp["output_column_name"]
        gamma = rows[f"gamma_{name}"].fillna(-1).astype(int).to_numpy()
        weight = rows[f"mw_{name}"].fillna(0.0).to_numpy(dtype=float)
        if f"mw_tf_adj_{name}" in rows:
            weight = weight + rows[f"mw_tf_adj_{name}"].fillna(0.0).to_numpy(dtype=float)
        level = [labels.get((name, int(g)), "missing") for g in gamma]
        rounded = [round(float(w), 2) if np.isfinite(w) else None for w in weight]
        parts.append((name, DESCRIPTIONS.get(name, name), level, rounded))
    return [
        [
            {"comparison": name, "description": desc, "level": level[i], "weight": weight[i]}
            for name, desc, level, weight in parts
        ]
        for i in range(len(pairs))
    ]


# Pairs scored per pass of the vectorised path (bounded memory: ~25 arrays of this length
# per pass in flight), and passes run at once.
CHUNK = 2_000_000
THREADS = 2


@dataclass
class _Records:
    """The coded features as arrays indexed by record position (``pos`` maps unique ids)."""

    uid: np.ndarray
    text: dict[str, np.ndarray]  # int32 codes, 0 = null
    lists: dict[str, tuple[np.ndarray, np.ndarray]]  # (n × width int32, -1 pad; null mask)
    other: dict[str, tuple[np.ndarray, np.ndarray]]  # (values, null mask)
    tf: dict[str, np.ndarray]  # float64, NaN = null
    tuples: dict[int, np.ndarray]  # per memoised comparison: tuple id of each record
    pos: np.ndarray  # unique id -> position (unique ids are record keys: a dense lookup)

    def position(self, ids: np.ndarray) -> np.ndarray:
        return self.pos[ids]


def _records(con: duckdb.DuckDBPyConnection, coded: Coded, p: _Plan, uid: str) -> _Records:
    frame = con.execute(f"SELECT * FROM {coded.coded} ORDER BY {_q(uid)}").df()
    lists = {}
    for c in p.lists:
        values = frame[c]
        null = values.isna().to_numpy()
        rows = [[] if v is None or (not isinstance(v, list | np.ndarray)) else v for v in values]
        width = max((len(r) for r in rows), default=0) or 1
        arr = np.full((len(rows), width), -1, dtype=np.int32)
        for i, r in enumerate(rows):  # a few short lists per record, once per run
            if len(r):
                arr[i, : len(r)] = [-2 if x is None or x != x else x for x in r]
        lists[c] = (arr, null)
    other = {}
    for c in p.other:
        values = frame[c]
        other[c] = (values.to_numpy(), values.isna().to_numpy())
    memo = [k for k, comp in enumerate(p.comparisons) if comp.memo_columns]
    # built here, before the scoring threads start: built lazily, a second thread could
    # read the lookup while the first was still filling it (and score the wrong records)
    ids = frame[uid].to_numpy(dtype=np.int64)
    pos = np.full(int(ids.max()) + 1 if len(ids) else 1, -1, dtype=np.int32)
    pos[ids] = np.arange(len(ids), dtype=np.int32)
    return _Records(
        uid=ids,
        text={c: frame[c].fillna(0).to_numpy(dtype=np.int32) for c in p.text},
        lists=lists,
        other=other,
        tf={c: frame[f"tf_{c}"].to_numpy(dtype=float, na_value=np.nan) for c in p.tf},
        tuples={k: frame[f"__t{k}"].to_numpy(dtype=np.int64) for k in memo},
        pos=pos,
    )


class _Eval:
    """A code-safe level condition over a subset of pairs, with SQL's three-valued logic."""

    def __init__(self, recs: _Records, left: np.ndarray, right: np.ndarray) -> None:
        self.recs, self.side = recs, {"l": left, "r": right}
        self.cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in self.cache:
            self.cache[name] = self._gather(name)
        return self.cache[name]

    def _gather(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        base, idx = name[:-2], self.side[name[-1]]
        if base in self.recs.text:
            codes = self.recs.text[base][idx]
            return codes, codes == 0
        if base in self.recs.lists:
            arr, null = self.recs.lists[base]
            return arr[idx], null[idx]
        values, null = self.recs.other[base]
        return values[idx], null[idx]

    def __call__(self, node: exp.Expression) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(node, exp.Paren):
            return self(node.this)
        if isinstance(node, exp.Column):
            return self.column(node.name)
        if isinstance(node, exp.Boolean):
            n = len(self.side["l"])
            return np.full(n, bool(node.this)), np.zeros(n, dtype=bool)
        if isinstance(node, exp.Is):
            _, null = self(node.this)
            return null, np.zeros(len(null), dtype=bool)
        if isinstance(node, exp.Not):
            v, n = self(node.this)
            return ~v.astype(bool), n
        if isinstance(node, exp.EQ | exp.NEQ):
            (a, na), (b, nb) = self(node.this), self(node.expression)
            if a.ndim != 1 or b.ndim != 1:
                raise UnsupportedComparison("equality of lists")
            return (a == b) if isinstance(node, exp.EQ) else (a != b), na | nb
        if isinstance(node, exp.And | exp.Or):
            (a, na), (b, nb) = self(node.this), self(node.expression)
            a, b = a.astype(bool), b.astype(bool)
            if isinstance(node, exp.And):
                false = (~a & ~na) | (~b & ~nb)
                return ~false & ~na & ~nb, ~false & (na | nb)
            true = (a & ~na) | (b & ~nb)
            return true, ~true & (na | nb)
        if isinstance(node, exp.ArrayContains):
            (arr, nl), (x, nx) = self(node.this), self(node.expression)
            return (arr == x[:, None]).any(axis=1), nl | nx
        raise UnsupportedComparison(f"cannot evaluate {node.sql()} on arrays")


def _memo_answers(
    con: duckdb.DuckDBPyConnection,
    comp: _Comparison,
    k: int,
    tl: np.ndarray,
    tr: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each memoised level's answer (true, not null) for the pairs of tuple ids given, with
    the level's own SQL run once per distinct pair, on the text."""
    codes, distinct = pd.factorize(tl * (1 << 32) + tr)
    query = pd.DataFrame({"a": distinct >> 32, "b": distinct & 0xFFFFFFFF})
    conds = [lv for lv in comp.levels if lv.memo]
    sides = {
        s: ", ".join(f"{_q(c)} AS {_q(f'{c}_{s}')}" for c in comp.memo_columns) for s in ("l", "r")
    }
    name = f"{_PREFIX}_query_{threading.get_ident()}"  # one per scoring thread
    con.register(name, query)
    try:
        answers = con.execute(
            f"SELECT {', '.join(f'coalesce(({lv.sql}), false) AS {lv.memo}' for lv in conds)} "
            f"FROM (SELECT row_number() OVER () AS i, * FROM {name}) q "
            f"JOIN (SELECT t, {sides['l']} FROM {_PREFIX}_tuples{k}) L ON L.t = q.a "
            f"JOIN (SELECT t, {sides['r']} FROM {_PREFIX}_tuples{k}) R ON R.t = q.b ORDER BY q.i"
        ).fetchnumpy()
    finally:
        con.unregister(name)
    return {lv.memo: np.asarray(answers[lv.memo], dtype=bool)[codes] for lv in conds}


def _build_tuples(con: duckdb.DuckDBPyConnection, coded: Coded, p: _Plan) -> list[str]:
    """Per memoised comparison: its tuple ids with the values they stand for (text decoded)."""
    names = []
    for k, comp in enumerate(p.comparisons):
        if not comp.memo_columns:
            continue
        select, joins = [f"c.__t{k} AS t"], []
        for i, c in enumerate(comp.memo_columns):
            if c in p.text:
                joins.append(f"LEFT JOIN {coded.dictionary} d{i} ON d{i}.id = c.{_q(c)}")
                select.append(f"d{i}.v AS {_q(c)}")
            else:
                select.append(f"c.{_q(c)}")
        name = f"{_PREFIX}_tuples{k}"
        con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT DISTINCT {', '.join(select)} "
            f"FROM {coded.coded} c {' '.join(joins)}"
        )
        names.append(name)
    return names


def _gammas(
    con: duckdb.DuckDBPyConnection, p: _Plan, recs: _Records, left: np.ndarray, right: np.ndarray
) -> list[np.ndarray]:
    """Per comparison, the level (gamma) of every pair, as Splink's CASE gives it.

    Code-safe levels run on whole arrays (masks, no fancy indexing); the memoised ones on
    the pairs still undecided when the first of them is reached.
    """
    out = []
    for k, comp in enumerate(p.comparisons):
        evaluate = _Eval(recs, left, right)  # gathers shared by the comparison's levels
        gamma = np.empty(len(left), dtype=np.int8)
        todo = np.ones(len(left), dtype=bool)
        answers: dict[str, np.ndarray] | None = None
        for lv in comp.levels:
            if not lv.sql:
                gamma[todo] = lv.value
                todo[:] = False
                break
            if lv.memo:
                if answers is None:  # once per comparison, on the pairs still undecided
                    at = np.flatnonzero(todo)
                    found = _memo_answers(
                        con, comp, k, recs.tuples[k][left[at]], recs.tuples[k][right[at]]
                    )
                    answers = {}
                    for name, hits in found.items():
                        full = np.zeros(len(left), dtype=bool)
                        full[at] = hits
                        answers[name] = full
                hit = answers[lv.memo] & todo
            else:
                value, null = evaluate(_parse(lv.sql))
                hit = value.astype(bool) & ~null & todo
            gamma[hit] = lv.value
            todo &= ~hit
        if todo.any():
            raise UnsupportedComparison(f"{comp.gamma}: pairs reach no level (no else level)")
        out.append(gamma)
    return out


_PARSED: dict[str, exp.Expression] = {}


def _parse(sql: str) -> exp.Expression:
    if sql not in _PARSED:
        _PARSED[sql] = sqlglot.parse_one(sql, read="duckdb")
    return _PARSED[sql]


def _weights(p: _Plan, recs: _Records, gammas, left, right) -> np.ndarray:
    """Splink's match weight: the prior's, then per comparison the level's weight and its
    term-frequency adjustment, summed in Splink's order."""
    prior = prob_to_match_weight(p.settings._probability_two_random_records_match)
    total = np.full(len(left), prior, dtype=np.float64)
    for cc, gamma in zip(p.settings.comparisons, gammas, strict=True):
        levels = cc.comparison_levels
        table = np.zeros(256, dtype=np.float64)
        for cl in levels:
            table[cl.comparison_vector_value % 256] = 0.0 if cl.is_null_level else cl._match_weight
        total = total + table[gamma.astype(np.int64) % 256]
        if not cc._has_tf_adjustments:
            continue
        adj = np.zeros(len(left), dtype=np.float64)
        for cl in levels:
            if (
                cl.comparison_vector_value == -1
                or not cl._has_tf_adjustments
                or cl._tf_adjustment_weight == 0
                or cl._is_else_level
            ):
                continue
            at = gamma == cl.comparison_vector_value
            tf = recs.tf[cl._tf_adjustment_input_column.unquote().name]
            tl, tr = tf[left[at]], tf[right[at]]
            a, b = np.where(np.isnan(tl), tr, tl), np.where(np.isnan(tr), tl, tr)
            u = math.log2(cl._u_probability_corresponding_to_exact_match(levels))
            value = np.maximum(np.maximum(a, b), cl._tf_minimum_u_value)
            with np.errstate(divide="ignore"):
                adj[at] = np.where(
                    np.isnan(a), 0.0, cl._tf_adjustment_weight * (u - np.log2(value))
                )
        total = total + adj
    return total


def _probability(weight: np.ndarray) -> np.ndarray:
    """Splink's match probability, stable on both sides of zero."""
    pos = weight >= 0
    out = np.empty(len(weight))
    out[pos] = 1.0 / (1.0 + np.power(2.0, -weight[pos]))
    e = np.power(2.0, weight[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def score_vectorised(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    pairs: str,
    threshold: float | None,
    coded: Coded,
) -> pd.DataFrame:
    """:func:`score_blocked` without the per-pair SQL: levels on integer arrays (the
    text-reading ones once per distinct pair of value tuples among the pairs that reach
    them), weights from Splink's m, u and term frequencies. Chunks of :data:`CHUNK`."""
    p = plan(con, table, model)
    if coded.signature != _signature(p):
        raise UnsupportedComparison("the table was coded for other comparisons")
    uid = p.settings.column_info_settings.unique_id_column_name
    recs = _records(con, coded, p, uid)
    floor = threshold_args_to_match_weight(threshold, None)
    tuples = _build_tuples(con, coded, p)
    local = threading.local()
    cursors: list[duckdb.DuckDBPyConnection] = []

    def score(batch: Any) -> pd.DataFrame:
        if not hasattr(local, "con"):  # a DuckDB connection is used by one thread at a time
            local.con = con.cursor()
            cursors.append(local.con)
        key = batch.column("k").to_numpy()
        left = recs.position(batch.column("a").to_numpy())
        right = recs.position(batch.column("b").to_numpy())
        weight = _weights(p, recs, _gammas(local.con, p, recs, left, right), left, right)
        keep = weight >= floor if floor is not None else np.ones(len(weight), dtype=bool)
        return pd.DataFrame(
            {
                "match_weight": weight[keep],
                "match_probability": _probability(weight[keep]),
                f"{uid}_l": recs.uid[left[keep]],
                f"{uid}_r": recs.uid[right[keep]],
                "match_key": key[keep],
            }
        )

    kept: list[pd.DataFrame] = []
    reader = con.cursor()
    try:
        batches = reader.sql(
            f"SELECT CAST(match_key AS INTEGER) AS k, join_key_l AS a, join_key_r AS b FROM {pairs}"
        ).to_arrow_reader(CHUNK)
        # numpy and DuckDB release the GIL: one chunk per core, one more waiting
        with ThreadPoolExecutor(THREADS) as pool:
            pending: list[Future] = []
            for batch in batches:
                pending.append(pool.submit(score, batch))
                if len(pending) > THREADS:
                    kept.append(pending.pop(0).result())
            kept += [f.result() for f in pending]
    finally:
        reader.close()
        for cursor in cursors:
            cursor.close()
        for name in tuples:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    columns = ["match_weight", "match_probability", f"{uid}_l", f"{uid}_r", "match_key"]
    out = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=columns)
    out["match_key"] = out["match_key"].astype(str)
    return out
