"""What a report shows, as plain data: the renderer needs no database, only these.

:mod:`uncounted.report.collect` fills them from a workspace; tests fill them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceSummary:
    """One list: how many records, how many duplicates within it, dates, completeness."""

    name: str
    records: int
    persons: int
    death_dates: tuple[str, str] | None
    arrest_dates: tuple[str, str] | None
    completeness: dict[str, float]

    @property
    def duplicates(self) -> int:
        """Records beyond the first for a person on this list (within-list duplicates)."""
        return self.records - self.persons


@dataclass(frozen=True)
class EstimateRow:
    """Documented and estimated persons for one stratum (or overall)."""

    label: str
    observed: int
    estimate: float | None
    lower: float | None
    upper: float | None
    pooled: bool = False
    note: str = ""
    truth: int | None = None


@dataclass(frozen=True)
class EstimateTable:
    """A stratified estimate: rows in order, persons missing the field, the method."""

    title: str
    field: str
    method: str
    rows: tuple[EstimateRow, ...]
    missing: int = 0
    estimate_id: int | None = None
    warnings: tuple[str, ...] = ()
    total: EstimateRow | None = None


@dataclass(frozen=True)
class ComparisonLevel:
    """One level of one comparison in the trained linkage model, with its match weight."""

    comparison: str
    level: str
    weight: float


@dataclass(frozen=True)
class LinkageQuality:
    """How linkage went: model weights, cluster sizes, decisions, the review queue."""

    run_id: str
    records: int
    persons: int
    levels: tuple[ComparisonLevel, ...]
    cluster_sizes: dict[int, int]
    decisions: dict[str, int]
    awaiting_review: int
    review_weights: tuple[float, ...] = ()
    flagged_clusters: int = 0


@dataclass(frozen=True)
class PersonRow:
    """One person in a campaign list (names shown in their own script)."""

    person_id: str
    name: str
    sex: str
    age: str
    governorate: str
    facility: str
    arresting_party: str
    arrest_date: str
    death_date: str
    status: str
    sources: str


@dataclass(frozen=True)
class Ranking:
    """A facility or arresting party: documented deaths and, where estimable, an estimate."""

    name: str
    documented: int
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    note: str = ""


@dataclass(frozen=True)
class CampaignLists:
    """The lists campaigners ask for."""

    remains_not_returned: dict[str, tuple[PersonRow, ...]]
    remains_total: int
    still_missing: tuple[PersonRow, ...]
    still_missing_total: int
    facilities: tuple[Ranking, ...]
    arresting_parties: tuple[Ranking, ...]
    row_limit: int


@dataclass(frozen=True)
class MethodResult:
    """One estimator's overall result, for the sensitivity comparison."""

    method: str
    estimate: float | None
    lower: float | None
    upper: float | None
    note: str = ""


@dataclass(frozen=True)
class Reproducibility:
    """Everything needed to get the same numbers again."""

    versions: dict[str, str]
    seeds: dict[str, str]
    hashes: dict[str, str]
    commands: tuple[str, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows."""

    title: str
    generated_at: str
    workspace: str
    sources: tuple[SourceSummary, ...]
    overlaps: dict[tuple[str, ...], int]
    overall: EstimateRow | None
    method: str
    by_year: EstimateTable | None
    by_governorate: EstimateTable | None
    other_tables: tuple[EstimateTable, ...]
    linkage: LinkageQuality | None
    campaign: CampaignLists
    methods: tuple[MethodResult, ...]
    pooling_rule: str
    reproducibility: Reproducibility
    posterior_svg: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
