"""Reading unseen Arabic names in Latin letters, and the vowel-tolerant comparison."""

from __future__ import annotations

import pytest

from uncounted.names.reading import arabic_reading, reading_similarity


@pytest.mark.parametrize(
    ("arabic", "reading"),
    [("شاهين", "shahin"), ("خليل", "khlil"), ("عليان", "lyan"), ("غنيم", "ghnim"),
     ("ثابت", "thabt"), ("فاطمه", "fatma"), ("وليد", "wlid"), ("طه", "th")],
)  # fmt: skip
def test_arabic_reading(arabic: str, reading: str) -> None:
    assert arabic_reading(arabic) == reading


def test_short_vowels_and_vowel_quality_cost_little() -> None:
    assert reading_similarity("shahin", "shahin") == 1.0
    assert reading_similarity("ghnim", "ghunaym") > 0.8
    assert reading_similarity("khlil", "khaleel") > 0.85
    assert reading_similarity("lyan", "alayan") > 0.85


def test_consonant_changes_cost_a_full_edit() -> None:
    assert reading_similarity("shahin", "shakir") < 0.75
    assert reading_similarity("khlil", "jamil") < 0.6
    assert reading_similarity("", "x") == 0.0
