"""The simulator's files agree with its manifest and truth, and it is deterministic."""

from __future__ import annotations

import hashlib
import json
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from uncounted.simulate import SimulationConfig, simulate

CANONICAL = {
    "record_id", "full_name", "given_name", "father_name", "grandfather_name", "family_name",
    "mother_name", "sex", "birth_date", "age", "governorate", "district", "place",
    "registry_number", "arrest_date", "arrest_place", "arresting_party", "detention_facility",
    "detainee_number", "death_date", "death_place", "cause_of_death", "status",
    "remains_returned", "notes",
}  # fmt: skip


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    return simulate(SimulationConfig(size=3000, seed=11), out)


def read_list(out: Path, entry: dict) -> pd.DataFrame:
    """A list file as the manifest describes it (encoding and format)."""
    path = out / entry["file"]
    if entry["format"] == "xlsx":
        return pd.read_excel(path, dtype=str).fillna("")
    return pd.read_csv(
        path, dtype=str, encoding=entry["encoding"], sep=entry["delimiter"], keep_default_na=False
    )


def test_manifest_lists_match_files_and_truth(scenario):
    out, m = scenario.out_dir, scenario.manifest
    truth = pd.read_csv(out / "truth.csv", dtype=str)
    assert list(truth.columns) == ["source", "record_id", "person_id"]
    assert len(m["lists"]) >= 5
    assert sum(e["records"] for e in m["lists"]) == len(truth)
    flags = pd.read_csv(out / m["files"]["record_flags"], dtype=str)
    assert flags[["source", "record_id", "person_id"]].equals(truth)
    for entry in m["lists"]:
        frame = read_list(out, entry)
        assert len(frame) == entry["records"]
        rows = truth[truth["source"] == entry["source"]]
        assert len(rows) == entry["records"]
        assert rows["record_id"].is_unique
        assert rows["person_id"].nunique() == entry["persons"]
        own = flags[flags["source"] == entry["source"]]
        assert (own["duplicate"] == "1").sum() == entry["duplicates"]
        assert (own["near_empty"] == "1").sum() == entry["near_empty"]
        mapping = entry["mapping"]
        headers = set(frame.columns)
        if mapping is None:
            assert headers <= CANONICAL
            ids = frame["record_id"]
        else:
            spec = tomllib.loads((out / mapping).read_text("utf-8"))
            kobo = {h for h in headers if h.startswith("_")}  # KoboToolbox metadata
            assert set(spec["columns"]) == headers - kobo
            assert set(spec["columns"].values()) <= CANONICAL
            assert set(spec.get("values", {})) <= CANONICAL
            id_header = next((h for h, f in spec["columns"].items() if f == "record_id"), "_uuid")
            ids = frame[id_header]
        assert set(ids) == set(rows["record_id"])


def test_capture_table_matches_truth_and_population(scenario):
    out, m = scenario.out_dir, scenario.manifest
    truth = pd.read_csv(out / "truth.csv", dtype=str)
    pop = pd.read_csv(out / "population.csv", dtype=str)
    table = pd.read_csv(out / "capture_histories.csv")
    names = m["capture_histories"]["lists"]
    assert list(table.columns) == [*names, "count"]
    assert (table[names].sum(axis=1) > 0).all()
    assert table["count"].sum() == m["observed_n"] == truth["person_id"].nunique()
    assert m["true_n"] == len(pop) == 3000 == sum(s["n"] for s in m["strata"])
    assert m["capture_histories"]["rows"] == table.to_dict(orient="records")
    by_person = truth.groupby("person_id")["source"].agg(frozenset)
    patterns = by_person.map(lambda s: tuple(int(n in s) for n in names)).value_counts()
    expected = {tuple(r[:-1]): r[-1] for r in table.itertuples(index=False, name=None)}
    assert patterns.to_dict() == expected
    for name in names:
        assert table.loc[table[name] == 1, "count"].sum() == int(
            pop[f"in_{name}"].astype(int).sum()
        )
    for field in ("governorate_pcode", "death_year", "sex"):
        counts = pop[field].value_counts().to_dict()
        assert m["true_n_by"][field] == {str(k): v for k, v in counts.items()}
    strata = pd.read_csv(out / "capture_histories_by_stratum.csv")
    assert strata["count"].sum() == m["observed_n"]


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    config = SimulationConfig(size=800, seed=5)
    a = simulate(config, tmp_path / "a")
    b = simulate(config, tmp_path / "b")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    for book in (tmp_path / "a").rglob("*.xlsx"):  # no save time, whenever it ran
        with zipfile.ZipFile(book) as archive:
            assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
            assert b"2000-01-01T00:00:00Z" in archive.read("docProps/core.xml")
    for name, frame in a.records.items():
        pd.testing.assert_frame_equal(frame, b.records[name])
    c = simulate(SimulationConfig(size=800, seed=6), tmp_path / "c")
    assert not c.population["full_name"].equals(a.population["full_name"])


def test_files_use_the_encodings_groups_use(scenario):
    out = scenario.out_dir
    by_name = {e["source"]: e for e in scenario.manifest["lists"]}
    raw = (out / by_name["ngo_arabic"]["file"]).read_bytes()
    assert by_name["ngo_arabic"]["encoding"] == "cp1256"
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "الاسم الكامل" in raw.decode("cp1256")
    assert raw.count(b"\r\n") == by_name["ngo_arabic"]["records"] + 1  # Excel on Windows
    assert (out / by_name["family_reports"]["file"]).read_bytes().startswith(b"\xef\xbb\xbf")
    kobo = read_list(out, by_name["family_reports"])
    assert kobo.columns[0] == "المعتقل/اسم المعتقل"
    assert (
        kobo["_uuid"]
        .str.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
        .all()
    )
    assert (kobo["_submission_time"] >= "2015").all()
    wb = load_workbook(out / by_name["ngo_latin"]["file"], read_only=True)
    header = next(wb.active.iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("ID", "First Name", "Father's Name", "Last Name")
    assert kobo["الاعتقال/تاريخ الاعتقال"].str.contains("[٠-٩]").any()


def test_manifest_is_json_with_stable_keys(scenario):
    m = json.loads((scenario.out_dir / "manifest.json").read_text("utf-8"))
    for key in ("format", "seed", "true_n", "observed_n", "true_n_by", "strata", "lists",
                "capture_histories", "files", "config"):  # fmt: skip
        assert key in m
    for entry in m["lists"]:
        assert set(entry) >= {"source", "file", "mapping", "encoding", "format", "records"}


def test_config_refuses_impossible_parameters():
    from uncounted.simulate import ListSpec

    with pytest.raises(ValueError, match="base_rate"):
        ListSpec(name="x", kind="ngo_arabic", base_rate=1.0)
    with pytest.raises(ValueError, match="typo_rate"):
        ListSpec(name="x", kind="ngo_arabic", typo_rate=1.5)
    with pytest.raises(ValueError, match="unique"):
        SimulationConfig(lists=(ListSpec("a", "ngo_arabic"), ListSpec("a", "ngo_latin")))
    with pytest.raises(ValueError, match="size"):
        SimulationConfig(size=0)
    with pytest.raises(ValueError, match="forward_from"):
        SimulationConfig().with_lists(ngo_latin={"forward_from": "nobody"})
    with pytest.raises(ValueError, match="forward_from"):
        SimulationConfig().with_lists(family_reports={"forward_from": "ngo_arabic"})
