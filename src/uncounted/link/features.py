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
CHAIN_PARTS = ("given", "father", "grandfather", "family")
# A name-key pair shared by more records than this is too common to block on by itself.
MAX_PAIR_BLOCK = 40
# A name shared with the day of death: a smaller block is enough (a name and a day held by
# more records are a common name on a day many died; at a million records a limit of 40
# added 6 million pairs, this one 1.6 million).
MAX_DAY_BLOCK = 8

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
    *(f"{p}_{kind}" for p in NAME_PARTS for kind in ("norm", "key", "skel")),
    "has_name",
    "name_pairs",
    "chain_keys",
    "next_key",
    "latin",
    *(f"{p}_freq" for p in CHAIN_PARTS),
    "chain_reordered",
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


def repair_chain_order(out: pd.DataFrame, margin: float = 3.0) -> pd.Series:
    """Read each chain in the order other records support; returns who was re-read.

    Lists write a chain in other orders than given-father-grandfather-family: family name
    first (the order of official registers: the parser then reads given = family name...),
    given and family names exchanged (a surname typed as first name), or two parts
    "given X" where X is the father's name, not the family name (a partial name on a
    photograph). Other lists hold the same person in the usual order, so the evidence is
    in the data: per record, each reading (:data:`READINGS`) is looked up among the
    records as parsed, by its (given, father, family) keys or, with two parts, its pair; a
    record is re-read when its parsed order is held by no other record and exactly one
    other reading is held by at least one. Records that no lookup decides fall back to
    typicality (:func:`_typicality_prefers_rotation`). Vectorised: a few hash counts.
    """
    key_readings = _readings(out, "key")
    support = _support(key_readings)
    alternative = support[:, 1:]
    best = alternative.argmax(axis=1) + 1
    top = alternative.max(axis=1)
    unique_top = (alternative == top[:, None]).sum(axis=1) == 1
    by_support = (support[:, 0] == 0) & (top >= 1) & unique_top
    undecided = support.max(axis=1) == 0
    rotate = undecided & _typicality_prefers_rotation(out, margin)
    reading = np.where(by_support, best, np.where(rotate, 1, 0))
    for kind in ("norm", "key"):
        readings = key_readings if kind == "key" else _readings(out, kind)
        for r in range(1, len(READINGS)):
            rows = reading == r
            if rows.any():
                for k, p in enumerate(CHAIN_PARTS):
                    out.loc[rows, f"{p}_{kind}"] = readings[r][rows, k]
    return pd.Series(reading != 0, index=out.index)


READINGS = ("as parsed", "family name first", "given and family exchanged", "given and father")


def _readings(out: pd.DataFrame, kind: str) -> list[np.ndarray]:
    """The chain under each of :data:`READINGS`: n × 4 arrays (given, father, gf, family)."""
    parsed = out[[f"{p}_{kind}" for p in CHAIN_PARTS]].to_numpy(dtype=object)
    rotated = _rotate(_chain_tokens(out, kind))
    exchanged = parsed.copy()
    exchanged[:, 0], exchanged[:, 3] = parsed[:, 3], parsed[:, 0]
    present = pd.notna(parsed)
    two = present[:, 0] & present[:, 3] & ~present[:, 1] & ~present[:, 2]
    with_father = parsed.copy()
    with_father[two, 1], with_father[two, 3] = parsed[two, 3], None
    return [parsed, rotated, exchanged, with_father]


