"""A hand-made ReportData (synthetic names) for renderer tests."""

from __future__ import annotations

from uncounted.report.model import (
    CampaignLists,
    ComparisonLevel,
    EstimateRow,
    EstimateTable,
    LinkageQuality,
    MethodResult,
    PersonRow,
    Ranking,
    ReportData,
    Reproducibility,
    SourceSummary,
)

ARABIC_NAME = "محمد أحمد الخطيب"


def person(i: int, name: str) -> PersonRow:
    return PersonRow(
        person_id=f"P{i:06d}",
        name=name,
        sex="M",
        age="34",
        governorate="Aleppo",
        facility="Saydnaya Military Prison",
        arresting_party="Air Force Intelligence",
        arrest_date="2012-03",
        death_date="2014-07-02",
        status="dead",
        sources="NGO A, Notices",
    )


def sample_report(truth: int | None = 5200) -> ReportData:
    years = tuple(
        EstimateRow(str(y), 300 + 20 * i, 700.0 + 40 * i, 600.0 + 30 * i, 850.0 + 50 * i)
        for i, y in enumerate(range(2011, 2019))
    )
    govs = (
        EstimateRow("Aleppo", 900, 1800.0, 1500.0, 2200.0),
        EstimateRow("Damascus", 700, 1300.0, 1100.0, 1600.0),
        EstimateRow(
            "other (3 pooled)",
            60,
            140.0,
            90.0,
            260.0,
            pooled=True,
            note="Quneitra: 12 persons (< 50)",
        ),
    )
    return ReportData(
        title="Deaths in detention: documented and estimated",
        generated_at="2026-11-24 22:00 UTC",
        workspace="/tmp/demo",
        sources=(
            SourceSummary(
                "NGO A",
                1500,
                1450,
                ("2011", "2018-12-01"),
                ("2011-03", "2018"),
                {"name": 1.0, "sex": 0.9},
            ),
            SourceSummary("Notices", 800, 800, ("2012", "2017"), None, {"name": 1.0, "sex": 1.0}),
            SourceSummary("Families", 600, 580, None, None, {"name": 0.98, "sex": 0.5}),
        ),
        overlaps={
            ("NGO A",): 900,
            ("NGO A", "Notices"): 300,
            ("Notices",): 400,
            ("Families",): 350,
            ("Families", "NGO A", "Notices"): 100,
            ("Families", "NGO A"): 130,
        },
        overall=EstimateRow("All persons", 2180, 5100.0, 4600.0, 5800.0, truth=truth),
        method="LCMCR",
        by_year=EstimateTable("By year of death", "death_year", "LCMCR", years, missing=40),
        by_governorate=EstimateTable("By governorate", "governorate", "LCMCR", govs, missing=12),
        other_tables=(),
        linkage=LinkageQuality(
            run_id="3",
            records=2900,
            persons=2180,
            levels=(
                ComparisonLevel("given name", "exact", 6.2),
                ComparisonLevel("given name", "different", -4.1),
            ),
            cluster_sizes={1: 1600, 2: 450, 3: 120, 4: 10},
            decisions={"must_link": 3, "cannot_link": 1},
            awaiting_review=42,
            review_weights=tuple(float(x % 7) for x in range(60)),
        ),
        campaign=CampaignLists(
            remains_not_returned={
                "Saydnaya Military Prison": (person(1, ARABIC_NAME), person(2, "Ahmad Khalil"))
            },
            remains_total=2,
            still_missing=(person(3, "عبد الرحمن يوسف"),),
            still_missing_total=1,
            facilities=(
                Ranking("Saydnaya Military Prison", 400, 900.0, 700.0, 1200.0),
                Ranking("Branch 215", 120, None, None, None, note="pooled"),
            ),
            arresting_parties=(Ranking("Air Force Intelligence", 500),),
            row_limit=1000,
        ),
        methods=(
            MethodResult("LCMCR", 5100.0, 4600.0, 5800.0),
            MethodResult("log-linear", 4800.0, 4500.0, 5200.0, "model [12][3]"),
            MethodResult("DGA", 5000.0, 4550.0, 5600.0),
        ),
        pooling_rule="Strata under 50 persons are pooled.",
        reproducibility=Reproducibility(
            versions={"uncounted": "0.1.0"},
            seeds={"estimate": "1"},
            hashes={"captures": "ab" * 32},
            commands=("uncounted demo --size 1500 --seed 1",),
        ),
    )
