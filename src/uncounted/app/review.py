"""The review queue for several reviewers at once.

An item is *claimed* by one reviewer for :data:`CLAIM` with a compare-and-set UPDATE (works
the same on SQLite and PostgreSQL, no row locks held across requests): two reviewers asking
at the same moment can never both win the same item. A decision is always recorded (through
the linkage's audited ``record_decision``), even if the claim ran out meanwhile: nothing a
reviewer decided is lost; a later decision on the same pair supersedes the earlier one.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from uncounted.app.queries import COMPARE_FIELDS, NAME_FIELDS, comparable, disagree
from uncounted.store.core.models import Record
from uncounted.store.linkage.models import ReviewItem

CLAIM = timedelta(minutes=10)
RELATED = ("record_a__source", "record_b__source")
SPREAD = 8
VERDICT_KIND = {"same": "must_link", "different": "cannot_link", "unsure": "unsure"}


def claim_next(
    user: str, skip: list[int] | tuple[int, ...] = (), current: int | None = None
) -> ReviewItem | None:
    """The reviewer's current claim if still valid, else the best free item, claimed now.

    ``current``: the item this reviewer was last given (kept in their session, so finding
    it is one primary-key lookup). ``skip``: items this reviewer answered "unsure" in this
    session (the linkage puts them back in the queue for others, so they must not come
    straight back).
    """
    now = timezone.now()
    if current is not None and current not in skip:
        mine = (
            ReviewItem.objects.select_related(*RELATED)
            .filter(pk=current, status="open", claimed_by=user, claimed_until__gt=now)
            .first()
        )
        if mine is not None:
            return mine
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    for _attempt in range(10):
        candidates = list(
            ReviewItem.objects.filter(free, status="open")
            .exclude(pk__in=skip)
            .order_by("-priority", "id")
            .values_list("pk", "claimed_until")[:SPREAD]
        )
        if not candidates:
            return None
        # reviewers start at different places among the top few, so that several asking at
        # once rarely race for the very same row (priority order is kept within a few places)
        start = zlib.crc32(user.encode()) % len(candidates)
        for pk, until in candidates[start:] + candidates[:start]:
            won = (
                ReviewItem.objects.filter(pk=pk, status="open")
                .filter(Q(claimed_until__isnull=True) if until is None else Q(claimed_until=until))
                .update(claimed_by=user, claimed_until=now + CLAIM)
            )
            if won:
                return ReviewItem.objects.select_related(*RELATED).get(pk=pk)
    return None


@dataclass
class AlignedRow:
    field: str
    a: str
    b: str
    differs: bool
    is_name: bool


def aligned(a: Record, b: Record) -> list[AlignedRow]:
    """Both records' fields in one table; a row differs when the two contradict each other
    (see :func:`queries.disagree`: names by cross-script key, places by code)."""
    rows = []
    for name in COMPARE_FIELDS:
        va, vb = getattr(a, name), getattr(b, name)
        va = "" if va is None else str(va)
        vb = "" if vb is None else str(vb)
        if va or vb:
            differs = disagree(name, [comparable(a, name), comparable(b, name)])
            rows.append(AlignedRow(name, va, vb, differs, name in NAME_FIELDS))
    return rows


def decide(item_id: int, verdict: str, note: str, user: str) -> tuple[ReviewItem, bool]:
    """Record the reviewer's verdict on an item; returns (item, someone_else_decided_first)."""
    from uncounted.link import record_decision

    item = ReviewItem.objects.get(pk=item_id)
    already = item.status == "decided"
    record_decision(
        VERDICT_KIND[verdict], user, record_a=item.record_a_id, record_b=item.record_b_id, note=note
    )
    return item, already
