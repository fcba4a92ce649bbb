"""Every simulated list imports with its mapping: no rejected row, every value understood."""

from __future__ import annotations

import pandas as pd
import pytest

from uncounted.simulate import SimulationConfig, simulate


@pytest.mark.django_db
@pytest.mark.postgres
def test_every_list_imports_with_its_mapping(tmp_path):
    importer = pytest.importorskip("uncounted.records.importer")
    from uncounted.store.core.models import Record

    scenario = simulate(SimulationConfig(size=600, seed=21), tmp_path / "scenario")
    for entry in scenario.manifest["lists"]:
        mapping = scenario.out_dir / entry["mapping"] if entry["mapping"] else None
        report = importer.import_file(
            scenario.out_dir / entry["file"], entry["source"], mapping, actor="test"
        )
        assert report.rows_rejected == 0, (entry["source"], report.rejected[:3])
        assert report.unmapped_columns == [], entry["source"]
        assert report.records_created == entry["records"]
        assert report.problem_counts == {}, (entry["source"], report.problems[:5])
        if entry["format"] == "csv":
            assert report.encoding.replace("_", "-").lower() in (entry["encoding"], "windows-1256")
        stored = pd.DataFrame(
            Record.objects.filter(source__name=entry["source"]).values(
                "record_id", "governorate_pcode", "facility_id"
            )
        )
        records = scenario.records[entry["source"]]
        assert set(stored["record_id"]) == set(records["record_id"])
        check_places(stored, records, scenario.population)


def check_places(stored: pd.DataFrame, records: pd.DataFrame, population: pd.DataFrame) -> None:
    """Governorates and facilities as written are read back as the true ones."""
    true = population[["person_id", "governorate_pcode", "facility_id"]]
    written = records.merge(true, on="person_id")
    both = written.merge(stored, on="record_id", suffixes=("_true", "_imported"))
    for field, code in (
        ("governorate", "governorate_pcode"),
        ("detention_facility", "facility_id"),
    ):
        if field not in records:
            continue
        filled = both[both[field] != ""]
        assert len(filled) > 0
        assert (filled[f"{code}_imported"] == filled[f"{code}_true"]).all(), field
