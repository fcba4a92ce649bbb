"""Fill :class:`~uncounted.report.model.ReportData` from a workspace (the database side).

Everything is read in a few queries into data frames and summarised there, so a report over
hundreds of thousands of records takes seconds. A person's value of a field is the one most
of their records give (see :mod:`uncounted.store.estimates.strata`).

Campaign rules, stated in the report: a person **died in custody** when any record says
``dead`` or gives a death date (an official notice outweighs an older "detained" claim);
their **remains were not returned** when a record says ``no`` and none says ``yes``; a person
is **still detained or disappeared** when a record says so and none says dead or released.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from uncounted import __version__
from uncounted.names.text import has_arabic
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
from uncounted.store.estimates import service
from uncounted.store.estimates import strata as st
from uncounted.store.estimates.models import Estimate
from uncounted.store.workspace import Workspace

KEY_FIELDS = {
    "name": ["full_name", "given_name"],
    "sex": ["sex"],
    "birth/age": ["birth_date", "age"],
    "governorate": ["governorate"],
    "arrest date": ["arrest_date"],
    "death date": ["death_date"],
    "facility": ["detention_facility"],
    "registry no.": ["registry_number"],
}
COLUMNS = [
    "full_name",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "sex",
    "birth_date",
    "age",
    "governorate",
    "governorate_pcode",
    "registry_number",
    "arrest_date",
    "arresting_party",
    "detention_facility",
    "facility_id",
    "death_date",
    "status",
    "remains_returned",
]
SCENARIO_MANIFEST = Path("scenario") / "manifest.json"
PACKAGES = ("django", "splink", "duckdb", "numpy", "pandas", "scipy", "numba", "matplotlib")


def collect(
    workspace: Workspace, row_limit: int = 2000, commands: Sequence[str] = ()
) -> ReportData:
    """Everything the report shows, read from the workspace's database."""
    records = load(service.load_records(COLUMNS, linked_only=False))
    truth = load_truth(workspace.root / SCENARIO_MANIFEST)
    linked = records[records["person"].notna()]
    people = persons(linked) if len(linked) else None
    latest = latest_estimates()
    overall_est = latest.get(("lcmcr", ())) or next(
        (e for (_, by), e in latest.items() if not by), None
    )
    method = overall_est.method if overall_est else ""
    shown_method = _method_name(method)
    return ReportData(
        title="Deaths in detention: documented and estimated",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        workspace=str(workspace.root),
        sources=source_summaries(records),
        overlaps=overlaps(records),
        overall=overall_row(overall_est, truth),
        method=shown_method,
        by_year=stratified(latest, method, "death_year", "By year of death", truth),
        by_governorate=stratified(latest, method, "governorate", "By governorate", truth),
        other_tables=other_tables(latest, method, truth),
        linkage=linkage_quality(),
        campaign=campaign(people, latest, method, row_limit),
        methods=compare_methods(latest, overall_est),
        pooling_rule=st.POOLING_RULE,
        reproducibility=reproducibility(latest, truth, commands),
        notes=truth_note(truth),
        posterior_svg=posterior(overall_est),
    )


def load(records: pd.DataFrame) -> pd.DataFrame:
    """Records with text columns as strings ('' for missing)."""
    text = [c for c in records.columns if c not in ("record", "person", "age")]
    records[text] = records[text].fillna("").astype(str)
    return records


def load_truth(path: Path) -> dict | None:
    """The simulated scenario's manifest, when this workspace is a demo."""
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def truth_note(truth: dict | None) -> tuple[str, ...]:
    if truth is None:
        return ()
    seen = truth.get("observed_n")
    linkage = (
        f" Of the {truth.get('true_n', 0):,} simulated persons, {seen:,} are on at least one "
        "list: compare with the documented persons that linkage found."
        if seen is not None
        else ""
    )
    return (
        "This workspace holds a simulated scenario (uncounted demo): the names are synthetic "
        "and the true totals are known, so the report shows them next to the estimates." + linkage,
    )


