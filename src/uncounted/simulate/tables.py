"""The compact reference tables the simulator ships (names, Latin spellings, places, facilities).

Loaded once per process. Names are indexed by row of ``names.csv``; every row has at least
one attested Latin spelling of its kind (given name or surname) in ``latin.csv``, laid out
here as flat arrays so that a spelling can be drawn for many people at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data" / "simulate"


@dataclass(frozen=True)
class NameTable:
    """Name units with their frequency weights and Latin spellings."""

    arabic: np.ndarray  # written Arabic form, per row
    role_rows: dict[str, np.ndarray]  # role -> row numbers
    role_p: dict[str, np.ndarray]  # role -> draw probabilities (sum to 1)
    latin: np.ndarray  # flat Latin spellings
    latin_cum: np.ndarray  # flat: row block number + cumulative share within the row

    def draw(self, rng: np.random.Generator, role: str, n: int) -> np.ndarray:
        """``n`` row numbers drawn with the role's frequencies."""
        return rng.choice(self.role_rows[role], size=n, p=self.role_p[role])

    def spelling(self, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Index into ``latin`` of the spelling of each row at uniform draws ``u``."""
        return np.searchsorted(self.latin_cum, rows + u, side="right").clip(max=len(self.latin) - 1)


@cache
def names() -> NameTable:
    """Names and spellings, built from ``names.csv`` and ``latin.csv``."""
    table = pd.read_csv(DATA / "names.csv", keep_default_na=False)
    latin = pd.read_csv(DATA / "latin.csv", keep_default_na=False)
    kind = np.where(table["role"] == "family", "surname", "given")
    rows = pd.DataFrame({"row": np.arange(len(table)), "key": table["key"], "kind": kind})
    merged = rows.merge(latin, on=["key", "kind"], how="inner").sort_values(
        ["row", "count"], ascending=[True, False], kind="stable"
    )
    missing = set(rows["row"]) - set(merged["row"])
    if missing:
        raise ValueError(f"names.csv rows without a Latin spelling: {sorted(missing)[:5]}")
    share = merged["count"] / merged.groupby("row")["count"].transform("sum")
    cum = share.groupby(merged["row"]).cumsum().to_numpy(copy=True)
    row_of = merged["row"].to_numpy()
    cum[np.r_[row_of[1:] != row_of[:-1], True]] = 1.0  # no rounding spill into the next row
    role_rows, role_p = {}, {}
    for role, group in table.groupby("role"):
        role_rows[role] = group.index.to_numpy()
        w = group["weight"].to_numpy(dtype=float)
        role_p[role] = w / w.sum()
    return NameTable(
        arabic=table["arabic"].to_numpy(dtype=object),
        role_rows=role_rows,
        role_p=role_p,
        latin=merged["latin"].to_numpy(dtype=object),
        # Shift each row's cumulative shares into (row, row + 1], so one sorted array serves
        # all rows; the last share of a row is exactly row + 1.
        latin_cum=row_of + cum,
    )


@cache
def governorates() -> pd.DataFrame:
    """pcode, name_en, name_ar, alt_en, alt_ar, weight."""
    return pd.read_csv(DATA / "governorates.csv", keep_default_na=False)


@cache
def districts() -> pd.DataFrame:
    """district_pcode, governorate_pcode, name_en, name_ar."""
    return pd.read_csv(DATA / "districts.csv", keep_default_na=False)


@cache
def facilities() -> pd.DataFrame:
    """facility_id, agency_en, agency_ar, branch_number, name_en, name_ar, governorate_pcode."""
    return pd.read_csv(DATA / "facilities.csv", keep_default_na=False, dtype=str)
