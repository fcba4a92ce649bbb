"""uncounted simulate: write a realistic scenario (lists + mappings + truth) to a folder."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from uncounted.cli.common import console
from uncounted.errors import UserError

if TYPE_CHECKING:
    from uncounted.simulate import SimulationConfig


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the CLI."""
    app.command("simulate")(simulate_command)


def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the scenario into.")],
    size: Annotated[
        int | None, typer.Option("--size", help="True number of people (default 10000).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed; same seed, same files (default 0).")
    ] = None,
    independent: Annotated[
        bool,
        typer.Option(
            "--independent",
            help="Independent lists with equal capture probability for everyone "
            "(no visibility, no governorate/time effects, no dependence, no windows).",
        ),
    ] = False,
    visibility_sd: Annotated[
        float | None,
        typer.Option("--visibility-sd", help="Spread of the latent visibility (default 1.0)."),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="TOML file of parameters (see docs/simulator.md); options win."
        ),
    ] = None,
    csv_only: Annotated[
        bool, typer.Option("--csv-only", help="Write every list as comma-separated UTF-8 CSV.")
    ] = False,
) -> None:
    """Simulate deaths in detention and the lists that record them, with the truth."""
    from uncounted.simulate import simulate

    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder")
    config = build_config(config_file, size, seed, independent, visibility_sd, csv_only)
    with console.status(f"simulating {config.size:,} people"):
        scenario = simulate(config, out)
    m = scenario.manifest
    console.print(f"true N {m['true_n']:,}; on at least one list {m['observed_n']:,}")
    for entry in m["lists"]:
        console.print(
            f"  {entry['source']}: {entry['records']:,} records of {entry['persons']:,} people"
            f" -> {out / entry['file']}"
        )
    console.print(f"manifest: {out / 'manifest.json'}; truth: {out / 'truth.csv'}")


def build_config(
    config_file: Path | None,
    size: int | None,
    seed: int | None,
    independent: bool,
    visibility_sd: float | None,
    csv_only: bool,
) -> SimulationConfig:
    """The defaults, changed by the TOML file, then by the options given."""
    from uncounted.simulate import SimulationConfig

    if size is not None and size < 1:
        raise UserError(f"--size must be at least 1 (got {size})")
    if visibility_sd is not None and visibility_sd < 0:
        raise UserError(f"--visibility-sd must not be negative (got {visibility_sd})")
    config = SimulationConfig()
    if config_file is not None:
        config = _from_file(config, config_file)
    options = {"size": size, "seed": seed, "visibility_sd": visibility_sd}
    config = replace(config, **{k: v for k, v in options.items() if v is not None})
    if independent:
        config = replace(config, independent=True)
    if csv_only:
        lists = tuple(
            replace(s, file_format="csv", encoding="utf-8", delimiter=",", line_end="\n")
            for s in config.lists
        )
        config = replace(config, lists=lists)
    return config


def _from_file(config: SimulationConfig, path: Path) -> SimulationConfig:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a TOML file ({exc})") from exc
    try:
        return config.with_overrides(table)
    except (ValueError, TypeError) as exc:
        raise UserError(f"{path}: {exc}") from exc
