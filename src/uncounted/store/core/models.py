"""What was imported, exactly as it came, and the canonical records derived from it.

Source rows are never edited: a new version of a list adds rows and moves the record's
pointer, keeping the earlier version in :class:`RecordVersion`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from uncounted.records.fields import CANONICAL_FIELDS  # noqa: F401  (re-exported)


class Source(models.Model):
    """One documentation group's list (or an official list)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One file imported into one source: who, when, how it was read, what happened."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField()
    file_format = models.CharField(max_length=10)
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    sheet = models.CharField(max_length=200, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    imported_by = models.CharField(max_length=150)
    imported_at = models.DateTimeField(default=timezone.now)
    rows_read = models.IntegerField(default=0)
    rows_rejected = models.IntegerField(default=0)
    records_created = models.IntegerField(default=0)
    records_updated = models.IntegerField(default=0)
    records_unchanged = models.IntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)


class SourceRow(models.Model):
    """A row exactly as it was in the file (header → text), immutable."""

    # db_index=False: the (batch, row_number) constraint's index already serves batch lookups
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="rows", db_index=False
    )
    row_number = models.IntegerField(help_text="Line in the file, the header being row 1.")
    record_id = models.CharField(max_length=200, blank=True)
    raw = models.JSONField()
    accepted = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="row_once_per_batch")
        ]


class Record(models.Model):
    """The current canonical form of one source's record (``source`` + ``record_id``).

    Dates are ISO partial dates (``2013``, ``2013-05``, ``2013-05-12``) so that precision
    is kept; the text as received is in ``raw_values`` and in the verbatim ``row``.
    """

    # db_index=False: the (source, record_id) constraint's index already serves source lookups
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    record_id = models.CharField(max_length=200)
    version = models.IntegerField(default=1)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    row = models.ForeignKey(SourceRow, on_delete=models.PROTECT, related_name="+")

    full_name = models.CharField(max_length=500, blank=True)
    given_name = models.CharField(max_length=200, blank=True)
    father_name = models.CharField(max_length=200, blank=True)
    grandfather_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    mother_name = models.CharField(max_length=200, blank=True)
    name_parse_confidence = models.FloatField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True, help_text="M, F or empty (unknown)")
    birth_date = models.CharField(max_length=10, blank=True)
    age = models.IntegerField(null=True, blank=True)
    governorate = models.CharField(max_length=200, blank=True)
    governorate_pcode = models.CharField(max_length=4, blank=True, db_index=True)
    district = models.CharField(max_length=200, blank=True)
    district_pcode = models.CharField(max_length=6, blank=True)
    place = models.CharField(max_length=300, blank=True)
    registry_number = models.CharField(max_length=100, blank=True)
    arrest_date = models.CharField(max_length=10, blank=True)
    arrest_place = models.CharField(max_length=300, blank=True)
    arresting_party = models.CharField(max_length=300, blank=True)
    detention_facility = models.CharField(max_length=300, blank=True)
    facility_id = models.CharField(max_length=40, blank=True, db_index=True)
    detainee_number = models.CharField(max_length=100, blank=True)
    death_date = models.CharField(max_length=10, blank=True)
    death_place = models.CharField(max_length=300, blank=True)
    cause_of_death = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, blank=True, help_text="dead, detained, disappeared, released or empty"
    )
    remains_returned = models.CharField(max_length=10, blank=True, help_text="yes, no or empty")
    notes = models.TextField(blank=True)
    raw_values = models.JSONField(
        default=dict, blank=True, help_text="canonical field → the text received"
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="values kept raw because they could not be parsed"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="record_id_per_source")
        ]
        indexes = [models.Index(fields=["source", "id"])]


class RecordVersion(models.Model):
    """An earlier version of a record, kept when a newer list replaced it."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions")
    version = models.IntegerField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    row = models.ForeignKey(SourceRow, on_delete=models.PROTECT, related_name="+")
    fields = models.JSONField()
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by_batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="one_row_per_version")
        ]


class AppendOnlyQuerySet(models.QuerySet):
    """Audit entries can be added, never changed or removed (not even in bulk)."""

    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """Who did what, when, with the state before and after. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if self.pk is not None and AuditEntry.objects.filter(pk=self.pk).exists():
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")


def audit(actor: str, action: str, obj: models.Model | None = None, **extra) -> AuditEntry:
    """Record one audit entry; ``extra`` may hold ``before``, ``after`` and ``details``."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else extra.pop("object_type", ""),
        object_id=str(obj.pk) if obj is not None else str(extra.pop("object_id", "")),
        before=extra.pop("before", None),
        after=extra.pop("after", None),
        details=extra.pop("details", {}),
    )
