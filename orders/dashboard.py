"""The orders area on the dashboard, in the management review report and in the customer dossier
(nhcs.dashboard.registry): order review and date replies (4.1–4.2), deliveries and re-confirmed dates
(4.4), change notices (4.3). Aggregate queries only: a fixed number whatever the data.

Definitions:
- a date reply is on time when Planning replied the committed date within REPLY_TARGET_DAYS of the PO
  date (the due days of the review states: submitted 2 + in review 3 + reviewed 2);
- a delivery is on time when the shipment left on or before the order's committed date (the date the
  customer confirmed, or the new date a delay notice had confirmed in writing); reversed entries and
  reversals are left out.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.core import charts
from nhcs.dashboard.registry import Chart, Figure, Panel, Row, Table, dossier_section, panel
from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import SignOff, Task

from .choices import ChangeNoticeState, DelayNoticeState, OrderState
from .models import ChangeNotice, Clarification, DelayItem, DelayNotice, Order, Shipment
from .selectors import AWAITING_DELIVERY, _pending_delays, _unconfirmed_clarifications

REVIEW_STATES = (OrderState.SUBMITTED, OrderState.IN_REVIEW, OrderState.REVIEWED, OrderState.RETURNED)
REPLY_TARGET_DAYS = 7
OPEN_ORDER_ROWS = 50


def _days(value) -> float | None:
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


def _first_signoff(model, **where) -> Subquery:
    ct = ContentType.objects.get_for_model(model)
    return Subquery(
        SignOff.objects.filter(content_type=ct, object_id=OuterRef("pk"), **where)
        .order_by("signed_at")
        .values("signed_at")[:1]
    )


def order_figures(ctx, orders) -> dict:
    """Review, reply and confirmation figures: two queries. The conditions on other tables are `pk IN
    (…)` (hashed once) rather than a correlated EXISTS per order, and the replies start from the period's
    sign-offs (index on record type, transition, time): fast on 100,000 orders."""
    today = ctx.today
    ct = ContentType.objects.get_for_model(Order)
    overdue_tasks = Task.objects.filter(content_type=ct, status=TaskStatus.OPEN, due_at__lt=timezone.now()).values(
        "object_id"
    )
    unconfirmed = Clarification.objects.filter(Q(answer="") | Q(confirmation=None)).values("order_id")
    pending = DelayItem.objects.filter(
        notice__state__in=(DelayNoticeState.ISSUED, DelayNoticeState.NEGOTIATING)
    ).values("order_id")
    counts = orders.order_by().aggregate(
        in_review=Count("pk", filter=Q(state__in=REVIEW_STATES)),
        overdue=Count("pk", filter=Q(pk__in=overdue_tasks)),
        awaiting=Count("pk", filter=Q(pk__in=unconfirmed) | Q(state=OrderState.DATE_REPLIED)),
        delivery_overdue=Count("pk", filter=Q(state__in=AWAITING_DELIVERY, committed_date__lt=today)),
        delay_pending=Count("pk", filter=Q(pk__in=pending)),
    )
    # The first reply of each order whose first reply falls in the period.
    earlier = SignOff.objects.filter(
        content_type=ct, object_id=OuterRef("object_id"), transition="reply_date", signed_at__lt=OuterRef("signed_at")
    )
    po_date = Subquery(orders.filter(pk=OuterRef("object_id")).order_by().values("po_date")[:1])
    replied = (
        SignOff.objects.filter(
            content_type=ct,
            transition="reply_date",
            signed_at__gte=_day_start(ctx.start),
            signed_at__lt=_day_start(ctx.end + timedelta(days=1)),
        )
        .exclude(Exists(earlier))
        .annotate(po=po_date)
        .filter(po__isnull=False)
        .annotate(reply_days=ExpressionWrapper(TruncDate("signed_at") - F("po"), output_field=DurationField()))
        .order_by()
        .aggregate(
            n=Count("pk"),
            mean=Avg("reply_days"),
            on_time=Count("pk", filter=Q(reply_days__lte=timedelta(days=REPLY_TARGET_DAYS))),
        )
    )
    counts["replies"] = replied["n"]
    counts["mean_reply_days"] = _days(replied["mean"])
    counts["reply_on_time"] = round(100 * replied["on_time"] / replied["n"], 1) if replied["n"] else None
    return counts


def _day_start(day):
    """The first moment of a day, office time (an index on the time serves the range)."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time.min))


