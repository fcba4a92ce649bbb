"""Column versions of the name functions: each distinct value is worked once, then mapped back.

Names repeat heavily (a few hundred given names cover most people), so a column of a
million names holds far fewer distinct values; :func:`distinct_map` factorises the column
with pandas and calls the scalar function once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def _as_series(values: Iterable[str | None]) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    return pd.Series(
        values if isinstance(values, list | tuple | np.ndarray) else list(values), dtype=object
    )


def distinct_map(values: Iterable[str | None], func: Callable[[str], T]) -> list[T]:
    """``[func(v) for v in values]`` computed once per distinct value; blanks map to func('')."""
    series = _as_series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = [func(v if isinstance(v, str) else str(v)) for v in uniques]
    results.append(func(""))  # code -1 (missing) picks the last entry
    table = np.empty(len(results), dtype=object)
    table[:] = results
    return table[codes].tolist()


def distinct_table(
    values: Iterable[str | None], func: Callable[[str], tuple], columns: list[str]
) -> pd.DataFrame:
    """A table with one row per value from ``func`` returning a tuple, once per distinct value.

    String columns are kept as ``object`` (converting a million strings to pandas' Arrow
    string type costs more than computing them); float results stay float.
    """
    series = _as_series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    rows = [func(v if isinstance(v, str) else str(v)) for v in uniques]
    rows.append(func(""))  # code -1 (missing) picks the last row
    data = {}
    for name, column in zip(columns, zip(*rows, strict=True), strict=True):
        array = np.array(column, dtype=float if isinstance(column[0], float) else object)
        data[name] = pd.Series(array[codes], dtype=array.dtype, copy=False)
    return pd.DataFrame(data, copy=False)


def normalize_names(values: Iterable[str | None]) -> list[str]:
    """:func:`uncounted.names.normalize_name` over a column."""
    from uncounted.names.normalize import normalize_name

    return distinct_map(values, normalize_name)


def name_keys(values: Iterable[str | None]) -> list[str]:
    """:func:`uncounted.names.name_key` over a column."""
    from uncounted.names.keys import name_key

    return distinct_map(values, name_key)


def parse_name_chains(values: Iterable[str | None]) -> pd.DataFrame:
    """:func:`uncounted.names.parse_name_chain` over a column, as a table.

    Columns ``given, father, grandfather, family, confidence``, one row per input value,
    same order (index 0..n-1).
    """
    from uncounted.names.chain import chain_parts

    columns = ["given", "father", "grandfather", "family", "confidence"]
    return distinct_table(values, chain_parts, columns)


def prepare_names(values: Iterable[str | None]) -> pd.DataFrame:
    """Normalise, key and parse a column of full names in one pass over its distinct values.

    Columns ``name`` (:func:`normalize_name`), ``key`` (:func:`name_key`), ``given``,
    ``father``, ``grandfather``, ``family``, ``confidence`` (:func:`parse_name_chain`); one
    row per input value, same order.
    """
    from uncounted.names.chain import chain_parts
    from uncounted.names.keys import key_of_normalised
    from uncounted.names.normalize import normalize_name

    def prepare(value: str) -> tuple:
        name = normalize_name(value)
        return (name, key_of_normalised(name), *chain_parts(value))

    columns = ["name", "key", "given", "father", "grandfather", "family", "confidence"]
    return distinct_table(values, prepare, columns)
