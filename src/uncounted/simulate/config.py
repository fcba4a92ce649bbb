"""Every knob of the simulator, in one documented, adjustable place.

A scenario is a true population of people who died in detention plus several lists that each
saw part of it. Capture of person *i* by list *j* follows a logistic model

    logit p_ij = logit(base_rate_j) + governorate_effects_j[g_i] + year_effects_j[y_i]
                 + visibility_loading_j * v_i,          v_i ~ Normal(0, visibility_sd)

restricted to the list's window (``death_years``, ``facility_ids``); a list with
``forward_from`` also receives, with probability ``forward_rate``, the people the named list
captured (families report to one NGO). ``independent=True`` switches all of that off: every
list captures every person with probability ``base_rate``, independently, which is the case
in which simple closed-form estimators (Lincoln-Petersen, Chapman) are unbiased.

The defaults are a plausible picture built from public reports (see docs/simulator.md);
they are not measurements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Literal

ListKind = Literal["ngo_arabic", "ngo_latin", "family_reports", "death_notices", "body_photos"]


RATES = (
    "forward_rate", "duplicate_rate", "near_empty_rate", "typo_rate", "orthography_rate",
    "spelling_variation", "drop_part_rate", "swap_rate", "age_instead_rate",
    "arabic_digits_rate", "date_error_rate", "partial_date_rate",
)  # fmt: skip


@dataclass(frozen=True)
class ListSpec:
    """One list (source): how it captures people and how it records them."""

    name: str
    kind: ListKind
    file_format: Literal["csv", "xlsx"] = "csv"
    encoding: Literal["utf-8", "utf-8-sig", "cp1256"] = "utf-8"
    delimiter: str = ","  # CSV only; Excel in an Arabic locale writes ";"
    line_end: Literal["\n", "\r\n"] = "\n"  # CSV only; Excel on Windows writes CRLF
    # capture
    base_rate: float = 0.3
    governorate_effects: dict[str, float] = field(default_factory=dict)
    year_effects: dict[int, float] = field(default_factory=dict)
    visibility_loading: float = 1.0
    death_years: tuple[int, int] | None = None
    facility_ids: tuple[str, ...] | None = None
    forward_from: str | None = None
    forward_rate: float = 0.0
    # recording
    duplicate_rate: float = 0.03
    near_empty_rate: float = 0.01
    typo_rate: float = 0.03
    orthography_rate: float = 0.15
    spelling_variation: float = 0.3
    drop_part_rate: float = 0.1
    swap_rate: float = 0.02
    age_instead_rate: float = 0.0
    arabic_digits_rate: float = 0.0
    date_error_rate: float = 0.05
    partial_date_rate: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.base_rate < 1:
            raise ValueError(f"list {self.name}: base_rate must be strictly between 0 and 1")
        for name in RATES:
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"list {self.name}: {name} must be between 0 and 1")
        if self.file_format == "xlsx" and self.encoding != "utf-8":
            raise ValueError(f"list {self.name}: an XLSX file has no text encoding to choose")

    @property
    def file_name(self) -> str:
        """File name under ``lists/``."""
        return f"{self.name}.{self.file_format}"


DAMASCUS_BRANCHES = (
    "mi-215", "mi-227", "mi-235", "mi-248", "mi-291", "gid-251", "gid-285", "afi-mezzeh",
)  # fmt: skip


def default_lists() -> tuple[ListSpec, ...]:
    """Five lists like those documentation groups hold (see docs/simulator.md)."""
    return (
        ListSpec(
            name="ngo_arabic", kind="ngo_arabic", encoding="cp1256", delimiter=";", line_end="\r\n",
            base_rate=0.45,
            governorate_effects={"SY12": 0.4, "SY04": 0.3, "SY03": 0.3, "SY08": -0.6,
                                 "SY09": -0.5, "SY11": -0.7},
            year_effects={2011: 0.3, 2012: 0.3, 2013: 0.1, 2016: -0.2, 2017: -0.3, 2018: -0.3},
            visibility_loading=1.0, forward_from="family_reports", forward_rate=0.6,
            duplicate_rate=0.04, near_empty_rate=0.02, typo_rate=0.03, orthography_rate=0.25,
            drop_part_rate=0.15, partial_date_rate=0.25,
        ),
        ListSpec(
            name="ngo_latin", kind="ngo_latin", file_format="xlsx", base_rate=0.35,
            governorate_effects={"SY01": 0.5, "SY03": 0.3, "SY02": 0.3, "SY11": -0.8,
                                 "SY09": -0.6},
            year_effects={2015: -0.6, 2016: -0.9, 2017: -1.0, 2018: -1.0},
            visibility_loading=0.9, duplicate_rate=0.03, typo_rate=0.04, spelling_variation=0.35,
            drop_part_rate=0.1, swap_rate=0.03, age_instead_rate=0.7, partial_date_rate=0.3,
        ),
        ListSpec(
            name="family_reports", kind="family_reports", encoding="utf-8-sig", base_rate=0.25,
            governorate_effects={"SY12": 0.3, "SY05": 0.2, "SY11": -0.5},
            year_effects={2016: 0.4, 2017: 0.5, 2018: 0.6},
            visibility_loading=0.7, duplicate_rate=0.05, near_empty_rate=0.02, typo_rate=0.05,
            orthography_rate=0.35, drop_part_rate=0.15, age_instead_rate=0.4,
            arabic_digits_rate=0.4, date_error_rate=0.15, partial_date_rate=0.45,
        ),
        ListSpec(
            name="death_notices", kind="death_notices", base_rate=0.2,
            governorate_effects={"SY05": 1.2, "SY01": 0.7, "SY03": 0.7, "SY06": 0.4,
                                 "SY04": 0.4, "SY08": 0.4, "SY07": -2.5, "SY09": -2.0,
                                 "SY11": -2.5},
            visibility_loading=0.2, duplicate_rate=0.01, near_empty_rate=0.0, typo_rate=0.01,
            orthography_rate=0.05, drop_part_rate=0.0, date_error_rate=0.1,
            partial_date_rate=0.0,
        ),
        ListSpec(
            name="body_photos", kind="body_photos", base_rate=0.35, visibility_loading=0.3,
            death_years=(2011, 2013), facility_ids=DAMASCUS_BRANCHES, duplicate_rate=0.03,
            near_empty_rate=0.05, typo_rate=0.03, orthography_rate=0.2, drop_part_rate=0.5,
            date_error_rate=0.02, partial_date_rate=0.0,
        ),
    )  # fmt: skip


@dataclass(frozen=True)
class SimulationConfig:
    """The whole scenario: population, capture and recording parameters, and the seed."""

    size: int = 10_000
    seed: int = 0
    lists: tuple[ListSpec, ...] = field(default_factory=default_lists)
    independent: bool = False
    visibility_sd: float = 1.0
    male_share: float = 0.95
    # deaths by year 2011..2018: documented deaths in detention peak in 2012-2014
    death_year_weights: dict[int, float] = field(
        default_factory=lambda: {
            2011: 0.05, 2012: 0.2, 2013: 0.25, 2014: 0.18, 2015: 0.12, 2016: 0.09, 2017: 0.06,
            2018: 0.05,
        }
    )  # fmt: skip
    governorate_weights: dict[str, float] | None = None  # None: the shipped table's weights
    age_at_death_mean: float = 33.0
    arrest_to_death_mean_days: float = 300.0
    brothers_share: float = 0.06
    homonym_share: float = 0.01
    local_facility_share: float = 0.35
    family_knows_death_share: float = 0.45  # else "disappeared", unless a notice told them
    remains_returned_share: float = 0.03

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("size must be at least 1")
        names = [spec.name for spec in self.lists]
        if len(set(names)) != len(names):
            raise ValueError("list names must be unique")
        if len(names) < 2:
            raise ValueError("at least two lists are needed")
        for spec in self.lists:
            if spec.forward_from is not None and spec.forward_from not in names:
                raise ValueError(f"list {spec.name}: forward_from names no other list")
            source = next((s for s in self.lists if s.name == spec.forward_from), None)
            if source is not None and source.forward_from is not None:
                raise ValueError(f"list {spec.name}: forward_from a list that forwards itself")

    @classmethod
    def independent_homogeneous(cls, size: int, seed: int = 0, **changes) -> SimulationConfig:
        """Independent lists, equal capture probability for everyone (estimator checks)."""
        return cls(size=size, seed=seed, independent=True, **changes)

    def with_lists(self, **changes_by_name: dict) -> SimulationConfig:
        """A copy with some lists' parameters changed: ``with_lists(ngo_arabic={...})``."""
        lists = tuple(replace(s, **changes_by_name.get(s.name, {})) for s in self.lists)
        return replace(self, lists=lists)

    def to_dict(self) -> dict:
        """JSON-ready parameters (written into the manifest for reproducibility)."""
        return asdict(self)

    def with_overrides(self, overrides: dict) -> SimulationConfig:
        """A copy changed by a parameter table (a TOML file's content): top-level fields, and
        ``lists.NAME`` tables for the default lists. Raises ``ValueError`` naming a bad key."""
        top = {f.name for f in fields(self)} - {"lists"}
        unknown = set(overrides) - top - {"lists"}
        if unknown:
            raise ValueError(f"unknown parameter {sorted(unknown)[0]!r}")
        changes = {k: _int_keys(v) if k.endswith("_weights") else v
                   for k, v in overrides.items() if k != "lists"}  # fmt: skip
        by_name = overrides.get("lists", {})
        names = {s.name for s in self.lists}
        list_fields = {f.name for f in fields(ListSpec)} - {"name", "kind"}
        for name, values in by_name.items():
            if name not in names:
                raise ValueError(f"unknown list {name!r} (lists: {', '.join(sorted(names))})")
            bad = set(values) - list_fields
            if bad:
                raise ValueError(f"list {name}: unknown parameter {sorted(bad)[0]!r}")
        tidy = {
            name: {k: _int_keys(v) if k == "year_effects" else v for k, v in values.items()}
            for name, values in by_name.items()
        }
        return replace(self, **changes).with_lists(**tidy)


def _int_keys(table: dict) -> dict:
    """TOML and JSON keys are text; death years are numbers (``"2013"`` -> 2013)."""
    return {int(k) if str(k).isdigit() else k: v for k, v in table.items()}
