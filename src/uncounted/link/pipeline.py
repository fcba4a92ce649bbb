"""One linkage run over tables: features → model → scored pairs → persons → review queue.

Plain functions over pandas / DuckDB; storage (Django) lives in :mod:`uncounted.link.store`.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from uncounted.link import cluster, model, scoring
from uncounted.link.features import build_features

FEATURE_TABLE = "record_features"
# Up to this many records the blocking report counts pairs exactly; above, Splink estimates
# them from a deterministic sample of records on each side (the report says so).
EXACT_BLOCKING_COUNT = 200_000


class LinkError(ValueError):
    """A run that cannot go ahead for a reason the user can fix or should know."""


@dataclass(frozen=True)
class LinkParameters:
    """Everything that decides the result (stored with each run, for reproducibility)."""

    link_threshold: float = 0.5
    cohesion_threshold: float = 0.5
    merge_weight: float = 0.0
    predict_threshold: float = 0.001
    keep_threshold: float = 0.01
    review_low: float = 0.15
    review_high: float = 0.85
    seed: int = 1
    u_pairs: float = 2e6
    exclusive_sources: tuple[str, ...] = ()
    max_fill_component: int = 300
    duckdb_memory: str = "3GB"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exclusive_sources"] = list(self.exclusive_sources)
        return d


@dataclass
class DecisionTables:
    """People's decisions by record pk: pairs (``a``, ``b``) and "not one person" groups."""

    must: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"a": [], "b": []}))
    cannot: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"a": [], "b": []}))
    not_one: list[list[int]] = field(default_factory=list)

    def cannot_pairs(self) -> pd.DataFrame:
        """Cannot-link pairs, with every pair of a "not one person" group added."""
        frames = [self.cannot[["a", "b"]]]
        for group in self.not_one:
            g = np.asarray(group, dtype=np.int64)
            a, b = np.triu_indices(len(g), 1)
            frames.append(pd.DataFrame({"a": g[a], "b": g[b]}))
        return pd.concat(frames, ignore_index=True).astype("int64")


@dataclass
class LinkResult:
    features: pd.DataFrame
    persons: pd.DataFrame  # unique_id, label
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_weight, match_probability, ...
    model: dict[str, Any]
    training: dict[str, Any]
    blocking: list[dict[str, Any]]
    counts: dict[str, Any]
    timings: dict[str, float]
    cluster_sizes: dict[str, int]
    flags: pd.DataFrame  # label, flag_list (list of str)
    review: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight, ...


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._t, 3)
        self._t = now


