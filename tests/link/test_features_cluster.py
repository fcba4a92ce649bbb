"""Features and clustering on small synthetic tables (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uncounted.link import cluster
from uncounted.link.evaluate import bcubed, capture_table, evaluate, pairwise_after_clustering
from uncounted.link.features import build_features, skeletons
from uncounted.link.model import probability, reestimate_prior


def _records(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame.insert(0, "unique_id", range(1, len(frame) + 1))
    return frame


def test_arabic_and_latin_spellings_share_a_cross_script_key():
    f = build_features(
        _records(
            [
                {"source": "a", "given_name": "محمد", "family_name": "الحلبي"},
                {"source": "b", "given_name": "Mohammad", "family_name": "al-Halabi"},
            ]
        )
    )
    assert f.loc[0, "given_key"] == f.loc[1, "given_key"]
    assert f.loc[0, "family_key"] == f.loc[1, "family_key"]
    assert f.loc[0, "given_norm"] != f.loc[1, "given_norm"]


def test_missing_values_are_null_and_age_gives_a_birth_year_range():
    f = build_features(
        _records(
            [
                {"source": "a", "given_name": "Ali", "age": 30, "death_date": "2014-05"},
                {"source": "a", "given_name": "Ali", "birth_date": "1980-02-01"},
                {"source": "a", "given_name": "", "age": 30},
            ]
        )
    )
    assert (f.loc[0, "by_lo"], f.loc[0, "by_hi"]) == (1983, 1984)
    assert (f.loc[1, "by_lo"], f.loc[1, "by_hi"]) == (1980, 1980)
    assert pd.isna(f.loc[2, "by_lo"])  # an age without any event date says nothing
    assert f.loc[0, "death_ym"] == "2014-05" and pd.isna(f.loc[0, "death_d"])
    assert pd.isna(f.loc[0, "father_key"]) and pd.isna(f.loc[0, "sex"])
    assert not f.loc[2, "has_name"]


def test_full_name_is_parsed_when_parts_are_empty():
    f = build_features(_records([{"source": "a", "full_name": "أحمد محمد علي الخطيب"}]))
    assert f.loc[0, "given_key"] and f.loc[0, "family_key"]
    assert f.loc[0, "given_key"] != f.loc[0, "family_key"]


def test_chain_order_is_read_as_other_records_hold_it():
    f = build_features(
        _records(
            [
                {
                    "source": "a",
                    "given_name": "أشرف",
                    "father_name": "زهير",
                    "family_name": "الشوفي",
                },
                {"source": "b", "full_name": "الشوفي أشرف زهير"},  # family name first
                {
                    "source": "a",
                    "given_name": "نجيب",
                    "father_name": "سالم",
                    "family_name": "شعبان",
                },
                {"source": "c", "given_name": "Shaaban", "family_name": "Najib"},  # exchanged
                {
                    "source": "a",
                    "given_name": "محمود",
                    "father_name": "حسين",
                    "family_name": "جابر",
                },
                {"source": "d", "full_name": "محمود حسين"},  # given and father
                {"source": "d", "full_name": "خالد العلي"},  # nobody else: as parsed
            ]
        )
    )
    assert (
        f.loc[1, ["given_key", "father_key", "family_key"]].tolist()
        == f.loc[0, ["given_key", "father_key", "family_key"]].tolist()
    )
    assert (f.loc[3, "given_key"], f.loc[3, "family_key"]) == (
        f.loc[2, "given_key"],
        f.loc[2, "family_key"],
    )
    assert f.loc[5, "father_key"] == f.loc[4, "father_key"] and pd.isna(f.loc[5, "family_key"])
    assert f["chain_reordered"].tolist() == [False, True, False, True, False, True, False]


def _edges(rows):
    return pd.DataFrame(rows, columns=["i", "j", "match_probability"]).assign(
        match_weight=lambda d: np.log2(d.match_probability / (1 - d.match_probability))
    )


def _cluster(n, rows, exclusive=None, constraints=None):
    edges = _edges(rows)
    constraints = constraints or cluster.Constraints()
    exclusive = np.full(n, -1) if exclusive is None else np.asarray(exclusive)
    tentative = cluster.tentative_components(n, edges, constraints, 0.5)
    split = cluster.needs_splitting(tentative, edges, exclusive, constraints, 0.5)
    return cluster.finalise(tentative, split, edges, exclusive, constraints, 0.0).labels


def test_clustering_does_not_chain_through_a_middle_record():
    # 0-1-2 and 3-4 chained by one middle link 2-3; 0 and 4 are clearly different people.
    rows = [
        (0, 1, 0.99),
        (0, 2, 0.98),
        (1, 2, 0.99),
        (3, 4, 0.99),
        (2, 3, 0.6),
        (0, 3, 0.01),
        (1, 3, 0.01),
        (0, 4, 0.001),
        (1, 4, 0.001),
        (2, 4, 0.01),
    ]
    labels = _cluster(5, rows)
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] == labels[4]
    assert labels[0] != labels[3]


def test_cannot_link_and_official_lists_are_enforced_and_must_link_wins():
    rows = [(0, 1, 0.99), (1, 2, 0.99), (0, 2, 0.99)]
    cannot = cluster.Constraints(cannot=np.array([[0, 2]]))
    labels = _cluster(3, rows, constraints=cannot)
    assert labels[0] != labels[2]
    # Two records of one official list rarely form one person...
    labels = _cluster(3, [(0, 1, 0.99), (1, 2, 0.99), (0, 2, 0.9)], exclusive=[0, -1, 0])
    assert labels[0] != labels[2]
    # ...unless the evidence is overwhelming (official lists hold a few duplicates)...
    labels = _cluster(3, [(0, 1, 0.99), (1, 2, 0.99), (0, 2, 1 - 1e-9)], exclusive=[0, -1, 0])
    assert labels[0] == labels[2]
    # ...unless a person said so.
    must = cluster.Constraints(must=np.array([[0, 2]]))
    labels = _cluster(3, [(0, 1, 0.99), (1, 2, 0.2)], exclusive=[0, -1, 0], constraints=must)
    assert labels[0] == labels[2]


def test_prior_is_the_fixed_point_of_expected_matches():
    weights = np.array([20.0] * 10 + [-20.0] * 1000)
    prior = reestimate_prior(weights, 0.5, 200)
    assert abs(prior * 200 * 199 / 2 - 10) < 0.1
    assert probability(np.array([0.0]))[0] == 0.5


def test_evaluation_measures():
    pred = pd.Series([1, 1, 2, 3])
    truth = pd.Series(["a", "a", "a", "b"])
    m = pairwise_after_clustering(pred, truth)
    assert (m["tp"], m["predicted_pairs"], m["true_pairs"]) == (1, 1, 3)
    assert bcubed(pred, pred.astype(str))["f1"] == 1.0
    table = capture_table(pd.Series([1, 1, 2]), pd.Series(["x", "y", "x"]))
    assert table.to_dict(orient="records") == [
        {"x": 1, "y": 1, "count": 1},
        {"x": 1, "y": 0, "count": 1},
    ]


def test_evaluation_over_all_records_and_over_the_linkable_ones():
    # Person "a" has three records; the third (a bare given name) could not be linked.
    links = pd.DataFrame(
        {
            "unique_id": [1, 2, 3, 4],
            "source": ["x", "y", "z", "x"],
            "record_id": ["1", "2", "3", "4"],
            "person_id": ["P1", "P1", "P2", "P3"],
        }
    )
    truth = links[["source", "record_id"]].assign(person_id=["a", "a", "a", "b"])
    r = evaluate(links, truth, linkable=[1, 2, 4])
    assert r["pairwise_after_clustering"]["recall"] == 1 / 3
    assert r["persons_found"] == 3 and r["persons_true"] == 2
    assert r["records_unlinkable"] == 1
    assert r["linkable"]["pairwise_after_clustering"]["recall"] == 1.0
    assert r["linkable"]["persons_found"] == r["linkable"]["persons_true"] == 2
    assert r["linkable"]["capture_cells_within_tolerance"]
    assert "linkable" not in evaluate(links, truth)


def test_blocked_pairs_tells_which_pairs_blocking_generates():
    from uncounted.link.model import blocked_pairs, comparison_table

    f = build_features(
        _records(
            [
                {"source": "a", "given_name": "محمد", "father_name": "أحمد", "family_name": "حلبي"},
                {"source": "b", "given_name": "Mohammad", "father_name": "Ahmad"},
                {"source": "c", "given_name": "خالد", "family_name": "العلي"},
                {"source": "c", "given_name": "", "detainee_number": "12"},
            ]
        )
    )
    keyed = comparison_table(f)
    hit = blocked_pairs(keyed, np.array([1, 1, 2, 3]), np.array([2, 3, 3, 4]))
    assert hit.tolist() == [True, False, False, False]


def test_typos_in_two_names_still_meet_through_the_arrest_date_or_a_prefix():
    from uncounted.link.model import blocked_pairs, comparison_table

    f = build_features(
        _records(
            [
                # a wrong third letter in the given and in the family name; same arrest month
                {
                    "source": "a",
                    "given_name": "مروان",
                    "family_name": "نبهان",
                    "arrest_date": "2015-03-20",
                },
                {
                    "source": "b",
                    "given_name": "مرزان",
                    "family_name": "نبيان",
                    "arrest_date": "2015-03-02",
                },
                # a typo in the given name, no father: same family name and arrest day
                {
                    "source": "a",
                    "given_name": "محمد",
                    "family_name": "ملوحي",
                    "arrest_date": "2012-03-17",
                },
                {
                    "source": "b",
                    "given_name": "Mhhad",
                    "family_name": "Malluhi",
                    "arrest_date": "2012-03-17",
                },
                # the same names, nothing else: a typo in both is too little to block on
                {"source": "a", "given_name": "سامر", "family_name": "نحاس"},
                {"source": "b", "given_name": "ساهر", "family_name": "نخاس"},
            ]
        )
    )
    keyed = comparison_table(f)
    hit = blocked_pairs(keyed, np.array([1, 3, 5]), np.array([2, 4, 6]))
    assert hit.tolist() == [True, True, False]


def _level_holds(comparison: str, label: str, left: dict, right: dict) -> bool:
    """Whether a comparison level's SQL condition holds for two feature rows (DuckDB)."""
    import duckdb

    from uncounted.link.model import comparisons

    comp = next(c for c in comparisons() if c["output_column_name"] == comparison)
    cond = next(
        lv["sql_condition"]
        for lv in comp["comparison_levels"]
        if lv.get("label_for_charts") == label
    )
    row = {f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()}
    pair = pd.DataFrame(row)
    text = [c for c in pair if c.rsplit("_", 1)[0].endswith(("_key", "_skel"))]
    pair[text] = pair[text].astype("string")  # a missing name is a NULL text, not a number
    con = duckdb.connect()
    con.register("pair", pair)
    return bool(con.execute(f"SELECT coalesce(({cond}), false) FROM pair").fetchone()[0])