def _coded(readings: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """The readings with every key replaced by an integer (0: missing), and the base."""
    flat = pd.Series(np.concatenate([r.ravel() for r in readings]), dtype=object)
    codes = pd.factorize(flat)[0].astype(np.int64) + 1
    parts = np.split(codes, len(readings))
    return [c.reshape(r.shape) for c, r in zip(parts, readings, strict=True)], int(codes.max()) + 1


def _signature(reading: np.ndarray, base: int) -> np.ndarray:
    """What a reading is looked up by (an integer; -1: nothing to look up by): its
    (given, father, family), else its (given, family), else its (given, father)."""
    held = _held(reading, base)
    return np.where(held[0] >= 0, held[0], np.where(held[1] >= 0, held[1], held[2]))


def _held(reading: np.ndarray, base: int) -> list[np.ndarray]:
    """The signatures a record as parsed is counted under: its three parts and its pairs.

    One integer per (given, father, family) triple, tagged in the lowest two bits as a
    triple (0), a (given, family) pair (1) or a (given, father) pair (2).
    """
    g, fa, fam = reading[:, 0], reading[:, 1], reading[:, 3]

    def code(a: np.ndarray, b: np.ndarray, c: np.ndarray, tag: int, ok: np.ndarray) -> np.ndarray:
        return np.where(ok, ((a * base + b) * base + c) * 4 + tag, -1)

    return [
        code(g, fa, fam, 0, (g > 0) & (fa > 0) & (fam > 0)),
        code(g, 0, fam, 1, (g > 0) & (fam > 0)),
        code(g, fa, 0, 2, (g > 0) & (fa > 0)),
    ]


def _support(readings: list[np.ndarray]) -> np.ndarray:
    """Per record and reading: how many *other* records, as parsed, hold that reading.

    A record as parsed is counted under its three-part signature and under its pairs
    (given+father, given+family), so that a two-part reading finds the full chains.
    Integer codes throughout (a million records: about a second).
    """
    out = np.zeros((len(readings[0]), len(readings)), dtype=np.int64)
    coded, base = _coded(readings)
    if base**3 * 4 >= 2**62:  # more distinct names than an int64 signature holds: no lookup
        return out
    held = _held(coded[0], base)
    every = np.concatenate(held)
    values, counts = np.unique(every[every >= 0], return_counts=True)
    values, counts = np.append(values, -2), np.append(counts, 0)  # never empty
    for r, reading in enumerate(coded):
        sig = _signature(reading, base)
        at = np.minimum(np.searchsorted(values[:-1], sig), len(values) - 1)
        n = np.where(values[at] == sig, counts[at], 0)
        mine = sum((sig == h).astype(np.int64) for h in held)
        # A reading that changes nothing, or repeats an earlier one, is not an alternative.
        repeat = np.zeros(len(reading), dtype=bool)
        for earlier in coded[:r]:
            repeat |= (reading == earlier).all(axis=1)
        out[:, r] = np.where((sig >= 0) & ~repeat, n - mine, 0)
    return out


def _typicality_prefers_rotation(out: pd.DataFrame, margin: float) -> np.ndarray:
    """Whether the chain read family name first has keys more typical of their places.

    Per record we compare how typical each key is at its place (the share of a key's
    occurrences, over all records, that sit at that place: a family name is rarely a given
    name) in the order as parsed and in the order with the first name moved to the end;
    the latter wins when more likely by ``margin`` (natural log). One pass per place.
    """
    keys = out[[f"{p}_key" for p in CHAIN_PARTS]]
    long = keys.stack(future_stack=True).dropna()
    place_counts = long.groupby([long.index.get_level_values(1), long]).size()
    total = long.value_counts()

    def typical(place: str, col: pd.Series) -> np.ndarray:
        counts = place_counts.xs(place, level=0) if place in place_counts.index.levels[0] else None
        hit = col.map(counts).fillna(0.0) if counts is not None else 0.0
        share = (hit + 0.5) / (col.map(total).fillna(0.0) + 2.0)
        return np.where(col.notna(), np.log(share), 0.0)

    n = keys.notna().sum(axis=1).to_numpy()
    rotated = _rotate(_chain_tokens(out, "key"))
    std = sum(typical(f"{p}_key", keys[f"{p}_key"]) for p in CHAIN_PARTS)
    rot = sum(
        typical(f"{p}_key", pd.Series(rotated[:, k], index=out.index))
        for k, p in enumerate(CHAIN_PARTS)
    )
    return (n >= 2) & (rot - std > margin)


def _chain_tokens(out: pd.DataFrame, kind: str) -> np.ndarray:
    """The chain as written, left-packed (given, father, grandfather, family; gaps removed)."""
    values = out[[f"{p}_{kind}" for p in CHAIN_PARTS]].to_numpy(dtype=object)
    present = out[[f"{p}_{kind}" for p in CHAIN_PARTS]].notna().to_numpy()
    order = np.argsort(~present, axis=1, kind="stable")
    packed = np.take_along_axis(values, order, axis=1)
    packed[~np.take_along_axis(present, order, axis=1)] = None
    return packed


def _rotate(tokens: np.ndarray) -> np.ndarray:
    """The chain read with its first name as the family name: t2..tn given..., t1 family."""
    n = (tokens != None).sum(axis=1)  # noqa: E711 (element-wise)
    out = tokens.copy()
    rot = n >= 2
    out[rot, 0] = tokens[rot, 1]
    out[rot, 1] = np.where(n[rot] >= 3, tokens[rot, 2], None)
    out[rot, 2] = np.where(n[rot] == 4, tokens[rot, 3], None)
    out[rot, 3] = tokens[rot, 0]
    return out


def skeletons(keys: pd.Series) -> pd.Series:
    """The consonant skeleton of a cross-script key, for blocking and a "close" level.

    An Arabic spelling writes long vowels (``كمال`` → ``kmal``) that a Latin one may not
    (``Kamal`` → ``kml``); dropping the vowel letters (a, w, y and Latin i, o, u; ``e`` is
    ʿayn and stays), doubled letters and a final ``h`` (ta marbuta) brings such keys
    together. Once per distinct key.
    """
    distinct = pd.Series(keys.dropna().unique())
    skel = (
        distinct.str.replace(r"[awyiou]", "", regex=True)
        .str.replace(r"(.)\1+", r"\1", regex=True)
        .str.replace(r"(?<=.)h$", "", regex=True)
    )
    skel = skel.where(skel.str.len() >= 2, distinct)
    return keys.map(dict(zip(distinct, skel, strict=True)))


def name_pairs(features: pd.DataFrame) -> pd.Series:
    """Per record, every unordered pair of its name-chain skeletons (``a|b``), any position,
    and each skeleton with the death day (``a@2013-05-12``).

    Two records sharing such a pair meet in blocking even when a list wrote the chain in
    another order or dropped a part (the father's name then read as the family name), or
    when both names differ but for one, and the day of death agrees. Tokens held by more
    than :data:`MAX_PAIR_BLOCK` records are left out: too common to block on alone (the
    positional rules cover them). Vectorised over the places.
    """
    n = len(features)
    names = features[[f"{p}_skel" for p in CHAIN_PARTS]].to_numpy(dtype=object)
    codes, skel = pd.factorize(pd.Series(names.ravel(), dtype=object))
    codes = (codes + 1).reshape(names.shape).astype(np.int64)  # 0: missing
    base = len(skel) + 1
    day_codes, days = (
        pd.factorize(features["death_d"].astype(object))
        if "death_d" in features
        else (np.full(n, -1), pd.Index([]))
    )
    day_codes = day_codes.astype(np.int64) + 1
    rows, tokens = [], []
    for a in range(len(CHAIN_PARTS)):
        x = codes[:, a]
        for b in range(a + 1, len(CHAIN_PARTS)):
            y = codes[:, b]
            ok = (x > 0) & (y > 0) & (x != y)
            rows.append(np.flatnonzero(ok))
            tokens.append((np.minimum(x, y) * base + np.maximum(x, y))[ok])
        ok = (x > 0) & (day_codes > 0)  # a name and the day of death, after all pairs
        rows.append(np.flatnonzero(ok))
        tokens.append(base * base + x[ok] * (len(days) + 1) + day_codes[ok])
    long = pd.DataFrame({"row": np.concatenate(rows), "token": np.concatenate(tokens)})
    # Counted once per place pair, as positional rules count a record once per rule: a
    # chain naming one name twice counts its pairs twice (a little more conservative).
    held = long["token"].map(long["token"].value_counts())
    limit = np.where(long["token"] >= base * base, MAX_DAY_BLOCK, MAX_PAIR_BLOCK)
    long = long[held.to_numpy() <= limit].drop_duplicates().sort_values(["row", "token"])
    text = _token_text(long["token"].drop_duplicates(), skel, days, base)
    values = long["token"].map(text).to_numpy(dtype=object)
    bounds = np.searchsorted(long["row"].to_numpy(), np.arange(n + 1))
    return pd.Series([values[bounds[i] : bounds[i + 1]].tolist() for i in range(n)], dtype=object)


def _token_text(tokens: pd.Series, skel: pd.Index, days: pd.Index, base: int) -> pd.Series:
    """Each integer token as its text (``a|b`` or ``a@day``), once per distinct token."""
    t = tokens.to_numpy()
    day = t >= base * base
    names = np.asarray(skel, dtype=object)
    dates = np.asarray(days, dtype=object)
    pair_lo, pair_hi = t // base, t % base
    rest = t - base * base
    name, date = rest // (len(days) + 1), rest % (len(days) + 1)
    lo = pd.Series(names[np.where(day, name, pair_lo) - 1], dtype=object)
    hi = pd.Series(
        np.where(day, dates[np.maximum(date - 1, 0)] if len(dates) else "", names[pair_hi - 1]),
        dtype=object,
    )
    return pd.Series((lo + np.where(day, "@", "|") + hi).to_numpy(), index=t)


def key_frequencies(out: pd.DataFrame) -> pd.DataFrame:
    """Per chain part: how many times its key occurs over the chains of all records.

    Two keys one letter apart are a typo when one is rare beside the other, but two
    different names when both are common (محمد and أحمد, حسن and حسين, سالم and سليم).
    """
    keys = out[[f"{p}_key" for p in CHAIN_PARTS]]
    counts = keys.stack(future_stack=True).dropna().value_counts()
    return pd.DataFrame(
        {f"{p}_freq": keys[f"{p}_key"].map(counts).astype("Int64") for p in CHAIN_PARTS},
        index=out.index,
    )


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
    for part in CHAIN_PARTS:
        col = df[f"{part}_name"]
        out[f"{part}_norm"] = _per_distinct(col, normalize_names)
        out[f"{part}_key"] = _per_distinct(col, name_keys)
    # A mother is named by her given name, sometimes followed by her family name: the full
    # form is compared as written, the key of her given name across scripts.
    out["mother_norm"] = _per_distinct(df["mother_name"], normalize_names)
    first = out["mother_norm"].fillna("").str.split(" ").str[0]
    out["mother_key"] = _per_distinct(first, name_keys)
    out["has_name"] = out[[f"{p}_key" for p in NAME_PARTS]].notna().any(axis=1)
    out["chain_reordered"] = repair_chain_order(out)
    for part in NAME_PARTS:
        out[f"{part}_skel"] = skeletons(out[f"{part}_key"])
    chain = out[[f"{p}_key" for p in CHAIN_PARTS]].to_numpy(dtype=object)
    out["chain_keys"] = [[k for k in row if isinstance(k, str)] for row in chain]
    out = pd.concat([out, key_frequencies(out)], axis=1)
    # Whether the chain is written in Latin letters (its keys come from a transliteration).
    norms = out[[f"{p}_norm" for p in CHAIN_PARTS]].bfill(axis=1).iloc[:, 0]
    out["latin"] = norms.fillna("").str.contains("[a-z]", regex=True)
    # The name after the given name: the father's, or (none written) the next one, which a
    # two-part name ("given X") may mean as either.
    out["next_key"] = out["father_key"].fillna(out["grandfather_key"]).fillna(out["family_key"])
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
    out["name_pairs"] = name_pairs(out)
    return out[list(FEATURE_COLUMNS)].reset_index(drop=True)
