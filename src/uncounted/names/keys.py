"""The cross-script key of a name (contract: ``name_key(name) -> str``)."""

from __future__ import annotations

from uncounted.names.lexicon import unit_key
from uncounted.names.normalize import CHAIN_MARKERS, normalize_name


def name_key(name: str) -> str:
    """Cross-script key: محمد, Mohammad, Muhammed, Mohamed and Mhd all give ``mhmd``.

    Several units give their keys joined by spaces (bin/ibn/بن left out); '' for nothing
    usable. See :mod:`uncounted.names.lexicon` for how the key is made.
    """
    units = normalize_name(name).split(" ")
    return " ".join(unit_key(u) for u in units if u and u not in CHAIN_MARKERS)
