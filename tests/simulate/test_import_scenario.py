"""Every simulated list imports with its mapping: no rejected row, every value understood."""

from __future__ import annotations

import pytest

from uncounted.simulate import SimulationConfig, simulate


@pytest.mark.django_db
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
        stored = set(
            Record.objects.filter(source__name=entry["source"]).values_list("record_id", flat=True)
        )
        truth = scenario.records[entry["source"]]
        assert stored == set(truth["record_id"])
