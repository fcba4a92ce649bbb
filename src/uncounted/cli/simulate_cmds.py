"""uncounted simulate: write a realistic scenario (lists + mappings + truth) to a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from uncounted.cli.common import console
from uncounted.errors import UserError


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the CLI."""
    app.command("simulate")(simulate_command)


def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the scenario into.")],
    size: Annotated[int, typer.Option("--size", help="True number of people.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 0,
    independent: Annotated[
        bool,
        typer.Option(
            "--independent",
            help="Independent lists with equal capture probability for everyone "
            "(no visibility, no governorate/time effects, no dependence, no windows).",
        ),
    ] = False,
    visibility_sd: Annotated[
        float, typer.Option("--visibility-sd", help="Spread of the latent visibility.")
    ] = 1.0,
    csv_only: Annotated[
        bool, typer.Option("--csv-only", help="Write every list as comma-separated UTF-8 CSV.")
    ] = False,
) -> None:
    """Simulate deaths in detention and the lists that record them, with the truth."""
    from dataclasses import replace

    from uncounted.simulate import SimulationConfig, simulate

    if size < 1:
        raise UserError(f"--size must be at least 1 (got {size})")
    if visibility_sd < 0:
        raise UserError(f"--visibility-sd must not be negative (got {visibility_sd})")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder")
    config = SimulationConfig(
        size=size, seed=seed, independent=independent, visibility_sd=visibility_sd
    )
    if csv_only:
        lists = tuple(
            replace(s, file_format="csv", encoding="utf-8", delimiter=",") for s in config.lists
        )
        config = replace(config, lists=lists)
    with console.status(f"simulating {size:,} people"):
        scenario = simulate(config, out)
    m = scenario.manifest
    console.print(f"true N {m['true_n']:,}; on at least one list {m['observed_n']:,}")
    for entry in m["lists"]:
        console.print(
            f"  {entry['source']}: {entry['records']:,} records of {entry['persons']:,} people"
            f" -> {out / entry['file']}"
        )
    console.print(f"manifest: {out / 'manifest.json'}; truth: {out / 'truth.csv'}")
