"""What every command shares: finding the workspace, opening its database, errors."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from uncounted.store import workspace as ws

console = Console()
err_console = Console(stderr=True)


def current_user() -> str:
    """Who is acting, for provenance and the audit log (the OS account at the terminal)."""
    return os.environ.get("UNCOUNTED_USER") or os.environ.get("USER") or "unknown"


def workspace_option(ctx: typer.Context) -> Path | None:
    """The ``--workspace`` given before the command name, if any."""
    root = ctx.find_root()
    return (root.obj or {}).get("workspace") if root is not None else None


def open_workspace(ctx: typer.Context) -> ws.Workspace:
    """Locate the workspace, configure Django on its database and migrate it."""
    from uncounted.store.db import open_database

    workspace = ws.load(workspace_option(ctx))
    open_database(workspace)
    return workspace
