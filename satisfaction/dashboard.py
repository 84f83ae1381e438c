"""Customer satisfaction (4.7) on the dashboard, in the management review report and in the customer
dossier (nhcs.dashboard.registry). Aggregate queries only.

"Last survey" is the last survey sent on or before the end of the period; its mean total is rounded as
the statistics sheet rounds it (half up, one decimal), and the band of that mean is the procedure's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _

from nhcs.capa.models import CorrectiveAction
from nhcs.core import charts
from nhcs.dashboard.registry import Chart, Figure, Panel, Row, Table, dossier_section, panel

from . import scoring
from .choices import Band
from .models import Answer, Campaign, Response
from .selectors import SENT_STATES, no_recent_survey_warning
from .services import SURVEY_ANSWER_SOURCE


def _round(value) -> Decimal | None:
    return None if value is None else scoring.round_score(Decimal(str(value)))


def _open_items(ctx, responses) -> int:
    return (
        CorrectiveAction.objects.filter(source_kind=SURVEY_ANSWER_SOURCE, source_id__in=responses.values("pk"))
        .exclude(state__in=CorrectiveAction.flow.final_states)
        .count()
    )


def _trend(responses) -> list[tuple[int, Decimal | None, int]]:
    rows = (
        responses.annotate(year=ExtractYear("recipient__campaign__sent_on"))
        .values("year")
        .annotate(mean=Avg("total"), n=Count("pk"))
        .order_by("year")
        .values_list("year", "mean", "n")
    )
    return [(year, _round(mean), n) for year, mean, n in rows]


@panel("satisfaction", order=50)
def satisfaction_panel(ctx) -> Panel | None:
    campaigns = ctx.readable(Campaign.objects.filter(state__in=SENT_STATES, sent_on__isnull=False))
    if campaigns is None:
        return None
    last = campaigns.filter(sent_on__lte=ctx.end).order_by("-sent_on", "-pk").first()
    responses = Response.objects.filter(
        recipient__campaign__in=campaigns.values("pk"), **ctx.customer_filter("recipient__customer")
    )
    p = Panel("satisfaction", _("Customer satisfaction (4.7)"))
    url = reverse("satisfaction:campaign_list")
    bands = {b: 0 for b in Band.values}
    if last is not None:
        of_last = responses.filter(recipient__campaign=last).order_by()
        figures = of_last.aggregate(mean=Avg("total"), n=Count("pk"))
        bands.update(dict(of_last.values("band").annotate(n=Count("pk")).values_list("band", "n")))
        sent = last.recipients.filter(**ctx.customer_filter("customer")).count()
        mean = _round(figures["mean"])
        stats_url = reverse("satisfaction:statistics", args=[last.pk])
        p.figures = [
            Figure(
                "satisfaction_mean",
                _("Mean total of the last survey"),
                mean,
                stats_url,
                note=f"{last.number} · {scoring.band_label(scoring.band_for(mean))}"
                if mean is not None
                else last.number,
                alert=mean is not None and scoring.is_low_total(mean),
            ),
            Figure(
                "satisfaction_response_rate",
                _("Response rate"),
                round(100 * figures["n"] / sent, 1) if sent else None,
                reverse("satisfaction:campaign_detail", args=[last.pk]),
                unit="%",
                note=_("%(n)s answers of %(sent)s customers surveyed") % {"n": figures["n"], "sent": sent},
            ),
        ]
    else:
        p.figures = [Figure("satisfaction_mean", _("Mean total of the last survey"), None, url)]
    p.figures.append(
        Figure(
            "satisfaction_open_items",
            _("Open improvement items"),
            _open_items(ctx, responses),
            reverse("capa:action_list") + f"?source_kind={SURVEY_ANSWER_SOURCE}",
        )
    )
    warning = no_recent_survey_warning()
    if warning:
        p.warnings.append(warning)
    band_items = [(str(scoring.band_label(b)), bands[b]) for b in Band.values]
    title = _("Band distribution of the last survey")
    p.charts.append(
        Chart("satisfaction_bands", title, charts.bar_chart(band_items, title=title, color="#20a070"), band_items)
    )
    trend = _trend(responses.filter(recipient__campaign__sent_on__lte=ctx.end).order_by())
    trend_items = [(str(year), mean) for year, mean, _n in trend]
    title = _("Mean total by year")
    p.charts.append(
        Chart("satisfaction_trend", title, charts.line_chart(trend_items, title=title, scale_max=100), trend_items)
    )
    return p


@dossier_section("satisfaction", order=50)
def satisfaction_dossier(ctx) -> Panel | None:
    campaigns = ctx.readable(Campaign.objects.filter(state__in=SENT_STATES, sent_on__isnull=False))
    if campaigns is None:
        return None
    responses = Response.objects.filter(
        recipient__campaign__in=campaigns.values("pk"), recipient__customer=ctx.customer
    ).order_by()
    trend = _trend(responses)
    below = list(
        Answer.objects.filter(response__in=responses, below_satisfied=True)
        .values_list(
            "response__recipient__campaign__sent_on",
            "response__recipient__campaign_id",
            "response__recipient_id",
            "aspect__label_zh",
            "aspect__label_en",
            "tick__label_zh",
        )
        .order_by("-response__recipient__campaign__sent_on", "aspect__order")[:30]
    )
    p = Panel("satisfaction", _("Satisfaction"))
    p.figures = [
        Figure(
            "dossier_open_items",
            _("Open improvement items"),
            _open_items(ctx, responses),
            reverse("capa:action_list") + f"?source_kind={SURVEY_ANSWER_SOURCE}",
        )
    ]
    p.tables.append(
        Table(
            "satisfaction_by_year",
            _("Survey totals by year"),
            [_("Year"), _("Total"), _("Band"), _("Answers")],
            [
                Row([year, mean, str(scoring.band_label(scoring.band_for(mean))) if mean is not None else "", n])
                for year, mean, n in trend
            ],
            empty=_("No survey answers from this customer."),
        )
    )
    p.tables.append(
        Table(
            "satisfaction_below",
            _("Aspects below 'satisfied'"),
            [_("Survey sent on"), _("Aspect"), _("Answer")],
            [
                Row(
                    [sent_on, f"{zh} {en}", tick],
                    reverse("satisfaction:response_detail", args=[campaign_id, recipient_id]),
                )
                for sent_on, campaign_id, recipient_id, zh, en, tick in below
            ],
            empty=_("No aspect below 'satisfied'."),
        )
    )
    return p