class _Scorer:
    """Scoring by :mod:`uncounted.link.scoring` when it can evaluate the model (the feature
    table coded once for the run: blocked pairs, pairs inside clusters, review queue), else
    by Splink (:mod:`uncounted.link.model`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stack: contextlib.ExitStack) -> None:
        self.con, self.stack = con, stack
        self.fast: bool | None = None
        self.coded: scoring.Coded | None = None

    def _fast(self, trained_model: dict[str, Any]) -> bool:
        if self.fast is None:
            self.fast = scoring.supported(self.con, FEATURE_TABLE, trained_model)
            if self.fast:
                self.coded = self.stack.enter_context(
                    scoring.coded_features(self.con, FEATURE_TABLE, trained_model)
                )
        return self.fast

    def predict(
        self, trained_model: dict[str, Any], threshold: float, blocked: dict[str, int]
    ) -> pd.DataFrame:
        """Every blocked pair at or above ``threshold``; ``blocked`` receives the pairs per
        rule (left empty by Splink)."""
        if self._fast(trained_model):
            return scoring.predict(
                self.con, FEATURE_TABLE, trained_model, threshold, blocked, self.coded
            )
        return model.predict(self.con, FEATURE_TABLE, trained_model, threshold)

    def score_pairs(self, trained_model: dict[str, Any], pairs: pd.DataFrame) -> pd.DataFrame:
        if self._fast(trained_model):
            return scoring.score_pairs(
                self.con, FEATURE_TABLE, trained_model, pairs, coded=self.coded
            )
        return model.score_pairs(self.con, FEATURE_TABLE, trained_model, pairs)

    def explain(
        self, trained_model: dict[str, Any], pairs: pd.DataFrame
    ) -> list[list[dict[str, Any]]]:
        """Per pair, per comparison: level and weight (for the review queue)."""
        if len(pairs) == 0:
            return []
        if self._fast(trained_model):
            return scoring.explain_pairs(self.con, FEATURE_TABLE, trained_model, pairs, self.coded)
        return model.explain_pairs(self.con, FEATURE_TABLE, trained_model, pairs)


def run_linkage(
    records: pd.DataFrame,
    decisions: DecisionTables | None = None,
    params: LinkParameters | None = None,
    labelled: pd.DataFrame | None = None,
) -> LinkResult:
    """Link ``records`` (``unique_id``, ``source`` and the record columns) into persons."""
    params = params or LinkParameters()
    decisions = decisions or DecisionTables()
    timer = _Timer()
    features = build_features(records)
    timer.lap("features")
    named = model.comparison_table(features)
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        # DuckDB would take 80% of the machine's memory; pairs beyond this spill to disk.
        con.execute(f"SET memory_limit = '{params.duckdb_memory}'")
        con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/uncounted-duckdb'")
        con.register("__features_df", named)
        con.execute(f"CREATE TABLE {FEATURE_TABLE} AS SELECT * FROM __features_df")
        con.unregister("__features_df")
        with contextlib.ExitStack() as stack:
            scorer = _Scorer(con, stack)
            blocked: dict[str, int] = {}
            trained, pairs = _score(scorer, len(named), params, labelled, timer, blocked)
            blocking = blocking_report(con, pairs, params, blocked) if len(named) > 1 else []
            timer.lap("blocking_report")
            result = _cluster(scorer, trained.model, features, pairs, decisions, params, timer)
    finally:
        con.close()
    labels, flags, review, split = result
    persons = pd.DataFrame({"unique_id": features["unique_id"].to_numpy(), "label": labels})
    sizes = np.bincount(labels) if len(labels) else np.array([], dtype=int)
    size_counts = pd.Series(sizes).value_counts().sort_index()
    counts = {
        "records": len(features),
        "records_without_name": int((~features["has_name"]).sum()),
        "sources": int(features["source"].nunique()),
        "pairs_scored_kept": len(pairs),
        "pairs_above_threshold": int((pairs["match_probability"] >= params.link_threshold).sum())
        if len(pairs)
        else 0,
        "persons": len(sizes),
        "components_split": split,
        "flagged_persons": int(flags["flag_list"].map(bool).sum()) if len(flags) else 0,
        "review_items": len(review),
        "prior": trained.model.get("probability_two_random_records_match"),
    }
    return LinkResult(
        features=features,
        persons=persons,
        pairs=pairs,
        model=trained.model,
        training=trained.training,
        blocking=blocking,
        counts=counts,
        timings=timer.timings,
        cluster_sizes={str(k): int(v) for k, v in size_counts.items()},
        flags=flags,
        review=review,
    )


def _score(
    scorer: _Scorer,
    n_named: int,
    params: LinkParameters,
    labelled: pd.DataFrame | None,
    timer: _Timer,
    blocked: dict[str, int],
) -> tuple[model.TrainedModel, pd.DataFrame]:
    """Train, predict, and set the prior consistent with the scored pairs."""
    empty = pd.DataFrame(
        {"unique_id_l": [], "unique_id_r": [], "match_weight": [], "match_probability": []}
    )
    if n_named < 2:
        return model.TrainedModel(model={}, training={"skipped": "fewer than two records"}), empty
    try:
        trained = model.train(
            scorer.con,
            FEATURE_TABLE,
            n_named,
            seed=params.seed,
            u_pairs=params.u_pairs,
            labelled=labelled,
        )
    except Exception as exc:
        raise LinkError(
            f"the model could not be trained on {n_named} records with names "
            f"({type(exc).__name__}); add more records or lists"
        ) from exc
    timer.lap("training")
    _round_parameters(trained.model)
    pairs = scorer.predict(trained.model, params.predict_threshold, blocked)
    # DuckDB returns the pairs in no fixed order; every later step sees them in one
    pairs = pairs.sort_values(["unique_id_l", "unique_id_r"], kind="stable", ignore_index=True)
    timer.lap("prediction")
    old = float(trained.model["probability_two_random_records_match"])
    weights = pairs["match_weight"].to_numpy(dtype=float)
    new = model.reestimate_prior(weights, old, n_named)
    trained.model["probability_two_random_records_match"] = new
    trained.training["prior_from_rules"] = old
    trained.training["prior_reestimated"] = new
    pairs["match_weight"] = model.rescale_weights(weights, old, new)
    pairs["match_probability"] = model.probability(pairs["match_weight"].to_numpy())
    pairs = pairs[pairs["match_probability"] >= params.keep_threshold].reset_index(drop=True)
    timer.lap("prior")
    return trained, pairs


def _round_parameters(trained_model: dict[str, Any], digits: int = 12) -> None:
    """Round the trained m and u probabilities to ``digits`` significant digits, in place.

    DuckDB sums EM's expectations on several threads in no fixed order, so two trainings on
    the same records differ in the 16th digit; rounded, they give the same model, weights
    and persons (the estimates are good to far fewer digits). A mitigation, not a proof:
    a value within 1e-16 of a rounding boundary can still round either way (about one
    parameter in 10,000), moving weights by 1e-12.
    """
    for comparison in trained_model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if isinstance(value, float):
                    level[key] = float(f"{value:.{digits}g}")


def blocking_report(
    con: duckdb.DuckDBPyConnection,
    pairs: pd.DataFrame,
    params: LinkParameters,
    blocked: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Per blocking rule: pairs it adds (beyond earlier rules) and the matches among them.

    ``blocked`` holds the pairs per rule as counted on the scored pairs (exact); without
    it Splink counts them, from a sample of records above 200,000.
    """
    if blocked:
        marginal = [blocked.get(str(i), 0) for i in range(len(model.BLOCKING_RULES))]
        estimated = False
    else:
        marginal, estimated = _count_blocked(con)
    matches = (
        pairs.loc[pairs["match_probability"] >= params.link_threshold, "match_key"]
        .astype(str)
        .value_counts()
        if len(pairs)
        else pd.Series(dtype=int)
    )
    cumulative = np.cumsum(marginal)
    report = []
    for i, (name, rule) in enumerate(model.BLOCKING_RULES):
        report.append(
            {
                "rule": name,
                "sql": rule if isinstance(rule, str) else _rule_sql(rule),
                "pairs": int(marginal[i]),
                "cumulative_pairs": int(cumulative[i]),
                "matches": int(matches.get(str(i), 0)),
                "pairs_estimated": estimated,
            }
        )
    return report


