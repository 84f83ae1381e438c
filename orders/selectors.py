"""Reads of the orders area, with what each page needs joined in."""

from __future__ import annotations

from dataclasses import dataclass
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
# The states in which an order can have been amended by change and delay notices (raised once released).
AMENDABLE_STATES = (*SHIPPING_STATES, OrderState.CANCELLED)


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
    line_count = lines.values("order").annotate(c=Count("pk")).values("c")
    return Order.objects.select_related("customer", "created_by").annotate(
        line_count=Coalesce(Subquery(line_count[:1], output_field=IntegerField()), Value(0)),
        is_overdue=Exists(_overdue_tasks()),
        awaiting_customer=Exists(_unconfirmed_clarifications()) | Q(state=OrderState.DATE_REPLIED),
        delivery_overdue=delivery_overdue_expression(),
        delay_pending=Exists(_pending_delays()),
    )


def _pending_delays():
    from .choices import DelayNoticeState
    from .models import DelayItem

    return DelayItem.objects.filter(
        order=OuterRef("pk"), notice__state__in=(DelayNoticeState.ISSUED, DelayNoticeState.NEGOTIATING)
    )


def delivery_overdue_expression(today=None) -> ExpressionWrapper:
    """True when the committed (customer-confirmed) date passed without the order being shipped in full and
    without a confirmed new date: a delay the customer confirmed in writing replaces the committed date
    (4.4), so an order whose new date is still ahead is not overdue.

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
    """Lines still to deliver of released and partly shipped orders (not cancelled), soonest due first."""
    return (
        lines_with_progress(OrderLine.objects.filter(order__state__in=AWAITING_DELIVERY, cancelled=False))
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

    Given the order's sign-offs (already read for the page), the first submission is found in them — and
    lines are edited after submission only once the order went back to draft (recalled, or reworked after a
    return): without such a sign-off there is nothing to read. What change notices amended is marked with
    the notice (nhcs.workflow's amendments), not here.
    """
    if signoffs is not None:
        signoffs = list(signoffs)
        if not any(s.transition in ("recall", "rework") for s in signoffs):
            return []
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
        .exclude(history_change_reason__startswith="@amend:")
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


# --- 3.5: the approval of the agreed requirements ----------------------------------------------------------


def approval_summary(order: Order, signoffs) -> str:
    """How the agreed requirements were approved in the current round, for the order page and its review
    sheet: by the deputy GM alone under a rule (named), by the deputy GM and the GM, or waiting for the GM.
    `signoffs`: the order's sign-offs (already read by the page)."""
    from django.utils.translation import gettext

    signoffs = list(signoffs)
    current = max((s.round_id for s in signoffs if s.round_id), default=None)
    signed = {s.transition for s in signoffs if s.round_id == current}
    if "vgm_approve" not in signed:
        return ""
    if order.approval_rule_id is not None:
        rule = order.approval_rule
        return gettext("The deputy GM's approval suffices by the rule “%(rule)s”: %(description)s.") % {
            "rule": rule.name,
            "description": rule.description(),
        }
    if "gm_approve" in signed:
        return gettext("Approved by the deputy GM and the GM.")
    return gettext("Approved by the deputy GM; the GM approves too (no rule lets the deputy GM's approval suffice).")


# --- change and delay notices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    """One change of a notice as shown: what (a line, a requirement, the order), the old and new value."""

    item: object
    kind: str
    kind_label: str
    subject: str
    old: str
    new: str
    is_price: bool


def _qty_text(value) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def _price_text(value, currency: str) -> str:
    return "—" if value is None else f"{value.normalize():f} {currency}".strip()


def change_rows(notice, *, show_prices: bool, labels: dict[int, str] | None = None) -> list[ChangeRow]:
    """The notice's changes as old → new, in the reader's language; the price of a change only for those
    who may see order prices (exactly as on orders: the rest never learn it)."""
    from django.utils.translation import gettext

    from .choices import ChangeKind
    from .services import line_labels

    labels = labels if labels is not None else line_labels(notice.order)
    rows = []
    for item in notice.items.all():
        if item.kind == ChangeKind.UNIT_PRICE and not show_prices:
            continue
        line = item.line
        subject = labels.get(item.line_id, "") if item.line_id else ""
        currency = line.currency if line is not None else item.currency
        old, new = "", ""
        if item.kind == ChangeKind.QUANTITY:
            old, new = _qty_text(item.old_quantity), _qty_text(item.new_quantity)
        elif item.kind == ChangeKind.UNIT_PRICE:
            old, new = _price_text(item.old_unit_price, currency), _price_text(item.new_unit_price, currency)
        elif item.kind == ChangeKind.REQUESTED_DATE:
            old, new = f"{item.old_date:%Y-%m-%d}", f"{item.new_date:%Y-%m-%d}"
        elif item.kind == ChangeKind.CANCEL_LINE:
            old, new = _qty_text(item.old_quantity), gettext("cancelled")
        elif item.kind == ChangeKind.CANCEL_ORDER:
            subject, old, new = notice.order.number, notice.order.state_label, gettext("cancelled")
        elif item.kind == ChangeKind.ADD_LINE:
            subject = item.part_number
            parts = [f"{_qty_text(item.new_quantity)} {item.unit}", f"{item.new_date:%Y-%m-%d}"]
            if show_prices and item.new_unit_price is not None:
                parts.insert(1, _price_text(item.new_unit_price, item.currency))
            if item.description:
                parts.insert(0, item.description)
            old, new = "—", " · ".join(parts)
        else:
            subject = str(Order._meta.get_field(item.order_field).verbose_name)
            old, new = item.old_text or "—", item.new_text
        rows.append(
            ChangeRow(
                item=item,
                kind=item.kind,
                kind_label=item.get_kind_display(),
                subject=subject,
                old=old,
                new=new,
                is_price=item.is_price,
            )
        )
    return rows


