"""A pytest plugin that starts a throwaway PostgreSQL cluster from the machine's binaries.

``pytest --postgres`` initialises a cluster in a temporary folder, starts it on a free
loopback port, creates a database and exports ``UNCOUNTED_TEST_DATABASE_URL`` *before*
pytest-django configures Django, so the very same tests run on PostgreSQL. When the
binaries are missing the run stops with a clear message (``make test`` then reports
PostgreSQL as unavailable; with ``CI=true`` that is a failure, never a silent skip).

initdb refuses to run as root, so as root the cluster is run by the ``postgres`` account
(Debian's package creates it) through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_cluster: dict[str, object] = {}
MISSING = (
    "--postgres: no PostgreSQL binaries (initdb) found; install Debian's 'postgresql' "
    "package or set PG_BINDIR"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the database tests on a throwaway PostgreSQL cluster",
    )


def find_pg_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: $PG_BINDIR, pg_config, or Debian's layout."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def start_cluster() -> str:
    """Start a cluster and return a database URL for it."""
    bindir = find_pg_bindir()
    if bindir is None:
        raise pytest.UsageError(MISSING)
    root = Path(tempfile.mkdtemp(prefix="uncounted-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ]
        ),
        **run,
    )
    subprocess.run(
        _as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "-o",
                f"-p {port} -h 127.0.0.1 -k {sock} -F",
                "start",
            ]
        ),
        **run,
    )
    _cluster.update(bindir=bindir, data=data, root=root)
    subprocess.run(
        [
            str(bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "uncounted",
        ],
        **run,
    )
    return f"postgresql://postgres@127.0.0.1:{port}/uncounted"


def stop_cluster() -> None:
    if "data" not in _cluster:
        return
    bindir, data, root = _cluster["bindir"], _cluster["data"], _cluster["root"]
    subprocess.run(
        _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
        capture_output=True,
    )
    shutil.rmtree(root, ignore_errors=True)
    _cluster.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args) -> None:
    if "--postgres" not in args or "UNCOUNTED_TEST_DATABASE_URL" in os.environ:
        return
    if find_pg_bindir() is None and os.environ.get("CI") != "true":
        _cluster["missing"] = True  # a developer's machine: skip loudly, see below
        return
    os.environ["UNCOUNTED_TEST_DATABASE_URL"] = start_cluster()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _cluster.get("missing"):
        skip = pytest.mark.skip(reason=MISSING)
        for item in items:
            item.add_marker(skip)


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_cluster()
