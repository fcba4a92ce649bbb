"""Recording errors happen at the configured rates; names and dates look like real lists."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from uncounted.names.dates import parse_partial_date
from uncounted.simulate import SimulationConfig, simulate

CLEAN = {
    "duplicate_rate": 0.0, "near_empty_rate": 0.0, "typo_rate": 0.0, "orthography_rate": 0.0,
    "spelling_variation": 0.0, "drop_part_rate": 0.0, "swap_rate": 0.0,
    "date_error_rate": 0.0, "partial_date_rate": 0.0,
}  # fmt: skip


def within(observed: float, rate: float, n: int, sds: float = 4.0) -> bool:
    """Whether a share observed over ``n`` trials is within ``sds`` binomial sds of ``rate``."""
    return abs(observed - rate) <= sds * np.sqrt(rate * (1 - rate) / n) + 1e-9


def joined(pop: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Records with the true person's columns beside them (suffix ``_true``)."""
    return records.merge(pop, on="person_id", suffixes=("", "_true"))


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    """Only one kind of error switched on per list, at a known rate."""
    config = SimulationConfig.independent_homogeneous(6000, seed=8).with_lists(
        death_notices={**CLEAN, "typo_rate": 0.1, "base_rate": 0.5},
        ngo_arabic={**CLEAN, "duplicate_rate": 0.08, "near_empty_rate": 0.05},
        ngo_latin={**CLEAN, "age_instead_rate": 0.6, "base_rate": 0.5},
        family_reports={**CLEAN, "date_error_rate": 0.2, "arabic_digits_rate": 0.5},
        body_photos={**CLEAN, "orthography_rate": 0.5, "base_rate": 0.5},
    )
    return simulate(config, tmp_path_factory.mktemp("noisy"))


def test_typo_rate(noisy):
    rec = joined(noisy.population, noisy.records["death_notices"])
    for part in ("given_name", "father_name", "family_name"):
        wrong = (rec[part] != rec[f"{part}_true"]).mean()
        assert within(wrong, 0.1, len(rec)), (part, wrong)
    ok = rec[rec["given_name"] != rec["given_name_true"]]
    lengths = (ok["given_name"].str.len() - ok["given_name_true"].str.len()).abs()
    assert lengths.max() <= 1  # one slip per value


def test_duplicate_and_near_empty_rates(noisy):
    rec = noisy.records["ngo_arabic"]
    persons = rec["person_id"].nunique()
    assert within(len(rec) / persons - 1, 0.08, persons)
    assert within(rec["near_empty"].mean(), 0.05, len(rec))
    empty = rec[rec["near_empty"]]
    assert (empty["governorate"] == "").all() and (empty["full_name"].str.count(" ") == 0).all()
    dups = rec[rec["duplicate"]]
    assert dups["person_id"].isin(rec.loc[~rec["duplicate"], "person_id"]).all()


def test_age_instead_of_birth_year(noisy):
    rec = joined(noisy.population, noisy.records["ngo_latin"])
    by_age = rec["age"] != ""
    assert within(by_age.mean(), 0.6, len(rec))
    assert (rec.loc[by_age, "birth_date"] == "").all()
    assert (rec.loc[~by_age, "birth_date"] == rec.loc[~by_age, "birth_year"].astype(str)).all()
    age = rec.loc[by_age, "age"].astype(int)
    implied = rec.loc[by_age, "death_year"] - age
    assert (implied - rec.loc[by_age, "birth_year"]).abs().max() <= 1


def test_date_errors_and_arabic_digits(noisy):
    rec = joined(noisy.population, noisy.records["family_reports"])
    parsed = rec["arrest_date"].map(parse_partial_date)
    assert parsed.notna().all()
    true = rec["arrest_date_true"].dt.strftime("%Y-%m-%d")
    wrong = (parsed.map(lambda d: d.iso) != true).mean()
    assert within(wrong, 0.2, len(rec))
    digits = rec["arrest_date"].str.contains("[٠-٩]").mean()
    assert within(digits, 0.5, len(rec))


