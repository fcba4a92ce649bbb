"""Score candidate pairs with a trained Splink model, fast, with Splink's own weights.

Splink evaluates every comparison level on the strings of every candidate pair: at a
million records that is ~70 million pairs × five names × Jaro-Winkler and Damerau-
Levenshtein, about 200 s on two cores, while the pairs hold only a few million *distinct*
pairs of name keys. Here the same model scores the same pairs in three steps:

1. every text value (and list element) of the columns the comparisons read is replaced by
   an integer id from one dictionary, so equality, ``IS NULL`` and ``list_contains`` work
   on integers and give what they give on the text;
2. a level whose condition needs the text itself (a string similarity, a date difference)
   is evaluated once per *distinct* tuple of the values it reads among the candidate pairs,
   on the real text, with the level's own SQL; pairs look the answer up;
3. the comparison vectors (gamma per comparison, term frequencies per side) go through
   Splink's own SQL for match weights, term-frequency adjustments, prior and threshold.

Everything is read from the trained model (comparison levels, blocking rules, m, u, prior,
term-frequency columns), so a change of the comparisons in :mod:`uncounted.link.model`
flows through. A level this module cannot evaluate on integer ids or per distinct tuple
(one reading text columns together with list or numeric columns, outside plain equality)
makes :func:`supported` false, and the caller scores with Splink instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import sqlglot
from splink import DuckDBAPI, Linker
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
    memo_columns: list[str] = field(default_factory=list)  # text columns read by memo levels


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
            needs_text = any(k != "other" for k in kinds.values())
            if needs_text and not _code_safe(cl.sql_condition):
                if any(k == "list" for k in kinds.values()):
                    raise UnsupportedComparison(
                        f"{cc.output_column_name}: level {cl.label_for_charts!r} reads a "
                        "list outside equality and list_contains"
                    )
                level.memo = f"__m{len(levels)}"
                memo_cols |= cols
            levels.append(level)
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
    """Splink's blocking, then :func:`score_blocked` on every blocked pair.

    ``blocked_counts``, if given, receives the number of pairs per ``match_key`` (the pairs
    each blocking rule adds beyond the earlier rules), counted exactly on the blocked pairs.
    """
    linker = _linker(con, table, model)
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    try:
        if blocked_counts is not None:
            rows = con.execute(
                f"SELECT match_key, count(*) FROM {blocked.physical_name} GROUP BY match_key"
            ).fetchall()
            blocked_counts.update({str(k): int(n) for k, n in rows})
        return score_blocked(con, table, model, blocked.physical_name, threshold, coded=coded)
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
