from django.core.management.base import BaseCommand
from django.utils import timezone

from nhcs.mail.models import ScheduledRun
from nhcs.workflow.notifications import REMINDER_RUN, reminders_schedule, reminders_send
from nhcs.workflow.services import date_tasks_refresh


class Command(BaseCommand):
    help = (
        "Raise the tasks flows raise by date, and queue reminder e-mails for overdue tasks now (each task at most "
        "once a day; the worker sends them). "
        "With --schedule, start the daily reminder job instead: it runs at NHCS_REMINDER_HOUR office time and "
        "schedules its own next run; starting it again while a run is pending changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="Start the daily job (idempotent) instead of running now."
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            started = reminders_schedule()
            run = ScheduledRun.objects.get(name=REMINDER_RUN)
            when = timezone.localtime(run.run_after).strftime("%Y-%m-%d %H:%M %Z")
            if started:
                self.stdout.write(f"Daily reminders scheduled: next run {when}.")
            else:
                self.stdout.write(f"Daily reminders already scheduled: next run {when}.")
            return
        raised = date_tasks_refresh()
        overdue, queued = reminders_send()
        self.stdout.write(
            f"{raised['raised']} tasks raised and {raised['cleared']} cleared by date; "
            f"{overdue} overdue tasks, {queued} e-mails queued."
        )