def test_arabic_orthographic_variants(noisy):
    rec = joined(noisy.population, noisy.records["body_photos"])
    true = rec["given_name"] + " " + rec["father_name"] + " " + rec["family_name"]
    fold = str.maketrans("أإآةى", "اااهي")
    differ = rec["full_name"] != true
    assert differ.mean() > 0.2
    same_folded = rec["full_name"].str.replace("عبد ", "عبد").str.translate(
        fold
    ) == true.str.replace("عبد ", "عبد").str.translate(fold)
    assert same_folded.all()  # only orthography changed, never the letters themselves


def test_default_lists_have_their_conventions(tmp_path):
    sc = simulate(SimulationConfig(size=4000, seed=2), tmp_path)
    latin = sc.records["ngo_latin"]
    assert latin["given_name"].str.match(r"^[A-Za-z' .-]*$").all()
    mohammad = latin["given_name"][latin["given_name"].str.match(r"^(M[uo]h|Mhd)", na=False)]
    assert mohammad.nunique() >= 4  # Mohammad, Muhammad, Mohamed, Mhd ...
    articles = latin["family_name"].str.extract(r"^(Al-|al-|El-|Al |El )")[0].dropna()
    assert articles.nunique() >= 3
    arabic = sc.records["ngo_arabic"]["full_name"]
    assert arabic.str.contains("^[\u0600-\u06ff ]*$").all()
    notices = sc.records["death_notices"]
    assert notices["registry_number"].str.match(r"^\S.*/\d+$").all()
    assert notices["birth_date"].map(parse_partial_date).map(lambda d: d.precision).eq("day").all()
    photos = sc.records["body_photos"].merge(sc.population, on="person_id", suffixes=("", "_t"))
    assert photos["death_year"].between(2011, 2013).all()
    assert (photos["detainee_number"] == photos["detainee_number_t"]).all()
    fam = sc.records["family_reports"]
    assert set(fam["status"]) <= {"dead", "disappeared", ""}
    assert (fam.loc[fam["status"] == "disappeared", "death_date"] == "").all()
    for name, frame in sc.records.items():
        assert frame["duplicate"].any(), name
    assert any(re.search("[أإآ]", n) for n in sc.population["full_name"])


def test_brothers_and_homonyms(tmp_path):
    pop = simulate(SimulationConfig(size=5000, seed=9), tmp_path).population
    groups = pop[pop["group_id"] != ""].groupby("group_id")
    assert groups.ngroups > 100
    shared = ["father_name", "family_name", "mother_name", "arrest_date", "arrest_place",
              "governorate_pcode"]  # fmt: skip
    assert (groups[shared].nunique() == 1).all().all()
    assert (groups["given_name"].nunique() == groups.size()).all()
    homonyms = pop[pop["homonym_of"] != ""].merge(
        pop, left_on="homonym_of", right_on="person_id", suffixes=("", "_of")
    )
    assert len(homonyms) >= 40
    assert (homonyms["full_name"] == homonyms["full_name_of"]).all()
    assert (homonyms["mother_name"] != homonyms["mother_name_of"]).mean() > 0.9


def test_latin_house_spelling_and_its_variation(noisy, tmp_path):
    """Without variation a list spells each name one way; with it, attested variants appear."""
    rec = joined(noisy.population, noisy.records["ngo_latin"])
    assert (rec.groupby("given_row")["given_name"].nunique() == 1).all()
    varied = SimulationConfig.independent_homogeneous(3000, seed=8).with_lists(
        ngo_latin={**CLEAN, "spelling_variation": 0.5, "base_rate": 0.6}
    )
    scenario = simulate(varied, tmp_path)
    rec = joined(scenario.population, scenario.records["ngo_latin"])
    spellings = rec.groupby("given_row")["given_name"].nunique()
    assert spellings[rec["given_row"].value_counts().index[0]] >= 4  # محمد: Muhammad, Mohammad...
