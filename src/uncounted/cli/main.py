"""Entry point: ``uncounted [--workspace DIR] COMMAND ...``.

User mistakes (:class:`~uncounted.errors.UserError`) become one line on stderr and exit
status 1; nothing a user can cause prints a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from uncounted import __version__
from uncounted.cli import (
    demo_cmds,
    estimate_cmds,
    import_cmds,
    link_cmds,
    mse_cmds,
    report_cmds,
    simulate_cmds,
    web_cmds,
    workspace_cmds,
)
from uncounted.cli.common import err_console
from uncounted.errors import UserError

app = typer.Typer(
    name="uncounted",
    help="Import lists of victims, link records of one person, estimate the undocumented.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"uncounted {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (else $UNCOUNTED_WORKSPACE, else the current folder).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    ctx.obj = {"workspace": workspace}


for module in (
    demo_cmds,
    workspace_cmds,
    import_cmds,
    simulate_cmds,
    link_cmds,
    mse_cmds,
    estimate_cmds,
    report_cmds,
    web_cmds,
):
    module.register(app)


def main() -> None:
    """Run the CLI, turning user errors into one clear line."""
    try:
        app(standalone_mode=False)
    except UserError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted: nothing was half-written (every import is one transaction)")
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