def _chain(given, father, family, freq=(1, 1, 1), latin=False):
    keys = {"given_key": given, "father_key": father, "grandfather_key": None, "family_key": family}
    skel = dict(
        zip(
            [k.replace("_key", "_skel") for k in keys],
            skeletons(pd.Series(list(keys.values()), dtype=object)),
            strict=True,
        )
    )
    freqs = {"given_freq": freq[0], "father_freq": freq[1], "family_freq": freq[2]}
    chain = [k for k in keys.values() if k is not None]
    return {**keys, **skel, **freqs, "grandfather_freq": None, "latin": latin, "chain_keys": chain}


def test_two_common_names_a_letter_apart_are_not_close_but_a_typo_is():
    mohammad, ahmad = (
        _chain("mhmd", "ely", "hlby", (900, 50, 9)),
        _chain("ahmd", "ely", "hlby", (400, 50, 9)),
    )
    assert not _level_holds("given", "close key", mohammad, ahmad)
    assert not _level_holds("given", "similar key", mohammad, ahmad)
    typo = _chain("mhmmd", "ely", "hlby", (2, 50, 9))
    assert _level_holds("given", "close key", mohammad, typo)
    # Across scripts a transliteration blurs letters: Nazir (nzyr) may be نذير (ndyr).
    nadhir, nazir = (
        _chain("ndyr", "ely", "hlby", (60, 50, 9)),
        _chain("nzyr", "ely", "hlby", (40, 50, 9)),
    )
    assert not _level_holds("given", "close key", nadhir, nazir)
    nazir["latin"] = True
    assert _level_holds("given", "close key", nadhir, nazir)
    # One consonant skeleton: a Latin spelling without the long vowel, whatever the counts.
    assert _level_holds(
        "family",
        "close key",
        _chain("a", "b", "ewad", (1, 1, 150)),
        _chain("a", "b", "ewd", (1, 1, 200)),
    )


