"""A stored estimate: enough to reproduce it exactly and to report it without refitting.

An :class:`Estimate` is one run of ``uncounted estimate`` (or of the demo): the method, its
parameters and seed, the software version, the SHA-256 of its inputs (the capture histories
and the stratum of every observed person), the overall result and, when stratified, one
:class:`StratumEstimate` per stratum after pooling. Posterior draws are kept in a compact
form (an evenly thinned sample, float32, zlib + base64) so that a report can sum strata or
redraw a posterior without rerunning the sampler.
"""

from __future__ import annotations

import base64
import zlib

import numpy as np
from django.db import models
from django.utils import timezone

MAX_STORED_DRAWS = 2000


def pack_draws(draws: np.ndarray | None) -> str:
    """An evenly thinned copy of the draws, small enough to keep in a row."""
    if draws is None or len(draws) == 0:
        return ""
    values = np.asarray(draws, dtype=np.float64).ravel()
    if len(values) > MAX_STORED_DRAWS:
        idx = np.linspace(0, len(values) - 1, MAX_STORED_DRAWS).round().astype(int)
        values = values[idx]
    raw = values.astype("<f4").tobytes()
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def unpack_draws(text: str) -> np.ndarray:
    """The draws stored by :func:`pack_draws` (empty when none were stored)."""
    if not text:
        return np.empty(0)
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<f4").astype(float)


class Estimate(models.Model):
    """One estimation run over the persons of a workspace."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.CharField(max_length=150)
    method = models.CharField(max_length=40)
    by = models.JSONField(default=list, blank=True, help_text="stratifying fields, [] = overall")
    parameters = models.JSONField(default=dict, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    software_version = models.CharField(max_length=40)
    inputs_hash = models.CharField(max_length=64, db_index=True)
    link_run = models.CharField(max_length=100, blank=True, help_text="the link run's id")
    sources = models.JSONField(default=list, help_text="list names, in capture-table order")
    command = models.CharField(max_length=1000, blank=True)

    level = models.FloatField(default=0.95)
    observed = models.IntegerField()
    estimate = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    missing = models.IntegerField(
        default=0, help_text="observed persons with no value for a stratifying field"
    )
    pooling_rule = models.TextField(blank=True)
    capture_table = models.JSONField(default=list, help_text="[[0/1 ..., count], ...]")
    draws = models.TextField(blank=True, help_text="packed draws of N (see pack_draws)")
    details = models.JSONField(default=dict, blank=True, help_text="the estimator's to_dict()")
    elapsed_s = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        by = ",".join(self.by) or "overall"
        return f"estimate {self.pk} ({self.method}, {by})"

    def draw_values(self) -> np.ndarray:
        return unpack_draws(self.draws)


class StratumEstimate(models.Model):
    """The estimate for one stratum (possibly several small strata pooled together)."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="strata")
    position = models.IntegerField()
    label = models.CharField(max_length=500)
    key = models.JSONField(default=dict, help_text="field → value (for a stratum not pooled)")
    members = models.JSONField(default=list, help_text="labels of the strata pooled in it")
    pooled = models.BooleanField(default=False)
    flag = models.CharField(max_length=300, blank=True, help_text="why it was pooled")
    observed = models.IntegerField()
    estimate_value = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    capture_table = models.JSONField(default=list)
    draws = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["estimate", "position"]
        constraints = [
            models.UniqueConstraint(fields=["estimate", "position"], name="stratum_once")
        ]

    def __str__(self) -> str:
        return self.label

    def draw_values(self) -> np.ndarray:
        return unpack_draws(self.draws)
