"""End to end on the database: link, persons, decisions, stable ids, export, evaluation."""

from __future__ import annotations

import pandas as pd
import pytest

from uncounted.errors import UserError

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _run(**kw):
    from uncounted.link.pipeline import LinkParameters
    from uncounted.link.store import run_and_store

    return run_and_store("tester", LinkParameters(u_pairs=2e5, **kw))


def test_link_finds_persons_close_to_the_truth(imported, tmp_path):
    from uncounted.link.store import capture_histories, evaluate_current, export_links
    from uncounted.store.core.models import Record
    from uncounted.store.linkage.models import Membership, Person

    run = _run(exclusive_sources=("death_notices",))
    assert run.status == "done" and run.is_current
    assert Membership.objects.count() == Record.objects.count()
    assert run.model["comparisons"] and run.blocking[0]["pairs"] > 0
    out = tmp_path / "links.csv"
    assert export_links(out) == Record.objects.count()
    links = pd.read_csv(out, dtype=str)
    assert list(links.columns) == ["source", "record_id", "person_id"]
    result = evaluate_current(imported / "truth.csv")
    assert result["pairwise_after_clustering"]["f1"] > 0.85
    assert abs(result["persons_difference_pct"]) < 15
    # The same figures over the records with enough to be linked, and how many are not.
    sparse = Record.objects.filter(given_name__gt="", father_name="", family_name="")
    sparse = sparse.filter(grandfather_name="", mother_name="", registry_number="")
    assert (
        result["records_unlinkable"]
        == sparse.count()
        + Record.objects.filter(
            given_name="", father_name="", grandfather_name="", family_name="", mother_name=""
        )
        .filter(registry_number="")
        .count()
    )
    linkable = result["linkable"]
    assert (
        linkable["records_evaluated"] == result["records_evaluated"] - result["records_unlinkable"]
    )
    assert (
        linkable["pairwise_after_clustering"]["recall"]
        >= (result["pairwise_after_clustering"]["recall"])
    )
    histories = capture_histories(["governorate_pcode", "sex"])
    assert len(histories) == Person.objects.filter(active=True).count()
    assert {"person_id", "death_notices", "ngo_arabic", "governorate_pcode"} <= set(histories)
    assert set(histories["death_notices"].unique()) <= {0, 1}


def test_decisions_override_the_model_survive_reruns_and_ids_stay(imported):
    from uncounted.link.decisions import record_decision
    from uncounted.store.core.models import AuditEntry
    from uncounted.store.linkage.models import Decision, Membership

    _run()
    before = dict(Membership.objects.values_list("record_id", "person__public_id"))
    # A pair the model put together: people say they are different.
    together = (
        pd.DataFrame(list(Membership.objects.values("record_id", "person_id")))
        .groupby("person_id")["record_id"]
        .apply(list)
    )
    a, b = next(r for r in together if len(r) == 2)
    # Two records apart: people say they are one.
    singles = [m[0] for m in together if len(m) == 1]
    c, d = singles[0], singles[1]
    record_decision("cannot_link", "alice", a, b, note="different mothers")
    record_decision("must_link", "alice", c, d, note="same registry entry")
    assert AuditEntry.objects.filter(action="link.decision").count() == 2
    run = _run()
    assert run.counts["training"]["labelled_pairs"] == 1  # people's decisions train too
    after = dict(Membership.objects.values_list("record_id", "person__public_id"))
    assert after[a] != after[b]
    assert after[c] == after[d]
    unchanged = [r for r in before if r not in (a, b, c, d)]
    same = sum(before[r] == after[r] for r in unchanged)
    assert same >= 0.95 * len(unchanged)
    # A newer decision on a pair supersedes the older one, which is kept.
    record_decision("must_link", "bob", b, a)
    assert Decision.objects.filter(active=False, kind="cannot_link").count() == 1
    _run()
    after = dict(Membership.objects.values_list("record_id", "person__public_id"))
    assert after[a] == after[b]


def test_review_queue_claims_are_exclusive(imported):
    from uncounted.link.decisions import claim_review_item, record_decision
    from uncounted.store.linkage.models import ReviewItem

    _run(review_low=0.01, review_high=0.9999)  # a wide band: the queue is never empty
    assert ReviewItem.objects.filter(status="open").count() >= 2
    first = claim_review_item("alice")
    second = claim_review_item("bob")
    assert first is not None and (second is None or second.pk != first.pk)
    assert first.explanation and {"comparison", "level", "weight"} <= set(first.explanation[0])
    assert any(e["level"] not in ("missing", "different") for e in first.explanation)
    record_decision("unsure", "alice", first.record_a_id, first.record_b_id)
    decision = record_decision("cannot_link", "alice", first.record_a_id, first.record_b_id)
    first.refresh_from_db()
    assert first.status == "decided" and first.decision_id == decision.pk


