"""Background jobs of the workflow (run by the worker)."""

from django.db import transaction

from nhcs.jobs import task
from nhcs.mail.services import run_claim, run_schedule

from .notifications import REMINDER_RUN, next_reminder_run, reminders_send
from .services import date_tasks_refresh


@task()
def send_reminders(*, token: str) -> str:
    """The daily run: first enqueue tomorrow's run (so a failure today does not end the schedule), then
    raise and clear the tasks that flows raise by date (a confirmed date passed, a check due …), then queue
    today's reminders. A run that is not the live one (a duplicate, a replaced one) does nothing."""
    with transaction.atomic():
        if not run_claim(name=REMINDER_RUN, token=token):
            return "not the live run: nothing done"
        run_schedule(
            name=REMINDER_RUN, job=send_reminders, run_after=next_reminder_run(today_allowed=False), replace=True
        )
    raised = date_tasks_refresh()
    overdue, queued = reminders_send()
    return (
        f"{raised['raised']} tasks raised and {raised['cleared']} cleared by date; "
        f"{overdue} overdue tasks, {queued} e-mails queued"
    )
