"""The cross-script key: one key for the spellings of one name, different keys for others."""

from __future__ import annotations

import pytest

from uncounted.names import name_key
from uncounted.names.lexicon import arabic_skeleton, latin_skeleton

SAME = [
    ["محمد", "مُحَمَّد", "Mohammad", "Muhammad", "Mohammed", "Mohamed", "Muhammed", "Mhd", "Moh'd"],
    ["حسن", "الحسن", "Hassan", "Hasan", "El Hassan", "Al-Hasan"],
    ["حسين", "Hussein", "Hussain", "Husain"],
    ["أحمد", "احمد", "Ahmad", "Ahmed"],
    ["محمود", "Mahmoud", "Mahmud"],
    ["عبد الرحمن", "عبدالرحمن", "Abdulrahman", "Abd al-Rahman", "Abdurrahman", "Abdel Rahman"],
    ["خالد", "Khaled", "Khalid"],
    ["فاطمة", "فاطمه", "Fatima", "Fatma"],
    ["عامر", "Amer"],
    ["عمار", "Ammar"],
    ["سمير", "Samir"],
    ["سامر", "Samer"],
]
DIFFERENT = [
    ("محمد", "محمود"),
    ("حسن", "حسين"),
    ("أحمد", "حامد"),
    ("عامر", "عمار"),
    ("سمير", "سامر"),
    ("Hussein", "Hassan"),
    ("Mohammed", "Mahmoud"),
    ("Samir", "Samer"),
    ("Amer", "Ammar"),
    ("عمر", "عمرو"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda s: s[0])
def test_spellings_of_one_name_share_a_key(spellings: list[str]) -> None:
    keys = {name_key(s) for s in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_have_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_key_values_are_readable_skeletons() -> None:
    assert name_key("محمد") == "mhmd"
    assert name_key("محمود") == "mhmwd"
    assert name_key("حسين") == "hsyn"
    assert arabic_skeleton("الياس") == "alyas"  # ال of Ilyas is not the article


def test_full_name_key_joins_units_and_drops_bin() -> None:
    assert name_key("محمد بن علي") == name_key("Muhammad ibn Ali") == "mhmd ely"
    assert name_key("") == ""


@pytest.mark.parametrize(
    ("latin", "skeleton"),
    [("hassan", "hsn"), ("hussein", "hsyn"), ("mahmoud", "mhmwd"), ("khaled", "xld"),
     ("alnajjarin", "njrn"), ("zaghloulian", "zglwln")],
)  # fmt: skip
def test_latin_rule_skeleton(latin: str, skeleton: str) -> None:
    """Consonants, long-vowel digraphs (ou, ei) as و / ي, article and doubling dropped."""
    assert latin_skeleton(latin) == skeleton


def test_unseen_latin_spelling_gets_the_rule_skeleton() -> None:
    assert name_key("Zaghloulian") == "zglwln"
    assert name_key("Al-Najjarin") == "njrn"
