"""Names: Arabic and Latin normalisation, cross-script keys, similarity and name chains.

Pure functions, no database, fast on whole columns (the ``*_names`` / ``name_keys`` /
``parse_name_chains`` versions work once per distinct value).

- :func:`normalize_arabic`, :func:`normalize_latin`, :func:`normalize_name`: matching forms.
- :func:`name_key` (**contract**): cross-script key, محمد = Mohammad = Mhd → ``mhmd``.
- :func:`similarity` (**contract**): two names in any scripts → [0, 1]; the same name when
  ``similarity >= MATCH_THRESHOLD``.
- :func:`comparison_level`: 3 exact normalised, 2 same key, 1 close, 0 different, -1 missing.
- :func:`parse_name_chain`: given / father / grandfather / family with a confidence.
- :class:`NameFrequencies`: relative frequencies for term-frequency adjustments.

Quality on the labelled pairs in ``tests/names/data/name_pairs.csv`` and speed on a million
names: see ``benchmarks/README.md`` (section "names").
"""

from uncounted.names.chain import NameChain, parse_name_chain
from uncounted.names.columns import name_keys, normalize_names, parse_name_chains
from uncounted.names.frequencies import NameFrequencies
from uncounted.names.keys import name_key
from uncounted.names.normalize import normalize_arabic, normalize_latin, normalize_name
from uncounted.names.similarity import MATCH_THRESHOLD, comparison_level, similarity

__all__ = [
    "MATCH_THRESHOLD",
    "NameChain",
    "NameFrequencies",
    "comparison_level",
    "name_key",
    "name_keys",
    "normalize_arabic",
    "normalize_latin",
    "normalize_name",
    "normalize_names",
    "parse_name_chain",
    "parse_name_chains",
    "similarity",
]
