"""``uncounted init``: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from uncounted.cli.common import console
from uncounted.store import workspace as ws


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
    name: Annotated[str | None, typer.Option(help="A name for the workspace.")] = None,
) -> None:
    """Create a workspace: a settings file (uncounted.toml) and a migrated database."""
    from uncounted.store.db import open_database

    workspace = ws.create(directory, name=name)
    open_database(workspace)
    console.print(f"Workspace ready at [bold]{workspace.root}[/]")
    console.print(f"  settings: {workspace.root / ws.SETTINGS_FILE}")
    console.print(f"  database: {workspace.database_url.split('@')[-1]}")
    console.print("Next: uncounted --workspace DIR import FILE --source NAME")
