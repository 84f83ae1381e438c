from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from nhcs.accounts.models import User

from .choices import TaskStatus
from .models import Attachment, SignOff, Task, WorkflowRecord


def _identity_q(u: User) -> Q:
    role_match = Q(assignee=None) & (Q(department=None) | Q(department_id=u.department_id))
    role_match &= Q(position="") | Q(position=u.position)
    # A task open to "anyone" (no department, position or person) is not a task for everyone.
    role_match &= ~Q(department=None, position="")
    return Q(assignee_id=u.pk) | role_match


def tasks_for_user_qs(*, user: User) -> QuerySet[Task]:
    from .services import active_principals

    if not user.is_authenticated:
        return Task.objects.none()
    condition = _identity_q(user)
    for principal in active_principals(user=user):
        condition |= _identity_q(principal)
    return (
        Task.objects.filter(status=TaskStatus.OPEN)
        .filter(condition)
        .exclude(Q(excludes_creator_and_editor=True) & (Q(record_created_by=user) | Q(record_changed_by=user)))
        .select_related("department", "assignee")
        .order_by("due_at", "created_at")
    )


def tasks_for_user(*, user: User) -> list[Task]:
    # One row per record and label: several roles of the same person may open the same task.
    seen = set()
    result = []
    for task in tasks_for_user_qs(user=user):
        key = (task.content_type_id, task.object_id, task.kind, task.state, task.step)
        if key in seen:
            continue
        seen.add(key)
        result.append(task)
    return result


def task_count_for_user(*, user: User) -> int:
    return len(tasks_for_user(user=user))


def department_queue(*, user: User) -> QuerySet[Task]:
    """Everything open for the head's department, whoever in it is to act."""
    if not user.is_manager or not user.department_id:
        return Task.objects.none()
    return (
        Task.objects.filter(status=TaskStatus.OPEN)
        .filter(Q(department_id=user.department_id) | Q(assignee__department_id=user.department_id))
        .select_related("department", "assignee")
        .order_by("due_at", "created_at")
    )


def signoffs_for(*, record: WorkflowRecord) -> QuerySet[SignOff]:
    return SignOff.objects.for_record(record).select_related("user", "on_behalf_of")


def attachments_for(*, record) -> QuerySet[Attachment]:
    return Attachment.objects.for_record(record).select_related("uploaded_by")


def steps_for(*, record: WorkflowRecord) -> QuerySet[Task]:
    from .choices import TaskKind

    return (
        Task.objects.for_record(record)
        .filter(kind=TaskKind.STEP)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("department", "assignee", "completed_by")
        .order_by("created_at", "pk")
    )


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: datetime
    user: Any
    reason: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange]


def _display(record_model, field_name: str, value: Any, users: dict[int, User]) -> Any:
    field = record_model._meta.get_field(field_name)
    if value in (None, ""):
        return "—"
    if field_name == "state":
        return record_model.flow.state_label(value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.many_to_one:
        related = field.related_model
        if related is User or getattr(related, "_meta", None) and related._meta.label == User._meta.label:
            return users.get(value, value)
        obj = related._default_manager.filter(pk=value).first()
        return obj if obj is not None else value
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    return value


def history_for(*, record: WorkflowRecord) -> list[HistoryEntry]:
    """The record's change marks, newest first, with field-level before and after."""
    model = type(record)
    entries = list(record.history.all().select_related("history_user").order_by("history_date", "history_id"))
    hidden = model.BOOKKEEPING_FIELDS - {"state"}
    user_ids = set()
    result = []
    previous = None
    for entry in entries:
        changes = []
        if previous is not None:
            delta = entry.diff_against(previous)
            for change in delta.changes:
                if change.field in hidden:
                    continue
                changes.append(change)
                if model._meta.get_field(change.field).is_relation:
                    for v in (change.old, change.new):
                        if isinstance(v, int):
                            user_ids.add(v)
        result.append((entry, changes))
        previous = entry
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    out = []
    for entry, changes in result:
        if entry.history_type == "~" and not changes:
            continue  # a save that changed nothing shown here (the sign-offs tab has the action)
        out.append(
            HistoryEntry(
                when=entry.history_date,
                user=entry.history_user,
                reason=entry.history_change_reason or "",
                kind=entry.history_type,
                changes=[
                    FieldChange(
                        field=c.field,
                        label=str(model._meta.get_field(c.field).verbose_name),
                        old=_display(model, c.field, c.old, users),
                        new=_display(model, c.field, c.new, users),
                    )
                    for c in changes
                ],
            )
        )
    out.reverse()
    return out
