"""Fixtures for the import tests: a workspace and the CLI run in-process (Django is already
configured by pytest-django, so the CLI uses the test database)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace folder (its settings file); the database is pytest-django's."""
    from uncounted.store.workspace import create

    return create(tmp_path / "ws").root


@pytest.fixture
def cli(workspace: Path, capsys, monkeypatch):
    """Run ``uncounted --workspace WS ARGS...`` in-process: (exit code, stdout, stderr)."""
    from uncounted.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["uncounted", "--workspace", str(workspace), *args])
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run
