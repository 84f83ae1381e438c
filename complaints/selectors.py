"""Reads of the complaints area, each with the joins its page needs (constant query counts): the log,
the complaint page, earlier complaints of the same customer, product or category (recurrence), and the
analysis (by month, category, defect, customer, cost; days to the first reply and to closing)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    Func,
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
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import Task

from .choices import AckState, Category, ComplaintState, CostKind
from .models import Complaint, ComplaintCost, ComplaintLink, DefectType

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _overdue_tasks():
    return Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=OuterRef("pk"),
        status=TaskStatus.OPEN,
        due_at__lt=timezone.now(),
    )


def _cost_total():
    totals = (
        ComplaintCost.objects.filter(complaint=OuterRef("pk")).order_by().values("complaint").annotate(t=Sum("amount"))
    )
    return Coalesce(Subquery(totals.values("t")[:1], output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


def complaint_list_qs() -> QuerySet[Complaint]:
    """Complaints with what the log shows, computed in the database: one query whatever the row count."""
    return Complaint.objects.select_related("customer", "defect", "created_by").annotate(
        is_overdue=Exists(_overdue_tasks()),
        is_repeat=Exists(ComplaintLink.objects.filter(complaint=OuterRef("pk"))),
        cost_total=_cost_total(),
    )


def _links(**where):
    return ComplaintLink.objects.filter(**where)


def _first(links, name: str):
    return Subquery(links.order_by("earlier__received_at", "complaint__received_at", "pk").values(name)[:1])


def _count(links, group: str):
    return Coalesce(Subquery(links.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]), Value(0))


def complaint_detail_qs() -> QuerySet[Complaint]:
    """A complaint with what its page shows: its investigators, and the first earlier complaint it repeats
    and the first later one repeating it, with their counts (the whole lists: its recurrence page)."""
    repeats = _links(complaint=OuterRef("pk"))
    repeated_by = _links(earlier=OuterRef("pk"))
    return (
        Complaint.objects.select_related("customer", "defect", "created_by__department", "changed_by", "from_feedback")
        .prefetch_related(
            Prefetch("investigators", queryset=User.objects.select_related("department").order_by("username"))
        )
        .annotate(
            repeats_count=_count(repeats, "complaint"),
            repeats_pk=_first(repeats, "earlier_id"),
            repeats_number=_first(repeats, "earlier__number"),
            repeated_by_count=_count(repeated_by, "earlier"),
            repeated_by_pk=_first(repeated_by, "complaint_id"),
            repeated_by_number=_first(repeated_by, "complaint__number"),
        )
    )


def costs_of(complaint: Complaint) -> list[ComplaintCost]:
    return list(complaint.costs.select_related("entered_by").order_by("incurred_on", "pk"))


@dataclass
class EarlierComplaint:
    complaint: Complaint
    same_customer: bool
    same_product: bool
    same_category: bool
    linked: bool = False

    @property
    def score(self) -> int:
        return 2 * self.same_product + 2 * self.same_customer + self.same_category


EARLIER_LIMIT = 10


def _earlier_condition(customer, part_number: str, category: str) -> Q | None:
    condition = Q()
    if customer is not None:
        condition |= Q(customer=customer)
    if part_number:
        condition |= Q(part_number__iexact=part_number)
    if category:
        condition |= Q(category=category)
    return condition or None


def _ranked(rows, *, customer, part_number: str, category: str, linked_ids, limit: int) -> list[EarlierComplaint]:
    found = [
        EarlierComplaint(
            complaint=c,
            same_customer=customer is not None and c.customer_id == customer.pk,
            same_product=bool(part_number) and c.part_number.lower() == part_number.lower(),
            same_category=bool(category) and c.category == category,
            linked=c.pk in linked_ids,
        )
        for c in rows
    ]
    found.sort(key=lambda e: (-e.score, -e.complaint.received_at.timestamp()))
    return found[:limit]


def earlier_complaints(
    *,
    user: User,
    customer=None,
    part_number: str = "",
    category: str = "",
    before=None,
    exclude_pk: int | None = None,
    limit: int = EARLIER_LIMIT,
) -> list[EarlierComplaint]:
    """Earlier complaints (that the user may read) of the same customer, product or category, those
    sharing most first (product and customer count more than the category): one query."""
    part_number = (part_number or "").strip()
    condition = _earlier_condition(customer, part_number, category)
    if condition is None:
        return []
    qs = Complaint.objects.filter(condition).exclude(state=ComplaintState.WITHDRAWN)
    if before is not None:
        qs = qs.filter(received_at__lte=before)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    qs = wf.readable(qs.select_related("customer", "defect"), user=user).order_by("-received_at", "-pk")
    return _ranked(
        qs[: limit * 5], customer=customer, part_number=part_number, category=category, linked_ids=(), limit=limit
    )


@dataclass
class Repeats:
    """The earlier complaints this one repeats (its links) and the later ones that repeat it."""

    links: list[ComplaintLink]
    repeated_by: list[ComplaintLink]


def repeats_of(complaint: Complaint) -> Repeats:
    """One query: the links from and to the complaint, with the other complaint's number and date."""
    rows = list(
        ComplaintLink.objects.filter(Q(complaint=complaint) | Q(earlier=complaint))
        .select_related("complaint", "earlier", "linked_by")
        .order_by("earlier__received_at", "complaint__received_at", "pk")
    )
    return Repeats(
        links=[r for r in rows if r.complaint_id == complaint.pk],
        repeated_by=[r for r in rows if r.earlier_id == complaint.pk],
    )


