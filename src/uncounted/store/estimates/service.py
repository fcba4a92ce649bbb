"""Estimation on a workspace: persons → capture histories per stratum → estimators → stored.

This is the storage-facing glue; :mod:`uncounted.estimate` stays pure (tables in, results
out). A person is on a list when any of their records came from it. The overall estimate is
fitted on all persons; a stratified run fits every stratum after the pooling rule of
:mod:`uncounted.store.estimates.strata`, and stores each with its capture table and draws.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import connection, transaction

from uncounted import __version__
from uncounted.errors import UserError
from uncounted.estimate import (
    DGA,
    LCMCR,
    CaptureTable,
    EstimateResult,
    LogLinear,
    StratifiedResult,
    fit_strata,
)
from uncounted.store.core.models import CANONICAL_FIELDS
from uncounted.store.estimates import strata as st
from uncounted.store.estimates.models import Estimate, StratumEstimate, pack_draws

METHODS = ("lcmcr", "loglinear", "dga")
DEFAULT_SEED = 20111
BLIND_SHARE = 0.05
MAX_REUSED_FITS = 32
EXTRA_FIELDS = ("governorate_pcode", "facility_id")
DERIVED_FIELDS = ("death_year", "arrest_year", "birth_year", "age_group")


def make_estimator(method: str, seed: int, **params: Any):
    """The configured estimator for ``method`` (the names of ``uncounted mse``)."""
    method = method.lower().replace("-", "")
    if method == "lcmcr":
        return LCMCR(seed=seed, **params)
    if method == "loglinear":
        return LogLinear(seed=seed, **params)
    if method == "dga":
        return DGA(seed=seed, **params)
    raise UserError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")


def check_fields(fields: Sequence[str]) -> list[str]:
    """The canonical stratifying fields the user meant, or a clear error."""
    allowed = {*CANONICAL_FIELDS, *DERIVED_FIELDS} - {"record_id", "notes"}
    out = []
    for name in fields:
        field = st.canonical_field(name)
        if field not in allowed:
            choices = ", ".join(sorted(allowed))
            raise UserError(f"--by {name!r}: not a field to stratify by (choose from {choices})")
        out.append(field)
    return out


def load_records(columns: Sequence[str], linked_only: bool = True) -> pd.DataFrame:
    """Records with their person's public id, source name and the given columns.

    ``linked_only``: only records of active persons; otherwise every record, with person
    None where linkage has not placed it yet. One SQL query (the ORM would build a Python
    object per record); names never leave this process except into the report asked for.
    """
    from uncounted.store.core.models import Record, Source
    from uncounted.store.linkage.models import Membership, Person

    cols = [c for c in dict.fromkeys(columns) if c]
    r, s, m, p = (model._meta.db_table for model in (Record, Source, Membership, Person))
    select = ", ".join(f"r.{c}" for c in cols)
    sql = (
        f"SELECT r.id, p.public_id, s.name{', ' + select if select else ''} FROM {r} r "
        f"JOIN {s} s ON s.id = r.source_id LEFT JOIN {m} m ON m.record_id = r.id "
        f"LEFT JOIN {p} p ON p.id = m.person_id AND p.active"
    )
    if linked_only:
        sql += " WHERE p.id IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["record", "person", "source", *cols])


def load_persons(fields: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Linkage's capture histories (0/1 per source, majority value per field) + derived fields.

    Only records with enough to be linked count (``uncounted.link.store.LINKABLE_SQL``): a
    record with a given name alone would stand as a person of its own and inflate the
    estimate. How many persons that leaves out is stored with every estimate.

    A derived field (death year, age group) is computed from the person's majority values,
    so each person has exactly one value whichever field is asked for.
    """
    from uncounted.link.store import capture_histories

    raw = [c for c in _columns_for(fields) if c]
    frame = capture_histories(raw, linkable_only=True).set_index("person_id")
    sources = [c for c in frame.columns if c not in raw]
    for name in fields:
        frame[name] = st.derive(frame, _value_field(name))
    return frame, sources


def _value_field(name: str) -> str:
    """Stratify governorates by p-code and facilities by id: spellings differ, codes not."""
    return {"governorate": "governorate_pcode", "detention_facility": "facility_id"}.get(name, name)


def labels_for(fields: Sequence[str]) -> dict[str, dict[str, str]]:
    """Display names for coded values (p-code → governorate, facility id → name)."""
    from uncounted.names.places import facilities, governorates

    out: dict[str, dict[str, str]] = {}
    if "governorate" in fields:
        out["governorate"] = {g.pcode: g.name_en for g in governorates()}
    if "detention_facility" in fields:
        out["detention_facility"] = {f.facility_id: f.name_en for f in facilities()}
    return out


def table_of(persons: pd.DataFrame, sources: Sequence[str]) -> CaptureTable:
    """The capture-history table of a set of persons."""
    counts = st.capture_counts(persons[list(sources)])
    return CaptureTable(
        tuple(sources), counts[list(sources)].to_numpy(), counts["count"].to_numpy()
    )


