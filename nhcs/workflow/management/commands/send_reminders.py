from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import Task
from nhcs.workflow.notifications import mail_task_actors


class Command(BaseCommand):
    help = "E-mail the people responsible for overdue tasks; each task at most once a day (safe to run from cron)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        with transaction.atomic():
            # skip_locked: two cron runs at once share the work instead of mailing twice.
            overdue = list(
                Task.objects.select_for_update(skip_locked=True)
                .filter(status=TaskStatus.OPEN, due_at__lt=timezone.now())
                .exclude(reminded_on=today)
            )
            Task.objects.filter(pk__in=[t.pk for t in overdue]).update(reminded_on=today)
        sent = mail_task_actors(tasks=overdue, reminder=True) if overdue else 0
        self.stdout.write(f"{len(overdue)} overdue tasks, {sent} e-mails sent.")
