"""``uncounted init`` and workspace discovery, through the real console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

UNCOUNTED = [sys.executable, "-m", "uncounted.cli"]


def run(*args: str, cwd: Path | None = None, env: dict | None = None):
    return subprocess.run(
        [*UNCOUNTED, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_init_creates_settings_and_migrated_database(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "ws"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ws" / "uncounted.toml").is_file()
    assert (tmp_path / "ws" / "uncounted.sqlite3").stat().st_size > 0


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).returncode == 0
    again = run("init", str(tmp_path))
    assert again.returncode != 0
    assert "already a workspace" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize("how", ["option", "env", "cwd"])
def test_missing_workspace_is_one_clear_line(tmp_path: Path, how: str) -> None:
    args = {
        "option": ["--workspace", str(tmp_path), "sources"],
        "env": ["sources"],
        "cwd": ["sources"],
    }[how]
    env = {"UNCOUNTED_WORKSPACE": str(tmp_path)} if how == "env" else {}
    result = run(*args, cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert "no workspace" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "is not supported"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "cannot open the database 127.0.0.1:1/nothing"),
    ],
)
def test_database_that_cannot_be_opened_is_one_clear_line(
    tmp_path: Path, url: str, message: str
) -> None:
    assert run("init", str(tmp_path / "ws")).returncode == 0
    result = run(
        "--workspace", str(tmp_path / "ws"), "sources", env={"UNCOUNTED_DATABASE_URL": url}
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
