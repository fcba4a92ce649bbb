"""End to end in Debian's headless Chromium (Playwright): sign in, import a file, review a
pair with the keyboard, find a person by an Arabic name, switch to Arabic (RTL).

Screenshots are kept under ``test-artifacts/web/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from uncounted.app.accounts import add_user
from uncounted.store.core.models import Record
from uncounted.store.linkage.models import Decision

from . import world as world_module

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PASSWORD = "correct horse battery"
# Playwright's sync API runs an event loop in this thread; the ORM calls made here are
# ordinary blocking calls between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(chromium, live_server, transactional_db):
    browser = chromium
    world_module.build()
    add_user("amira", "admin", PASSWORD, actor="test")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


def sign_in(page) -> None:
    page.goto(page.base + "/persons/")
    assert "/login/" in page.url
    page.fill("#id_username", "amira")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(page.base + "/persons/")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_in_import_review_search_arabic(page, tmp_path):
    sign_in(page)
    page.goto(page.base + "/")
    assert page.locator("#n-persons").inner_text() == "3"
    shot(page, "01-dashboard")

    # import a file through the mapping page
    csv_file = tmp_path / "new-list.csv"
    csv_file.write_text(
        "record_id,full_name,death_date,governorate\n"
        "N1,سامر يوسف الحلبي,2015-06-01,دمشق\nN2,Samer Youssef al-Halabi,2015-06,Damascus\n",
        encoding="utf-8-sig",
    )
    page.goto(page.base + "/imports/")
    page.set_input_files("#file", str(csv_file))
    page.click("#upload-form button")
    page.wait_for_selector("#preview")
    assert page.locator("select[name=col_1]").input_value() == "full_name"
    page.fill("#new_source", "Browser list")
    page.click("#validate")
    page.wait_for_selector("#report")
    shot(page, "02-import-validated")
    page.click("#commit")
    page.wait_for_load_state()
    shot(page, "02b-import-committed")
    page.wait_for_url(page.base + "/imports/")
    assert Record.objects.filter(source__name="Browser list").count() == 2
    assert "Browser list" in page.inner_text("table")

    # review with the keyboard: a note, then "d" for different persons
    page.goto(page.base + "/review/")
    page.wait_for_selector("#pair")
    # names keep their own direction: the Arabic one right to left, the Latin one left to right
    arabic = page.locator("#pair bdi", has_text="أحمد علي حسن")
    latin = page.locator("#pair bdi", has_text="Ahmad Ali Hassan")
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert latin.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.locator("#pair tr.diff").count() > 0
    shot(page, "03-review")
    page.keyboard.press("n")
    page.keyboard.type("mothers differ")
    page.keyboard.press("Escape")
    page.keyboard.press("d")
    page.wait_for_selector("#queue-empty")
    decision = Decision.objects.get()
    assert (decision.kind, decision.actor, decision.note) == (
        "cannot_link",
        "amira",
        "mothers differ",
    )

    # the family search: an Arabic spelling finds the person documented in Latin too
    page.goto(page.base + "/search/")
    page.fill("#id_name", "محمد احمد الخطيب")
    page.click("#search-button")
    page.wait_for_selector("#results")
    first = page.locator("#results tbody tr").first
    assert "P-1" in first.inner_text()
    shot(page, "04-search")
    first.locator("a").click()
    page.wait_for_selector("#side-by-side")
    assert "Mohammad Ahmad al-Khatib" in page.inner_text("#side-by-side")

    # Arabic interface: right to left, names still in their own direction
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert "السجلات جنباً إلى جنب" in page.content()
    header = page.locator("header.top").bounding_box()
    brand = page.locator("header.top .brand").bounding_box()
    assert brand["x"] > header["width"] / 2  # the brand sits on the right in RTL
    shot(page, "05-person-arabic")
    page.goto(page.base + "/")
    shot(page, "06-dashboard-arabic")