def _count_blocked(con: duckdb.DuckDBPyConnection) -> tuple[list[int], bool]:
    """Splink's count of the pairs each rule adds (estimated above 200,000 records)."""
    from splink import DuckDBAPI

    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(FEATURE_TABLE)
    n_records = con.execute(f"SELECT count(*) FROM {FEATURE_TABLE}").fetchall()[0][0]
    counted = count_comparisons_from_blocking_rules(
        sdf,
        blocking_rules=[r for _, r in model.BLOCKING_RULES],
        link_type="dedupe_only",
        record_sample_proportion=min(1.0, EXACT_BLOCKING_COUNT / max(n_records, 1)),
    )
    return [int(_field(row, "marginal_comparison_count")) for row in counted], (
        n_records > EXACT_BLOCKING_COUNT
    )


def _rule_sql(rule: Any) -> str:
    d = rule.create_blocking_rule_dict("duckdb")
    exploded = d.get("arrays_to_explode")
    return d["blocking_rule"] + (f" (each of {', '.join(exploded)})" if exploded else "")


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _cluster(
    scorer: _Scorer,
    trained_model: dict[str, Any],
    features: pd.DataFrame,
    pairs: pd.DataFrame,
    decisions: DecisionTables,
    params: LinkParameters,
    timer: _Timer,
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, int]:
    uid = features["unique_id"].to_numpy()
    n = len(uid)
    index = pd.Series(np.arange(n), index=uid)
    edges = pd.DataFrame(
        {
            "i": index.reindex(pairs["unique_id_l"]).to_numpy(),
            "j": index.reindex(pairs["unique_id_r"]).to_numpy(),
            "match_probability": pairs["match_probability"].to_numpy(),
            "match_weight": pairs["match_weight"].to_numpy(),
        }
    ).dropna()
    edges[["i", "j"]] = edges[["i", "j"]].astype(np.int64)
    constraints = cluster.Constraints(
        must=_index_pairs(decisions.must, index),
        cannot=_index_pairs(decisions.cannot_pairs(), index),
    )
    exclusive = exclusive_codes(features["source"], params.exclusive_sources)
    tentative = cluster.tentative_components(n, edges, constraints, params.link_threshold)
    to_split = cluster.needs_splitting(
        tentative, edges, exclusive, constraints, params.cohesion_threshold
    )
    timer.lap("components")
    within = _within_pairs(scorer, trained_model, tentative, to_split, edges, uid, params)
    timer.lap("fill_in_pairs")
    result = cluster.finalise(
        tentative, to_split, within, exclusive, constraints, params.merge_weight
    )
    timer.lap("clustering")
    flags = cluster_flags(features, result.labels, exclusive, constraints)
    review = review_candidates(pairs, edges, result.labels, decisions, params)
    review["explanation"] = scorer.explain(trained_model, review)
    timer.lap("flags_review")
    return result.labels, flags, review, result.split_components


