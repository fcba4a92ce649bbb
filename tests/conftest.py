"""Shared fixtures. With ``CI=true`` a PostgreSQL or browser test that would skip fails."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STRICT_MARKERS = ("postgres", "browser")
CHROMIUM = "/usr/bin/chromium"
# What this closed-network machine needs: no sandbox as root, and no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("CI") == "true"
        and any(item.get_closest_marker(m) for m in STRICT_MARKERS)
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout (reference tables with published figures)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium driven by Playwright, one per test module.

    Module scope, not session: Playwright's sync API runs an event loop in this thread, which
    Django's ORM refuses to share with tests that are not browser tests.
    """
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def run_uncounted(capsys, monkeypatch):
    """Run ``uncounted ARGS...`` in-process as the console script does.

    Returns (exit code, stdout, stderr); ``stdin`` feeds prompts. In-process because Django
    is configured once per process (by pytest-django here), so the commands use the test
    database.
    """
    from uncounted.cli.main import main

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["uncounted", *args])
        monkeypatch.setenv("COLUMNS", "200")
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run
