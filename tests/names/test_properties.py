"""Property tests: normalisation is idempotent and nothing raises on any Unicode text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uncounted.names import (
    comparison_level,
    name_key,
    normalize_arabic,
    normalize_latin,
    normalize_name,
    parse_name_chain,
    similarity,
)

ARABIC = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=40)
MARKS = st.sampled_from(["\u200f", "\u200e", "\u200d", "\u200c", "\ufeff", "\u061c", "\u202b", "ـ"])
PIECES = st.one_of(
    st.text(max_size=20),
    ARABIC,
    MARKS,
    st.sampled_from(
        ["🙂", "👨‍👩‍👧", "Al-", "عبد ", " bin ", "بن", "ﷲ", "ﻻ", "'", "ʿ", "٣", "\u0301"]
    ),
)
NAMES = st.lists(PIECES, max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_normalisers_are_idempotent(text: str) -> None:
    for normalise in (normalize_arabic, normalize_latin, normalize_name):
        once = normalise(text)
        assert normalise(once) == once


@settings(max_examples=200, deadline=None)
@given(NAMES, NAMES)
def test_nothing_raises_and_scores_stay_in_range(a: str, b: str) -> None:
    name_key(a)
    chain = parse_name_chain(a)
    assert 0.0 <= chain.confidence <= 1.0
    score = similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert comparison_level(a, b) in {-1, 0, 1, 2, 3}


def test_very_long_strings() -> None:
    text = ("محمد أحمد Mohammed 🙂 \u200f" * 500)[:10_000]
    assert len(text) == 10_000
    assert normalize_name(normalize_name(text)) == normalize_name(text)
    assert name_key(text)
    assert parse_name_chain(text).given == "محمد"
    assert 0.0 <= similarity(text, text[::-1]) <= 1.0


@settings(max_examples=200, deadline=None)
@given(NAMES, NAMES)
def test_similarity_is_symmetric(a: str, b: str) -> None:
    assert similarity(a, b) == pytest.approx(similarity(b, a), abs=1e-12)