def delivery_figures(ctx) -> tuple[list, list]:
    """On-time delivery by month and by customer: two queries."""
    shipments = Shipment.objects.filter(
        quantity__gt=0,
        reversals__isnull=True,
        shipped_on__gte=ctx.start,
        shipped_on__lte=ctx.end,
        line__order__committed_date__isnull=False,
        **ctx.customer_filter("line__order__customer"),
    ).order_by()
    on_time = Q(shipped_on__lte=F("line__order__committed_date"))
    by_month = list(
        shipments.annotate(month=TruncMonth("shipped_on"))
        .values("month")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=on_time))
        .order_by("month")
        .values_list("month", "n", "on_time")
    )
    by_customer = list(
        shipments.values("line__order__customer__code", "line__order__customer__name_zh")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=on_time))
        .order_by("-n", "line__order__customer__code")
        .values_list("line__order__customer__code", "line__order__customer__name_zh", "n", "on_time")[:10]
    )
    return by_month, by_customer


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@panel("orders", order=10)
def orders_panel(ctx) -> list[Panel] | None:
    orders = ctx.readable(Order.objects.filter(**ctx.customer_filter()))
    if orders is None:
        return None
    f = order_figures(ctx, orders)
    by_month, by_customer = delivery_figures(ctx)
    shipped = sum(n for _m, n, _o in by_month)
    on_time = sum(o for _m, _n, o in by_month)
    url = reverse("orders:order_list")
    p = Panel("orders", _("Orders (4.1–4.2)"))
    p.figures = [
        Figure("orders_in_review", _("Reviews in progress"), f["in_review"], url + ctx.query(state="in_review")),
        Figure(
            "orders_overdue",
            _("Reviews overdue"),
            f["overdue"],
            url + ctx.query(overdue="on"),
            alert=bool(f["overdue"]),
        ),
        Figure(
            "orders_mean_reply_days",
            _("Mean days from order to date reply"),
            f["mean_reply_days"],
            url + ctx.query(state="date_replied"),
            note=_("%(n)s dates replied in the period") % {"n": f["replies"]},
        ),
        Figure(
            "orders_reply_on_time",
            _("Date replies on time (within %(days)s days)") % {"days": REPLY_TARGET_DAYS},
            f["reply_on_time"],
            url,
            unit="%",
        ),
        Figure(
            "orders_awaiting_customer",
            _("Awaiting the customer's written confirmation"),
            f["awaiting"],
            url + ctx.query(awaiting_customer="on"),
        ),
        Figure(
            "orders_on_time_delivery",
            _("On-time delivery"),
            _share(on_time, shipped),
            reverse("orders:shipment_log") + ctx.query(shipped_after=ctx.start, shipped_before=ctx.end),
            unit="%",
            note=_("%(on_time)s of %(n)s shipments by the confirmed date") % {"on_time": on_time, "n": shipped},
        ),
    ]
    month_items = [(f"{m:%Y-%m}", _share(o, n)) for m, n, o in by_month]
    customer_items = [(f"{code} {name}".strip(), _share(o, n)) for code, name, n, o in by_customer]
    title = _("On-time delivery by month (%)")
    p.charts.append(
        Chart("on_time_by_month", title, charts.bar_chart(month_items, title=title, scale_max=100), month_items)
    )
    title = _("On-time delivery by customer (%)")
    p.charts.append(
        Chart(
            "on_time_by_customer",
            title,
            charts.hbar_chart(customer_items, title=title, scale_max=100),
            customer_items,
        )
    )
    p.tables.append(
        Table(
            "on_time_customers",
            _("On-time delivery by customer"),
            [_("Customer"), _("Shipments"), _("On time"), _("Share")],
            [
                Row([f"{code} {name}".strip(), n, o, _share(o, n)], reverse("customers:customer_detail", args=[code]))
                for code, name, n, o in by_customer
            ],
            empty=_("No shipments in the period."),
        )
    )
    delays = ctx.readable(DelayNotice.objects.filter(**ctx.customer_filter()))
    d = Panel("delivery", _("Delivery dates (4.4)"))
    d.figures = [
        Figure(
            "orders_delivery_overdue",
            _("Confirmed dates passed without a new confirmation"),
            f["delivery_overdue"],
            url + ctx.query(overdue_delivery="on"),
            alert=bool(f["delivery_overdue"]),
        ),
        Figure(
            "orders_delay_pending",
            _("New dates awaiting the customer's confirmation"),
            f["delay_pending"],
            url + ctx.query(delay_pending="on"),
        ),
    ]
    if delays is not None:
        reconfirmed = (
            delays.filter(
                state=DelayNoticeState.CONFIRMED,
                state_changed_at__date__gte=ctx.start,
                state_changed_at__date__lte=ctx.end,
            )
            .order_by()
            .aggregate(n=Count("pk"), dates=Count("items"))
        )
        d.figures.insert(
            0,
            Figure(
                "delays_reconfirmed",
                _("Dates re-confirmed by the customer"),
                reconfirmed["dates"],
                reverse("orders:delay_list") + ctx.query(state="confirmed"),
                note=_("%(n)s delay notices") % {"n": reconfirmed["n"]},
            ),
        )
    return [p, d]


