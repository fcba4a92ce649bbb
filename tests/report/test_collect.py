"""The report straight after import (no link run yet): sources summarised, nothing invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from uncounted.records.importer import import_file
from uncounted.report.collect import collect
from uncounted.report.render import render
from uncounted.store.workspace import Workspace

ROWS = """record_id,full_name,sex,governorate,death_date,arrest_date,detention_facility,status
a1,محمد أحمد الخطيب,M,حلب,2013-05-02,2012-11,صيدنايا,dead
a2,عبد الرحمن يوسف الحلبي,M,Idlib,,2014,,detained
a3,Ahmad Khalil al-Masri,M,Damascus,2015,,Branch 215,dead
"""


@pytest.mark.django_db
@pytest.mark.postgres
def test_report_before_linkage_shows_sources_only(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(ROWS, encoding="utf-8")
    import_file(path, "NGO A", actor="test")
    data = collect(Workspace(root=tmp_path))
    (source,) = data.sources
    assert (source.name, source.records, source.duplicates) == ("NGO A", 3, 0)
    assert source.death_dates == ("2013-05-02", "2015")
    assert source.completeness["death date"] == pytest.approx(2 / 3)
    assert data.overall is None and data.linkage is None and not data.overlaps
    assert data.campaign.remains_total == 0
    html = render(data)
    assert "run <code>uncounted link</code>" in html
    assert "NGO A" in html
