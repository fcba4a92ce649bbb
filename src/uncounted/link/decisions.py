"""People's decisions about links: recorded in one transaction, audited, never lost.

A decision always overrides the model at the next ``uncounted link`` and survives every
re-run (decisions refer to records, not to a run's persons). A newer decision on the same
pair supersedes the older one, which is kept, inactive, with a pointer to its successor.
The review queue hands each open item to one reviewer at a time (``claim_review_item``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from uncounted.errors import UserError
from uncounted.store.core.models import Record, audit
from uncounted.store.linkage.models import Decision, ReviewItem

PAIR_KINDS = ("must_link", "cannot_link", "unsure")
KINDS = (*PAIR_KINDS, "not_one_person")


def _describe(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "kind": decision.kind,
        "record_a": decision.record_a_id,
        "record_b": decision.record_b_id,
        "records": decision.records,
        "person": decision.person_public_id,
        "note": decision.note,
    }


def _pair_q(a: int, b: int) -> Q:
    return Q(record_a_id=a, record_b_id=b) | Q(record_a_id=b, record_b_id=a)


def record_decision(
    kind: str,
    actor: str,
    record_a: int | Record | None = None,
    record_b: int | Record | None = None,
    records: list[int] | None = None,
    note: str = "",
    person_public_id: str = "",
) -> Decision:
    """Store one decision (transactional, audited) and close the review items it answers.

    ``kind``: ``must_link``, ``cannot_link`` or ``unsure`` on a pair (``record_a``,
    ``record_b``: Record or pk), or ``not_one_person`` on a group (``records``: at least
    two record pks, e.g. a person's records). Raises :class:`UserError` on bad input.
    """
    if kind not in KINDS:
        raise UserError(f"unknown decision {kind!r}: use one of {', '.join(KINDS)}")
    if not actor:
        raise UserError("a decision needs the name of the person who made it")
    try:
        with transaction.atomic():
            if kind == "not_one_person":
                decision = _group_decision(actor, records or [], note, person_public_id)
            else:
                decision = _pair_decision(kind, actor, record_a, record_b, note, person_public_id)
    except OperationalError as exc:  # SQLite busy while a link run writes its persons
        raise UserError(
            "the database is busy (a link run is writing persons): nothing was recorded, "
            "try again in a moment"
        ) from exc
    return decision


def _pk(value: int | Record | None) -> int | None:
    return value.pk if isinstance(value, Record) else value


def _pair_decision(
    kind: str, actor: str, record_a: Any, record_b: Any, note: str, person_public_id: str
) -> Decision:
    a, b = _pk(record_a), _pk(record_b)
    if a is None or b is None or a == b:
        raise UserError("a decision on a pair needs two different records")
    found = set(Record.objects.filter(pk__in=[a, b]).values_list("pk", flat=True))
    if found != {a, b}:
        raise UserError(f"no record with id {sorted({a, b} - found)[0]}")
    a, b = min(a, b), max(a, b)
    previous = list(
        Decision.objects.select_for_update().filter(_pair_q(a, b), active=True).order_by("id")
    )
    decision = Decision.objects.create(
        kind=kind,
        record_a_id=a,
        record_b_id=b,
        actor=actor,
        note=note,
        person_public_id=person_public_id,
    )
    if kind != "unsure":
        for old in previous:
            old.active = False
            old.superseded_by = decision
            old.save(update_fields=["active", "superseded_by"])
    audit(
        actor,
        "link.decision",
        decision,
        before=[_describe(d) for d in previous] or None,
        after=_describe(decision),
        details={"note": note},
    )
    items = ReviewItem.objects.filter(_pair_q(a, b), status="open")
    if kind == "unsure":
        items.update(claimed_by="", claimed_until=None)
    else:
        items.update(status="decided", decision=decision, claimed_by="", claimed_until=None)
    return decision


def _group_decision(actor: str, records: list[int], note: str, person_public_id: str) -> Decision:
    pks = sorted({int(r) for r in records})
    if len(pks) < 2:
        raise UserError("'not one person' needs at least two records")
    found = Record.objects.filter(pk__in=pks).count()
    if found != len(pks):
        raise UserError("'not one person' names records that do not exist")
    decision = Decision.objects.create(
        kind="not_one_person",
        records=pks,
        actor=actor,
        note=note,
        person_public_id=person_public_id,
    )
    audit(actor, "link.decision", decision, after=_describe(decision), details={"note": note})
    return decision


def withdraw_decision(decision_id: int, actor: str, note: str = "") -> Decision:
    """Make a decision inactive (kept, audited); the model decides that pair again."""
    with transaction.atomic():
        try:
            decision = Decision.objects.select_for_update().get(pk=decision_id)
        except Decision.DoesNotExist:
            raise UserError(f"no decision with id {decision_id}") from None
        before = _describe(decision)
        decision.active = False
        decision.save(update_fields=["active"])
        audit(actor, "link.decision.withdraw", decision, before=before, details={"note": note})
    return decision


def claim_review_item(actor: str, minutes: int = 15) -> ReviewItem | None:
    """The highest-priority open item nobody holds, now held by ``actor`` for ``minutes``.

    The claim is a conditional UPDATE, so two reviewers asking at once never get the same
    item (on SQLite and on PostgreSQL alike).
    """
    now = timezone.now()
    free = Q(claimed_by="") | Q(claimed_until__lt=now) | Q(claimed_by=actor)
    for _ in range(20):
        item = ReviewItem.objects.filter(free, status="open").order_by("-priority", "id").first()
        if item is None:
            return None
        taken = ReviewItem.objects.filter(free, pk=item.pk, status="open").update(
            claimed_by=actor, claimed_until=now + timedelta(minutes=minutes)
        )
        if taken:
            item.refresh_from_db()
            return item
    return None


def release_review_item(item_id: int, actor: str) -> None:
    """Give an item back to the queue (only its holder can)."""
    ReviewItem.objects.filter(pk=item_id, claimed_by=actor).update(
        claimed_by="", claimed_until=None
    )