def earlier_for(complaint: Complaint, *, user: User, linked_ids: set[int]) -> list[EarlierComplaint]:
    """Earlier complaints of the same customer, product or category as this one, marked when linked."""
    found = earlier_complaints(
        user=user,
        customer=complaint.customer,
        part_number=complaint.part_number,
        category=complaint.category,
        before=complaint.received_at,
        exclude_pk=complaint.pk,
    )
    for e in found:
        e.linked = e.complaint.pk in linked_ids
    return found


# --- analysis ------------------------------------------------------------------------------------------


@dataclass
class Analysis:
    count: int = 0
    by_month: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    # Pareto: (defect, count, cumulative share in %), the most frequent first.
    pareto: list[tuple[str, int, float]] = field(default_factory=list)
    by_customer: list[tuple[str, str, int]] = field(default_factory=list)
    cost_by_month: list[tuple[str, Decimal]] = field(default_factory=list)
    cost_by_kind: list[tuple[str, str, Decimal]] = field(default_factory=list)
    cost_total: Decimal = Decimal(0)
    mean_days_to_first_reply: float | None = None
    mean_days_to_close: float | None = None
    replied_count: int = 0
    closed_count: int = 0
    open_count: int = 0
    repeat_count: int = 0
    first_reply_late: int = 0


def _months(first: date, last: date) -> list[str]:
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


CUSTOMERS_SHOWN = 10


