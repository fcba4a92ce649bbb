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
- :func:`prepare_names`: normalised name, key and chain parts of a column in one pass.
- Dates and places (:mod:`uncounted.names.dates`, :mod:`uncounted.names.places`, owned by
  the import stage) are re-exported here: :func:`parse_partial_date`, :func:`governorate_pcode`,
  :func:`district_pcode`, :func:`facility_id`, :func:`facilities`, :func:`governorates`.

Measured (``benchmarks/names_bench.py``; details in ``benchmarks/README.md``, section Names),
same name when ``similarity >= MATCH_THRESHOLD`` (0.85):

- 845 hand-checked pairs (``tests/names/data/name_pairs.csv``; tuned on): ROC AUC 1.000,
  cross-script 1.000, precision 1.000, recall 1.000;
- 4,000 generated pairs per seed (:func:`uncounted.names.variants.generate_pairs`, not tuned
  on): ROC AUC 0.998–1.000, cross-script 0.996–1.000, precision 0.99–1.00, recall 0.986–0.995;
- names the lexicon has never seen (:func:`uncounted.names.variants.held_out_pairs`): ROC AUC
  0.974–0.983, precision 0.94–0.95, recall 0.92 (the weak spot: rare family names);
- 1,000,000 full names normalised, parsed and keyed (:func:`prepare_names`): 9.6–11.9 s CPU.

Where the rules come from: Arabic folds and particles from ``arabic-name-romanizer``'s
lookup normalisation (:mod:`uncounted.names.normalize`); the cross-script key and the
attested-spelling evidence from Wikidata (CC0), Tech for Palestine (Unlicense) and Gaza MoH
aggregate counts (:mod:`uncounted.names.lexicon`, ``uncounted/data/names/README.md``); chain
readings from the distribution of name lengths (:mod:`uncounted.names.chain`).
"""

from uncounted.names.chain import NameChain, parse_name_chain
from uncounted.names.columns import name_keys, normalize_names, parse_name_chains, prepare_names
from uncounted.names.dates import PartialDate, parse_partial_date
from uncounted.names.frequencies import NameFrequencies
from uncounted.names.keys import name_key
from uncounted.names.normalize import normalize_arabic, normalize_latin, normalize_name
from uncounted.names.places import (
    district_pcode,
    facilities,
    facility_id,
    governorate_pcode,
    governorates,
)
from uncounted.names.similarity import MATCH_THRESHOLD, comparison_level, similarity

__all__ = [
    "MATCH_THRESHOLD",
    "NameChain",
    "NameFrequencies",
    "PartialDate",
    "comparison_level",
    "district_pcode",
    "facilities",
    "facility_id",
    "governorate_pcode",
    "governorates",
    "name_key",
    "name_keys",
    "normalize_arabic",
    "normalize_latin",
    "normalize_name",
    "normalize_names",
    "parse_name_chain",
    "parse_name_chains",
    "parse_partial_date",
    "prepare_names",
    "similarity",
]
