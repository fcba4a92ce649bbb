"""Stored estimates (strata, intervals, plots) and starting a new one in the background."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from uncounted.app import forms, jobs
from uncounted.app.models import Job
from uncounted.app.permissions import requires
from uncounted.store.core.models import audit
from uncounted.store.estimates.models import Estimate


def interval_rows(items) -> tuple[list[dict], float]:
    """Rows for the interval chart: label, observed, estimate, lower, upper (and the axis max)."""
    rows = [
        {
            "label": label,
            "observed": observed,
            "estimate": est,
            "lower": lo,
            "upper": hi,
            "flag": flag,
        }
        for label, observed, est, lo, hi, flag in items
    ]
    top = max([r["upper"] or r["estimate"] or r["observed"] or 0 for r in rows] or [0])
    return rows, float(top)


@requires("view_estimates")
def estimates(request: HttpRequest) -> HttpResponse:
    stored = list(Estimate.objects.all()[:20])
    selected = stored[0] if stored else None
    if request.GET.get("id"):
        selected = get_object_or_404(Estimate, pk=request.GET["id"])
    strata, top = [], 0.0
    if selected is not None:
        items = [
            ("overall", selected.observed, selected.estimate, selected.lower, selected.upper, "")
        ]
        items += [
            (s.label, s.observed, s.estimate_value, s.lower, s.upper, s.flag)
            for s in selected.strata.all()
        ]
        strata, top = interval_rows(items)
    return render(
        request,
        "webapp/estimates.html",
        {
            "section": "estimates",
            "stored": stored,
            "selected": selected,
            "strata": strata,
            "top": top,
            "form": forms.EstimateForm(),
            "jobs": Job.objects.filter(kind="estimate")[:5],
        },
    )


@requires("view_estimates", "run_estimate")
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    form = forms.EstimateForm(request.POST)
    if not form.is_valid():
        return redirect("estimates")
    job = jobs.start_estimate(
        form.cleaned_data["method"], form.cleaned_data["by"], request.user.username
    )
    audit(request.user.username, "estimate.start", job, details=job.parameters)
    return redirect("estimates")


@requires("view_estimates")
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON progress for the page's poller."""
    if Job.objects.filter(pk=pk, status="running").exists():
        jobs.end_interrupted_jobs()
    job = get_object_or_404(Job, pk=pk)
    end = job.finished_at or timezone.now()
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "elapsed_s": round((end - job.started_at).total_seconds(), 1),
            "done": job.done,
            "total": job.total,
            "output": job.output,
            "result_id": job.result_id,
        }
    )
