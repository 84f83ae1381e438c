from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from nhcs.accounts.models import User

from .choices import RoundStatus, TaskKind, TaskStatus
from .display import history_reason
from .models import Attachment, Round, SignOff, Task, ValueChange, WorkflowRecord


def _identity_q(u: User) -> Q:
    from .services import _task_identity_q

    return _task_identity_q(u)


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


def tasks_for_user(*, user: User, limit: int | None = None) -> list[Task]:
    # One row per record and label: several roles of the same person may open the same task.
    seen = set()
    result = []
    qs = tasks_for_user_qs(user=user)
    if limit is not None:
        qs = qs[: limit * 3]
    for task in qs:
        key = (task.content_type_id, task.object_id, task.kind, task.state, task.step)
        if key in seen:
            continue
        seen.add(key)
        result.append(task)
        if limit is not None and len(result) >= limit:
            break
    return result


def task_count_for_user(*, user: User, overdue: bool = False) -> int:
    """How many tasks wait for the user (overdue ones only, if asked): counted in the database, one per
    record and label."""
    from django.utils import timezone

    from nhcs.core.request_cache import per_request

    def count() -> int:
        qs = tasks_for_user_qs(user=user)
        if overdue:
            qs = qs.filter(due_at__lt=timezone.now())
        return qs.order_by().values("content_type_id", "object_id", "kind", "state", "step").distinct().count()

    # The navigation's badge and the page may both ask: counted once per request.
    return per_request(("task_count", user.pk, overdue), count)


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
    return SignOff.objects.for_record(record).select_related("user", "on_behalf_of", "round")


def rounds_for(*, record: WorkflowRecord, tasks: list[Task] | None = None) -> list[Round]:
    """The record's rounds, newest first, each with its sign-offs (`round.signoff_list`).

    Given the record's tasks (with their rounds), the rounds come from the sign-offs and tasks
    already read: a round without either is still empty and is not shown.
    """
    signoffs = list(signoffs_for(record=record))
    if tasks is None:
        rounds = list(Round.objects.for_record(record).order_by("-number"))
    else:
        found = {s.round.pk: s.round for s in signoffs if s.round_id}
        found.update({t.round.pk: t.round for t in tasks if t.round_id})
        rounds = sorted(found.values(), key=lambda r: -r.number)
    by_round: dict[int | None, list[SignOff]] = {}
    for s in signoffs:
        by_round.setdefault(s.round_id, []).append(s)
    for r in rounds:
        r.signoff_list = by_round.get(r.pk, [])
    if None in by_round:  # sign-offs the rounds migration could not place
        orphan = Round(number=0, status=RoundStatus.COMPLETED)
        orphan.signoff_list = by_round[None]
        rounds.append(orphan)
    return rounds


def current_round_signoffs(*, record: WorkflowRecord, signoffs: list[SignOff] | None = None) -> list[SignOff]:
    """The sign-offs that count now: those of the record's current (latest) round."""
    signoffs = list(signoffs if signoffs is not None else signoffs_for(record=record))
    current = Round.objects.for_record(record).order_by("-number").values_list("pk", flat=True).first()
    if current is None:
        return signoffs
    return [s for s in signoffs if s.round_id == current]


def current_opinions(*, record: WorkflowRecord) -> QuerySet[Task]:
    """The review steps of the current round (open or done)."""
    current = Round.objects.for_record(record).order_by("-number").values("pk")[:1]
    return (
        Task.objects.for_record(record)
        .filter(kind=TaskKind.STEP, round__in=current)
        .exclude(status=TaskStatus.CANCELLED)
    )


def attachments_for(*, record) -> QuerySet[Attachment]:
    return Attachment.objects.for_record(record).select_related("uploaded_by")


def tasks_for_record(*, record: WorkflowRecord) -> QuerySet[Task]:
    """The record's open tasks and its review steps of every round (one query, for the record page)."""
    return (
        Task.objects.for_record(record)
        .filter(Q(status=TaskStatus.OPEN) | (Q(kind=TaskKind.STEP) & ~Q(status=TaskStatus.CANCELLED)))
        .select_related("department", "assignee", "completed_by", "round")
        .order_by("created_at", "pk")
    )