def table_from_rows(sources: Sequence[str], rows: Sequence[Sequence[int]]) -> CaptureTable:
    """A capture table from the stored ``[[0/1 ..., count], ...]`` form."""
    patterns = [r[:-1] for r in rows]
    return CaptureTable(tuple(sources), patterns, [r[-1] for r in rows])


@dataclass
class Fitted:
    """A stratum and its result (``result`` None when the estimator refused it)."""

    stratum: st.Stratum | None
    table: CaptureTable
    result: EstimateResult | None
    error: str = ""


_FITS: dict[tuple[str, str, int, str], EstimateResult] = {}


def fit(table: CaptureTable, method: str, seed: int, params: dict[str, Any]) -> Fitted:
    """Fit one table; an estimator's refusal (too few lists, ...) is kept as a message.

    The same table, method, seed and parameters always give the same result, so a result is
    reused within a process (the demo's stratified runs share one overall fit).
    """
    key = (table.sha256, method, seed, json.dumps(params, sort_keys=True))
    try:
        if key not in _FITS:
            if len(_FITS) >= MAX_REUSED_FITS:  # a long-running server must not grow
                _FITS.pop(next(iter(_FITS)))
            _FITS[key] = make_estimator(method, seed, **params).fit(table)
        return Fitted(None, table, _FITS[key])
    except UserError as exc:
        return Fitted(None, table, None, error=str(exc))


def run(
    by: Sequence[str] = (),
    method: str = "lcmcr",
    seed: int = DEFAULT_SEED,
    params: dict[str, Any] | None = None,
    actor: str = "",
    command: str = "",
    persons: pd.DataFrame | None = None,
    sources: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    stratum_params: dict[str, Any] | None = None,
) -> Estimate:
    """Estimate overall (and per stratum when ``by`` is given) and store the result.

    ``progress(done, total)`` is called after the overall fit and after the strata.
    ``persons``/``sources`` (tests, the demo) stand in for the workspace's capture histories.
    ``stratum_params`` (default: ``params``) configure the per-stratum fits.
    """
    tick = progress or (lambda done, total: None)
    params = params or {}
    fields = check_fields(by)
    started = time.perf_counter()
    if persons is None:
        persons, sources = load_persons(fields)
    sources = [c for c in sources if persons[c].any()]
    if persons.empty:
        raise UserError("no linked persons in this workspace: run 'uncounted link' first")
    if len(sources) < 2:
        raise UserError(f"only {len(sources)} list(s) with persons: MSE needs at least 2")
    overall = fit(table_of(persons, sources), method, seed, params)
    if overall.result is None:
        raise UserError(f"cannot estimate: {overall.error}")
    groups, missing = (
        st.stratify(persons, sources, fields, labels_for(fields)) if fields else ([], 0)
    )
    tick(1, 2 if groups else 1)
    fitted, total = fit_groups(groups, sources, method, seed, stratum_params or params)
    if groups:
        tick(2, 2)
    return _store(
        overall, fitted, total, fields, method, seed, params, sources, missing,
        blind_lists(persons, sources, fields),
        actor, command, time.perf_counter() - started,
    )  # fmt: skip


def fit_groups(
    groups: Sequence[st.Stratum],
    sources: Sequence[str],
    method: str,
    seed: int,
    params: dict[str, Any],
) -> tuple[list[Fitted], StratifiedResult | None]:
    """Every stratum through the estimator's stratified helper (total = sum of draws)."""
    if not groups:
        return [], None
    tables = {g.label: table_of(g.persons, sources) for g in groups}
    result = fit_strata(make_estimator(method, seed, **params), tables, seed=seed)
    fitted = [
        Fitted(g, tables[g.label], result.strata.get(g.label), result.flagged.get(g.label, ""))
        for g in groups
    ]
    return fitted, result


def blind_lists(persons: pd.DataFrame, sources: Sequence[str], fields: Sequence[str]) -> list[str]:
    """Warnings for lists that (almost) never record a stratifying field.

    A person seen only on such a list has no value and falls out of every stratum, so each
    stratum loses exactly the persons that list alone found: stratum estimates come out
    low. The overall estimate is not affected. Measured on the persons only that list found
    (fewer than 5% of them with a value).
    """
    out = []
    alone = persons[list(sources)].sum(axis=1) == 1
    for field in fields:
        known = persons[field] != st.MISSING
        blind = [
            s
            for s in sources
            if (alone & (persons[s] == 1)).any()
            and known[alone & (persons[s] == 1)].mean() < BLIND_SHARE
        ]
        if blind:
            out.append(
                f"{', '.join(blind)} record(s) almost no {field}: persons seen only there are "
                f"in no {field} stratum, so the {field} estimates are too low"
            )
    return out