def analysis(queryset: QuerySet[Complaint], *, today: date | None = None) -> Analysis:
    """The figures of the analysis over the complaints of the queryset (the log's filters applied),
    counted and summed in the database, none of the queries returning a row per complaint: the complaints
    grouped by month shown, category and defect, with each group's summary figures (the totals are their
    sums); the customers with the most complaints; the costs by kind and month. Five queries whatever
    the number of complaints (the defects' and the top customers' names are two small ones)."""
    today = today or timezone.localdate()
    shown = _months(_month_start(today, back=MONTHS_SHOWN - 1), today)
    # The complaints only, without the log's computed columns (overdue, repeat, cost): the filters may
    # still use them.
    complaints = queryset.order_by()
    final = Complaint.flow.final_states
    received = TruncDate("received_at")  # the local day, as the log shows it
    replied = Q(first_replied_on__isnull=False)
    closed = Q(closed_on__isnull=False, state=ComplaintState.CLOSED)
    late = (replied & Q(reply_due_on__isnull=False, first_replied_on__gt=F("reply_due_on"))) | (
        Q(first_replied_on__isnull=True, reply_due_on__lt=today) & ~Q(state__in=final)
    )
    groups = list(
        complaints.annotate(month=_MonthOf("received_at", [_local_start(m) for m in [*shown, _next(shown[-1])]]))
        .values("month", "category", "defect_id")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=~Q(state__in=final)),
            replied=Count("pk", filter=replied),
            reply_days=Sum(_DaysBetween(received, "first_replied_on"), filter=replied),
            closed=Count("pk", filter=closed),
            close_days=Sum(_DaysBetween(received, "closed_on"), filter=closed),
            late=Count("pk", filter=late),
            repeats=Count("pk", filter=Q(pk__in=ComplaintLink.objects.values("complaint_id"))),
            first=Min("received_at"),
        )
        .values_list(
            "month",
            "category",
            "defect_id",
            "n",
            "open",
            "replied",
            "reply_days",
            "closed",
            "close_days",
            "late",
            "repeats",
            "first",
        )
    )
    result = Analysis()
    if not groups:
        return result
    from django.utils.translation import get_language

    chinese = (get_language() or "zh-hans").startswith("zh")

    def name(zh, en):
        return (zh or en) if chinese else (en or zh)

    months: Counter[int] = Counter()
    categories: Counter[str] = Counter()
    defects: Counter[str] = Counter()
    reply_days = close_days = 0
    first = today
    defect_names = {
        pk: (code, zh, en) for pk, code, zh, en in DefectType.objects.values_list("pk", "code", "name_zh", "name_en")
    }
    for month, category, defect, n, open_, replied_, reply, closed_, close, late_, repeats, first_ in groups:
        result.count += n
        result.open_count += open_
        result.replied_count += replied_
        result.closed_count += closed_
        result.first_reply_late += late_
        result.repeat_count += repeats
        reply_days += reply or 0
        close_days += close or 0
        first = min(first, timezone.localdate(first_))
        months[month] += n
        categories[category] += n
        if defect is None:
            defects["—"] += n
        else:
            code, zh, en = defect_names[defect]
            defects[f"{code} {name(zh, en)}"] += n
    if result.replied_count:
        result.mean_days_to_first_reply = round(reply_days / result.replied_count, 1)
    if result.closed_count:
        result.mean_days_to_close = round(close_days / result.closed_count, 1)
    # Bucket i (1 …) is the i-th month shown.
    counts = {m: months[i] for i, m in enumerate(shown, start=1)}
    result.by_month = [(m, counts.get(m, 0)) for m in _months(first, today)][-MONTHS_SHOWN:]
    labels = dict(Category.choices)
    result.by_category = [(c, str(labels[c]), categories[c]) for c in Category.values if categories.get(c)]
    running = 0
    for label, n in sorted(defects.items(), key=lambda item: (-item[1], item[0])):
        running += n
        result.pareto.append((label, n, round(100 * running / result.count, 1)))
    # The customers with the most complaints, counted by id (grouping by the names would hash them for
    # every complaint), then named.
    top = dict(
        complaints.values("customer_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "customer_id")
        .values_list("customer_id", "n")[:CUSTOMERS_SHOWN]
    )
    customers = Customer.objects.filter(pk__in=top).values_list("pk", "code", "name_zh", "name_en")
    result.by_customer = sorted(
        ((code, name(zh, en), top[pk]) for pk, code, zh, en in customers), key=lambda row: (-row[2], row[0])
    )
    _costs(result, queryset.order_by().values("pk"), first, today)
    return result


MONTHS_SHOWN = 24


class _MonthOf(Func):
    """Which of the consecutive months beginning at `starts` (the moments, ascending) the moment falls
    in: 1 for the first, 0 before it, len(starts) from the last on (PostgreSQL's width_bucket: one
    comparison of timestamps per step of a binary search, no conversion to local time per row)."""

    output_field = IntegerField()

    def __init__(self, expression, starts: list[datetime]):
        super().__init__(expression, *[Value(s, output_field=DateTimeField()) for s in starts])

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for arg in self.get_source_expressions():
            sql, arg_params = compiler.compile(arg)
            parts.append(sql)
            params.extend(arg_params)
        return f"width_bucket({parts[0]}, ARRAY[{', '.join(parts[1:])}])", params


class _DaysBetween(Func):
    """The days from the first date to the second (PostgreSQL: date - date is a whole number)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, start, end):
        super().__init__(end, start)


def _month_start(day: date, *, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _next(month: str) -> str:
    return f"{_month_start(date(int(month[:4]), int(month[5:7]), 1), back=-1):%Y-%m}"


def _local_start(month: str) -> datetime:
    return timezone.make_aware(datetime(int(month[:4]), int(month[5:7]), 1))


def _costs(result: Analysis, complaints: QuerySet, first: date, today: date) -> None:
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for kind, month, amount in (
        ComplaintCost.objects.filter(complaint_id__in=complaints)
        .annotate(month=TruncMonth("incurred_on"))
        .values("kind", "month")
        .annotate(amount=Sum("amount"))
        .values_list("kind", "month", "amount")
        .order_by()
    ):
        by_month[f"{month:%Y-%m}"] += amount
        by_kind[kind] += amount
        result.cost_total += amount
        first = min(first, month)
    result.cost_by_month = [(m, by_month.get(m, Decimal(0))) for m in _months(first, today)][-MONTHS_SHOWN:]
    labels = dict(CostKind.choices)
    result.cost_by_kind = [(k, str(labels[k]), by_kind[k]) for k in CostKind.values if by_kind.get(k)]


def complaint_counts_by_customer(customer_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    rows = Complaint.objects.filter(customer_id__in=customer_ids).values("customer_id").annotate(n=Count("pk"))
    return {row["customer_id"]: row["n"] for row in rows.order_by()}


def home_warnings(user) -> list[str]:
    """Sales and Quality: complaints past the first-reply deadline of the customer's terms, unanswered."""
    from django.utils.translation import ngettext

    from .flow import COMPLAINT_FLOW

    if not user.is_authenticated or not wf.may(user=user, flow=COMPLAINT_FLOW, ability="register"):
        return []
    late = (
        wf.readable(Complaint.objects.all(), user=user)
        .exclude(state__in=Complaint.flow.final_states)
        .filter(first_replied_on=None, reply_due_on__lt=timezone.localdate())
        .count()
    )
    if not late:
        return []
    return [
        ngettext(
            "%(n)s complaint is past its first-reply deadline without a reply to the customer.",
            "%(n)s complaints are past their first-reply deadline without a reply to the customer.",
            late,
        )
        % {"n": late}
    ]


# --- after-sales feedback and advisory notices (4.5) ----------------------------------------------------


def feedback_list_qs() -> QuerySet:
    """The feedback register with what its list shows, in one query whatever the row count: the
    complaint raised from each (its number) and whether its task is overdue."""
    from .models import Feedback

    overdue = Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Feedback),
        object_id=OuterRef("pk"),
        status=TaskStatus.OPEN,
        due_at__lt=timezone.now(),
    )
    return Feedback.objects.select_related("customer", "created_by", "complaint").annotate(is_overdue=Exists(overdue))


def advisory_list_qs() -> QuerySet:
    """Advisory notices with their acknowledgement counts, in one query whatever the row count."""
    from .models import AdvisoryNotice

    return AdvisoryNotice.objects.select_related("created_by").annotate(
        ack_total=Count("acknowledgements", distinct=True),
        ack_done=Count("acknowledgements", filter=Q(acknowledgements__state=AckState.ACKNOWLEDGED), distinct=True),
        ack_waiting=Count("acknowledgements", filter=Q(acknowledgements__state=AckState.SENT), distinct=True),
    )


def acknowledgements_of(notice) -> list:
    """The customers a notice went to, with their links (one query)."""
    return list(notice.acknowledgements.select_related("customer", "link").order_by("customer__code", "pk"))


def advisory_customers_from_shipments(notice) -> set[int]:
    """The customers who received the notice's affected products or lots in its shipping period (net of
    reversals; through nhcs.deliveries)."""
    from nhcs import deliveries

    parts, lots = notice.part_list, notice.lot_list
    if not parts and not lots:
        return set()
    return deliveries.customers_who_got(
        parts=parts, lots=lots, shipped_from=notice.shipped_from, shipped_to=notice.shipped_to
    )
