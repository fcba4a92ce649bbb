"""Who each list saw: the true capture histories (people x lists, True where captured)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uncounted.simulate.config import ListSpec, SimulationConfig


def capture_probabilities(
    pop: pd.DataFrame, spec: ListSpec, visibility: np.ndarray, independent: bool
) -> np.ndarray:
    """Each person's probability of being on the list (before forwarding from another list)."""
    n = len(pop)
    if independent:
        return np.full(n, spec.base_rate)
    logit = np.full(n, np.log(spec.base_rate / (1 - spec.base_rate)))
    gov = pop["governorate_pcode"].map(spec.governorate_effects).fillna(0.0).to_numpy(float)
    year = pop["death_year"].map(spec.year_effects).fillna(0.0).to_numpy(float)
    logit += gov + year + spec.visibility_loading * visibility
    p = 1 / (1 + np.exp(-logit))
    if spec.death_years is not None:
        lo, hi = spec.death_years
        p[(pop["death_year"] < lo).to_numpy() | (pop["death_year"] > hi).to_numpy()] = 0.0
    if spec.facility_ids is not None:
        p[~pop["facility_id"].isin(spec.facility_ids).to_numpy()] = 0.0
    return p


def draw_visibility(config: SimulationConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """The unobserved visibility shared by all lists (zero for everyone when independent)."""
    if config.independent:
        return np.zeros(n)
    return rng.normal(0.0, config.visibility_sd, n)


def draw_captures(
    pop: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator
) -> pd.DataFrame:
    """Boolean table, one column per list in config order, one row per person.

    Reads each person's latent ``visibility`` from ``pop`` (see :func:`draw_visibility`).
    """
    n = len(pop)
    visibility = pop["visibility"].to_numpy()
    captured: dict[str, np.ndarray] = {}
    order = sorted(config.lists, key=lambda s: s.forward_from is not None)
    for spec in order:
        p = capture_probabilities(pop, spec, visibility, config.independent)
        caught = rng.random(n) < p
        if spec.forward_from and not config.independent:
            forwarded = captured[spec.forward_from] & (rng.random(n) < spec.forward_rate)
            caught |= forwarded
        captured[spec.name] = caught
    return pd.DataFrame({s.name: captured[s.name] for s in config.lists}, index=pop.index)


def capture_table(captures: pd.DataFrame) -> pd.DataFrame:
    """The contract capture-history table: 0/1 per list + ``count``, no all-zero row."""
    seen = captures[captures.any(axis=1)].astype(int)
    table = seen.value_counts().rename("count").reset_index()
    return table.sort_values(list(captures.columns), ascending=False, ignore_index=True)
