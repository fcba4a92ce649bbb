"""Fixtures for the estimation tests: the shared reference tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from uncounted.estimate import CaptureTable


@pytest.fixture(scope="session")
def mse_dir(shared_data: Path) -> Path:
    return shared_data / "mse"


@pytest.fixture(scope="session")
def load(mse_dir: Path):
    """Load a reference table by file stem."""

    def _load(stem: str) -> CaptureTable:
        return CaptureTable.from_csv(mse_dir / f"{stem}.csv")

    return _load
