"""`manage.py db_worker`: django-tasks-db's worker (same options), which also runs again the jobs that dead
workers left RUNNING (nhcs.ops.reaper): it looks when it starts and then every NHCS_JOB_REAP_SECONDS / 4
(at most every minute), and on PostgreSQL holds the lock that tells the other workers it is alive."""

from __future__ import annotations

import random
import time

from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from nhcs.ops import reaper


class Worker(db_worker.Worker):
    """Upstream's loop (django-tasks-db 0.13) with two additions: the liveness lock and the reaper."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.liveness = reaper.Liveness(self.worker_id)
        self.reaped_at = float("-inf")

    def reap_now(self) -> None:
        every = min(60.0, reaper.reap_after().total_seconds() / 4)
        if time.monotonic() - self.reaped_at < every:
            return
        self.reaped_at = time.monotonic()
        try:
            reaper.reap(backend_name=self.backend_name)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise

    def run(self) -> None:
        db_worker.logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spread the workers' start, as upstream does
        try:
            self._loop()
        finally:
            self.liveness.release()

    def _loop(self) -> None:
        while self.running:
            db_worker.close_old_connections()
            self.liveness.hold()
            self.reap_now()

            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)

            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    retrieved = True
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                except OperationalError as error:
                    retrieved = False
                    if is_locked_database_exception(error):
                        task_result = None
                    else:
                        raise

            if task_result is not None:
                self.run_task(task_result)

            if self.batch and retrieved and task_result is None:
                db_worker.logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                db_worker.logger.info("Run maximum tasks (%d) on worker=%s", self._run_tasks, self.worker_id)
                return
            db_worker.close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)


class Command(db_worker.Command):
    help = "Run a database background worker; jobs lost by dead workers are run again (NHCS_JOB_REAP_SECONDS)."

    def handle(self, *args, **options):
        # Upstream's handle() builds `Worker` from its module: ours takes its place for this command.
        original = db_worker.Worker
        db_worker.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