def test_bad_input_is_a_clear_error(db, scenario):
    from uncounted.link.decisions import record_decision
    from uncounted.link.store import capture_histories

    with pytest.raises(UserError, match="no records"):
        _run()
    with pytest.raises(UserError, match="no link run"):
        capture_histories()
    with pytest.raises(UserError, match="two different records"):
        record_decision("must_link", "alice", 1, 1)
    with pytest.raises(UserError, match="unknown decision"):
        record_decision("merge", "alice", 1, 2)


def test_one_list_only_and_records_without_a_name(scenario, db, tmp_path, import_lists):
    from uncounted.records.importer import import_file
    from uncounted.store.linkage.models import Membership, Person

    import_lists(scenario, only=("death_notices",))
    extra = tmp_path / "extra.csv"
    extra.write_text("record_id,full_name,sex,death_date\nX1,,M,2013-05-02\n", encoding="utf-8")
    import_file(extra, "no_names", actor="tester")
    run = _run()
    assert run.counts["records_without_name"] == 1
    person = Membership.objects.get(record__record_id="X1").person
    assert person.record_count == 1 and "no_name" in person.flags
    assert Person.objects.filter(active=True).count() == run.counts["persons"]


def test_cli_link_persons_export_evaluate(imported, cli, tmp_path):
    code, out, err = cli("link", "--official", "death_notices")
    assert code == 0, err
    assert "persons" in out and "given+father" in out
    code, out, _ = cli("link", "--show")
    assert code == 0 and "match weight per comparison level" in out
    code, out, _ = cli("persons", "--limit", "5", "--multi")
    assert code == 0 and "P0" in out
    target = tmp_path / "links.csv"
    code, _, err = cli("export", "links", "--out", str(target))
    assert code == 0 and target.is_file()
    code, out, _ = cli("evaluate-links", "--truth", str(imported / "truth.csv"), "--json")
    assert code == 0 and '"bcubed"' in out and '"pairwise_before_clustering"' in out
    assert '"records_unlinkable"' in out and '"linkable"' in out
    code, out, _ = cli("evaluate-links", "--truth", str(imported / "truth.csv"))
    assert code == 0 and "too sparse to link" in out and "linkable: pairs after" in out
    code, out, _ = cli("review", "--limit", "1", stdin="s\nlooks the same\n")
    assert code == 0
    code, _, err = cli("link", "--official", "no_such_list")
    assert code == 1 and "no_such_list" in err


def test_estimation_histories_leave_out_records_too_sparse_to_link(imported, tmp_path):
    from uncounted.link.store import NAME_PARTS, capture_histories, persons_too_sparse
    from uncounted.records.importer import import_file
    from uncounted.store.core.models import Record
    from uncounted.store.linkage.models import Membership, Person

    sparse = tmp_path / "sparse.csv"
    sparse.write_text("record_id,given_name,death_date\nx1,محمد,2013\nx2,,2014\n", encoding="utf-8")
    import_file(sparse, "sparse_list", None, actor="tester")
    _run()
    records = pd.DataFrame(
        list(Record.objects.values("id", "registry_number", *NAME_PARTS))
    ).set_index("id")
    parts = (records[list(NAME_PARTS)] != "").sum(axis=1)
    linkable = records.index[(parts >= 2) | (records["registry_number"] != "")]
    members = dict(Membership.objects.values_list("record_id", "person__public_id"))
    expected = {members[r] for r in linkable}
    histories = capture_histories([], linkable_only=True)
    assert set(histories["person_id"]) == expected
    assert "sparse_list" in histories.columns and histories["sparse_list"].sum() == 0
    everyone = Person.objects.filter(active=True).count()
    assert persons_too_sparse() == everyone - len(expected) >= 2
    assert len(capture_histories([])) == everyone


def test_a_rerun_rewrites_the_features_and_persons_that_changed(imported):
    from uncounted.names import normalize_name
    from uncounted.store.core.models import Record
    from uncounted.store.linkage.models import Person, RecordFeatures

    first = _run()
    prints = dict(RecordFeatures.objects.values_list("record_id", "fingerprint"))
    persons = {p.pk: p for p in Person.objects.filter(active=True)}
    record = Record.objects.exclude(given_name="").order_by("pk").first()
    Record.objects.filter(pk=record.pk).update(given_name="Zzyzx")
    second = _run()
    rows = {r.record_id: r for r in RecordFeatures.objects.all()}
    assert set(rows) == set(prints) and len(rows) == Record.objects.count()
    assert rows[record.pk].given_norm == normalize_name("Zzyzx")
    assert [k for k, v in prints.items() if rows[k].fingerprint != v] == [record.pk]
    # every person of the current run points at it, whether its row was rewritten or not
    now = Person.objects.filter(active=True)
    assert now.count() > 100 and not now.exclude(last_run=second).exists()
    kept = [p for p in now if p.pk in persons]
    assert sum(p.records_hash == persons[p.pk].records_hash for p in kept) > 0.9 * len(kept)
    assert all(persons[p.pk].last_run_id == first.pk for p in kept)
