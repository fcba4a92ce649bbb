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
    configure(workspace)
    check_connection(workspace)
    migrate()


def check_connection(workspace: Workspace) -> None:
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        where = workspace.database_url.split("@")[-1]
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot open the database {where}: {first_line}") from None


def migrate() -> None:
    """Apply pending migrations quietly (new workspaces, and upgrades of old ones)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)
