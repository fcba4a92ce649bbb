"""Name frequencies for term-frequency adjustments in the linkage model.

Agreement on محمد (16% of men's given names in the Gaza MoH frequency table; about one man
in fifteen by other counts) is weak evidence that two records are one person; agreement on a rare family name
is strong evidence. The linkage model scales its match weights by how common the agreed
value is *in the data being linked*, so the table is built from that data's own column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from uncounted.names.columns import distinct_map
from uncounted.names.keys import name_key
from uncounted.names.normalize import normalize_name


def _counts(values: pd.Series) -> dict[str, float]:
    counts = values[values != ""].value_counts()
    total = counts.sum()
    return (counts / total).to_dict() if total else {}


@dataclass(frozen=True)
class NameFrequencies:
    """Relative frequency of each normalised name and of each cross-script key in a column."""

    by_name: dict[str, float] = field(default_factory=dict)
    by_key: dict[str, float] = field(default_factory=dict)
    total: int = 0

    @classmethod
    def from_values(cls, values: Iterable[str | None]) -> NameFrequencies:
        """Count a column of names (one name part per value, either script); blanks ignored."""
        series = pd.Series(list(values), dtype=object)
        names = pd.Series(distinct_map(series, normalize_name), dtype=object)
        keys = pd.Series(distinct_map(series, name_key), dtype=object)
        return cls(_counts(names), _counts(keys), int((names != "").sum()))

    def frequency(self, name: str) -> float:
        """Share of non-blank values whose normalised form equals this name's (0 if unseen)."""
        return self.by_name.get(normalize_name(name), 0.0)

    def key_frequency(self, name: str) -> float:
        """Share of non-blank values with this name's cross-script key (0 if unseen)."""
        return self.by_key.get(name_key(name), 0.0)

    def table(self, by: str = "key") -> pd.DataFrame:
        """Frequencies as a table (``value``, ``frequency``), most common first."""
        source = self.by_key if by == "key" else self.by_name
        frame = pd.DataFrame({"value": list(source), "frequency": list(source.values())})
        return frame.sort_values("frequency", ascending=False, ignore_index=True)
