"""Reads of the corrective actions, each with the joins its page needs (constant query counts), and the
one reading rule of their lists: the engine's (named on it, signed it, to act on it, its readers), plus
whoever reads the action's source."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.workflow import services as wf
from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import Task

from .flow import CAPA_FLOW
from .models import CorrectiveAction
from .sources import kind_for_key


def with_overdue(queryset: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    """Each action with `overdue_task`: one of its open tasks is past its due date."""
    ct = ContentType.objects.get_for_model(CorrectiveAction)
    overdue = Task.objects.filter(
        content_type=ct, object_id=OuterRef("pk"), status=TaskStatus.OPEN, due_at__lt=timezone.now()
    )
    return queryset.annotate(overdue_task=Exists(overdue))


def action_list() -> QuerySet[CorrectiveAction]:
    return with_overdue(
        CorrectiveAction.objects.select_related("owner_department", "created_by").prefetch_related("topic")
    )


def action_detail() -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.select_related(
        "created_by__department", "changed_by", "owner_department", "topic_type"
    ).prefetch_related("distributed_to")


def actions_for_source(source) -> list[CorrectiveAction]:
    """The actions raised from a record (a survey answer, a complaint), oldest first."""
    return list(
        CorrectiveAction.objects.for_source(source)
        .select_related("owner_department")
        .prefetch_related("topic")
        .order_by("created_at", "pk")
    )


def can_read_action(*, user: User, action: CorrectiveAction, directory=None) -> bool:
    """The engine's reading rule (`can_read_record`), asked in the cheaper order: the action's own readers
    (its flow's reader roles, the owner department, whoever raised it) before its source's readers, whom
    the engine asks first (through `parent_record`). The same answer, with fewer queries for the owner
    department and the flow's readers."""
    if not user.is_authenticated or not user.is_active:
        return False
    readers = wf.readers_of(CAPA_FLOW)
    if readers.read_all(user) or user.pk == action.created_by_id:
        return True
    for role in readers.roles or ():
        if role.department_field and user.department_id is not None:
            if getattr(action, f"{role.department_field}_id", None) == user.department_id:
                return True
    return wf.can_read_record(user=user, record=action, readers=readers, directory=directory)


def get_action_for(request, pk: int, *, queryset=None) -> CorrectiveAction:
    """Fetch an action the user may read: 404 when it is missing or not theirs to read."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    from nhcs.workflow.views import request_directory

    action = get_object_or_404(queryset if queryset is not None else action_detail(), pk=pk)
    if not can_read_action(user=request.user, action=action, directory=request_directory(request)):
        raise Http404
    return action


def readable_actions(queryset: QuerySet[CorrectiveAction], *, user: User) -> QuerySet[CorrectiveAction]:
    """The actions of the queryset the user may read: those the engine lets them read, and those whose
    source they read (whoever reads a survey reads the actions its answers raised)."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if wf.is_auditor(user) or wf.readers_of(CAPA_FLOW).read_all(user):
        return queryset
    condition = Q(pk__in=wf.readable(CorrectiveAction.objects.all(), user=user).values("pk"))
    kinds = CorrectiveAction.objects.order_by().values_list("source_kind", flat=True).distinct()
    for key in kinds:
        kind = kind_for_key(key)
        if kind is None:
            continue
        condition |= Q(source_kind=key, source_id__in=kind.readable(user))
    return queryset.filter(condition)


def readable_list(request, queryset: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    """The list (or its sheet) of actions the user may read; 404 for those who have no such list."""
    from django.http import Http404

    if not wf.can_list_records(user=request.user, flow=CAPA_FLOW):
        raise Http404
    return readable_actions(queryset, user=request.user)


def moved_improvement_item(pk: int) -> CorrectiveAction | None:
    """The action a satisfaction improvement item became (its old page /surveys/improvements/<pk>/)."""
    return CorrectiveAction.objects.filter(legacy__improvement_item=pk).first()
