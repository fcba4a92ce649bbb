"""Link runs, persons (clusters of records), human decisions and the review queue.

The linkage itself is computed by :mod:`uncounted.link` over tables; these models only hold
its results and the people's decisions. ``Membership`` is the current record → person map
(one row per record, replaced by each run); ``Person.public_id`` stays the same across runs
as long as the person's records did not change (and follows the larger part when they did).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from uncounted.store.core.models import Record, Source


class LinkRun(models.Model):
    """One execution of ``uncounted link``: parameters, trained model, counts, timings."""

    STATUS_CHOICES = [("running", "running"), ("done", "done"), ("failed", "failed")]

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="running")
    version = models.CharField(max_length=40, help_text="uncounted and Splink versions")
    parameters = models.JSONField(default=dict, blank=True)
    model = models.JSONField(
        default=dict, blank=True, help_text="the trained Splink model (settings JSON)"
    )
    counts = models.JSONField(default=dict, blank=True)
    blocking = models.JSONField(
        default=list, blank=True, help_text="per blocking rule: pairs generated, matches found"
    )
    cluster_sizes = models.JSONField(default=dict, blank=True, help_text="size → persons")
    timings = models.JSONField(default=dict, blank=True, help_text="stage → seconds")
    input_hash = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    is_current = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-id"]


class Person(models.Model):
    """One person as linkage sees them: a cluster of records with a stable public id."""

    public_id = models.CharField(max_length=20, unique=True)
    created_run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True, db_index=True)
    record_count = models.IntegerField(default=0)
    sources = models.JSONField(default=list, blank=True, help_text="source names, sorted")
    flags = models.JSONField(default=list, blank=True, help_text="why this cluster is suspect")
    records_hash = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.public_id


class Membership(models.Model):
    """The current run's answer: which person a record belongs to (one row per record)."""

    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, primary_key=True, related_name="membership"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, related_name="+")


class Decision(models.Model):
    """A person's decision, which always overrides the model and survives every re-run.

    Pair decisions use ``record_a``/``record_b``; a "not one person" decision on a cluster
    lists its records in ``records`` (record primary keys). A newer decision on the same pair
    supersedes the older one (``active`` False), which stays for the record.
    """

    KINDS = [
        ("must_link", "same person"),
        ("cannot_link", "different persons"),
        ("not_one_person", "these records are not one person"),
        ("unsure", "unsure"),
    ]

    kind = models.CharField(max_length=20, choices=KINDS)
    record_a = models.ForeignKey(
        Record, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    record_b = models.ForeignKey(
        Record, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    records = models.JSONField(default=list, blank=True, help_text="record pks (cluster)")
    person_public_id = models.CharField(max_length=20, blank=True)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)
    active = models.BooleanField(default=True, db_index=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record_a", "record_b"])]


class ReviewItem(models.Model):
    """A candidate pair in the uncertain band, waiting for a person's decision."""

    STATUS = [("open", "open"), ("decided", "decided"), ("stale", "stale")]

    run = models.ForeignKey(LinkRun, on_delete=models.CASCADE, related_name="review_items")
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.JSONField(
        default=list, blank=True, help_text="per comparison: label, level, weight"
    )
    same_person_now = models.BooleanField(default=False)
    priority = models.FloatField(db_index=True)
    status = models.CharField(max_length=10, choices=STATUS, default="open", db_index=True)
    claimed_by = models.CharField(max_length=150, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["status", "-priority"])]


class RecordFeatures(models.Model):
    """Per record: normalised name parts and their cross-script keys, and birth year.

    Indexed by key so that a family search can find candidate records in SQL.
    """

    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, primary_key=True, related_name="features"
    )
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    given_norm = models.CharField(max_length=200, blank=True)
    given_key = models.CharField(max_length=200, blank=True, db_index=True)
    father_norm = models.CharField(max_length=200, blank=True)
    father_key = models.CharField(max_length=200, blank=True, db_index=True)
    grandfather_norm = models.CharField(max_length=200, blank=True)
    grandfather_key = models.CharField(max_length=200, blank=True)
    family_norm = models.CharField(max_length=200, blank=True)
    family_key = models.CharField(max_length=200, blank=True, db_index=True)
    mother_norm = models.CharField(max_length=200, blank=True)
    mother_key = models.CharField(max_length=200, blank=True, db_index=True)
    birth_year = models.IntegerField(null=True, blank=True)
    birth_year_min = models.IntegerField(null=True, blank=True)
    birth_year_max = models.IntegerField(null=True, blank=True)
    fingerprint = models.CharField(max_length=32, blank=True)
