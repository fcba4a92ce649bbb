"""Starting an estimate from the web: the same service as the CLI, in the background."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from uncounted.app.jobs import INTERRUPTED, end_interrupted_jobs, run_estimate_job
from uncounted.app.models import Job
from uncounted.store.core.models import AuditEntry
from uncounted.store.estimates.models import Estimate

from . import world as world_module


@pytest.mark.django_db
def test_estimate_job_runs_the_service_and_reports_progress():
    world_module.build_lists()
    job = Job.objects.create(
        kind="estimate", parameters={"method": "loglinear", "by": "governorate"}, started_by="ana"
    )
    run_estimate_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.output
    assert job.total >= 2 and job.done == job.total
    stored = Estimate.objects.get(pk=job.result_id)
    assert stored.created_by == "ana" and stored.by == ["governorate"]
    assert stored.lower <= stored.estimate <= stored.upper and stored.observed > 0


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.django_db
def test_jobs_of_a_stopped_server_end_as_interrupted():
    orphan = Job.objects.create(
        kind="estimate", parameters={"method": "lcmcr", "server_pid": _dead_pid()}, started_by="a"
    )
    live = Job.objects.create(
        kind="estimate", parameters={"method": "lcmcr", "server_pid": os.getpid()}, started_by="a"
    )
    assert end_interrupted_jobs() == 1
    orphan.refresh_from_db()
    live.refresh_from_db()
    assert orphan.status == "failed" and orphan.output == INTERRUPTED and orphan.finished_at
    assert live.status == "running"


@pytest.mark.django_db
def test_the_poller_sees_an_interrupted_job_end(clients):
    job = Job.objects.create(
        kind="estimate", parameters={"method": "lcmcr", "server_pid": _dead_pid()}, started_by="a"
    )
    status = clients["viewer"].get(f"/estimates/jobs/{job.pk}/").json()
    assert status["status"] == "failed" and status["output"] == INTERRUPTED


@pytest.mark.django_db
def test_estimate_job_failure_is_shown_not_raised():
    job = Job.objects.create(
        kind="estimate", parameters={"method": "lcmcr", "by": ""}, started_by="a"
    )
    run_estimate_job(job.pk)  # an empty workspace
    job.refresh_from_db()
    assert job.status == "failed" and "run 'uncounted link' first" in job.output


@pytest.mark.django_db(transaction=True)
def test_analyst_starts_an_estimate_from_the_page(clients):
    world_module.build_lists()
    client = clients["analyst"]
    response = client.post("/estimates/start/", {"method": "loglinear", "by": ""})
    assert response.status_code == 302
    # wait for the background thread before touching the database (the in-memory SQLite
    # test database's shared cache fails, instead of waiting, when two connections meet)
    for worker in [t for t in threading.enumerate() if t.name.startswith("estimate-job-")]:
        worker.join(timeout=60)
    job = Job.objects.get()
    assert AuditEntry.objects.filter(action="estimate.start", actor="u_analyst").exists()
    status = client.get(f"/estimates/jobs/{job.pk}/").json()
    assert status["status"] == "done", status
    assert status["done"] == status["total"] >= 1
    page = client.get("/estimates/").content.decode()
    assert f"stored as estimate #{status['result_id']}" in page
    assert 'id="strata"' in page
    assert clients["viewer"].post("/estimates/start/", {"method": "loglinear"}).status_code == 403
