"""Jobs left RUNNING by a worker that died (killed, machine lost) are run again.

django-tasks-db marks a job RUNNING when a worker claims it and never looks at it again: a worker killed in
the middle leaves it RUNNING for ever. Every worker (our `manage.py db_worker`) therefore looks, before it
takes a job, for jobs RUNNING for more than NHCS_JOB_REAP_SECONDS and

- on PostgreSQL, leaves alone those whose worker still runs: each worker holds a session advisory lock named
  after its worker id for as long as it lives (PostgreSQL drops it when the process dies and its connection
  with it), so a long job of a live worker is never started a second time;
- puts the others back in the queue (READY), up to NHCS_JOB_MAX_STARTS starts in all (the worker ids the
  job has had), then marks them FAILED with an error that says so.

A job that is run again must be safe to run again: ours are (a transition or an edit is one transaction,
rolled back by the database when its worker dies; an export writes beside its final name and renames).
One case stays at-least-once: a mail whose worker dies after the mail server took it but before the
"sent" mark is committed is sent again.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nhcs.jobs import TaskResultStatus

logger = logging.getLogger("nhcs.ops.reaper")

LOST_ERROR = "nhcs.ops.reaper.WorkerLost"


def reap_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "NHCS_JOB_REAP_SECONDS", 900)))


def max_starts() -> int:
    return max(1, int(getattr(settings, "NHCS_JOB_MAX_STARTS", 3)))


def lock_key(worker_id: str) -> int:
    """The advisory lock (a signed 64-bit number) that says the worker `worker_id` is alive."""
    return int.from_bytes(hashlib.sha256(f"nhcs-worker:{worker_id}".encode()).digest()[:8], "big", signed=True)


class Liveness:
    """The worker's own connection holding its advisory lock while it lives (PostgreSQL only)."""

    CHECK_EVERY = 5.0  # seconds between checks that the lock's connection still stands

    def __init__(self, worker_id: str, using: str = "default"):
        self.worker_id = worker_id
        self.using = using
        self.connection = None
        self.checked_at = float("-inf")

    def hold(self) -> None:
        """Take the lock, or take it again if its connection was lost (a database restart). While the
        connection is down the worker's job could be taken as lost: keep NHCS_JOB_REAP_SECONDS well above
        the time the database may be away."""
        if connections[self.using].vendor != "postgresql":
            return
        if self.connection is not None and time.monotonic() - self.checked_at < self.CHECK_EVERY:
            return
        self.checked_at = time.monotonic()
        if self.connection is not None and self.connection.is_usable():
            return
        if self.connection is not None:
            self.connection.close()
        # A connection of its own, outside Django's request cycle: close_old_connections() never drops it.
        self.connection = connections.create_connection(self.using)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key(self.worker_id)])

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _alive(worker_id: str, using: str) -> bool:
    """Whether the worker `worker_id` still holds its lock (always False on other databases than PostgreSQL,
    where the age of the job is the only sign)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_key(worker_id)])
        (free,) = cursor.fetchone()
    return not free


def reap(*, backend_name: str = "default", using: str = "default") -> tuple[int, int]:
    """Put jobs lost by dead workers back in the queue, or fail those started too often.
    Returns (requeued, failed)."""
    cutoff = timezone.now() - reap_after()
    requeued = failed = 0
    with transaction.atomic(using=using):
        lost = (
            DBTaskResult.objects.using(using)
            .select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, backend_name=backend_name, started_at__lt=cutoff)
            .order_by("started_at")[:100]
        )
        for job in lost:
            last = job.worker_ids[-1] if job.worker_ids else ""
            if last and _alive(last, using):
                continue
            starts = len(job.worker_ids)
            if starts >= max_starts():
                job.status = TaskResultStatus.FAILED
                job.finished_at = timezone.now()
                job.return_value = None
                job.exception_class_path = LOST_ERROR
                job.traceback = (
                    f"The worker running this job stopped before it finished ({starts} starts, the most allowed by "
                    f"NHCS_JOB_MAX_STARTS): the job is not run again. Last worker: {last or 'unknown'}."
                )
                job.save(update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"])
                failed += 1
                logger.error("Job %s (%s) lost by its worker %s times: failed", job.pk, job.task_path, starts)
            else:
                job.status = TaskResultStatus.READY
                job.run_after = timezone.now()
                job.save(update_fields=["status", "run_after"])
                requeued += 1
                logger.warning("Job %s (%s) lost by worker %s: queued again", job.pk, job.task_path, last)
    return requeued, failed
