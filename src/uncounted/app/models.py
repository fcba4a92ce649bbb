"""Web-only models: a role per account, and failed-login throttling."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from uncounted.app.permissions import ROLES

FREE_FAILURES = 5
MAX_LOCK = timedelta(hours=1)


class Account(models.Model):
    """The role of a Django user (exactly one role per account)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    role = models.CharField(max_length=20, choices=list(ROLES.items()))
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role})"


class LoginThrottle(models.Model):
    """Failed sign-ins per user name: after a few, each further failure locks it longer.

    Keyed by the name typed (existing or not), so guessing cannot tell accounts apart.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.IntegerField(default=0)
    last_failure = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    def register_failure(self) -> None:
        """Count a failure; from the sixth on, lock for 30 s doubling up to an hour."""
        self.failures += 1
        self.last_failure = timezone.now()
        extra = self.failures - FREE_FAILURES
        if extra > 0:
            self.locked_until = self.last_failure + min(
                timedelta(seconds=30 * 2 ** min(extra - 1, 10)), MAX_LOCK
            )
        self.save()


class Job(models.Model):
    """A background task started from the web (an estimate), with its progress."""

    STATUS = [("running", "running"), ("done", "done"), ("failed", "failed")]

    kind = models.CharField(max_length=30)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=STATUS, default="running")
    started_by = models.CharField(max_length=150)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    output = models.TextField(blank=True, help_text="outcome or error message (no names)")
    done = models.IntegerField(default=0, help_text="fits finished")
    total = models.IntegerField(default=0, help_text="fits to run (0 until known)")
    result_id = models.IntegerField(null=True, blank=True, help_text="the stored estimate")

    class Meta:
        ordering = ["-id"]
