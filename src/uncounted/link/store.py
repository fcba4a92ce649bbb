"""The storage edge of linkage: read records and decisions, run, write persons in bulk.

Reads and writes go through raw SQL on Django's connection (one query per table, bulk
``executemany``) because a workspace can hold a million records; the models in
:mod:`uncounted.store.linkage.models` describe the tables.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from uncounted import __version__
from uncounted.errors import UserError
from uncounted.link.features import RECORD_COLUMNS
from uncounted.link.pipeline import (
    DecisionTables,
    LinkError,
    LinkParameters,
    LinkResult,
    run_linkage,
)
from uncounted.records.fields import NAME_PARTS as RECORD_NAME_PARTS
from uncounted.store.core.models import audit
from uncounted.store.linkage.models import Decision, LinkRun, Person, ReviewItem

STALE_RUN = timedelta(hours=6)
BATCH = 20_000


def load_records() -> pd.DataFrame:
    """Every current record with its source name (``unique_id`` is ``Record.pk``)."""
    cols = ", ".join(f"r.{c}" for c in RECORD_COLUMNS)
    sql = (
        f"SELECT r.id, s.name, r.record_id, {cols} FROM core_record r "
        "JOIN core_source s ON s.id = r.source_id ORDER BY r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["unique_id", "source", "record_id", *RECORD_COLUMNS])


def load_decisions() -> tuple[DecisionTables, pd.DataFrame, str]:
    """Active decisions as tables, the must-link pairs (for training) and their fingerprint."""
    rows = list(
        Decision.objects.filter(active=True)
        .exclude(kind="unsure")
        .values_list("id", "kind", "record_a_id", "record_b_id", "records")
    )
    pairs = pd.DataFrame(
        [(k, a, b) for _, k, a, b, _ in rows if a is not None and b is not None],
        columns=["kind", "a", "b"],
    )
    tables = DecisionTables(
        must=pairs.loc[pairs["kind"] == "must_link", ["a", "b"]].astype("int64"),
        cannot=pairs.loc[pairs["kind"] == "cannot_link", ["a", "b"]].astype("int64"),
        not_one=[list(r) for _, k, _, _, r in rows if k == "not_one_person"],
    )
    labelled = tables.must.rename(columns={"a": "unique_id_l", "b": "unique_id_r"})
    fingerprint = hashlib.sha256(json.dumps(sorted(r[0] for r in rows)).encode()).hexdigest()
    return tables, labelled, fingerprint


def _start_run(actor: str, params: LinkParameters, force: bool) -> LinkRun:
    """Create the run record; refuse while another run is going (unless it is stale)."""
    with transaction.atomic():
        running = LinkRun.objects.select_for_update().filter(status="running")
        recent = [r for r in running if timezone.now() - r.started_at < STALE_RUN]
        if recent and not force:
            raise UserError(
                f"link run {recent[0].pk} started at {recent[0].started_at:%Y-%m-%d %H:%M} "
                "is still going; wait for it, or pass --force if it was interrupted"
            )
        for stale in running:
            stale.status = "failed"
            stale.error = "interrupted (superseded by a later run)"
            stale.finished_at = timezone.now()
            stale.save(update_fields=["status", "error", "finished_at"])
        import splink

        return LinkRun.objects.create(
            actor=actor,
            version=f"uncounted {__version__}, splink {splink.__version__}",
            parameters=params.to_dict(),
        )


def run_and_store(
    actor: str,
    params: LinkParameters | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    runs_dir: Path | None = None,
) -> LinkRun:
    """Link every record in the workspace and store the persons, run and review queue.

    Decisions recorded while the run computes are not lost: before writing, the decisions
    are read again, and if they changed the clustering is computed again with them.
    """
    params = params or LinkParameters()
    say = progress or (lambda _msg: None)
    run = _start_run(actor, params, force)
    try:
        t0 = time.perf_counter()
        records = load_records()
        if records.empty:
            raise UserError("no records in this workspace: import a list first")
        params = _with_exclusive_sources(params, records)
        load_s = time.perf_counter() - t0
        for attempt in range(3):
            decisions, labelled, fingerprint = load_decisions()
            say(f"linking {len(records):,} records from {records['source'].nunique()} lists")
            try:
                result = run_linkage(records, decisions, params, labelled)
            except LinkError as exc:
                raise UserError(str(exc)) from None
            say("writing persons")
            with transaction.atomic():
                if load_decisions()[2] != fingerprint and attempt < 2:
                    say("decisions were recorded during the run: linking again with them")
                    continue
                t1 = time.perf_counter()
                _write(run, records, result)
                result.timings["load_records"] = round(load_s, 3)
                result.timings["write"] = round(time.perf_counter() - t1, 3)
                result.timings["total"] = round(time.perf_counter() - t0, 3)
                _finish(run, result, records, actor)
            if runs_dir is not None:
                save_artefacts(run, runs_dir, result)
            break
    except BaseException as exc:
        LinkRun.objects.filter(pk=run.pk).update(
            status="failed", finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    return run


def _with_exclusive_sources(params: LinkParameters, records: pd.DataFrame) -> LinkParameters:
    """Keep only named exclusive lists that exist; an unknown name is a user error."""
    known = set(records["source"].unique())
    unknown = [s for s in params.exclusive_sources if s not in known]
    if unknown:
        raise UserError(f"--official names a list that is not in this workspace: {unknown[0]}")
    return params


def _finish(run: LinkRun, result: LinkResult, records: pd.DataFrame, actor: str) -> None:
    LinkRun.objects.filter(is_current=True).update(is_current=False)
    run.status = "done"
    run.finished_at = timezone.now()
    run.model = result.model
    run.counts = {**result.counts, "training": result.training}
    run.blocking = result.blocking
    run.cluster_sizes = result.cluster_sizes
    run.timings = result.timings
    run.input_hash = _input_hash(records)
    run.is_current = True
    run.save()
    audit(actor, "link.run", run, after={"counts": result.counts})


def _input_hash(records: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(records.astype(str), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _executemany(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of ``table``'s indexes that back no constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        else:
            return []
        return list(cursor.fetchall())


@contextmanager
def _indexes_rebuilt(table: str) -> Iterator[None]:
    """Drop ``table``'s secondary indexes for a bulk rewrite, then build them again.

    Inserting a million rows one by one into four text indexes costs a random B-tree
    insert per row and index; building each index once afterwards is a sort. Runs inside
    the caller's transaction (both databases change their schema transactionally), and
    the same statements recreate the same indexes.
    """
    indexes = _secondary_indexes(table)
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if indexes and connection.vendor == "postgresql":
            # foreign keys are checked at commit; an index cannot be built on a table with
            # checks pending: run them now (they would run at commit anyway)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, create in indexes:
            cursor.execute(create)


def _bulk_insert(table: str, columns: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
    """Insert rows given as columns (one list per column): COPY on PostgreSQL, else
    ``executemany`` in large batches."""
    n = len(values[0]) if values else 0
    if n == 0:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
            ) as copy,
        ):
            for row in zip(*values, strict=True):
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    _executemany(
        f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
        list(zip(*values, strict=True)),
    )


def _write(run: LinkRun, records: pd.DataFrame, result: LinkResult) -> None:
    persons = assign_public_ids(run, records, result)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM linkage_membership")
    uid_person = persons["person_pk"].to_numpy()
    with _indexes_rebuilt("linkage_membership"):
        _bulk_insert(
            "linkage_membership",
            ["record_id", "person_id", "run_id"],
            [
                result.persons["unique_id"].astype(int).tolist(),
                uid_person.astype(int).tolist(),
                [run.pk] * len(uid_person),
            ],
        )
    _write_features(records, result)
    _write_review(run, result)


def assign_public_ids(run: LinkRun, records: pd.DataFrame, result: LinkResult) -> pd.DataFrame:
    """Give each new person the public id of the old person it most overlaps, one to one.

    A person whose records did not change keeps their id; when a person splits the larger
    part keeps it; when two merge the merged person keeps the larger one's id and the other
    id is retired (``active`` False, never reused). Returns per record its ``person_pk``.
    """
    frame = result.persons.merge(
        records[["unique_id", "source"]], on="unique_id", how="left", validate="one_to_one"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT record_id, person_id FROM linkage_membership")
        old = pd.DataFrame(cursor.fetchall(), columns=["unique_id", "old"])
    overlap = (
        frame.merge(old, on="unique_id").groupby(["label", "old"]).size().rename("n").reset_index()
    )
    overlap = overlap.sort_values(["n", "label"], ascending=[False, True])
    taken_old: set[int] = set()
    keep: dict[int, int] = {}
    for label, old_pk in zip(overlap["label"].tolist(), overlap["old"].tolist(), strict=True):
        if label not in keep and old_pk not in taken_old:
            keep[label] = old_pk
            taken_old.add(old_pk)
    flags = result.flags.set_index("label")["flag_list"]
    summary, hashes = _person_summary(frame)
    labels = summary.index.to_numpy()
    kept = np.array([keep.get(int(x), -1) for x in labels])
    _update_kept(run, labels[kept >= 0], kept[kept >= 0], summary, flags, hashes)
    new_labels = labels[kept < 0]
    new_pks = _insert_new(run, new_labels, summary, flags, hashes)
    person_pk = pd.Series(
        np.concatenate([kept[kept >= 0], new_pks]),
        index=np.concatenate([labels[kept >= 0], new_labels]),
    )
    retired = sorted(set(old["old"].unique()) - taken_old)
    if retired:
        _executemany(
            "UPDATE linkage_person SET active = %s, last_run_id = %s WHERE id = %s",
            [(False, run.pk, int(pk)) for pk in retired],
        )
    return pd.DataFrame(
        {"unique_id": frame["unique_id"], "person_pk": person_pk.reindex(frame["label"]).to_numpy()}
    )


def _person_summary(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Per person label: record count, sorted source names (as a list) and a records hash.

    Vectorised: sources as a bit mask per person (one bit per source, a handful of distinct
    masks), the hash as the sum of per-record 64-bit hashes (order-free, equal sets equal).
    """
    names = sorted(frame["source"].unique())
    present = (
        pd.DataFrame({k: (frame["source"] == n).to_numpy() for k, n in enumerate(names)})
        .groupby(frame["label"].to_numpy())
        .max()
    )
    masks = sum(present[k].astype("int64") * (1 << k) for k in range(len(names)))
    as_list = {m: [n for k, n in enumerate(names) if m >> k & 1] for m in masks.unique()}
    uid_hash = pd.util.hash_array(frame["unique_id"].to_numpy(dtype=np.int64))
    sums = pd.Series(uid_hash, index=frame.index).groupby(frame["label"]).sum()
    summary = pd.DataFrame(
        {"record_count": frame.groupby("label").size(), "sources": masks.map(as_list)}
    )
    return summary, sums.map(lambda v: f"{int(v) & (2**64 - 1):016x}")