def test_two_part_names_and_chains_in_another_order_have_their_own_levels():
    full = _chain("mhmwd", "hsyn", "jabr")
    two_parts = _chain("mhmwd", None, "hsyn")  # "given X": X is the father's name here
    assert _level_holds("family", "the other's father's name", two_parts, full)
    assert not _level_holds(
        "family", "the other's father's name", _chain("mhmwd", "ely", "hsyn"), full
    )
    exchanged = _chain("jabr", "hsyn", "mhmwd")
    assert _level_holds("given", "chain in another order", exchanged, full)
    family_first = _chain("jabr", "mhmwd", "hsyn")
    assert _level_holds("given", "chain in another order", family_first, full)
    assert not _level_holds("given", "chain in another order", _chain("jabr", "ely", "hsyn"), full)


def test_two_records_of_one_list_are_compared_as_such():
    assert _level_holds("list", "same list", {"source": "ngo"}, {"source": "ngo"})
    assert not _level_holds("list", "same list", {"source": "ngo"}, {"source": "الأسرة"})


def test_a_latin_typo_of_a_given_name_is_not_a_different_name():
    level = "two letters apart across scripts"
    bashir = _chain("bcyr", "mhmwd", "ywsf")  # بشير
    badhir = _chain("bdr", "mhmwd", "ywsf", latin=True)  # "Badhir": one wrong letter
    assert _level_holds("given", level, bashir, badhir)
    # In one script a typo is caught by the close levels; two letters apart is two names.
    assert not _level_holds("given", level, bashir, {**badhir, "latin": False})
    # Names further apart stay different (brothers: Yasser and Muhammad).
    assert not _level_holds(
        "given", level, _chain("mhmd", "a", "b"), _chain("ysr", "a", "b", latin=True)
    )


