"""Background estimates: ``uncounted estimate`` in a child process, watched by a thread.

A child process (the very CLI command an analyst would type) keeps the web server
responsive and gives the estimate exactly the same code path, parameters and provenance.
The web server's workspace reaches the child through ``UNCOUNTED_WORKSPACE`` (set by
``uncounted serve``) and, for PostgreSQL, ``UNCOUNTED_DATABASE_URL``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import deque

from django.db import close_old_connections
from django.utils import timezone

from uncounted.app.models import Job

TAIL_LINES = 12


def command_for(method: str, by: str) -> list[str]:
    args = [sys.executable, "-m", "uncounted.cli", "estimate", "--method", method]
    return args + (["--by", by] if by else [])


def start_estimate(method: str, by: str, actor: str) -> Job:
    """Create the job row and start the child process in a watcher thread."""
    job = Job.objects.create(
        kind="estimate", parameters={"method": method, "by": by}, started_by=actor
    )
    env = {**os.environ, "UNCOUNTED_USER": actor, "COLUMNS": "100", "TERM": "dumb"}
    thread = threading.Thread(
        target=_watch, args=(job.pk, command_for(method, by), env), daemon=True
    )
    thread.start()
    return job


def _watch(job_id: int, command: list[str], env: dict[str, str]) -> None:
    """Stream the child's output into the job row; record how it ended."""
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    try:
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip():
                tail.append(line.rstrip())
                Job.objects.filter(pk=job_id).update(output="\n".join(tail))
        code = proc.wait()
    except OSError as exc:
        tail.append(f"could not start: {exc}")
        code = -1
    Job.objects.filter(pk=job_id).update(
        status="done" if code == 0 else "failed",
        returncode=code,
        finished_at=timezone.now(),
        output="\n".join(tail),
    )
    close_old_connections()