def steps_for(*, record: WorkflowRecord) -> QuerySet[Task]:
    """Review steps of every round (not cancelled), oldest first, with their round."""
    return (
        Task.objects.for_record(record)
        .filter(kind=TaskKind.STEP)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("department", "assignee", "completed_by", "round")
        .order_by("created_at", "pk")
    )


@dataclass
class AmendedValue:
    field: str
    label: str
    old: Any
    new: Any
    number: str
    when: datetime
    user: Any


def amendments_for(*, record: WorkflowRecord) -> dict[tuple[str, int | None, str], list[AmendedValue]]:
    """Values changed by amendments, keyed by (relation, row id, field); oldest first.

    The record's own fields have relation "" and row id None. A row added has field "".
    """
    from django.contrib.contenttypes.models import ContentType

    model = type(record)
    if getattr(record.flow, "amendable", None) is None:
        return {}  # nothing amends this kind of record
    ct = ContentType.objects.get_for_model(model)
    marks: dict[tuple[str, int | None, str], list[AmendedValue]] = {}
    for change in ValueChange.objects.filter(content_type=ct, object_id=record.pk).select_related("user"):
        target_model = model
        if change.relation:
            target_model = getattr(model, change.relation).rel.related_model
        label, old, new = change.field, change.old_value, change.new_value
        if change.field:
            model_field = target_model._meta.get_field(change.field)
            label = str(model_field.verbose_name)
            old = display_stored(model_field, change.old_value)
            new = display_stored(model_field, change.new_value)
        marks.setdefault((change.relation, change.row_id, change.field), []).append(
            AmendedValue(
                field=change.field,
                label=label,
                old=old,
                new=new,
                number=change.by_number,
                when=change.changed_at,
                user=change.user,
            )
        )
    return marks


def display_stored(model_field, value) -> Any:
    """A stored (JSON) value of a model field as shown: labels of choices, yes/no, dates as written."""
    from django.utils.translation import gettext

    if value in (None, ""):
        return "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if model_field.is_relation:
        obj = model_field.related_model._default_manager.filter(pk=value).first()
        return obj if obj is not None else value
    return value


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
    raw_reason: str = ""  # as stored: a code the engine wrote ("@t:submit") or the typed reason


def _display(record_model, field_name: str, value: Any, related: dict[tuple[type, Any], Any]) -> Any:
    field = record_model._meta.get_field(field_name)
    if value in (None, ""):
        return "—"
    if field_name == "state":
        return record_model.flow.state_label(value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.many_to_one:
        return related.get((field.related_model, value), value)
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    return value


def history_for(*, record: WorkflowRecord) -> list[HistoryEntry]:
    """The record's change marks, newest first, with field-level before and after.

    Related objects named in the changes are read with one query per related model.
    """
    model = type(record)
    entries = list(record.history.all().select_related("history_user").order_by("history_date", "history_id"))
    hidden = model.BOOKKEEPING_FIELDS - {"state"}
    wanted: dict[type, set] = {}
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
                model_field = model._meta.get_field(change.field)
                if model_field.is_relation and model_field.many_to_one:
                    for v in (change.old, change.new):
                        if v not in (None, ""):
                            wanted.setdefault(model_field.related_model, set()).add(v)
        result.append((entry, changes))
        previous = entry
    related: dict[tuple[type, Any], Any] = {}
    for related_model, ids in wanted.items():
        for obj in related_model._default_manager.filter(pk__in=ids):
            related[(related_model, obj.pk)] = obj
    out = []
    for entry, changes in result:
        if entry.history_type == "~" and not changes:
            continue  # a save that changed nothing shown here (the sign-offs tab has the action)
        out.append(
            HistoryEntry(
                when=entry.history_date,
                user=entry.history_user,
                reason=history_reason(model, entry.history_change_reason),
                raw_reason=entry.history_change_reason or "",
                kind=entry.history_type,
                changes=[
                    FieldChange(
                        field=c.field,
                        label=str(model._meta.get_field(c.field).verbose_name),
                        old=_display(model, c.field, c.old, related),
                        new=_display(model, c.field, c.new, related),
                    )
                    for c in changes
                ],
            )
        )
    out.reverse()
    return out
