"""E-mails to the people who must act next, and the daily reminders of overdue tasks.

Task mails are queued after the transition commits (the tasks are final then) and sent in the background
by the mail service (nhcs.mail); a mail server outage never turns a transition into an error page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from nhcs.accounts.models import User
from nhcs.mail.choices import MailKind
from nhcs.mail.services import mail_queue, mail_requeue_stale

from .choices import TaskStatus
from .models import Task


def task_actors(task: Task) -> list[User]:
    """Active users who may take the task, and their deputies of today."""
    if task.assignee_id:
        users = list(User.objects.filter(pk=task.assignee_id, is_active=True))
    else:
        q = Q(is_active=True)
        if task.department_id:
            q &= Q(department_id=task.department_id)
        if task.position:
            q &= Q(position=task.position)
        if not task.department_id and not task.position:
            return []
        users = list(User.objects.filter(q))
    today = timezone.localdate()
    deputies = User.objects.filter(
        is_active=True,
        deputising__principal__in=[u.pk for u in users],
        deputising__starts_on__lte=today,
        deputising__ends_on__gte=today,
    )
    everyone = {u.pk: u for u in [*users, *deputies]}
    if task.excludes_creator_and_editor:
        everyone.pop(task.record_created_by_id, None)
        everyone.pop(task.record_changed_by_id, None)
    return list(everyone.values())


def _message(task: Task, *, reminder: bool) -> tuple[str, str]:
    texts = []
    subjects = []
    for language in ("zh-hans", "en"):
        with override(language):
            if reminder:
                subjects.append(
                    _("Overdue: %(number)s %(label)s") % {"number": task.record_number, "label": task.label}
                )
            else:
                subjects.append(
                    _("Waiting for you: %(number)s %(label)s") % {"number": task.record_number, "label": task.label}
                )
            lines = [
                f"{task.flow_label} {task.record_number} {task.record_title}".strip(),
                _("Waiting for: %(label)s") % {"label": task.label},
                _("Due: %(due)s")
                % {"due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M") if task.due_at else "—"},
                f"{settings.SITE_URL}{task.record_url}",
            ]
            texts.append("\n".join(lines))
    return f"[NHCS] {subjects[0]} / {subjects[1]}", "\n\n".join(texts)


def mail_task_actors(*, tasks: Iterable[Task], reminder: bool = False) -> int:
    """Queue one mail per task and actor (bilingual, linked to the record); returns how many were queued."""
    queued = 0
    for task in tasks:
        addresses = sorted({user.email for user in task_actors(task) if user.email})
        if not addresses:
            continue
        subject, body = _message(task, reminder=reminder)
        queued += len(
            mail_queue(
                to=addresses,
                subject=subject,
                body=body,
                kind=MailKind.TASK_REMINDER if reminder else MailKind.TASK,
                about_type_id=task.content_type_id,
                about_id=task.object_id,
            )
        )
    return queued


@transaction.atomic
def reminders_send() -> tuple[int, int]:
    """Queue a reminder to the people responsible for each overdue open task, each task at most once a day
    (office time). Safe to run again, also by two workers at once. Returns (overdue tasks, mails queued)."""
    today = timezone.localdate()
    # skip_locked: two runs at once share the work instead of mailing twice.
    overdue = list(
        Task.objects.select_for_update(skip_locked=True)
        .filter(status=TaskStatus.OPEN, due_at__lt=timezone.now())
        .exclude(reminded_on=today)
    )
    Task.objects.filter(pk__in=[t.pk for t in overdue]).update(reminded_on=today)
    queued = mail_task_actors(tasks=overdue, reminder=True) if overdue else 0
    # The daily run also gives a new job to any queued mail whose job was lost.
    mail_requeue_stale()
    return len(overdue), queued


REMINDER_RUN = "workflow.send_reminders"


def next_reminder_run(*, now: datetime | None = None, today_allowed: bool = True) -> datetime:
    """The next NHCS_REMINDER_HOUR o'clock, office time (Asia/Shanghai): today's if still ahead and
    allowed, otherwise tomorrow's."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(local.date(), time(settings.NHCS_REMINDER_HOUR)))
    if not today_allowed or at <= now:
        at = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time(settings.NHCS_REMINDER_HOUR)))
    return at


def reminders_schedule(*, replace: bool = False) -> bool:
    """Start the daily reminder job: its first run at the next reminder hour. Does nothing (returns False)
    while a run is already pending, so starting it again never doubles the schedule."""
    from nhcs.mail.services import run_schedule

    from .tasks import send_reminders

    return run_schedule(name=REMINDER_RUN, job=send_reminders, run_after=next_reminder_run(), replace=replace)