@dataclass(frozen=True)
class Impact:
    """A department's opinion on a change notice in the current round, with its impact figures."""

    label: str
    who: str
    outcome: str
    outcome_label: str
    comment: str
    rows: list
    cost: Decimal | None
    done: bool


def impacts(notice, *, tasks, signoffs, current_round) -> list[Impact]:
    """The impact opinions of the current round (from the tasks and sign-offs the page read already)."""
    by_step = {s.step: s for s in signoffs if s.step and (current_round is None or s.round_id == current_round.pk)}
    out = []
    for task in tasks:
        if task.kind != "step" or (current_round is not None and task.round_id != current_round.pk):
            continue
        signoff = by_step.get(task.step)
        cost = None
        if signoff is not None and signoff.data.get("cost") not in (None, ""):
            cost = Decimal(str(signoff.data["cost"]))
        out.append(
            Impact(
                label=str(notice.flow.step_label(task.step)),
                who=str(task.completed_by or task.actor_label),
                outcome=task.outcome,
                outcome_label=task.get_outcome_display() if task.outcome else "",
                comment=task.comment,
                rows=signoff.data_rows if signoff is not None else [],
                cost=cost,
                done=task.status == "done",
            )
        )
    return out


@dataclass(frozen=True)
class NoticeRef:
    """A change or delay notice of an order, as its page lists it."""

    kind: str  # "change" or "delay"
    pk: int
    number: str
    state: str
    created_at: object
    original_date: object = None
    proposed_date: object = None
    cancels_order: bool = False

    @property
    def flow(self):
        from .flow import CHANGE_NOTICE_FLOW, DELAY_NOTICE_FLOW

        return CHANGE_NOTICE_FLOW if self.kind == "change" else DELAY_NOTICE_FLOW

    @property
    def state_label(self) -> str:
        return self.flow.state_label(self.state)

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("orders:change_detail" if self.kind == "change" else "orders:delay_detail", args=[self.pk])

    @property
    def amended(self) -> bool:
        """The notice changed the order's values (an issued change, a delay confirmed by the customer)."""
        from .choices import ChangeNoticeState, DelayNoticeState

        if self.kind == "delay":
            return self.state == DelayNoticeState.CONFIRMED
        return not self.cancels_order and self.state in (ChangeNoticeState.ISSUED, ChangeNoticeState.CLOSED)


def notices_of_order(order: Order) -> list[NoticeRef]:
    """The order's change and delay notices, newest first: one query (a union)."""
    from django.db.models import BooleanField, CharField, DateField

    from .choices import ChangeKind
    from .models import ChangeItem, ChangeNotice, DelayItem

    changes = (
        ChangeNotice.objects.filter(order=order)
        .annotate(
            kind=Value("change", output_field=CharField()),
            original=Value(None, output_field=DateField()),
            proposed=Value(None, output_field=DateField()),
            cancels=Exists(ChangeItem.objects.filter(notice=OuterRef("pk"), kind=ChangeKind.CANCEL_ORDER)),
        )
        .order_by()
        .values_list("kind", "pk", "number", "state", "created_at", "original", "proposed", "cancels")
    )
    delays = (
        DelayItem.objects.filter(order=order)
        .annotate(kind=Value("delay", output_field=CharField()), cancels=Value(False, output_field=BooleanField()))
        .order_by()
        .values_list(
            "kind",
            "notice_id",
            "notice__number",
            "notice__state",
            "notice__created_at",
            "original_date",
            "proposed_date",
            "cancels",
        )
    )
    rows = [NoticeRef(*row) for row in changes.union(delays, all=True)]
    return sorted(rows, key=lambda n: (n.created_at, n.pk), reverse=True)


def order_notices(order: Order) -> list[NoticeRef] | None:
    """The notices the order page read for this order (see orders.views.OrderDetail), or None."""
    return order.__dict__.get("_notices")


def awaiting_me(queryset, user):
    """Records of the queryset with a task open for the user (or the managers they deputise for)."""
    from nhcs.workflow.selectors import tasks_for_user_qs

    ct = ContentType.objects.get_for_model(queryset.model)
    mine = tasks_for_user_qs(user=user).filter(content_type=ct, object_id=OuterRef("pk"))
    return queryset.filter(Exists(mine))


def change_list_qs():
    from .models import ChangeNotice

    return ChangeNotice.objects.select_related("order__customer", "created_by").prefetch_related("items")


def delay_list_qs():
    from .models import DelayItem, DelayNotice

    return DelayNotice.objects.select_related("customer", "created_by").prefetch_related(
        Prefetch("items", queryset=DelayItem.objects.select_related("order").order_by("pk"))
    )
