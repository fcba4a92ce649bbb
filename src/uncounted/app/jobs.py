"""Background estimates started from the web: the same service as ``uncounted estimate``,
run in a thread of the server, with its progress (fits done / fits to run) in a Job row.

The estimate service does its own transaction and stores the result with its inputs' hash,
seed and version, exactly as from the command line.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import close_old_connections
from django.utils import timezone

from uncounted.app.models import Job
from uncounted.errors import UserError

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
INTERRUPTED = "interrupted: the server stopped before the estimate finished; start it again"


def start_estimate(method: str, by: str, actor: str) -> Job:
    """Create the job row and start the estimate in a daemon thread."""
    job = Job.objects.create(
        kind="estimate",
        parameters={"method": method, "by": by, "server_pid": os.getpid()},
        started_by=actor,
    )
    threading.Thread(
        target=run_estimate_job, args=(job.pk,), name=f"estimate-job-{job.pk}", daemon=True
    ).start()
    return job


def run_estimate_job(job_id: int) -> None:
    """Run one estimate job to the end, recording progress and how it ended."""
    from uncounted.store.estimates import service

    job = Job.objects.get(pk=job_id)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or done == total:
            last[0] = now
            Job.objects.filter(pk=job_id).update(done=done, total=total)

    fields = [f for f in job.parameters.get("by", "").split(",") if f]
    try:
        stored = service.run(
            by=fields,
            method=job.parameters["method"],
            seed=service.DEFAULT_SEED,
            actor=job.started_by,
            command=f"web: estimate --method {job.parameters['method']}"
            + (f" --by {','.join(fields)}" if fields else ""),
            progress=progress,
        )
    except UserError as exc:
        finish(job_id, "failed", str(exc))
    except Exception as exc:  # a bug must still end the job visibly, without names in logs
        log.exception("estimate job %s failed", job_id)
        finish(job_id, "failed", f"internal error ({type(exc).__name__}); see the server log")
    else:
        finish(job_id, "done", f"stored as estimate #{stored.pk}", result_id=stored.pk)
    finally:
        close_old_connections()


def finish(job_id: int, status: str, message: str, result_id: int | None = None) -> None:
    Job.objects.filter(pk=job_id).update(
        status=status, output=message, finished_at=timezone.now(), result_id=result_id
    )


def end_interrupted_jobs() -> int:
    """Mark as failed the running jobs whose server process is gone; how many.

    A job runs in a thread of the process that took the request, so when that process
    stops (Ctrl+C, a crash, a reboot) the job can never finish: without this sweep its row
    would say "running" for ever. Jobs of a live process (another `uncounted serve` on the
    same workspace, or this one) are left alone.
    """
    stale = [
        job.pk
        for job in Job.objects.filter(status="running")
        if not _process_alive(job.parameters.get("server_pid"))
    ]
    for pk in stale:
        finish(pk, "failed", INTERRUPTED)
    return len(stale)


def _process_alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False  # started before the pid was recorded: no server can still run it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True
