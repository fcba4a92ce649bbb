"""The cross-script key of a name (contract: ``name_key(name) -> str``)."""

from __future__ import annotations

from uncounted.names.lexicon import unit_key
from uncounted.names.normalize import CHAIN_MARKERS, normalize_name


def name_key(name: str) -> str:
    """Cross-script key: محمد, Mohammad, Muhammed, Mohamed and Mhd all give ``mhmd``.

    Several units give their keys joined by spaces (bin/ibn/بن left out); '' for nothing
    usable. See :mod:`uncounted.names.lexicon` for how the key is made.
    """
    return key_of_normalised(normalize_name(name))


def key_of_normalised(normalised: str) -> str:
    """:func:`name_key` of a name that is already in :func:`normalize_name` form."""
    return " ".join([unit_key(u) for u in normalised.split(" ") if u and u not in CHAIN_MARKERS])
