"""Linkage features from canonical records: one row per record, ready for Splink on DuckDB.

Every name function of :mod:`uncounted.names` runs once per *distinct* value (a list of
100,000 records holds a few thousand distinct given names), then values are mapped back.
Empty values become nulls so that Splink treats them as missing (neutral), never as
disagreement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uncounted.names import name_keys, normalize_names, parse_name_chains

NAME_PARTS = ("given", "father", "grandfather", "family", "mother")

# Columns read from core.Record (plus ``unique_id`` = Record.pk and ``source`` = its name).
RECORD_COLUMNS = (
    "full_name",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "age",
    "governorate_pcode",
    "district_pcode",
    "registry_number",
    "arrest_date",
    "facility_id",
    "detainee_number",
    "death_date",
)

FEATURE_COLUMNS = (
    "unique_id",
    "source",
    *(f"{p}_{kind}" for p in NAME_PARTS for kind in ("norm", "key")),
    "has_name",
    "sex",
    "by_lo",
    "by_hi",
    "gov",
    "dist",
    "arrest_y",
    "arrest_ym",
    "arrest_d",
    "death_y",
    "death_ym",
    "death_d",
    "facility",
    "registry",
    "detainee",
)


def _per_distinct(values: pd.Series, func) -> pd.Series:
    """Apply a list → list function once per distinct non-empty value, then map back."""
    text = values.fillna("").astype(str)
    codes, uniques = pd.factorize(text)
    mapped = np.asarray(func(list(uniques)), dtype=object) if len(uniques) else np.array([])
    out = pd.Series(mapped[codes] if len(codes) else [], index=values.index, dtype=object)
    return out.where(out.astype(bool), None)


def _fill_parts_from_full_name(df: pd.DataFrame) -> pd.DataFrame:
    """Where every part is empty but a full name exists, parse the chain into parts."""
    parts = ["given_name", "father_name", "grandfather_name", "family_name"]
    empty = df[parts].fillna("").astype(str).eq("").all(axis=1)
    full = df["full_name"].fillna("").astype(str)
    need = empty & full.ne("")
    if not need.any():
        return df
    distinct = pd.Series(full[need].unique())
    parsed = parse_name_chains(list(distinct)).set_index(distinct)
    df = df.copy()
    for part in ("given", "father", "grandfather", "family"):
        df.loc[need, f"{part}_name"] = full[need].map(parsed[part]).fillna("").to_numpy()
    return df


def _date_parts(iso: pd.Series, prefix: str) -> dict[str, pd.Series]:
    """Year, year-month and day from ISO partial dates, each only at its own precision."""
    text = iso.fillna("").astype(str).str.strip()
    year = pd.to_numeric(text.str[:4].where(text.str.len() >= 4), errors="coerce")
    return {
        f"{prefix}_y": year.astype("Int64"),
        f"{prefix}_ym": text.str[:7].where(text.str.len() >= 7),
        f"{prefix}_d": text.where(text.str.len() >= 10),
    }


def _birth_year_range(df: pd.DataFrame, death_y: pd.Series, arrest_y: pd.Series):
    """Birth year as a range: exact from a birth date, else age at the event (death, arrest).

    Someone aged 30 at a death in 2014 was born in 1983 or 1984; an age without any event
    date gives no birth year (unknown, so neutral).
    """
    text = df["birth_date"].fillna("").astype(str).str.strip()
    born = pd.to_numeric(text.str[:4].where(text.str.len() >= 4), errors="coerce").astype("float64")
    age = pd.to_numeric(df["age"], errors="coerce").astype("float64")
    event = death_y.astype("float64").fillna(arrest_y.astype("float64"))
    from_age_hi = event - age
    lo = born.fillna(from_age_hi - 1)
    hi = born.fillna(from_age_hi)
    return lo.astype("Int64"), hi.astype("Int64")


def _clean_number(values: pd.Series) -> pd.Series:
    """Registry and detainee numbers compared on their letters and digits only."""
    text = (
        values.fillna("")
        .astype(str)
        .str.upper()
        .str.replace(r"[^0-9A-Z\u0600-\u06FF]", "", regex=True)
    )
    return text.where(text.ne(""), None)


def _blank_to_null(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    return text.where(text.ne(""), None)


def build_features(records: pd.DataFrame) -> pd.DataFrame:
    """One row per record with the columns in :data:`FEATURE_COLUMNS`.

    ``records`` holds ``unique_id``, ``source`` and the :data:`RECORD_COLUMNS`.
    """
    df = records.copy()
    for col in RECORD_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df = _fill_parts_from_full_name(df)
    out = pd.DataFrame({"unique_id": df["unique_id"].astype("int64"), "source": df["source"]})
    for part in NAME_PARTS:
        col = df[f"{part}_name"]
        out[f"{part}_norm"] = _per_distinct(col, normalize_names)
        out[f"{part}_key"] = _per_distinct(col, name_keys)
    out["has_name"] = out[[f"{p}_key" for p in NAME_PARTS]].notna().any(axis=1)
    sex = df["sex"].fillna("").astype(str).str.upper()
    out["sex"] = sex.where(sex.isin(["M", "F"]), None)
    arrest = _date_parts(df["arrest_date"], "arrest")
    death = _date_parts(df["death_date"], "death")
    out["by_lo"], out["by_hi"] = _birth_year_range(df, death["death_y"], arrest["arrest_y"])
    out["gov"] = _blank_to_null(df["governorate_pcode"])
    out["dist"] = _blank_to_null(df["district_pcode"])
    for name, series in {**arrest, **death}.items():
        out[name] = series
    out["facility"] = _blank_to_null(df["facility_id"])
    out["registry"] = _clean_number(df["registry_number"])
    out["detainee"] = _clean_number(df["detainee_number"])
    return out[list(FEATURE_COLUMNS)].reset_index(drop=True)