def source_summaries(records: pd.DataFrame) -> tuple[SourceSummary, ...]:
    out = []
    for name, rows in records.groupby("source", sort=True):
        completeness = {
            label: float(
                np.logical_or.reduce([_present(rows[c]) for c in cols]).mean() if len(rows) else 0
            )
            for label, cols in KEY_FIELDS.items()
        }
        persons = rows["person"].nunique()  # + unlinked records, each its own person
        out.append(
            SourceSummary(
                name=str(name),
                records=len(rows),
                persons=int(persons) + int(rows["person"].isna().sum()),
                death_dates=_span(rows["death_date"]),
                arrest_dates=_span(rows["arrest_date"]),
                completeness=completeness,
            )
        )
    return tuple(out)


def _present(values: pd.Series) -> np.ndarray:
    return (values.notna() & (values.astype(str).str.strip() != "")).to_numpy()


def _span(values: pd.Series) -> tuple[str, str] | None:
    values = values[values != ""]
    return (values.min(), values.max()) if len(values) else None


def overlaps(records: pd.DataFrame) -> dict[tuple[str, ...], int]:
    """Persons per exact combination of lists."""
    linked = records[records["person"].notna()]
    if linked.empty:
        return {}
    combos = linked.groupby("person")["source"].agg(lambda s: tuple(sorted(set(s))))
    return {k: int(v) for k, v in combos.value_counts().items()}


MAJORITY_FIELDS = [
    "sex", "governorate_pcode", "governorate", "facility_id", "detention_facility",
    "arresting_party", "arrest_date", "birth_date", "age",
]  # fmt: skip


def persons(records: pd.DataFrame) -> pd.DataFrame:
    """One row per person: majority values (linkage's rule), fullest name, lists, status."""
    from uncounted.link.store import capture_histories

    out = capture_histories(MAJORITY_FIELDS).set_index("person_id")
    age = pd.to_numeric(out["age"], errors="coerce")
    out = out[MAJORITY_FIELDS].fillna("").astype(str).replace({"nan": "", "None": ""})
    out["age"] = age.map(lambda v: "" if pd.isna(v) else str(int(v)))
    out["death_date"] = _most_precise(records, "death_date").reindex(out.index).fillna("")
    out["name"] = fullest_names(records).reindex(out.index).fillna("")
    grouped = records.groupby("person")
    out["sources"] = grouped["source"].agg(lambda s: ", ".join(sorted(set(s))))
    status = grouped["status"].agg(set).reindex(out.index)
    remains = grouped["remains_returned"].agg(set).reindex(out.index)
    dated = (records["death_date"] != "").groupby(records["person"]).any().reindex(out.index)
    out["dead"] = status.map(lambda s: "dead" in s) | dated
    out["missing"] = ~out["dead"] & status.map(
        lambda s: bool(s & {"detained", "disappeared"}) and "released" not in s
    )
    out["not_returned"] = out["dead"] & remains.map(lambda s: "no" in s and "yes" not in s)
    out["status"] = np.where(out["dead"], "dead", status.map(_status_text))
    return out


def _status_text(values: set[str]) -> str:
    return ", ".join(sorted(v for v in values if v))


def _most_precise(records: pd.DataFrame, column: str) -> pd.Series:
    """Per person, the most precise date any record gives (longest ISO string, then earliest)."""
    dated = records.loc[records[column] != "", ["person", column]]
    dated = dated.assign(n=dated[column].str.len()).sort_values(
        ["person", "n", column], ascending=[True, False, True]
    )
    return dated.drop_duplicates("person").set_index("person")[column]


def fullest_names(records: pd.DataFrame) -> pd.Series:
    """Per person, the longest name any list gives, Arabic script first (it is the original)."""
    parts = [records[c] for c in ("given_name", "father_name", "grandfather_name", "family_name")]
    built = parts[0].str.cat(parts[1:], sep=" ").str.split().str.join(" ")
    names = records["full_name"].where(records["full_name"] != "", built)
    frame = pd.DataFrame({"person": records["person"], "name": names})
    frame = frame[frame["name"] != ""]
    frame["arabic"] = frame["name"].map(has_arabic)
    frame["n"] = frame["name"].str.len()
    frame = frame.sort_values(
        ["person", "arabic", "n", "name"], ascending=[True, False, False, True]
    )
    return frame.drop_duplicates("person").set_index("person")["name"]


