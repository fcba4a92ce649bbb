"""Name-chain parsing in both scripts."""

from __future__ import annotations

import pytest

from uncounted.names import NameChain, parse_name_chain, parse_name_chains


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("محمد أحمد الحسن", ("محمد", "أحمد", "", "الحسن")),
        ("Mohammad Ahmad Al-Hasan", ("Mohammad", "Ahmad", "", "Al-Hasan")),
        ("Mhd Ahmed Alhassan", ("Mhd", "Ahmed", "", "Alhassan")),
        ("عبد الرحمن محمد علي الحلبي", ("عبد الرحمن", "محمد", "علي", "الحلبي")),
        (
            "Abd al-Rahman Nour ad-Din Hasan al-Halabi",
            ("Abd al-Rahman", "Nour ad-Din", "Hasan", "al-Halabi"),
        ),
        ("محمد خالد حسن ابو زيد", ("محمد", "خالد", "حسن", "ابو زيد")),
        ("Mohamed Khaled Hasan Abu Zaid", ("Mohamed", "Khaled", "Hasan", "Abu Zaid")),
        ("محمد بن علي بن حسن", ("محمد", "علي", "حسن", "")),
        ("Muhammad bin Rashid Al Maktoum", ("Muhammad", "Rashid", "", "Al Maktoum")),
        ("فاطمة بنت محمد", ("فاطمة", "محمد", "", "")),
        ("محمد أحمد علي الحسن الحلبي", ("محمد", "أحمد", "علي", "الحسن الحلبي")),
        ("أحمد الخطيب", ("أحمد", "", "", "الخطيب")),
        ("سامر", ("سامر", "", "", "")),
        ("Nour El Din Mohamed Ali Hasan", ("Nour El Din", "Mohamed", "Ali", "Hasan")),
        ("Saif ad Din Khaled Al Halabi", ("Saif ad Din", "Khaled", "", "Al Halabi")),
        ("Mohamed Abd El Kader Al Ahmad", ("Mohamed", "Abd El Kader", "", "Al Ahmad")),
        ("محمد عبد ال رحمن الحلبي", ("محمد", "عبد ال رحمن", "", "الحلبي")),
    ],
)
def test_parse_parts(full: str, expected: tuple[str, str, str, str]) -> None:
    chain = parse_name_chain(full)
    assert (chain.given, chain.father, chain.grandfather, chain.family) == expected
    assert 0.0 < chain.confidence <= 1.0


def test_confidence_reflects_how_sure_the_reading_is() -> None:
    four = parse_name_chain("محمد أحمد علي الحسن").confidence
    explicit = parse_name_chain("محمد بن علي بن حسن").confidence
    three_plain = parse_name_chain("محمد أحمد علي").confidence
    three_article = parse_name_chain("محمد أحمد الحسن").confidence
    one = parse_name_chain("محمد").confidence
    assert one < three_plain < three_article < four
    assert explicit >= 0.9
    nisba = parse_name_chain("محمد أحمد علي حسن الحلبي").confidence
    no_nisba = parse_name_chain("محمد أحمد علي حسن خالد").confidence
    assert nisba > no_nisba


@pytest.mark.parametrize("blank", ["", "   ", "،،", "bin", "بن"])
def test_blank_names_parse_to_nothing(blank: str) -> None:
    assert parse_name_chain(blank) == NameChain()


def test_column_version_keeps_order_and_blanks() -> None:
    table = parse_name_chains(["محمد أحمد الحسن", None, "Ali Hasan", "محمد أحمد الحسن"])
    assert list(table.columns) == ["given", "father", "grandfather", "family", "confidence"]
    assert table["given"].tolist() == ["محمد", "", "Ali", "محمد"]
    assert table["family"].tolist() == ["الحسن", "", "Hasan", "الحسن"]
    assert table["confidence"].iloc[1] == 0.0
