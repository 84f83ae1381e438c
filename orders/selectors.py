"""Reads of the orders area, with what each page needs joined in."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import SignOff, Task

from .choices import OrderState
from .models import QUANTITY_FIELD, BomLine, Clarification, Order, OrderLine, Shipment

# After release, until shipped in full: the states whose committed date can pass unshipped.
AWAITING_DELIVERY = (OrderState.RELEASED, OrderState.PARTLY_SHIPPED)
# The states in which an order can have shipments.
SHIPPING_STATES = (OrderState.RELEASED, OrderState.PARTLY_SHIPPED, OrderState.SHIPPED)


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
        delivery_overdue=delivery_overdue_expression(),
    )


def delivery_overdue_expression(today=None) -> ExpressionWrapper:
    """True when the committed (customer-confirmed) date passed without the order being shipped in full.

    The state follows the shipments (orders.services), so "released or partly shipped" is "not shipped in
    full" for a released order.
    """
    today = today or timezone.localdate()
    return ExpressionWrapper(Q(state__in=AWAITING_DELIVERY, committed_date__lt=today), output_field=BooleanField())


# --- shipments ------------------------------------------------------------------------------------------


def shipments_prefetch() -> Prefetch:
    """An order's lines with their shipments (and who entered them): two queries for any order."""
    shipments = Shipment.objects.select_related("entered_by", "reverses").order_by("shipped_on", "entered_at", "pk")
    return Prefetch("lines", queryset=OrderLine.objects.prefetch_related(Prefetch("shipments", queryset=shipments)))


def with_shipments(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.prefetch_related(shipments_prefetch())


def order_delivery(order: Order):
    """The order's deliveries against its committed date (orders.models.OrderDelivery); read it on an
    order fetched through with_shipments (no query)."""
    return order.delivery()


def _shipped_subquery():
    totals = Shipment.objects.filter(line=OuterRef("pk")).order_by().values("line").annotate(total=Sum("quantity"))
    return Coalesce(Subquery(totals.values("total")[:1], output_field=QUANTITY_FIELD), Value(Decimal(0)))


def lines_with_progress(queryset: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    """Order lines with their order and customer, what was shipped, what is open and when it is due (the
    committed date, else the requested one): one query whatever the row count."""
    return (
        queryset.select_related("order__customer")
        .annotate(shipped=_shipped_subquery())
        .annotate(
            open_quantity=ExpressionWrapper(F("quantity") - F("shipped"), output_field=QUANTITY_FIELD),
            due=Coalesce("order__committed_date", "requested_date", output_field=DateField()),
        )
    )


def open_lines_qs() -> QuerySet[OrderLine]:
    """Lines still to deliver of released and partly shipped orders, soonest due first."""
    return (
        lines_with_progress(OrderLine.objects.filter(order__state__in=AWAITING_DELIVERY))
        .filter(open_quantity__gt=0)
        .order_by("due", "order__number", "pk")
    )


def order_states_of(shipments: list[Shipment]) -> str:
    """ "DD-2026-0004: Partly shipped; …" for the orders of these shipments, as they are now: one query."""
    line_ids = {s.line_id for s in shipments}
    orders = Order.objects.filter(lines__in=line_ids).distinct().order_by("number")
    return "; ".join(f"{o.number}: {o.state_label}" for o in orders)


def shipment_log_qs() -> QuerySet[Shipment]:
    """Every shipment with its line, order, customer and who entered it: one query whatever the rows."""
    return Shipment.objects.select_related("line__order__customer", "entered_by", "reverses").order_by(
        "-shipped_on", "-entered_at", "-pk"
    )


def order_counts_by_customer(customer_ids: list[int]) -> dict[int, int]:
    """Orders per customer, for the customers of one page of the register: one query."""
    rows = Order.objects.filter(customer_id__in=customer_ids).values("customer_id").annotate(n=Count("pk"))
    return {row["customer_id"]: row["n"] for row in rows.order_by()}


def recent_orders_of(customer, user, limit: int = 20) -> list[Order] | None:
    """The customer's latest orders the user may read; None when the user has no order lists at all."""
    from nhcs.workflow.services import can_list_records, readable

    # Not for those whose only part in orders is recording deliveries (the warehouse).
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
