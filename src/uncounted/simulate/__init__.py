"""Realistic scenarios of deaths in detention, with ground truth.

``simulate(config, out_dir)`` draws a true population, lets several lists capture parts of it
(with heterogeneity and dependence, or independently), records each list with its own
script, columns, conventions and errors, and writes the files plus the truth. Pure
numpy/pandas; deterministic for ``config.seed``. See docs/simulator.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from uncounted.simulate import writers
from uncounted.simulate.capture import capture_table, draw_captures, draw_visibility
from uncounted.simulate.config import ListSpec, SimulationConfig, default_lists
from uncounted.simulate.population import draw_population
from uncounted.simulate.recording import mapping_toml, render_list, to_source_layout

__all__ = ["ListSpec", "Scenario", "SimulationConfig", "default_lists", "simulate"]
MANIFEST_FORMAT = "uncounted-simulation/1"


@dataclass(frozen=True)
class Scenario:
    """What ``simulate`` made: in memory, and where it wrote it."""

    config: SimulationConfig
    out_dir: Path
    population: pd.DataFrame
    captures: pd.DataFrame  # persons x lists, bool
    records: dict[str, pd.DataFrame]  # list name -> canonical fields + person_id + flags
    manifest: dict

    @property
    def capture_table(self) -> pd.DataFrame:
        """The true capture-history table (contract format)."""
        return capture_table(self.captures)


def simulate(config: SimulationConfig, out_dir: Path | str) -> Scenario:
    """Draw a scenario and write it under ``out_dir`` (created; existing files replaced)."""
    out = Path(out_dir)
    (out / "lists").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(config.seed)
    pop = draw_population(config, rng)
    pop["visibility"] = draw_visibility(config, len(pop), rng)
    captures = draw_captures(pop, config, rng)
    extra = {name: captures[name].to_numpy() for name in captures.columns}
    records, entries, truth = {}, [], []
    for spec in config.lists:
        people = np.flatnonzero(captures[spec.name].to_numpy())
        frame = render_list(spec, pop, people, config, rng, extra)
        records[spec.name] = frame
        entries.append(_write_list(spec, frame, out))
        flags = ["record_id", "person_id", "duplicate", "near_empty"]
        truth.append(frame[flags].assign(source=spec.name))
    truth_frame = pd.concat(truth, ignore_index=True)
    truth_frame[["source", "record_id", "person_id"]].to_csv(out / "truth.csv", index=False)
    flags_frame = truth_frame[["source", "record_id", "person_id", "duplicate", "near_empty"]]
    flags_frame.astype({"duplicate": int, "near_empty": int}).to_csv(
        out / "record_flags.csv", index=False
    )
    writers.write_population(pop, captures, out / "population.csv")
    table = capture_table(captures)
    table.to_csv(out / "capture_histories.csv", index=False)
    writers.stratum_capture_table(pop, captures).to_csv(
        out / "capture_histories_by_stratum.csv", index=False
    )
    manifest = _manifest(config, pop, captures, table, entries)
    writers.write_json(manifest, out / "manifest.json")
    return Scenario(config, out, pop, captures, records, manifest)


def _write_list(spec: ListSpec, frame: pd.DataFrame, out: Path) -> dict:
    """Write one list (and its mapping) and describe it for the manifest."""
    file = Path("lists") / spec.file_name
    writers.write_list(to_source_layout(frame, spec.kind), spec, out / file)
    toml = mapping_toml(spec.kind)
    mapping = None
    if toml is not None:
        mapping = Path("lists") / f"{spec.name}.mapping.toml"
        (out / mapping).write_text(toml, encoding="utf-8")
    return {
        "source": spec.name,
        "kind": spec.kind,
        "file": file.as_posix(),
        "mapping": mapping.as_posix() if mapping else None,
        "encoding": spec.encoding if spec.file_format == "csv" else None,
        "delimiter": spec.delimiter if spec.file_format == "csv" else None,
        "format": spec.file_format,
        "records": len(frame),
        "persons": int(frame["person_id"].nunique()),
        "duplicates": int(frame["duplicate"].sum()),
        "near_empty": int(frame["near_empty"].sum()),
    }


def _manifest(
    config: SimulationConfig,
    pop: pd.DataFrame,
    captures: pd.DataFrame,
    table: pd.DataFrame,
    entries: list[dict],
) -> dict:
    """The manifest (layout documented in docs/simulator.md; consumers rely on it)."""
    strata = writers.strata_table(pop, captures)
    return {
        "format": MANIFEST_FORMAT,
        "seed": config.seed,
        "true_n": len(pop),
        "observed_n": int(captures.any(axis=1).sum()),
        "true_n_by": {
            field: {str(k): int(v) for k, v in pop[field].value_counts().sort_index().items()}
            for field in writers.STRATA
        },
        "strata_fields": list(writers.STRATA),
        "strata": strata.to_dict(orient="records"),
        "lists": entries,
        "capture_histories": {
            "file": "capture_histories.csv",
            "lists": list(captures.columns),
            "rows": table.to_dict(orient="records"),
        },
        "files": {
            "truth": "truth.csv",
            "record_flags": "record_flags.csv",
            "population": "population.csv",
            "capture_histories": "capture_histories.csv",
            "capture_histories_by_stratum": "capture_histories_by_stratum.csv",
        },
        "config": config.to_dict(),
    }