def latest_estimates() -> dict[tuple[str, tuple[str, ...]], Estimate]:
    """The newest stored estimate per (method, stratifying fields)."""
    out: dict[tuple[str, tuple[str, ...]], Estimate] = {}
    for estimate in Estimate.objects.order_by("-created_at", "-id").prefetch_related("strata"):
        out.setdefault((estimate.method, tuple(estimate.by)), estimate)
    return out


def overall_row(estimate: Estimate | None, truth: dict | None) -> EstimateRow | None:
    if estimate is None:
        return None
    return EstimateRow(
        "All persons",
        estimate.observed,
        estimate.estimate,
        estimate.lower,
        estimate.upper,
        truth=_true_total(truth),
    )


def _true_total(truth: dict | None) -> int | None:
    if truth is None:
        return None
    value = truth.get("true_n", truth.get("N"))
    return int(value) if value is not None else None


def _true_strata(truth: dict | None, field: str) -> dict[str, int]:
    """True N per stratum value (``true_n_by`` in the manifest), keyed like our labels."""
    if truth is None:
        return {}
    true_by = truth.get("true_n_by", {})
    if field == "governorate":
        labels = service.labels_for(["governorate"])["governorate"]
        by = {labels.get(k, k): v for k, v in true_by.get("governorate_pcode", {}).items()}
    else:
        by = true_by.get(field, {})
    return {str(k): int(v) for k, v in by.items()}


def table_rows(estimate: Estimate, truth: dict | None) -> tuple[EstimateRow, ...]:
    field = estimate.by[0] if len(estimate.by) == 1 else ""
    true = _true_strata(truth, field)
    rows = []
    for s in estimate.strata.all():
        t = sum(true[m] for m in s.members if m in true) if true else None
        rows.append(
            EstimateRow(
                s.label,
                s.observed,
                s.estimate_value,
                s.lower,
                s.upper,
                pooled=s.pooled,
                note=s.flag,
                truth=t if true else None,
            )
        )
    return tuple(rows)


def stratified(
    latest: dict, method: str, field: str, title: str, truth: dict | None
) -> EstimateTable | None:
    estimate = latest.get((method, (field,)))
    if estimate is None:
        return None
    return EstimateTable(
        title,
        field,
        _method_name(estimate.method),
        table_rows(estimate, truth),
        estimate.missing,
        estimate.pk,
        tuple(estimate.details.get("strata_warnings", [])),
        strata_total(estimate, truth),
    )


def strata_total(estimate: Estimate, truth: dict | None) -> EstimateRow | None:
    """The sum of the strata's posterior draws (persons with a value only)."""
    total = estimate.details.get("stratified_total")
    if not total:
        return None
    return EstimateRow(
        "Sum of strata",
        estimate.observed - estimate.missing,
        total["estimate"],
        total["lower"],
        total["upper"],
        note="posterior draws of the strata added up",
    )


def other_tables(latest: dict, method: str, truth: dict | None) -> tuple[EstimateTable, ...]:
    shown = {("death_year",), ("governorate",), ("detention_facility",), ()}
    return tuple(
        EstimateTable(
            f"By {', '.join(by).replace('_', ' ')}",
            ",".join(by),
            _method_name(e.method),
            table_rows(e, truth),
            e.missing,
            e.pk,
            tuple(e.details.get("strata_warnings", [])),
            strata_total(e, truth),
        )
        for (m, by), e in sorted(latest.items(), key=lambda kv: kv[0])
        if m == method and by not in shown
    )


