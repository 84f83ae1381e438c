"""Every write of the corrective actions. Raising one is the areas' call (a low survey answer raises
its actions, a complaint's investigation raises its own); every move after that goes through the
workflow (nhcs.workflow.services: transitions, edits, files)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from nhcs.accounts.models import Department, User
from nhcs.workflow import services as wf

from .choices import ActionKind
from .models import CorrectiveAction
from .sources import kind_for_model


@transaction.atomic
def action_raise(
    *,
    source: models.Model,
    user: User,
    owner_department: Department,
    trigger: str,
    kind: str = ActionKind.CORRECTIVE,
    title: str = "",
    topic: models.Model | None = None,
    score: Decimal | None = None,
    analysis: str = "",
    measures: str = "",
    due_on: date | None = None,
    check_on: date | None = None,
) -> CorrectiveAction:
    """Raise a corrective or preventive action from a source record, for the owner department to act on.

    The source is kept as a reference with its number and label as they are now; an action raised from a
    customer's opinion (a kind of source registered with `customer_opinion`) has the step where Sales
    tells the customer of the measures. Called by the area that owns the source, which decides who may
    raise: `user` is recorded as the one who raised it (a customer's online answer raises its actions
    in the name of the survey's creator)."""
    source_kind = kind_for_model(type(source))

    data = {
        "kind": kind,
        "title": (title or "").strip()[:200],
        "source_type": ContentType.objects.get_for_model(type(source)),
        "source_id": source.pk,
        "source_kind": source_kind.key,
        "source_number": source_kind.number_of(source)[:60],
        "source_label": source_kind.title_of(source)[:200],
        "trigger": trigger,
        "score": score,
        "customer_feedback_required": source_kind.customer_opinion,
        "owner_department": owner_department,
        "analysis": (analysis or "").strip(),
        "measures": (measures or "").strip(),
        "due_on": due_on,
        "check_on": check_on,
    }
    if topic is not None:
        data["topic_type"] = ContentType.objects.get_for_model(type(topic))
        data["topic_id"] = topic.pk
    return wf.record_create(model=CorrectiveAction, user=user, data=data)
