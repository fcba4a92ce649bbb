"""``uncounted estimate``: MSE on the linked persons of a workspace, overall or by stratum."""

from __future__ import annotations

import json
import shlex
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from uncounted.cli.common import console, current_user, err_console, open_workspace


def register(app: typer.Typer) -> None:
    app.command("estimate")(estimate)


def estimate(
    ctx: typer.Context,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Stratify by these fields, comma-separated and cross-classified "
            "(governorate, death_year, sex, age_group, detention_facility, or any canonical field).",
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", "-m", help="lcmcr (default), loglinear or dga.")
    ] = "lcmcr",
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (stored).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (keys of 'uncounted mse --json').")
    ] = False,
) -> None:
    """Estimate the total number of persons (documented and not) from the linked lists.

    A person is on a list when any of their records came from it. Strata too small or too
    sparse are flagged and pooled (never dropped); persons missing a stratifying value are
    counted. Every estimate is stored with its inputs' hash, parameters, seed and version.
    """
    open_workspace(ctx)
    from uncounted.store.estimates import service  # needs Django set up

    fields = [f for f in (by or "").split(",") if f.strip()]
    service.check_fields(fields)
    chosen_seed = service.DEFAULT_SEED if seed is None else seed
    with progress_bar(err_console) as bar:
        task = bar.add_task(f"estimating ({method})", total=None)
        stored = service.run(
            by=fields,
            method=method,
            seed=chosen_seed,
            actor=current_user(),
            command=command_line(),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        typer.echo(json.dumps(service.as_json(stored), ensure_ascii=False))
        return
    print_estimate(stored)


def progress_bar(target) -> Progress:
    """The Rich progress bar every long stage uses."""
    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=target,
        transient=False,
    )


def command_line() -> str:
    """The command as typed, for the reproducibility record."""
    return " ".join(shlex.quote(a) for a in ["uncounted", *sys.argv[1:]])


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def print_estimate(stored) -> None:
    """The overall estimate and, when stratified, one row per stratum."""
    console.print(
        f"[bold]{stored.method}[/]: {stored.observed:,} documented persons, estimated total "
        f"[bold]{fmt(stored.estimate)}[/] (95% interval {fmt(stored.lower)} – {fmt(stored.upper)})"
    )
    if stored.by:
        table = Table(title=f"by {', '.join(stored.by)}")
        for header in ("stratum", "documented", "estimate", "95% interval", "note"):
            table.add_column(
                header, justify="right" if header in ("documented", "estimate") else "left"
            )
        for s in stored.strata.all():
            table.add_row(
                escape(s.label),
                f"{s.observed:,}",
                fmt(s.estimate_value),
                f"{fmt(s.lower)} – {fmt(s.upper)}",
                escape(f"pooled: {', '.join(s.members)}" if s.pooled else s.flag),
            )
        console.print(table)
        total = stored.details.get("stratified_total")
        if total:
            console.print(
                f"sum of the strata (posterior draws added): {fmt(total['estimate'])} "
                f"(95% interval {fmt(total['lower'])} – {fmt(total['upper'])})"
            )
        console.print(
            f"{stored.missing:,} persons have no value for {', '.join(stored.by)}: "
            "in the overall estimate, in no stratum."
        )
        for warning in stored.details.get("strata_warnings", []):
            console.print(f"[yellow]warning:[/] {escape(warning)}")
    sparse = stored.details.get("too_sparse_to_link", 0)
    if sparse:
        console.print(
            f"{sparse:,} persons are known only from records too sparse to link (a given name "
            "alone, or no name): documented, but left out of the capture histories."
        )
    console.print(
        f"stored as estimate {stored.pk} (seed {stored.seed}, inputs sha256 "
        f"{stored.inputs_hash[:16]}…); write the report with: uncounted report"
    )