def _index_pairs(frame: pd.DataFrame, index: pd.Series) -> np.ndarray:
    if frame is None or len(frame) == 0:
        return np.empty((0, 2), dtype=np.int64)
    a = index.reindex(frame["a"].to_numpy()).to_numpy()
    b = index.reindex(frame["b"].to_numpy()).to_numpy()
    ok = ~(np.isnan(a) | np.isnan(b))
    return np.stack([a[ok], b[ok]], axis=1).astype(np.int64)


def exclusive_codes(sources: pd.Series, exclusive: tuple[str, ...]) -> np.ndarray:
    """Per record: a code for its list when that list names each person once, else -1."""
    codes = pd.Series(-1, index=sources.index, dtype=np.int64)
    for k, name in enumerate(exclusive):
        codes[sources.to_numpy() == name] = k
    return codes.to_numpy()


def _within_pairs(
    scorer: _Scorer,
    trained_model: dict[str, Any],
    tentative: np.ndarray,
    to_split: np.ndarray,
    edges: pd.DataFrame,
    uid: np.ndarray,
    params: LinkParameters,
) -> pd.DataFrame:
    """Every pair inside the components to split: scored ones, plus the others scored now."""
    if len(to_split) == 0:
        return pd.DataFrame({"i": [], "j": [], "match_weight": []})
    in_split = np.isin(tentative, to_split)
    known = edges[in_split[edges["i"].to_numpy()] & in_split[edges["j"].to_numpy()]]
    known = known[tentative[known["i"].to_numpy()] == tentative[known["j"].to_numpy()]]
    sizes = np.bincount(tentative)
    fill = to_split[sizes[to_split] <= params.max_fill_component]
    members = pd.DataFrame({"i": np.flatnonzero(np.isin(tentative, fill))})
    members["c"] = tentative[members["i"].to_numpy()]
    all_pairs = members.merge(members, on="c", suffixes=("", "_r"))
    all_pairs = all_pairs[all_pairs["i"] < all_pairs["i_r"]]
    lo = np.minimum(known["i"].to_numpy(), known["j"].to_numpy())
    hi = np.maximum(known["i"].to_numpy(), known["j"].to_numpy())
    n = len(uid)
    missing = all_pairs[~np.isin(all_pairs["i"] * n + all_pairs["i_r"], lo * n + hi)]
    frames = [known[["i", "j", "match_weight"]]]
    if len(missing) and trained_model:
        scored = scorer.score_pairs(
            trained_model,
            pd.DataFrame(
                {
                    "unique_id_l": uid[missing["i"].to_numpy()],
                    "unique_id_r": uid[missing["i_r"].to_numpy()],
                }
            ),
        )
        index = pd.Series(np.arange(n), index=uid)
        frames.append(
            pd.DataFrame(
                {
                    "i": index.reindex(scored["unique_id_l"]).to_numpy(),
                    "j": index.reindex(scored["unique_id_r"]).to_numpy(),
                    "match_weight": scored["match_weight"].to_numpy(),
                }
            )
        )
    within = pd.concat(frames, ignore_index=True)
    return within.sort_values(["i", "j"], kind="stable", ignore_index=True)


