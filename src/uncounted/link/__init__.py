"""Record linkage: one person per victim across all lists.

Core (plain functions over tables): :mod:`.features`, :mod:`.model` (Splink on DuckDB),
:mod:`.cluster`, :mod:`.pipeline`, :mod:`.evaluate`. Storage edge (Django):
:mod:`.store` (runs, persons, capture histories) and :mod:`.decisions` (people's decisions,
the review queue). The storage functions are re-exported here lazily so that importing
this package stays cheap.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "record_decision": "uncounted.link.decisions",
    "withdraw_decision": "uncounted.link.decisions",
    "claim_review_item": "uncounted.link.decisions",
    "release_review_item": "uncounted.link.decisions",
    "run_and_store": "uncounted.link.store",
    "capture_histories": "uncounted.link.store",
    "person_sources": "uncounted.link.store",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'uncounted.link' has no attribute {name!r}")
