"""``uncounted serve`` (Django behind waitress) and ``uncounted user add|list|disable``."""

from __future__ import annotations

import os
import signal
import socket
import sys
from typing import Annotated

import typer

from uncounted.cli.common import console, current_user, err_console, open_workspace

user_app = typer.Typer(help="Accounts for the web interface (one role each).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``user`` group to the CLI."""
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    threads: Annotated[int, typer.Option("--threads", help="Threads per process.")] = 8,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Processes sharing the port (Python runs one thread at a time per process; "
            "use one per CPU core). 0: the number of cores, at most 4.",
            min=0,
        ),
    ] = 0,
    behind_https: Annotated[
        bool,
        typer.Option(
            "--behind-https",
            help="A TLS proxy on this machine forwards to us: cookies become Secure-only.",
        ),
    ] = False,
) -> None:
    """Serve the web interface with a production WSGI server (waitress)."""
    import waitress
    from django.core.wsgi import get_wsgi_application

    workspace = open_workspace(ctx)
    from uncounted.app.accounts import list_users
    from uncounted.app.jobs import end_interrupted_jobs
    from uncounted.app.views.pages import warm_up

    # background jobs (estimates started from the web) run the CLI on this same workspace
    os.environ["UNCOUNTED_WORKSPACE"] = str(workspace.root)
    proxy = secure_cookies() if behind_https else {}
    if not behind_https and host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"warning: serving plain HTTP on {host}: put a TLS proxy in front and use "
            "--behind-https, or keep the default 127.0.0.1"
        )
    if not any(u.active for u in list_users()):
        err_console.print(
            "no active user yet: create one with 'uncounted user add NAME --role admin'"
        )
    workers = workers or min(os.cpu_count() or 1, 4)
    application = get_wsgi_application()
    if interrupted := end_interrupted_jobs():
        err_console.print(
            f"{interrupted} estimate job(s) ended with the previous server: marked failed"
        )
    with console.status("loading the name model and counting (once, before listening)"):
        warm_up()  # before the fork: every worker process inherits the loaded tables
    listener = listen(host, port)
    console.print(
        f"serving workspace {workspace.root} on http://{host}:{port}/ "
        f"({workers} process(es) × {threads} threads; Ctrl+C stops)"
    )
    options = {
        "sockets": [listener],
        "threads": threads,
        "ident": "uncounted",
        "clear_untrusted_proxy_headers": True,
        "_quiet": True,
        **proxy,
    }
    children = fork_workers(workers - 1, lambda: waitress.serve(application, **options))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress.serve(application, **options)
    finally:
        for pid in children:
            os.kill(pid, signal.SIGTERM)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket all worker processes accept from; a clear error if taken."""
    from uncounted.errors import UserError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def fork_workers(count: int, serve_forever) -> list[int]:
    """Start ``count`` more processes serving the same socket (each ends with its parent)."""
    from django.db import connections

    connections.close_all()  # never share a database connection across a fork
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            end_with_parent()
            try:
                serve_forever()
            finally:
                os._exit(0)
        children.append(pid)
    return children


def end_with_parent() -> None:
    """Linux: have the kernel stop this worker if the main process dies, however it dies."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def secure_cookies() -> dict:
    """Secure-only session and CSRF cookies, HSTS, and trust in the local proxy's
    ``X-Forwarded-Proto`` (waitress keeps only what 127.0.0.1 sends)."""
    from django.conf import settings

    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    return {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-proto"}}


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="admin, analyst, reviewer, data-entry, family-liaison or viewer.",
        ),
    ],
    password: Annotated[
        str | None,
        typer.Option("--password", help="Else asked for (or generated when not interactive)."),
    ] = None,
) -> None:
    """Create an account with one role."""
    from uncounted.app.permissions import canonical_role

    canonical_role(role)
    open_workspace(ctx)
    from uncounted.app.accounts import add_user, generate_password

    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = typer.prompt(
                "Password (empty: generate one)",
                default="",
                hide_input=True,
                show_default=False,
            )
        if not password:
            password, generated = generate_password(), True
    add_user(name, role, password, actor=current_user())
    console.print(f"user {name} added with role {canonical_role(role)}")
    if generated:
        console.print(f"generated password (shown once): {password}", highlight=False)


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """List accounts with their role and state."""
    from rich.table import Table

    open_workspace(ctx)
    from uncounted.app.accounts import list_users

    table = Table("user", "role", "active", "last login")
    for row in list_users():
        table.add_row(row.username, row.role, "yes" if row.active else "no", row.last_login)
    console.print(table)


@user_app.command("disable")
def user_disable(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="User name.")]
) -> None:
    """Stop an account from signing in (kept for the audit trail)."""
    open_workspace(ctx)
    from uncounted.app.accounts import disable_user

    disable_user(name, actor=current_user())
    console.print(f"user {name} disabled")