def _person_columns(labels, summary, flags, hashes) -> tuple[list, list, list, list]:
    """Record counts, sources JSON, flags JSON and hashes for ``labels``, as plain lists."""
    sub = summary.reindex(labels)
    json_of = {}
    sources = [
        json_of.setdefault(tuple(v), json.dumps(v, ensure_ascii=False)) for v in sub["sources"]
    ]
    flag_json = [
        json_of.setdefault(("flags", *v), json.dumps(list(v))) for v in flags.reindex(labels)
    ]
    counts = sub["record_count"].astype(int).tolist()
    return counts, sources, flag_json, hashes.reindex(labels).tolist()


def _update_kept(run, labels, pks, summary, flags, hashes) -> None:
    """Persons that keep their id: rewrite only those whose records, lists or flags
    changed; every kept person gets this run as its last run in one statement.

    A re-run over unchanged records keeps all its persons (600,000 at a million records):
    one UPDATE per person rewrote each row and its indexes for nothing.
    """
    counts, sources, flag_json, hash_list = _person_columns(labels, summary, flags, hashes)
    new = pd.DataFrame(
        {
            "id": pks.astype(np.int64),
            "record_count": counts,
            "sources": sources,
            "flags": flag_json,
            "records_hash": hash_list,
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, active, record_count, sources, flags, records_hash FROM linkage_person "
            "WHERE id IN (SELECT DISTINCT person_id FROM linkage_membership)"
        )
        old = pd.DataFrame(
            cursor.fetchall(),
            columns=["id", "active", "record_count", "sources", "flags", "records_hash"],
        )
    for col in ("sources", "flags"):  # PostgreSQL returns JSON decoded
        old[col] = [
            v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in old[col]
        ]
    both = new.merge(old, on="id", how="left", suffixes=("", "_old"))
    same = both["active"].fillna(False).astype(bool)
    for col in ("record_count", "sources", "flags", "records_hash"):
        same &= both[col].eq(both[f"{col}_old"]).fillna(False).astype(bool)
    changed = both[~same.to_numpy()]
    _executemany(
        "UPDATE linkage_person SET active = %s, last_run_id = %s, record_count = %s, "
        "sources = %s, flags = %s, records_hash = %s WHERE id = %s",
        list(
            zip(
                [True] * len(changed),
                [run.pk] * len(changed),
                changed["record_count"].astype(int).tolist(),
                changed["sources"].tolist(),
                changed["flags"].tolist(),
                changed["records_hash"].tolist(),
                changed["id"].astype(int).tolist(),
                strict=True,
            )
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE linkage_person SET last_run_id = %s WHERE active AND last_run_id <> %s "
            "AND id IN (SELECT DISTINCT person_id FROM linkage_membership)",
            [run.pk, run.pk],
        )


def _insert_new(run, labels, summary, flags, hashes) -> np.ndarray:
    """Insert new persons with fresh public ids; returns their primary keys in order."""
    if len(labels) == 0:
        return np.array([], dtype=np.int64)
    start = _next_public_number()
    public = [f"P{start + k:07d}" for k in range(len(labels))]
    counts, sources, flag_json, hash_list = _person_columns(labels, summary, flags, hashes)
    n = len(labels)
    rows = list(
        zip(
            public,
            [run.pk] * n,
            [run.pk] * n,
            [True] * n,
            counts,
            sources,
            flag_json,
            hash_list,
            strict=True,
        )
    )
    _executemany(
        "INSERT INTO linkage_person (public_id, created_run_id, last_run_id, active, "
        "record_count, sources, flags, records_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        rows,
    )
    ids = pd.Series(dict(Person.objects.filter(created_run=run).values_list("public_id", "pk")))
    return ids.reindex(public).to_numpy(dtype=np.int64)


def _next_public_number() -> int:
    last = Person.objects.order_by("-public_id").values_list("public_id", flat=True).first()
    return int(last[1:]) + 1 if last else 1


def _write_features(records: pd.DataFrame, result: LinkResult) -> None:
    """Store each record's features, rewriting only records whose fingerprint changed.

    A re-run over the same records (the usual case: people decided pairs meanwhile) writes
    nothing here; a first run, or one after the features changed, rewrites the table with
    its indexes built once at the end.
    """
    f = result.features.merge(
        records[["unique_id", "source"]].rename(columns={"source": "source_name"}), on="unique_id"
    )
    f["fingerprint"] = _fingerprints(f)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id FROM core_source")
        source_ids = dict(cursor.fetchall())
        cursor.execute("SELECT record_id, fingerprint FROM linkage_recordfeatures")
        old = pd.DataFrame(cursor.fetchall(), columns=["unique_id", "fingerprint"])
    same = f.merge(old, on=["unique_id", "fingerprint"], how="left", indicator=True)
    changed = f[(same["_merge"] == "left_only").to_numpy()]
    gone = np.setdiff1d(old["unique_id"].to_numpy(), f["unique_id"].to_numpy())
    stale = np.union1d(gone, np.intersect1d(changed["unique_id"], old["unique_id"]))
    if len(changed) + len(stale) > len(f) // 4:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM linkage_recordfeatures")
        with _indexes_rebuilt("linkage_recordfeatures"):
            _insert_features(f, source_ids)
        return
    _executemany(
        "DELETE FROM linkage_recordfeatures WHERE record_id = %s",
        [(int(u),) for u in stale.tolist()],
    )
    _insert_features(changed, source_ids)


def _insert_features(f: pd.DataFrame, source_ids: dict[str, int]) -> None:
    cols = [
        f"{p}_{k}"
        for p in ("given", "father", "grandfather", "family", "mother")
        for k in ("norm", "key")
    ]
    by = f[["by_lo", "by_hi"]].astype("Int64")
    lo = by["by_lo"].astype(object).where(by["by_lo"].notna(), None)
    hi = by["by_hi"].astype(object).where(by["by_hi"].notna(), None)
    year = lo.where(by["by_lo"].eq(by["by_hi"]).fillna(False), None)
    values = [
        f["unique_id"].astype(int).tolist(),
        f["source_name"].map(source_ids).astype(int).tolist(),
        *(f[c].fillna("").astype(str).tolist() for c in cols),
        year.tolist(),
        lo.tolist(),
        hi.tolist(),
        f["fingerprint"].tolist(),
    ]
    _bulk_insert(
        "linkage_recordfeatures",
        [
            "record_id",
            "source_id",
            *cols,
            "birth_year",
            "birth_year_min",
            "birth_year_max",
            "fingerprint",
        ],
        values,
    )


def _fingerprints(features: pd.DataFrame) -> list[str]:
    """A short hash of each record's linkage features: equal prints, equal evidence.

    DuckDB hashes the row on the columns' own types (lists included) on every core; going
    through ``astype(str)`` cost a minute at a million records.
    """
    cols = [c for c in features.columns if c not in ("unique_id", "source_name", "source")]
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("features_df", features[cols])
        listed = ", ".join(f'"{c}"' for c in cols)
        hashed = con.execute(f"SELECT hash({listed}) AS h FROM features_df").fetchnumpy()["h"]
    finally:
        con.close()
    return [f"{v:016x}" for v in hashed.tolist()]


def _write_review(run: LinkRun, result: LinkResult) -> None:
    """Replace the open review items by this run's (decided ones stay, for the record)."""
    ReviewItem.objects.filter(status="open").update(status="stale")
    review = result.review
    if review.empty:
        return
    rows = [
        (
            run.pk,
            int(a),
            int(b),
            float(p),
            float(w),
            json.dumps(e, ensure_ascii=False),
            bool(same),
            float(pr),
            "open",
            "",
        )
        for a, b, p, w, e, same, pr in zip(
            review["unique_id_l"],
            review["unique_id_r"],
            review["match_probability"],
            review["match_weight"],
            review["explanation"],
            review["same_person_now"],
            review["priority"],
            strict=True,
        )
    ]
    _executemany(
        "INSERT INTO linkage_reviewitem (run_id, record_a_id, record_b_id, match_probability, "
        "match_weight, explanation, same_person_now, priority, status, claimed_by) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        rows,
    )


def current_run() -> LinkRun | None:
    return LinkRun.objects.filter(is_current=True, status="done").first()


def person_sources() -> pd.DataFrame:
    """One row per (person public id, source name) for the current persons."""
    sql = (
        "SELECT DISTINCT p.public_id, s.name FROM linkage_membership m "
        "JOIN linkage_person p ON p.id = m.person_id JOIN core_record r ON r.id = m.record_id "
        "JOIN core_source s ON s.id = r.source_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=["person_id", "source"])


# A record too sparse to be linked (a given name alone, or no name) cannot be told apart from
# anyone else's record, so it would stand as a person of its own in any list: counted in a
# capture history it inflates the single-list cells and hence the estimate. Multiple systems
# estimation therefore uses only records carrying two name parts or a civil registry number;
# thinning every list this way leaves the estimand (the whole population) unchanged.
NAME_PARTS = (*RECORD_NAME_PARTS, "mother_name")
LINKABLE_SQL = (
    "(("
    + " + ".join(f"(CASE WHEN r.{f} <> '' THEN 1 ELSE 0 END)" for f in NAME_PARTS)
    + ") >= 2 OR r.registry_number <> '')"
)


def capture_histories(fields: Sequence[str] = (), linkable_only: bool = False) -> pd.DataFrame:
    """One row per current person: ``person_id``, a 0/1 column per source, then ``fields``.

    ``linkable_only``: count only records that carry enough to be linked
    (:data:`LINKABLE_SQL`); persons with no such record are left out (estimation uses this).

    Each requested record field (e.g. ``governorate_pcode``, ``sex``, ``death_date``) is
    taken from the person's records by majority: the most frequent non-empty value; a tie
    goes to the value of the earliest imported record (lowest record pk) among the tied.
    ``person_id`` is the stable public id. Raises :class:`UserError` if no run exists.
    """
    from uncounted.store.core.models import CANONICAL_FIELDS

    if current_run() is None:
        raise UserError("no link run yet: run 'uncounted link' first")
    allowed = {*CANONICAL_FIELDS, "governorate_pcode", "district_pcode", "facility_id"}
    bad = [f for f in fields if f not in allowed or f == "record_id"]
    if bad:
        raise UserError(f"unknown record field {bad[0]!r}")
    extra = "".join(f", r.{f}" for f in fields)
    sql = (
        f"SELECT p.public_id, s.name, r.id{extra} FROM linkage_membership m "
        "JOIN linkage_person p ON p.id = m.person_id JOIN core_record r ON r.id = m.record_id "
        "JOIN core_source s ON s.id = r.source_id"
        + (f" WHERE {LINKABLE_SQL}" if linkable_only else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.execute("SELECT name FROM core_source ORDER BY name")
        sources = [r[0] for r in cursor.fetchall()]
    frame = pd.DataFrame(rows, columns=["person_id", "source", "pk", *fields])
    wide = (
        pd.crosstab(frame["person_id"], frame["source"])
        .clip(upper=1)
        .reindex(columns=sources, fill_value=0)
    )
    wide.columns.name = None
    out = wide.reset_index()
    for f in fields:
        out = out.merge(_majority(frame, f), on="person_id", how="left")
        out[f] = out[f].fillna("")
    return out


def persons_too_sparse() -> int:
    """Current persons none of whose records is linkable (left out of estimation)."""
    sql = (
        "SELECT COUNT(*) FROM (SELECT m.person_id FROM linkage_membership m "
        "JOIN core_record r ON r.id = m.record_id GROUP BY m.person_id "
        f"HAVING MAX(CASE WHEN {LINKABLE_SQL} THEN 1 ELSE 0 END) = 0) sparse"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def _majority(frame: pd.DataFrame, field: str) -> pd.DataFrame:
    values = frame[["person_id", "pk", field]].copy()
    values[field] = values[field].map(lambda v: "" if v is None else str(v))
    values = values[values[field] != ""]
    stats = values.groupby(["person_id", field]).agg(n=("pk", "size"), first=("pk", "min"))
    stats = stats.reset_index().sort_values(
        ["person_id", "n", "first"], ascending=[True, False, True]
    )
    return stats.drop_duplicates("person_id")[["person_id", field]]


def links_frame() -> pd.DataFrame:
    """``unique_id, source, record_id, person_id`` for every record (current persons)."""
    sql = (
        "SELECT r.id, s.name, r.record_id, p.public_id FROM core_record r "
        "JOIN core_source s ON s.id = r.source_id "
        "LEFT JOIN linkage_membership m ON m.record_id = r.id "
        "LEFT JOIN linkage_person p ON p.id = m.person_id ORDER BY s.name, r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        frame = pd.DataFrame(
            cursor.fetchall(), columns=["unique_id", "source", "record_id", "person_id"]
        )
    if current_run() is None:
        raise UserError("no link run yet: run 'uncounted link' first")
    unlinked = int(frame["person_id"].isna().sum())
    if unlinked:
        raise UserError(
            f"{unlinked:,} records were imported after the last link run: "
            "run 'uncounted link' first"
        )
    return frame


def export_links(out: Path) -> int:
    """Write the contract CSV ``source,record_id,person_id``; returns the number of rows."""
    frame = links_frame()
    try:
        frame[["source", "record_id", "person_id"]].to_csv(out, index=False, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{out}: cannot write ({exc.strerror})") from None
    return len(frame)


def pairs_path(run: LinkRun, runs_dir: Path) -> Path:
    return runs_dir / f"link-{run.pk}" / "pairs.parquet"


def save_artefacts(run: LinkRun, runs_dir: Path, result: LinkResult) -> None:
    """The trained model (JSON) and the scored pairs (Parquet) next to the workspace."""
    folder = runs_dir / f"link-{run.pk}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(result.model, indent=2), encoding="utf-8")
    cols = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    result.pairs[cols].to_parquet(folder / "pairs.parquet", index=False)


def read_truth(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        truth = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a readable CSV ({exc})") from None
    missing = {"source", "record_id", "person_id"} - set(truth.columns)
    if missing:
        raise UserError(f"{path}: missing column {sorted(missing)[0]!r}")
    return truth[["source", "record_id", "person_id"]]


def evaluate_current(truth_path: Path, runs_dir: Path | None = None) -> dict[str, Any]:
    """Evaluate the current persons (and, if saved, the run's scored pairs) against truth.

    Over all records and again over the records with enough to be linked
    (:data:`LINKABLE_SQL`, the rule estimation counts by), with how many are not.
    """
    from uncounted.link.evaluate import evaluate

    truth = read_truth(truth_path)
    links = links_frame()
    run = current_run()
    edges = None
    if runs_dir is not None and run is not None and pairs_path(run, runs_dir).is_file():
        pairs = pd.read_parquet(pairs_path(run, runs_dir))
        threshold = run.parameters.get("link_threshold", 0.5)
        edges = pairs[pairs["match_probability"] >= threshold]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id FROM core_record r WHERE {LINKABLE_SQL}")
        linkable = [row[0] for row in cursor.fetchall()]
    result = evaluate(links, truth, edges, linkable=linkable)
    if result["records_evaluated"] == 0:
        raise UserError(f"{truth_path}: no (source, record_id) in it matches a record here")
    return result
