"""E-mails to the people who must act next. Sent after the transaction commits, never inside it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from nhcs.accounts.models import User

from .models import Task

logger = logging.getLogger(__name__)


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
    by_task = defaultdict(list)
    for task in tasks:
        for user in task_actors(task):
            if user.email:
                by_task[task.pk].append((task, user.email))
    messages = []
    for entries in by_task.values():
        task = entries[0][0]
        subject, body = _message(task, reminder=reminder)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, sorted({e for _t, e in entries})))
    if not messages:
        return 0
    try:
        return send_mass_mail(messages, fail_silently=False)
    except OSError:
        # The transition is committed; a mail server outage must not turn it into an error page.
        logger.exception("Could not send task e-mails")
        return 0