def compare_methods(latest: dict, overall: Estimate | None) -> tuple[MethodResult, ...]:
    """Every estimator on the same overall capture table: stored results, else fitted now."""
    if overall is None:
        return ()
    out = []
    for method in service.METHODS:
        stored = latest.get((method, ()))
        if stored is not None and stored.capture_table == overall.capture_table:
            out.append(
                MethodResult(_method_name(method), stored.estimate, stored.lower, stored.upper)
            )
            continue
        fitted = service.fit(
            service.table_from_rows(overall.sources, overall.capture_table),
            method,
            overall.seed or service.DEFAULT_SEED,
            {},
        )
        if fitted.result is None:
            out.append(MethodResult(_method_name(method), None, None, None, fitted.error))
        else:
            r = fitted.result
            out.append(MethodResult(_method_name(method), r.estimate, r.lower, r.upper, _detail(r)))
    return tuple(out)


def posterior(estimate: Estimate | None) -> str:
    """The estimator's posterior plot, drawn from the stored (thinned) draws."""
    if estimate is None or not estimate.draws:
        return ""
    from uncounted.estimate import EstimateResult, posterior_plot_svg

    result = EstimateResult(
        method=_method_name(estimate.method),
        observed=estimate.observed,
        estimate=estimate.estimate,
        lower=estimate.lower,
        upper=estimate.upper,
        seed=estimate.seed,
        table_hash=estimate.inputs_hash,
        lists=tuple(estimate.sources),
        parameters=estimate.parameters,
        draws=estimate.draw_values(),
    )
    svg = posterior_plot_svg(result)
    return svg[svg.index("<svg") :].replace("<svg", '<svg class="plot" role="img"', 1)


def _detail(result) -> str:
    model = result.details.get("model")
    return f"model {model}" if model else ""


def _method_name(method: str) -> str:
    return {"lcmcr": "LCMCR", "loglinear": "log-linear", "dga": "DGA"}.get(method, method)


def linkage_quality() -> LinkageQuality | None:
    from uncounted.link.model import level_weights
    from uncounted.store.linkage.models import Decision, LinkRun, Person, ReviewItem

    run = LinkRun.objects.filter(is_current=True).order_by("-id").first()
    if run is None:
        return None
    levels = tuple(
        ComparisonLevel(str(lv["comparison"]), str(lv["level"]), float(lv["match_weight"]))
        for lv in level_weights(run.model or {})
        if lv.get("match_weight") is not None
    )
    active = Person.objects.filter(active=True)
    sizes = dict(
        pd.Series(active.values_list("record_count", flat=True)).value_counts().sort_index()
    )
    decisions = dict(
        pd.Series(Decision.objects.filter(active=True).values_list("kind", flat=True))
        .value_counts()
        .items()
    )
    waiting = ReviewItem.objects.filter(status="open")
    return LinkageQuality(
        run_id=str(run.pk),
        records=int(sum(k * v for k, v in sizes.items())),
        persons=int(sum(sizes.values())),
        levels=levels,
        cluster_sizes={int(k): int(v) for k, v in sizes.items()},
        decisions={str(k): int(v) for k, v in decisions.items()},
        awaiting_review=waiting.count(),
        review_weights=tuple(waiting.values_list("match_weight", flat=True)[:20000]),
        flagged_clusters=active.exclude(flags=[]).count(),
    )


def _person_row(
    pid: str, p: pd.Series, facilities: dict[str, str], govs: dict[str, str]
) -> PersonRow:
    return PersonRow(
        person_id=pid,
        name=p["name"],
        sex=p["sex"],
        age=p["age"] or (f"b. {p['birth_date'][:4]}" if p["birth_date"] else ""),
        governorate=govs.get(p["governorate_pcode"], p["governorate"]),
        facility=facilities.get(p["facility_id"], p["detention_facility"]),
        arresting_party=p["arresting_party"],
        arrest_date=p["arrest_date"],
        death_date=p["death_date"],
        status=p["status"],
        sources=p["sources"],
    )