def test_a_sparse_record_joins_the_person_it_clearly_matches_but_not_against_evidence():
    # 0, 1, 2: one person; 3 (a photograph) matches 2 well, shares little with 0 and 1.
    strong = [(0, 1, 0.999), (0, 2, 0.999), (1, 2, 0.999)]
    sparse = [(2, 3, 0.9), (0, 3, 0.05), (1, 3, 0.03)]  # -4.2 and -5.1 bits: mean -2
    labels = _cluster(4, strong + sparse)
    assert labels[3] == labels[0] == labels[1] == labels[2]
    # A pair that is evidence against (a different given name: far below the floor) wins.
    against = [(2, 3, 0.999), (0, 3, 0.9), (1, 3, 8e-5)]  # -13.6 bits; mean -0.2
    labels = _cluster(4, strong + against)
    assert labels[0] == labels[1] == labels[2] != labels[3]
    # So does a group it shares too little with on average (one likely pair, two at -9:
    # a common name meeting a stranger).
    weak = [(2, 3, 0.9), (0, 3, 0.002), (1, 3, 0.002)]
    labels = _cluster(4, strong + weak)
    assert labels[0] == labels[1] == labels[2] != labels[3]
    # And a cannot-link decision always does.
    cannot = cluster.Constraints(cannot=np.array([[3, 2]]))
    labels = _cluster(4, strong + sparse, constraints=cannot)
    assert labels[3] != labels[2]
