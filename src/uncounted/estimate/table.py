"""Capture-history tables: the one input every estimator takes.

A table holds, for each observed capture pattern (which lists recorded a person), how many
persons have it. Estimators work on these pattern counts, never on individuals, so their cost
does not grow with the number of persons. The table's content hash goes into every result so
that an estimate can be traced to exactly the data it came from.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from uncounted.errors import UserError

COUNT_COLUMN = "count"


@dataclass(frozen=True, eq=False)
class CaptureTable:
    """Observed capture patterns and their counts (the all-zero pattern is never included).

    ``patterns`` is a (P, J) 0/1 array, one row per distinct observed pattern, sorted as in
    the contract CSV (first list = most significant bit, high to low); ``counts`` holds the
    number of persons with each pattern (all > 0).
    """

    lists: tuple[str, ...]
    patterns: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        patterns = np.asarray(self.patterns, dtype=np.int8)
        counts = np.asarray(self.counts, dtype=np.int64)
        if patterns.ndim != 2 or patterns.shape[1] != len(self.lists):
            raise UserError("capture table: pattern matrix does not match the list names")
        patterns, counts = _aggregate(patterns, counts)
        patterns.setflags(write=False)
        counts.setflags(write=False)
        object.__setattr__(self, "patterns", patterns)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "lists", tuple(str(x) for x in self.lists))

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_csv(cls, path: str | Path) -> CaptureTable:
        """Read the contract CSV: one 0/1 column per list, then ``count``."""
        path = Path(path)
        if not path.is_file():
            raise UserError(f"{path}: file not found")
        try:
            raw = pd.read_csv(
                path, encoding="utf-8-sig", dtype=str, keep_default_na=False, header=None
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: not a readable CSV ({type(exc).__name__})") from None
        frame = raw.iloc[1:].reset_index(drop=True)
        frame.columns = list(raw.iloc[0])  # raw header: pandas would rename duplicates
        return cls.from_frame(frame, where=str(path))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, where: str = "table") -> CaptureTable:
        """Build from a data frame laid out like the contract CSV (list columns, ``count``)."""
        columns = [str(c).strip() for c in frame.columns]
        if not columns or columns[-1].lower() != COUNT_COLUMN:
            raise UserError(f"{where}: the last column must be 'count' (found {columns[-1:]})")
        lists = columns[:-1]
        if len(lists) < 2:
            raise UserError(f"{where}: a capture table needs at least 2 list columns")
        if len(set(lists)) != len(lists):
            raise UserError(f"{where}: duplicate list column names")
        if all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes):  # no text to parse
            values = frame.to_numpy(dtype=float)
            bad = ~np.isin(values[:, :-1], (0.0, 1.0))
            if bad.any():
                row, col = np.argwhere(bad)[0]
                raise UserError(f"{where}: row {row + 2}, column '{lists[col]}': expected 0 or 1")
            patterns = values[:, :-1].astype(np.int8)
            counts = _parse_counts(values[:, -1], where)
        else:
            values = frame.astype(str).apply(lambda s: s.str.strip()).to_numpy(dtype=str)
            patterns = _parse_patterns(values[:, :-1], lists, where)
            counts = _parse_counts(values[:, -1], where)
        zero_rows = np.nonzero((counts > 0) & ~patterns.any(axis=1))[0]
        if len(zero_rows):
            raise UserError(
                f"{where}: row {zero_rows[0] + 2}: the all-zero pattern must not be given"
            )
        return cls(tuple(lists), patterns, counts)

    @classmethod
    def from_memberships(
        cls, memberships: Iterable[Iterable[str]], lists: Sequence[str] | None = None
    ) -> CaptureTable:
        """Build from one collection of list names per person (e.g. sources of each person).

        Persons are counted per distinct set (C-level hashing); only the few distinct sets,
        never the persons, are looped over in Python."""
        tally = Counter(frozenset(m) for m in memberships)
        seen = set().union(*tally) if tally else set()
        names = list(lists) if lists is not None else sorted(seen)
        bit = {name: 1 << (len(names) - 1 - j) for j, name in enumerate(names)}
        if seen - set(bit):
            raise UserError(
                f"capture table: {len(seen - set(bit))} list name(s) not among the lists"
            )
        codes = np.array([sum(bit[x] for x in s) for s in tally], dtype=np.int64)
        counts = np.array(list(tally.values()), dtype=np.int64)
        keep = codes > 0
        return cls(tuple(names), _bits(codes[keep], len(names)), counts[keep])

    @classmethod
    def from_full_counts(cls, lists: Sequence[str], full: np.ndarray) -> CaptureTable:
        """Build from counts indexed by pattern code (index 0, the unobserved cell, ignored)."""
        full = np.asarray(full, dtype=np.int64)
        codes = np.nonzero(full)[0]
        codes = codes[codes > 0]
        return cls(tuple(lists), _bits(codes, len(lists)), full[codes])

    # -- derived ------------------------------------------------------------------------
    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        """Number of persons on at least one list."""
        return int(self.counts.sum())

    @cached_property
    def codes(self) -> np.ndarray:
        """Pattern codes: the pattern read as a binary number, first list most significant."""
        weights = 1 << np.arange(self.n_lists - 1, -1, -1, dtype=np.int64)
        return self.patterns.astype(np.int64) @ weights

    @cached_property
    def sha256(self) -> str:
        """Hash of the content (list names, patterns, counts), independent of row order."""
        digest = hashlib.sha256()
        digest.update("\x1f".join(self.lists).encode("utf-8"))
        for code, count in zip(self.codes.tolist(), self.counts.tolist(), strict=True):
            digest.update(f"\n{code}:{count}".encode())
        return digest.hexdigest()

    def full_counts(self) -> np.ndarray:
        """Counts for all 2^J patterns indexed by code (cell 0, the unobserved, is 0)."""
        if self.n_lists > 24:
            raise UserError(f"capture table: {self.n_lists} lists are too many for a full table")
        full = np.zeros(1 << self.n_lists, dtype=np.int64)
        full[self.codes] = self.counts
        return full

    def list_totals(self) -> dict[str, int]:
        """Persons on each list."""
        totals = self.counts @ self.patterns.astype(np.int64)
        return dict(zip(self.lists, totals.tolist(), strict=True))

    def overlaps(self) -> np.ndarray:
        """(J, J) matrix: persons on both list i and list j (diagonal: list totals)."""
        weighted = self.patterns.astype(np.int64) * self.counts[:, None]
        return weighted.T @ self.patterns.astype(np.int64)

    def active_lists(self) -> tuple[str, ...]:
        """Lists with at least one person."""
        totals = self.list_totals()
        return tuple(name for name in self.lists if totals[name] > 0)

    def drop_empty_lists(self) -> CaptureTable:
        """The same table without lists that recorded nobody."""
        keep = [j for j, name in enumerate(self.lists) if self.list_totals()[name] > 0]
        if len(keep) == self.n_lists:
            return self
        return CaptureTable(tuple(self.lists[j] for j in keep), self.patterns[:, keep], self.counts)

    def to_frame(self) -> pd.DataFrame:
        """The contract layout as a data frame."""
        frame = pd.DataFrame(self.patterns.astype(int), columns=list(self.lists))
        frame[COUNT_COLUMN] = self.counts
        return frame

    def to_csv(self, path: str | Path) -> None:
        self.to_frame().to_csv(path, index=False)

    def __repr__(self) -> str:
        return (
            f"CaptureTable(lists={list(self.lists)}, patterns={len(self.counts)}, "
            f"observed={self.observed}, sha256={self.sha256[:12]})"
        )


def _parse_patterns(cells: np.ndarray, lists: list[str], where: str) -> np.ndarray:
    """0/1 cells to an int8 matrix; the first bad cell is named by row and column."""
    ones = np.isin(cells, ("1", "1.0"))
    bad = ~(ones | np.isin(cells, ("0", "0.0")))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise UserError(f"{where}: row {row + 2}, column '{lists[col]}': expected 0 or 1")
    return ones.astype(np.int8)


def _parse_counts(cells: np.ndarray, where: str) -> np.ndarray:
    """Whole, non-negative counts; the first bad one is named by its row."""
    values = pd.to_numeric(pd.Series(cells), errors="coerce").to_numpy(dtype=float)
    bad = np.nonzero(np.isnan(values))[0]
    if len(bad):
        raise UserError(f"{where}: row {bad[0] + 2}, column 'count': not a number")
    bad = np.nonzero((values < 0) | (values != np.floor(values)))[0]
    if len(bad):
        raise UserError(f"{where}: row {bad[0] + 2}, column 'count': must be a whole number >= 0")
    return values.astype(np.int64)


def _bits(codes: np.ndarray, n_lists: int) -> np.ndarray:
    shifts = np.arange(n_lists - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(codes, dtype=np.int64)[:, None] >> shifts) & 1).astype(np.int8)


def _aggregate(patterns: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum duplicate patterns, drop zero counts and sort by code, high to low."""
    if (counts < 0).any():
        raise UserError("capture table: negative count")
    keep = counts > 0
    patterns, counts = patterns[keep], counts[keep]
    if len(counts) and not patterns.any(axis=1).all():
        raise UserError("capture table: the all-zero pattern must not be given")
    if len(counts) == 0:
        return patterns.reshape(0, patterns.shape[1]), counts
    n_lists = patterns.shape[1]
    if n_lists <= 62:
        weights = 1 << np.arange(n_lists - 1, -1, -1, dtype=np.int64)
        codes = patterns.astype(np.int64) @ weights
        unique, inverse = np.unique(codes, return_inverse=True)
        summed = np.bincount(inverse, weights=counts).astype(np.int64)
        order = np.argsort(-unique)
        return _bits(unique[order], n_lists), summed[order]
    raise UserError(f"capture table: {n_lists} lists are more than supported (62)")