def campaign(
    people: pd.DataFrame | None, latest: dict, method: str, row_limit: int
) -> CampaignLists:
    """The campaign lists (empty before the first link run)."""
    if people is None:
        return CampaignLists({}, 0, (), 0, (), (), row_limit)
    labels = service.labels_for(["governorate", "detention_facility"])
    govs, facs = labels["governorate"], labels["detention_facility"]
    limit = row_limit if row_limit > 0 else len(people) + 1
    facility = people["facility_id"].map(facs).fillna("")
    facility = facility.where(facility != "", people["detention_facility"]).replace(
        "", "facility unknown"
    )
    people = people.assign(facility_name=facility)
    not_returned = people[people["not_returned"]].sort_values(["facility_name", "death_date"])
    grouped: dict[str, tuple[PersonRow, ...]] = {}
    shown = 0
    for name, rows in not_returned.groupby("facility_name", sort=False):
        take = rows.head(max(0, limit - shown))
        if len(take):
            grouped[str(name)] = tuple(_person_row(i, r, facs, govs) for i, r in take.iterrows())
        shown += len(take)
    missing = people[people["missing"]].sort_values(["arrest_date"])
    dead = people[people["dead"]]
    return CampaignLists(
        remains_not_returned=grouped,
        remains_total=len(not_returned),
        still_missing=tuple(_person_row(i, r, facs, govs) for i, r in missing.head(limit).iterrows()),
        still_missing_total=len(missing),
        facilities=rank(dead, "facility_id", "detention_facility", facs, latest.get((method, ("detention_facility",)))),
        arresting_parties=rank(dead, "arresting_party", "arresting_party", {}, latest.get((method, ("arresting_party",)))),
        row_limit=row_limit,
    )  # fmt: skip


def rank(
    dead: pd.DataFrame, code: str, text: str, labels: dict[str, str], estimate: Estimate | None
) -> tuple[Ranking, ...]:
    """Documented deaths per facility (or party), with the stratum estimate where it stands alone."""
    names = dead[code].map(lambda v: labels.get(v, v))
    names = names.where(names != "", dead[text])
    if code == "arresting_party":
        names = names.map(st.agency)
    counts = names[names != ""].value_counts()
    strata = {}
    if estimate is not None:
        for s in estimate.strata.all():
            for member in s.members:
                strata[member] = s
    out = []
    for name, documented in counts.items():
        s = strata.get(str(name))
        if s is not None and not s.pooled:
            out.append(Ranking(str(name), int(documented), s.estimate_value, s.lower, s.upper))
        else:
            note = f"pooled in '{s.label}': too few to estimate alone" if s else "not estimated"
            out.append(Ranking(str(name), int(documented), note=note))
    return tuple(out)


def reproducibility(latest: dict, truth: dict | None, commands: Sequence[str]) -> Reproducibility:
    from uncounted.store.core.models import ImportBatch
    from uncounted.store.linkage.models import LinkRun

    versions = {"uncounted": __version__, "python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    seeds: dict[str, str] = {}
    hashes: dict[str, str] = {}
    if truth is not None and "seed" in truth:
        seeds["simulated scenario"] = str(truth["seed"])
    for batch in ImportBatch.objects.select_related("source").order_by("id"):
        hashes[f"file {batch.file_name} ({batch.source.name})"] = batch.file_sha256
    run = LinkRun.objects.filter(is_current=True).order_by("-id").first()
    if run is not None:
        hashes[f"link run {run.pk} inputs"] = run.input_hash
        if "seed" in (run.parameters or {}):
            seeds[f"link run {run.pk}"] = str(run.parameters["seed"])
    stored = sorted(latest.values(), key=lambda e: e.pk)
    for e in stored:
        what = f"estimate {e.pk} ({e.method}, {', '.join(e.by) or 'overall'})"
        seeds[what] = str(e.seed)
        hashes[f"{what} inputs"] = e.inputs_hash
    all_commands = [*commands, *(e.command for e in stored if e.command)]
    return Reproducibility(versions, seeds, hashes, tuple(dict.fromkeys(all_commands)))


def write_report(
    workspace: Workspace, out: Path, row_limit: int = 2000, commands: Sequence[str] = ()
) -> Path:
    """Collect, render and write the report; returns where it is."""
    from uncounted.report.render import render

    html = render(collect(workspace, row_limit=row_limit, commands=commands))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
