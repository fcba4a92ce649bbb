"""How good the links are against a known truth (simulated scenarios).

Pairwise precision / recall / F1 (before clustering: the scored pairs above the threshold;
after: the pairs implied by the persons), B-cubed, the number of persons, and the
capture-history table (persons per pattern of lists) against the true one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd


def _pairs_in_groups(counts: pd.Series) -> int:
    c = counts.to_numpy(dtype=np.int64)
    return int((c * (c - 1) // 2).sum())


def _prf(tp: int, predicted: int, true: int) -> dict[str, float]:
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "predicted_pairs": predicted,
        "true_pairs": true,
    }


def pairwise_after_clustering(pred: pd.Series, truth: pd.Series) -> dict[str, float]:
    """``pred`` and ``truth``: person labels per record (aligned)."""
    frame = pd.DataFrame({"p": pred.to_numpy(), "t": truth.to_numpy()})
    tp = _pairs_in_groups(frame.groupby(["p", "t"]).size())
    return _prf(
        tp, _pairs_in_groups(frame.groupby("p").size()), _pairs_in_groups(frame.groupby("t").size())
    )


def pairwise_before_clustering(
    edges: pd.DataFrame, truth_by_uid: pd.Series, true_pairs: int
) -> dict[str, float]:
    """``edges``: ``unique_id_l``, ``unique_id_r`` of the pairs the model calls matches."""
    tl = truth_by_uid.reindex(edges["unique_id_l"]).to_numpy()
    tr = truth_by_uid.reindex(edges["unique_id_r"]).to_numpy()
    tp = int(np.sum(tl == tr))
    return _prf(tp, len(edges), true_pairs)


def bcubed(pred: pd.Series, truth: pd.Series) -> dict[str, float]:
    frame = pd.DataFrame({"p": pred.to_numpy(), "t": truth.to_numpy()})
    both = frame.groupby(["p", "t"])["p"].transform("size")
    p_size = frame.groupby("p")["p"].transform("size")
    t_size = frame.groupby("t")["t"].transform("size")
    precision = float((both / p_size).mean()) if len(frame) else 1.0
    recall = float((both / t_size).mean()) if len(frame) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def capture_table(labels: pd.Series, sources: pd.Series) -> pd.DataFrame:
    """Persons per pattern of lists, in the contract format (0/1 columns, then ``count``)."""
    names = sorted(sources.unique())
    frame = pd.DataFrame({"person": labels.to_numpy(), "source": sources.to_numpy(), "x": 1})
    wide = frame.pivot_table(
        index="person", columns="source", values="x", aggfunc="max", fill_value=0
    ).reindex(columns=names, fill_value=0)
    table = wide.value_counts().rename("count").reset_index()
    return table.sort_values(names, ascending=False).reset_index(drop=True)


def compare_capture_tables(found: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Cell by cell: found, true, difference, and whether within 5% or 5 persons."""
    lists = [c for c in truth.columns if c != "count"]
    merged = truth.merge(found, on=lists, how="outer", suffixes=("_true", "_found")).fillna(0)
    merged["difference"] = merged["count_found"] - merged["count_true"]
    tolerance = np.maximum(5, 0.05 * merged["count_true"])
    merged["within_tolerance"] = merged["difference"].abs() <= tolerance
    return merged.astype({c: int for c in [*lists, "count_true", "count_found", "difference"]})


def evaluate(
    links: pd.DataFrame,
    truth: pd.DataFrame,
    match_edges: pd.DataFrame | None = None,
    linkable: Iterable[int] | None = None,
) -> dict[str, Any]:
    """``links``: source, record_id, person_id (+ unique_id when ``match_edges`` or
    ``linkable`` given); ``truth``: source, record_id, person_id (the true person).

    ``linkable``: the unique ids of the records that carry enough to be linked (the
    store's rule, ``LINKABLE_SQL``). The figures are then given twice: over all records
    (top level, never hidden) and over the linkable records only (``linkable``: what
    estimation counts), with ``records_unlinkable``, the records left out of the latter.
    """
    merged = links.merge(
        truth.rename(columns={"person_id": "true_person"}), on=["source", "record_id"], how="inner"
    )
    merged["true_person"] = merged["true_person"].astype(str)
    result: dict[str, Any] = {"records_without_truth": len(links) - len(merged)}
    result.update(_measures(merged, match_edges))
    if linkable is not None:
        keep = merged["unique_id"].isin(pd.Index(linkable))
        result["records_unlinkable"] = int((~keep).sum())
        edges = None
        if match_edges is not None:
            ids = merged.loc[keep, "unique_id"]
            edges = match_edges[
                match_edges["unique_id_l"].isin(ids) & match_edges["unique_id_r"].isin(ids)
            ]
        result["linkable"] = _measures(merged[keep].reset_index(drop=True), edges)
    return result


def _measures(merged: pd.DataFrame, match_edges: pd.DataFrame | None) -> dict[str, Any]:
    """Every figure for one set of records (``person_id`` found, ``true_person``)."""
    true_person = merged["true_person"]
    result: dict[str, Any] = {
        "records_evaluated": len(merged),
        "persons_found": int(merged["person_id"].nunique()),
        "persons_true": int(true_person.nunique()),
    }
    result["persons_difference_pct"] = (
        100.0 * (result["persons_found"] - result["persons_true"]) / result["persons_true"]
        if result["persons_true"]
        else 0.0
    )
    after = pairwise_after_clustering(merged["person_id"], true_person)
    result["pairwise_after_clustering"] = after
    if match_edges is not None and "unique_id" in merged:
        truth_by_uid = pd.Series(true_person.to_numpy(), index=merged["unique_id"].to_numpy())
        result["pairwise_before_clustering"] = pairwise_before_clustering(
            match_edges, truth_by_uid, after["true_pairs"]
        )
    result["bcubed"] = bcubed(merged["person_id"], true_person)
    found = capture_table(merged["person_id"], merged["source"])
    true = capture_table(true_person, merged["source"])
    cells = compare_capture_tables(found, true)
    result["capture_cells"] = cells.to_dict(orient="records")
    result["capture_cells_within_tolerance"] = bool(cells["within_tolerance"].all())
    return result