def _columns_for(fields: Sequence[str]) -> list[str]:
    return st.record_columns([_value_field(f) for f in fields])


def inputs_hash(overall: CaptureTable, fitted: Sequence[Fitted], fields: Sequence[str]) -> str:
    """SHA-256 of exactly what the estimators saw: every table, with its stratum."""
    digest = hashlib.sha256(json.dumps(list(fields)).encode())
    digest.update(overall.sha256.encode())
    for one in fitted:
        assert one.stratum is not None
        digest.update(json.dumps(one.stratum.members, ensure_ascii=False).encode())
        digest.update(one.table.sha256.encode())
    return digest.hexdigest()


def _link_run_id() -> str:
    from uncounted.store.linkage.models import LinkRun

    run = LinkRun.objects.filter(is_current=True).order_by("-id").first()
    return str(run.pk) if run else ""


def _rows(table: CaptureTable) -> list[list[int]]:
    return [[*map(int, p), int(c)] for p, c in zip(table.patterns, table.counts, strict=True)]


@transaction.atomic
def _store(
    overall: Fitted,
    fitted: list[Fitted],
    total: StratifiedResult | None,
    fields: list[str],
    method: str,
    seed: int,
    params: dict[str, Any],
    sources: list[str],
    missing: int,
    warnings: list[str],
    actor: str,
    command: str,
    elapsed: float,
) -> Estimate:
    from uncounted.link.store import persons_too_sparse

    result = overall.result
    assert result is not None
    estimate = Estimate.objects.create(
        created_by=actor,
        method=result.method,
        by=fields,
        parameters=result.to_dict()["parameters"],
        seed=seed,
        software_version=__version__,
        inputs_hash=inputs_hash(overall.table, fitted, fields),
        link_run=_link_run_id(),
        sources=sources,
        command=command,
        observed=result.observed,
        estimate=result.estimate,
        lower=result.lower,
        upper=result.upper,
        missing=missing,
        pooling_rule=st.POOLING_RULE if fields else "",
        capture_table=_rows(overall.table),
        draws=pack_draws(result.draws),
        details={
            **result.to_dict(),
            "strata_warnings": warnings,
            "too_sparse_to_link": persons_too_sparse(),
            "stratified_total": _total(total),
            "stratum_parameters": total.total.parameters["estimator"] if total else {},
        },
        elapsed_s=elapsed,
    )
    StratumEstimate.objects.bulk_create(
        [_stratum_row(estimate, i, one) for i, one in enumerate(fitted)]
    )
    return estimate


def _total(total: StratifiedResult | None) -> dict[str, Any] | None:
    """The sum of the strata's posterior draws, a check on the overall estimate."""
    if total is None:
        return None
    t = total.total
    return {"estimate": t.estimate, "lower": t.lower, "upper": t.upper, "method": t.method}


def _stratum_row(estimate: Estimate, position: int, one: Fitted) -> StratumEstimate:
    group, result = one.stratum, one.result
    assert group is not None
    flag = "; ".join(x for x in (group.flag, one.error) if x)
    return StratumEstimate(
        estimate=estimate,
        position=position,
        label=group.label,
        key=group.key,
        members=group.members,
        pooled=group.pooled,
        flag=flag[:300],
        observed=one.table.observed,
        estimate_value=result.estimate if result else None,
        lower=result.lower if result else None,
        upper=result.upper if result else None,
        capture_table=_rows(one.table),
        draws=pack_draws(result.draws) if result else "",
        details=result.to_dict() if result else {"error": one.error},
    )


def as_json(estimate: Estimate) -> dict[str, Any]:
    """The ``--json`` object: the keys of ``uncounted mse --json``, plus strata when stratified."""
    out: dict[str, Any] = {
        "method": estimate.method,
        "observed": estimate.observed,
        "estimate": estimate.estimate,
        "lower": estimate.lower,
        "upper": estimate.upper,
        "seed": estimate.seed,
        "level": estimate.level,
        "estimate_id": estimate.pk,
        "inputs_sha256": estimate.inputs_hash,
        "version": estimate.software_version,
        "sources": estimate.sources,
        "parameters": estimate.parameters,
        "too_sparse_to_link": estimate.details.get("too_sparse_to_link", 0),
    }
    if estimate.by:
        out["by"] = estimate.by
        out["missing"] = estimate.missing
        out["pooling_rule"] = estimate.pooling_rule
        out["stratified_total"] = estimate.details.get("stratified_total")
        out["strata_warnings"] = estimate.details.get("strata_warnings", [])
        out["strata"] = [
            {
                "label": s.label,
                "key": s.key,
                "members": s.members,
                "pooled": s.pooled,
                "flag": s.flag,
                "observed": s.observed,
                "estimate": s.estimate_value,
                "lower": s.lower,
                "upper": s.upper,
            }
            for s in estimate.strata.all()
        ]
    return out
