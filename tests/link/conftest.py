"""A small simulated scenario imported into the test database, and the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def scenario(tmp_path_factory) -> Path:
    """Five lists (Arabic and Latin, CSV and XLSX) about 150 people, with the truth."""
    from uncounted.simulate import simulate
    from uncounted.simulate.config import SimulationConfig

    out = tmp_path_factory.mktemp("scenario")
    simulate(SimulationConfig(size=150, seed=11), out)
    return out


def _import_lists(scenario: Path, only: tuple[str, ...] | None = None) -> None:
    import json

    from uncounted.records.importer import import_file

    manifest = json.loads((scenario / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["lists"]:
        if only and entry["source"] not in only:
            continue
        mapping = scenario / entry["mapping"] if entry.get("mapping") else None
        import_file(scenario / entry["file"], entry["source"], mapping, actor="tester")


@pytest.fixture
def import_lists():
    """The function that imports a scenario's lists (all, or only some)."""
    return _import_lists


@pytest.fixture
def imported(scenario: Path, db) -> Path:
    _import_lists(scenario)
    return scenario


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    from uncounted.store.workspace import create

    return create(tmp_path / "ws").root


@pytest.fixture
def cli(workspace: Path, run_uncounted):
    """Run ``uncounted --workspace WS ARGS...`` in-process: (exit code, stdout, stderr)."""
    return lambda *args, stdin=None: run_uncounted(
        "--workspace", str(workspace), *args, stdin=stdin
    )
