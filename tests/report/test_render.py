"""The report renderer on hand-made data: self-contained, every section, names RTL."""

from __future__ import annotations

import re

import pytest
from sample import ARABIC_NAME, sample_report

from uncounted.report.render import SECTIONS, render


@pytest.fixture(scope="module")
def html() -> str:
    """One rendering shared by the read-only checks (each plot costs matplotlib time)."""
    return render(sample_report())


def test_report_is_self_contained_html(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html)  # only in-document references (SVG clips)
    assert "<script" not in html


def test_every_section_and_plot_is_there(html: str) -> None:
    for key, title in SECTIONS:
        assert f'id="{key}"' in html and title in html
    assert html.count("<svg") >= 8
    assert "Persons by combination of lists" in html


def test_names_keep_their_script_and_direction(html: str) -> None:
    assert f'<bdi dir="rtl" lang="ar" class="ar">{ARABIC_NAME}</bdi>' in html
    assert '<bdi dir="auto">Ahmad Khalil</bdi>' in html


def test_numbers_and_truth_are_shown(html: str) -> None:
    assert "5,100" in html and "4,600 – 5,800" in html
    assert "true total (simulated scenario)" in html
    assert "true total" not in render(sample_report(truth=None))


def test_pooled_rows_are_flagged_not_dropped(html: str) -> None:
    assert '<tr class="pooled">' in html
    assert "Quneitra: 12 persons (&lt; 50)" in html
    assert "no value for" in html


def test_html_is_escaped() -> None:
    data = sample_report()
    object.__setattr__(data, "title", "<b>x</b> & y")
    html = render(data)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html
