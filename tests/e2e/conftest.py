"""One small demo, run once through the real console script, shared by the e2e tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_SIZE = 1500
DEMO_SEED = 1


@dataclass(frozen=True)
class Demo:
    root: Path
    stdout: str
    manifest: dict


def uncounted(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the ``uncounted`` CLI in a fresh process (its own Django configuration)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("UNCOUNTED_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "uncounted.cli", *args],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "120"},
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("e2e") / "demo"
    result = uncounted(
        "demo", "--dir", str(root), "--size", str(DEMO_SIZE), "--seed", str(DEMO_SEED)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((root / "scenario" / "manifest.json").read_text(encoding="utf-8"))
    return Demo(root, result.stdout, manifest)