@panel("change_notices", order=20)
def change_notice_panel(ctx) -> Panel | None:
    notices = ctx.readable(ChangeNotice.objects.filter(**ctx.customer_filter("order__customer")))
    if notices is None:
        return None
    final = ChangeNotice.flow.final_states
    by_state = dict(
        notices.exclude(state__in=final).order_by().values("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    issued = (
        notices.order_by()
        .annotate(issued_at=_first_signoff(ChangeNotice, to_state=ChangeNoticeState.ISSUED))
        .filter(issued_at__date__gte=ctx.start, issued_at__date__lte=ctx.end)
        .aggregate(
            n=Count("pk"),
            mean=Avg(ExpressionWrapper(F("issued_at") - F("created_at"), output_field=DurationField())),
        )
    )
    ct = ContentType.objects.get_for_model(ChangeNotice)
    rejected = SignOff.objects.filter(
        content_type=ct,
        to_state=ChangeNoticeState.REJECTED,
        signed_at__date__gte=ctx.start,
        signed_at__date__lte=ctx.end,
        object_id__in=notices.values("pk"),
    ).count()
    url = reverse("orders:change_list")
    p = Panel("change_notices", _("Change notices (4.3)"))
    labels = dict(ChangeNoticeState.choices)
    open_rows = [(state, by_state[state]) for state in ChangeNotice.flow.state_order() if by_state.get(state)]
    p.figures = [
        Figure("changes_open", _("Open change notices"), sum(by_state.values()), url),
        Figure(
            "changes_mean_days_to_issue",
            _("Mean days to issue"),
            _days(issued["mean"]),
            url + ctx.query(state="issued"),
            note=_("%(n)s issued in the period") % {"n": issued["n"]},
        ),
        Figure(
            "changes_rejected",
            _("Rejected: already produced"),
            rejected,
            url + ctx.query(state="rejected"),
        ),
    ]
    p.tables.append(
        Table(
            "changes_by_step",
            _("Open change notices by step"),
            [_("Step"), _("Notices")],
            [Row([str(labels[s]), n], url + ctx.query(state=s)) for s, n in open_rows],
            empty=_("No open change notices."),
        )
    )
    return p


# --- the dossier -----------------------------------------------------------------------------------------


@dossier_section("orders", order=10)
def orders_dossier(ctx) -> Panel | None:
    orders = ctx.readable(Order.objects.filter(customer=ctx.customer))
    if orders is None:
        return None
    confirmed_delays = DelayItem.objects.filter(order=OuterRef("pk"), notice__state=DelayNoticeState.CONFIRMED)
    rows = list(
        orders.exclude(state__in=(OrderState.SHIPPED, OrderState.CANCELLED))
        .order_by("committed_date", "pk")
        .annotate(
            reconfirmed=Subquery(confirmed_delays.order_by().values("order").annotate(n=Count("pk")).values("n")[:1]),
            delay_pending=Exists(_pending_delays()),
            awaiting=Exists(_unconfirmed_clarifications()),
        )
        .values_list(
            "pk", "number", "po_number", "state", "committed_date", "reconfirmed", "delay_pending", "awaiting"
        )[:OPEN_ORDER_ROWS]
    )
    labels = dict(OrderState.choices)
    url = reverse("orders:order_list")
    p = Panel("orders", _("Open orders"))
    unconfirmed = Clarification.objects.filter(Q(answer="") | Q(confirmation=None)).values("order_id")
    counts = orders.order_by().aggregate(
        open=Count("pk", filter=~Q(state__in=(OrderState.SHIPPED, OrderState.CANCELLED))),
        late=Count("pk", filter=Q(state__in=AWAITING_DELIVERY, committed_date__lt=ctx.today)),
        awaiting=Count("pk", filter=Q(pk__in=unconfirmed) | Q(state=OrderState.DATE_REPLIED)),
    )
    p.figures = [
        Figure("dossier_open_orders", _("Open orders"), counts["open"], url + ctx.query()),
        Figure(
            "dossier_orders_late",
            _("Confirmed dates passed"),
            counts["late"],
            url + ctx.query(overdue_delivery="on"),
            alert=bool(counts["late"]),
        ),
        Figure(
            "dossier_orders_awaiting",
            _("Awaiting the customer's written confirmation"),
            counts["awaiting"],
            url + ctx.query(awaiting_customer="on"),
        ),
    ]
    if counts["open"] > OPEN_ORDER_ROWS:
        p.note = _("The %(n)s open orders with the earliest committed dates; the list shows them all.") % {
            "n": OPEN_ORDER_ROWS
        }
    p.tables.append(
        Table(
            "open_orders",
            _("Open orders"),
            [_("Order"), _("PO"), _("State"), _("Committed date"), _("Dates re-confirmed"), _("Delay pending")],
            [
                Row(
                    [
                        number,
                        po,
                        str(labels.get(state, state)),
                        committed,
                        reconfirmed or 0,
                        _("yes") if pending else "",
                    ],
                    reverse("orders:order_detail", args=[pk]),
                    alert=bool(state in AWAITING_DELIVERY and committed and committed < ctx.today),
                )
                for pk, number, po, state, committed, reconfirmed, pending, _a in rows
            ],
            empty=_("No open orders."),
        )
    )
    notices = ctx.readable(ChangeNotice.objects.filter(order__customer=ctx.customer))
    if notices is not None:
        states = dict(ChangeNoticeState.choices)
        open_notices = list(
            notices.exclude(state__in=ChangeNotice.flow.final_states)
            .order_by("-created_at")
            .values_list("pk", "number", "order__number", "state", "created_at")[:20]
        )
        p.tables.append(
            Table(
                "open_change_notices",
                _("Open change notices"),
                [_("Notice"), _("Order"), _("State"), _("Written")],
                [
                    Row([n, o, str(states.get(s, s)), c.date()], reverse("orders:change_detail", args=[pk]))
                    for pk, n, o, s, c in open_notices
                ],
                empty=_("No open change notices."),
            )
        )
    return p
