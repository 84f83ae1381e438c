"""Reads of the orders area, with what each page needs joined in."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import SignOff, Task

from .choices import OrderState
from .models import BomLine, Clarification, Order, OrderLine


def _overdue_tasks():
    return Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Order),
        object_id=OuterRef("pk"),
        status=TaskStatus.OPEN,
        due_at__lt=timezone.now(),
    )


def _unconfirmed_clarifications():
    return Clarification.objects.filter(order=OuterRef("pk")).filter(Q(answer="") | Q(confirmation=None))


def orders_list_qs() -> QuerySet[Order]:
    """Orders with what the list shows, computed in the database: one query whatever the row count."""
    lines = OrderLine.objects.filter(order=OuterRef("pk")).order_by()
    first_requested = lines.values("order").annotate(m=Min("requested_date")).values("m")
    line_count = lines.values("order").annotate(c=Count("pk")).values("c")
    return Order.objects.select_related("customer", "created_by").annotate(
        first_requested=Subquery(first_requested[:1]),
        line_count=Coalesce(Subquery(line_count[:1], output_field=IntegerField()), Value(0)),
        is_overdue=Exists(_overdue_tasks()),
        awaiting_customer=Exists(_unconfirmed_clarifications()) | Q(state=OrderState.DATE_REPLIED),
    )


def order_counts_by_customer(customer_ids: list[int]) -> dict[int, int]:
    """Orders per customer, for the customers of one page of the register: one query."""
    rows = Order.objects.filter(customer_id__in=customer_ids).values("customer_id").annotate(n=Count("pk"))
    return {row["customer_id"]: row["n"] for row in rows.order_by()}


def recent_orders_of(customer, user, limit: int = 20) -> list[Order] | None:
    """The customer's latest orders the user may read; None when the user has no order lists at all."""
    from nhcs.workflow.services import can_list_records, readable

    if not can_list_records(user=user, flow=Order.flow):
        return None
    qs = readable(orders_list_qs().filter(customer=customer), user=user)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.all())


def order_bom(order: Order) -> list[BomLine]:
    return sorted(order.bom_lines.all(), key=lambda b: b.pk)


def order_clarifications(order: Order) -> list[Clarification]:
    return list(order.clarifications.select_related("confirmation", "created_by"))


def line_change_marks(order: Order, signoffs=None) -> list:
    """Changes to lines after the order was first submitted, each with who, when and why.

    Given the order's sign-offs (already read for the page), the first submission is found in them.
    """
    if signoffs is not None:
        submitted = min((s.signed_at for s in signoffs if s.transition == "submit"), default=None)
    else:
        submitted = (
            SignOff.objects.for_record(order)
            .filter(transition="submit")
            .order_by("signed_at")
            .values_list("signed_at", flat=True)
            .first()
        )
    if submitted is None:
        return []
    entries = list(
        OrderLine.history.filter(order_id=order.pk, history_date__gt=submitted)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    marks = []
    for entry in entries:
        previous = entry.prev_record
        changes = []
        if entry.history_type == "~" and previous is not None:
            for change in entry.diff_against(previous).changes:
                label = OrderLine._meta.get_field(change.field).verbose_name
                changes.append((change.field, label, change.old, change.new))
        marks.append({"entry": entry, "changes": changes})
    marks.reverse()
    return marks


def home_warnings(user) -> list[str]:
    """What sales should chase: unanswered clarifications (certified data: nhcs.customers)."""
    from django.utils.translation import ngettext

    from nhcs.workflow.services import may

    from .flow import ORDER_FLOW

    if not may(user=user, flow=ORDER_FLOW, ability="clarify"):
        return []
    warnings = []
    waiting = (
        Order.objects.exclude(state__in=Order.flow.final_states).filter(Exists(_unconfirmed_clarifications())).count()
    )
    if waiting:
        warnings.append(
            ngettext(
                "%(n)s order waits for the customer's written confirmation of a clarification.",
                "%(n)s orders wait for the customer's written confirmation of a clarification.",
                waiting,
            )
            % {"n": waiting}
        )
    return warnings
