"""Open a workspace's database: configure Django once per process, migrate, check access."""

from __future__ import annotations

import django
from django.conf import settings

from uncounted.errors import UserError
from uncounted.store.settings import build_settings, database_from_url
from uncounted.store.workspace import Workspace


def configure(workspace: Workspace) -> None:
    """Point Django at the workspace's database (a no-op if already configured, as in tests)."""
    if settings.configured:
        return
    database = database_from_url(workspace.database_url)
    settings.configure(**build_settings(database, secret_key=workspace.secret_key or "unset"))
    django.setup()


def open_database(workspace: Workspace) -> None:
    """Configure, check the database can be reached, and bring its schema up to date."""
    from django.db import DatabaseError

    configure(workspace)
    check_connection(workspace)
    try:
        migrate()
    except DatabaseError as exc:
        raise UserError(
            f"cannot open the database {_where(workspace)}: {_first_line(exc)}"
        ) from None


def check_connection(workspace: Workspace) -> None:
    """Connect and read the schema: a corrupt SQLite file fails here ("not a database"),
    not half-way through a command."""
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT count(*) FROM sqlite_master")
                cursor.execute("PRAGMA schema_version")
            else:
                cursor.execute("SELECT 1")
    except DatabaseError as exc:
        raise UserError(
            f"cannot open the database {_where(workspace)}: {_first_line(exc)}"
        ) from None


def _where(workspace: Workspace) -> str:
    """The database's location without credentials."""
    return workspace.database_url.split("@")[-1]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def migrate() -> None:
    """Apply pending migrations quietly (new workspaces, and upgrades of old ones)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)
