"""Complaints (4.6) on the dashboard, in the management review report and in the customer dossier
(nhcs.dashboard.registry). Aggregate queries only.

The period's figures count the complaints received in the period; "open by age" counts every complaint
not closed or withdrawn today, by the days since it was received.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.capa.models import CorrectiveAction
from nhcs.core import charts
from nhcs.dashboard.registry import Chart, Figure, Panel, Row, Table, dossier_section, panel
from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.models import Task

from .choices import Category
from .models import Complaint, ComplaintLink

AGES = [(0, 7), (8, 30), (31, 90), (91, None)]


def _days(value) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def complaint_figures(ctx, complaints) -> dict:
    """Three queries: the period's figures, open by age, by category (with the defects for the Pareto)."""
    now = timezone.now()
    final = Complaint.flow.final_states
    in_period = complaints.filter(
        received_at__date__gte=ctx.start, received_at__date__lte=ctx.end, **ctx.customer_filter()
    ).order_by()
    received = TruncDate("received_at")
    figures = in_period.annotate(
        repeat=Exists(ComplaintLink.objects.filter(complaint=OuterRef("pk"))),
        reply_days=ExpressionWrapper(F("first_replied_on") - received, output_field=DurationField()),
        close_days=ExpressionWrapper(F("closed_on") - received, output_field=DurationField()),
    ).aggregate(
        n=Count("pk"),
        repeats=Count("pk", filter=Q(repeat=True)),
        mean_reply=Avg("reply_days"),
        mean_close=Avg("close_days", filter=Q(state="closed")),
    )
    age = {}
    open_now = complaints.filter(**ctx.customer_filter()).exclude(state__in=final).order_by()
    for low, high in AGES:
        where = Q(received_at__lte=now - timedelta(days=low))
        if high is not None:
            where &= Q(received_at__gt=now - timedelta(days=high + 1))
        age[(low, high)] = Count("pk", filter=where)
    ages = open_now.aggregate(**{f"a{low}": expr for (low, _h), expr in age.items()})
    by_category = list(in_period.values("category").annotate(n=Count("pk")).order_by("-n").values_list("category", "n"))
    defects = list(
        in_period.values("defect__code", "defect__name_zh", "defect__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("defect__code", "defect__name_zh", "defect__name_en", "n")
    )
    months = list(
        in_period.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        .values_list("month", "n")
    )
    ids = complaints.filter(**ctx.customer_filter()).values("pk")
    ct_action = ContentType.objects.get_for_model(CorrectiveAction)
    overdue_actions = (
        CorrectiveAction.objects.filter(source_kind="complaint", source_id__in=ids)
        .exclude(state__in=CorrectiveAction.flow.final_states)
        .filter(
            Exists(
                Task.objects.filter(
                    content_type=ct_action, object_id=OuterRef("pk"), status=TaskStatus.OPEN, due_at__lt=now
                )
            )
        )
        .count()
    )
    return {
        **figures,
        "open": sum(ages.values()),
        "ages": [(low, high, ages[f"a{low}"]) for low, high in AGES],
        "by_category": by_category,
        "defects": defects,
        "months": months,
        "overdue_actions": overdue_actions,
    }


def _age_label(low: int, high: int | None) -> str:
    if high is None:
        return _("over %(days)s days") % {"days": low - 1}
    return _("%(low)s–%(high)s days") % {"low": low, "high": high}


@panel("complaints", order=40)
def complaints_panel(ctx) -> Panel | None:
    complaints = ctx.readable(Complaint.objects.all())
    if complaints is None:
        return None
    f = complaint_figures(ctx, complaints)
    url = reverse("complaints:complaint_list")
    period = {"received_after": ctx.start, "received_before": ctx.end}
    labels = dict(Category.choices)
    p = Panel("complaints", _("Customer complaints (4.6)"))
    p.figures = [
        Figure("complaints_received", _("Complaints received"), f["n"], url + ctx.query(**period)),
        Figure("complaints_open", _("Open complaints"), f["open"], url + ctx.query(open_only="on")),
        Figure("complaints_repeats", _("Repeats"), f["repeats"], url + ctx.query(repeat="on", **period)),
        Figure(
            "complaints_mean_reply",
            _("Mean days to the first reply"),
            _days(f["mean_reply"]),
            url + ctx.query(**period),
        ),
        Figure(
            "complaints_mean_close",
            _("Mean days to close"),
            _days(f["mean_close"]),
            url + ctx.query(state="closed", **period),
        ),
        Figure(
            "complaints_overdue_actions",
            _("Corrective actions overdue"),
            f["overdue_actions"],
            reverse("capa:action_list") + "?source_kind=complaint&overdue=on",
            alert=bool(f["overdue_actions"]),
        ),
    ]
    age_items = [(_age_label(low, high), n) for low, high, n in f["ages"]]
    title = _("Open complaints by age")
    p.charts.append(
        Chart("complaints_by_age", title, charts.bar_chart(age_items, title=title, color="#dc3545"), age_items)
    )
    category_items = [(str(labels.get(c, c)), n) for c, n in f["by_category"]]
    title = _("Complaints by category")
    p.charts.append(
        Chart(
            "complaints_by_category",
            title,
            charts.bar_chart(category_items, title=title, color="#6f42c1"),
            category_items,
        )
    )
    chinese = (translation_language() or "zh").startswith("zh")
    defect_items = [
        (f"{code} {(zh or en) if chinese else (en or zh)}" if code else "—", n) for code, zh, en, n in f["defects"]
    ]
    title = _("Pareto of defects")
    p.charts.append(Chart("complaints_pareto", title, charts.pareto_chart(defect_items, title=title), defect_items))
    month_items = [(f"{m:%Y-%m}", n) for m, n in f["months"]]
    title = _("Complaints by month")
    p.charts.append(Chart("complaints_by_month", title, charts.bar_chart(month_items, title=title), month_items))
    p.tables.append(
        Table(
            "complaints_by_category",
            _("Complaints by category"),
            [_("Category"), _("Complaints")],
            [Row([str(labels.get(c, c)), n], url + ctx.query(category=c, **period)) for c, n in f["by_category"]],
            empty=_("No complaints in the period."),
        )
    )
    return p


def translation_language() -> str:
    from django.utils.translation import get_language

    return get_language() or ""


@dossier_section("complaints", order=40)
def complaints_dossier(ctx) -> Panel | None:
    complaints = ctx.readable(Complaint.objects.all())
    if complaints is None:
        return None
    f = complaint_figures(ctx, complaints)
    url = reverse("complaints:complaint_list")
    p = Panel("complaints", _("Complaints"))
    p.figures = [
        Figure("dossier_complaints_open", _("Open complaints"), f["open"], url + ctx.query(open_only="on")),
        Figure("dossier_complaints_total", _("Complaints (all)"), f["n"], url + ctx.query()),
        Figure("dossier_complaints_repeats", _("Repeats"), f["repeats"], url + ctx.query(repeat="on")),
        Figure(
            "dossier_complaints_mean_close",
            _("Mean days to close"),
            _days(f["mean_close"]),
            url + ctx.query(state="closed"),
        ),
    ]
    return p


# --- after-sales feedback and advisory notices (4.5) ------------------------------------------------------


@panel("aftersales", order=45)
def aftersales_panel(ctx) -> Panel | None:
    """Feedback received in the period by tone and by source; advisory notices still open and the
    customers who have not acknowledged them. Three queries."""
    from .choices import AckState, FeedbackSource, Sentiment
    from .models import AdvisoryAck, AdvisoryNotice, Feedback

    feedback = ctx.readable(Feedback.objects.filter(**ctx.customer_filter()))
    notices = ctx.readable(AdvisoryNotice.objects.all())
    if feedback is None and notices is None:
        return None
    p = Panel("aftersales", _("After-sales feedback and advisory notices (4.5)"))
    if feedback is not None:
        url = reverse("complaints:feedback_list")
        period = {"received_after": ctx.start, "received_before": ctx.end}
        rows = list(
            feedback.filter(received_at__date__gte=ctx.start, received_at__date__lte=ctx.end)
            .order_by()
            .values("sentiment", "source")
            .annotate(n=Count("pk"))
            .values_list("sentiment", "source", "n")
        )
        tones = {s: sum(n for t, _s, n in rows if t == s) for s in Sentiment.values}
        sources = {s: sum(n for _t, src, n in rows if src == s) for s in FeedbackSource.values}
        p.figures.append(
            Figure("feedback_received", _("Feedback received"), sum(tones.values()), url + ctx.query(**period))
        )
        p.figures.append(
            Figure(
                "feedback_negative",
                _("Negative feedback"),
                tones[Sentiment.NEGATIVE],
                url + ctx.query(sentiment=Sentiment.NEGATIVE, **period),
                alert=bool(tones[Sentiment.NEGATIVE]),
            )
        )
        tone_labels, source_labels = dict(Sentiment.choices), dict(FeedbackSource.choices)
        items = [(str(tone_labels[s]), n) for s, n in tones.items()]
        title = _("Feedback by tone")
        p.charts.append(Chart("feedback_by_tone", title, charts.bar_chart(items, title=title, color="#0dcaf0"), items))
        items = [(str(source_labels[s]), n) for s, n in sources.items() if n]
        title = _("Feedback by source")
        p.charts.append(Chart("feedback_by_source", title, charts.hbar_chart(items, title=title), items))
    if notices is not None:
        open_notices = notices.exclude(state__in=AdvisoryNotice.flow.final_states)
        counts = open_notices.order_by().aggregate(n=Count("pk"))
        waiting = (
            AdvisoryAck.objects.filter(notice__in=open_notices, state=AckState.SENT, **ctx.customer_filter())
            .order_by()
            .aggregate(acks=Count("pk"), customers=Count("customer", distinct=True))
        )
        url = reverse("complaints:advisory_list")
        p.figures.append(Figure("advisories_open", _("Advisory notices open"), counts["n"], url))
        p.figures.append(
            Figure(
                "advisories_not_acknowledged",
                _("Customers who have not acknowledged"),
                waiting["customers"],
                url + "?state=sent",
                note=_("%(n)s acknowledgements awaited") % {"n": waiting["acks"]},
                alert=bool(waiting["customers"]),
            )
        )
    return p


@dossier_section("advisories", order=45)
def advisories_dossier(ctx) -> Panel | None:
    """The customer's advisory notices not acknowledged yet."""
    from .choices import AckState
    from .models import AdvisoryAck

    acks = ctx.readable(AdvisoryAck.objects.filter(customer=ctx.customer, state=AckState.SENT))
    if acks is None:
        return None
    rows = list(
        acks.order_by("respond_by", "pk").values_list("pk", "notice__number", "notice__subject", "respond_by")[:20]
    )
    p = Panel("advisories", _("Advisory notices not acknowledged"))
    p.tables.append(
        Table(
            "advisories_waiting",
            _("Advisory notices not acknowledged"),
            [_("Notice"), _("Subject"), _("Deadline")],
            [
                Row(
                    [number, subject, respond_by],
                    reverse("complaints:advisory_ack_detail", args=[pk]),
                    alert=bool(respond_by and respond_by < ctx.today),
                )
                for pk, number, subject, respond_by in rows
            ],
            empty=_("Every advisory notice is acknowledged."),
        )
    )
    return p