def cluster_flags(
    features: pd.DataFrame,
    labels: np.ndarray,
    exclusive: np.ndarray,
    constraints: cluster.Constraints,
) -> pd.DataFrame:
    """Why a person looks suspect: two mothers' names, two death days, two official records."""
    f = pd.DataFrame(
        {
            "label": labels,
            "mother": features["mother_key"].to_numpy(),
            "death_d": features["death_d"].to_numpy(),
            "excl": exclusive,
            "no_name": ~features["has_name"].to_numpy(),
        }
    )
    g = f.groupby("label")
    out = pd.DataFrame(index=pd.RangeIndex(int(labels.max()) + 1 if len(labels) else 0))
    out["two_mothers"] = g["mother"].nunique() > 1
    out["two_death_days"] = g["death_d"].nunique() > 1
    excl = f[f["excl"] >= 0]
    out["two_official_records"] = False
    if len(excl):
        dup = excl.duplicated(["label", "excl"])
        out.loc[excl.loc[dup, "label"].unique(), "two_official_records"] = True
    out["no_name"] = g["no_name"].any()
    out["conflicting_decisions"] = False
    if len(constraints.cannot):
        a, b = labels[constraints.cannot[:, 0]], labels[constraints.cannot[:, 1]]
        out.loc[np.unique(a[a == b]), "conflicting_decisions"] = True
    out = out.fillna(False)
    names = list(out.columns)
    values = out[names].to_numpy(dtype=bool)
    # one list per distinct combination of flags (a handful), not one per person
    masks = values.astype(np.int64) @ (1 << np.arange(len(names), dtype=np.int64))
    lists = {int(m): [n for k, n in enumerate(names) if m >> k & 1] for m in np.unique(masks)}
    flag_lists = [lists[m] for m in masks.tolist()]
    return pd.DataFrame({"label": out.index.to_numpy(), "flag_list": flag_lists})


def review_candidates(
    pairs: pd.DataFrame,
    edges: pd.DataFrame,
    labels: np.ndarray,
    decisions: DecisionTables,
    params: LinkParameters,
) -> pd.DataFrame:
    """Pairs in the uncertain band, ordered by how much a decision would change persons.

    Priority = uncertainty (1 at p = 0.5, 0 at the band's edges) × the records whose person
    would change if the decision went against the current clustering (both persons' sizes
    when the pair is now apart; the smaller person's size, at least 1, when together).
    """
    p = pairs["match_probability"].to_numpy()
    band = (p >= params.review_low) & (p <= params.review_high)
    cand = pairs.loc[band].copy()
    e = edges.loc[band]
    if len(cand) == 0:
        cand["priority"] = []
        cand["same_person_now"] = []
        return cand
    li, lj = labels[e["i"].to_numpy()], labels[e["j"].to_numpy()]
    sizes = np.bincount(labels)
    same = li == lj
    impact = np.where(same, np.maximum(sizes[li] // 2, 1), sizes[li] + sizes[lj])
    uncertainty = 1 - np.abs(2 * cand["match_probability"].to_numpy() - 1)
    cand["same_person_now"] = same
    cand["priority"] = uncertainty * impact
    decided = pd.concat([decisions.must, decisions.cannot], ignore_index=True)
    if len(decided):
        codes = set(
            zip(
                np.minimum(decided["a"], decided["b"]).astype(int),
                np.maximum(decided["a"], decided["b"]).astype(int),
                strict=True,
            )
        )
        key = list(
            zip(
                np.minimum(cand["unique_id_l"], cand["unique_id_r"]).astype(int),
                np.maximum(cand["unique_id_l"], cand["unique_id_r"]).astype(int),
                strict=True,
            )
        )
        cand = cand[[k not in codes for k in key]]
    return cand.sort_values("priority", ascending=False, kind="stable").reset_index(drop=True)
