"""``uncounted report``: one self-contained HTML file for the UN, a court or the press."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from uncounted.cli.common import console, err_console, open_workspace

DEFAULT_NAME = "report.html"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="HTML file to write (default: WORKSPACE/report.html)."),
    ] = None,
    list_limit: Annotated[
        int,
        typer.Option("--list-limit", help="Most persons per campaign list (0: all of them)."),
    ] = 2000,
) -> None:
    """Write the report: sources, overlaps, estimates, linkage quality, campaign lists."""
    from uncounted.cli.estimate_cmds import command_line

    workspace = open_workspace(ctx)
    from uncounted.report.collect import write_report  # needs Django set up

    target = (out or workspace.root / DEFAULT_NAME).expanduser().resolve()
    if target.is_dir():
        target = target / DEFAULT_NAME
    with err_console.status("writing the report"):
        path = write_report(workspace, target, row_limit=list_limit, commands=[command_line()])
    console.print(f"Report written to [bold]{path}[/] (open it in any browser; it works offline)")
