"""Measure how well :func:`similarity` separates same-name pairs from different-name pairs.

Used by the accuracy test and ``benchmarks/names_bench.py`` on the hand-checked pairs in
``tests/names/data/name_pairs.csv`` (columns ``a, b, same, kind``) and on generated pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from uncounted.names.lexicon import _OVERRIDE, load_lexicon, unit_key
from uncounted.names.similarity import (
    MATCH_THRESHOLD,
    _folded_spellings,
    similarity,
    unit_similarity,
)
from uncounted.names.text import has_arabic


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    labels = np.asarray(labels, dtype=bool)
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank(method="average").to_numpy()
    n_pos, n_neg = labels.sum(), (~labels).sum()
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass(frozen=True)
class Quality:
    """ROC AUC overall and on cross-script pairs; precision and recall at the threshold."""

    pairs: int
    auc: float
    auc_cross_script: float
    precision: float
    recall: float
    threshold: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in self.__dict__.items()}


def score_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with ``score`` and ``cross_script`` columns added."""
    out = pairs.copy()
    out["score"] = [similarity(a, b) for a, b in zip(out["a"], out["b"], strict=True)]
    out["cross_script"] = [
        has_arabic(a) != has_arabic(b) for a, b in zip(out["a"], out["b"], strict=True)
    ]
    return out


def evaluate(pairs: pd.DataFrame, threshold: float = MATCH_THRESHOLD) -> Quality:
    """Quality of :func:`similarity` on labelled pairs (``same`` is 1 or 0)."""
    scored = score_pairs(pairs)
    same = scored["same"].astype(bool).to_numpy()
    score = scored["score"].to_numpy()
    cross = scored["cross_script"].to_numpy()
    predicted = score >= threshold
    true_pos = int((predicted & same).sum())
    return Quality(
        pairs=len(scored),
        auc=roc_auc(same, score),
        auc_cross_script=roc_auc(same[cross], score[cross]),
        precision=true_pos / max(int(predicted.sum()), 1),
        recall=true_pos / max(int(same.sum()), 1),
        threshold=threshold,
    )


def _clear_caches() -> None:
    for func in (unit_key, unit_similarity, _folded_spellings):
        func.cache_clear()


@contextmanager
def lexicon_without(arabic_units: frozenset[str]) -> Iterator[None]:
    """Score as if the data had never seen these Arabic units (article-less normalised form)."""
    _OVERRIDE.append(load_lexicon(arabic_units))
    _clear_caches()
    try:
        yield
    finally:
        _OVERRIDE.pop()
        _clear_caches()
