"""The demo's report in Debian's headless Chromium: plots drawn, Arabic names shown RTL.

The screenshot is kept under ``test-artifacts/report/`` for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"


@pytest.fixture(scope="module")
def page(demo: Demo, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1200, "height": 1600}, offline=True)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto((demo.root / "report.html").as_uri())
    page.wait_for_load_state("load")
    yield page
    assert not failed, f"the report asked for outside resources: {failed[:3]}"
    context.close()


def test_every_plot_is_drawn(page) -> None:
    plots = page.locator("svg.plot")
    assert plots.count() >= 8
    for i in range(plots.count()):
        box = plots.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 80, i
    assert page.locator("svg.plot path").count() > 100  # bars and lines, not empty frames
    page.screenshot(path=str(ARTIFACTS / "report-top.png"))


def test_arabic_names_are_visible_and_right_to_left(page) -> None:
    names = page.locator("#campaign bdi[lang=ar]")
    assert names.count() > 10
    first = names.first
    first.scroll_into_view_if_needed()
    assert first.is_visible()
    text = first.inner_text()
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)
    assert first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    box = first.bounding_box()
    assert box is not None and box["width"] > 20
    page.screenshot(path=str(ARTIFACTS / "report-arabic-names.png"))


def test_sections_and_print_layout(page) -> None:
    for key in ("sources", "overlaps", "estimates", "sensitivity", "linkage", "campaign",
                "method", "reproducibility"):  # fmt: skip
        assert page.locator(f"section#{key} h2").is_visible()
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    page.pdf(path=str(ARTIFACTS / "report.pdf"))
    page.emulate_media(media="screen")
    page.screenshot(path=str(ARTIFACTS / "report-full.png"), full_page=True)
