"""Fixtures for the import tests: a workspace and the CLI run in-process (Django is already
configured by pytest-django, so the CLI uses the test database)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace folder (its settings file); the database is pytest-django's."""
    from uncounted.store.workspace import create

    return create(tmp_path / "ws").root


@pytest.fixture
def cli(workspace: Path, run_uncounted):
    """Run ``uncounted --workspace WS ARGS...`` in-process: (exit code, stdout, stderr)."""
    return lambda *args: run_uncounted("--workspace", str(workspace), *args)
