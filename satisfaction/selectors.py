"""Reads of the satisfaction surveys, each with the joins its page needs (constant query counts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from nhcs.mail.selectors import mails_by_object

from . import scoring
from .choices import Band, CampaignState
from .models import Answer, Aspect, Campaign, Recipient, Response

SENT_STATES = (CampaignState.SENT, CampaignState.COLLECTING, CampaignState.CLOSED, CampaignState.ANALYSED)


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("created_by").annotate(
        recipient_count=Count("recipients", distinct=True),
        response_count=Count("recipients__response", distinct=True),
    )


def campaign_detail(pk: int) -> QuerySet[Campaign]:
    return Campaign.objects.select_related("created_by", "changed_by")


def recipients_for(campaign: Campaign) -> list[Recipient]:
    """The sample with each customer's answer, follow-ups and e-mails (invitation, reminders), in one go."""
    rows = list(
        campaign.recipients.select_related("customer", "response", "response__entered_by", "link")
        .prefetch_related("follow_ups__done_by")
        .order_by("customer__code")
    )
    mails = mails_by_object(Recipient, [r.pk for r in rows])
    for r in rows:
        r.mails = mails.get(r.pk, [])
    return rows


def non_respondents(campaign: Campaign) -> list[Recipient]:
    """Customers who have not answered, with days since the form went out (4.7.2)."""
    today = timezone.now()
    rows = list(
        campaign.recipients.filter(response__isnull=True)
        .select_related("customer")
        .prefetch_related("follow_ups__done_by")
        .order_by("sent_at", "customer__code")
    )
    for r in rows:
        r.days_waiting = (today - r.sent_at).days if r.sent_at else None
    return rows


def aspects_for(campaign: Campaign) -> list[Aspect]:
    return list(campaign.aspects.select_related("responsible_department"))


def last_campaign_sent_within(days: int = 365) -> Campaign | None:
    since = timezone.localdate() - timedelta(days=days)
    return Campaign.objects.filter(state__in=SENT_STATES, sent_on__gte=since).order_by("-sent_on").first()


def no_recent_survey_warning() -> str | None:
    """4.7.1 asks for a survey at least once a year."""
    from django.utils.translation import gettext as _

    if last_campaign_sent_within(365) is None:
        return _(
            "No customer satisfaction survey has been sent in the last 12 months (NH-QP14 4.7.1: at least once a year)."
        )
    return None


# --- statistics sheet (4.7.4) ---------------------------------------------------------------------


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return scoring.round_score(sum(values, Decimal(0)) / len(values))


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return scoring.round_score(Decimal(part) * 100 / whole)


@dataclass
class AspectStat:
    aspect: Aspect
    mean: Decimal | None
    below_count: int
    answer_count: int
    previous_mean: Decimal | None = None

    @property
    def below_share(self) -> Decimal | None:
        return _share(self.below_count, self.answer_count)

    @property
    def change(self) -> Decimal | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


@dataclass
class Statistics:
    campaign: Campaign
    responses: list[Response]
    aspects: list[AspectStat]
    bands: list[tuple[str, str, int, Decimal | None]]  # band, label, count, share %
    sample_size: int
    mean_total: Decimal | None
    previous: Campaign | None = None
    previous_mean_total: Decimal | None = None
    previous_response_rate: Decimal | None = None
    previous_bands: dict[str, int] = field(default_factory=dict)
    trend: list[tuple[int, Decimal, int]] = field(default_factory=list)  # year, mean total, answers
    low_totals: int = 0

    @property
    def response_count(self) -> int:
        return len(self.responses)

    @property
    def response_rate(self) -> Decimal | None:
        return _share(self.response_count, self.sample_size)

    @property
    def mean_change(self) -> Decimal | None:
        if self.mean_total is None or self.previous_mean_total is None:
            return None
        return self.mean_total - self.previous_mean_total

    @property
    def mean_band(self) -> str | None:
        return scoring.band_for(self.mean_total) if self.mean_total is not None else None


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The survey sent before this one (the one to compare with)."""
    qs = Campaign.objects.filter(state__in=SENT_STATES, sent_on__isnull=False).exclude(pk=campaign.pk)
    if campaign.sent_on:
        qs = qs.filter(Q(sent_on__lt=campaign.sent_on) | Q(sent_on=campaign.sent_on, pk__lt=campaign.pk))
    return qs.order_by("-sent_on", "-pk").first()


def _aspect_means(campaign_ids: list[int]) -> dict[tuple[int, str], tuple[Decimal | None, int]]:
    """(mean, answers) per (survey, aspect key), summed and counted in the database."""
    rows = (
        Answer.objects.filter(response__recipient__campaign_id__in=campaign_ids)
        .order_by()
        .values("response__recipient__campaign_id", "aspect__key")
        .annotate(total=Sum("points"), n=Count("pk"))
    )
    return {
        (r["response__recipient__campaign_id"], r["aspect__key"]): (
            scoring.round_score(Decimal(r["total"]) / r["n"]) if r["n"] else None,
            r["n"],
        )
        for r in rows
    }


def campaign_statistics(campaign: Campaign) -> Statistics:
    """The figures of the statistics sheet: per customer, per aspect, bands, response rate, comparison,
    trend over years. A fixed number of queries whatever the number of answers."""
    responses = list(
        Response.objects.filter(recipient__campaign=campaign)
        .select_related("recipient__customer", "entered_by")
        .prefetch_related("answers")
        .order_by("recipient__customer__code")
    )
    aspects = aspects_for(campaign)
    sample_size = campaign.recipients.count()
    previous = previous_campaign(campaign)
    ids = [campaign.pk] + ([previous.pk] if previous else [])
    points_by = _aspect_means(ids)
    below: dict[int, int] = defaultdict(int)
    for r in responses:
        for a in r.answers.all():
            if a.below_satisfied:
                below[a.aspect_id] += 1
    aspect_stats = [
        AspectStat(
            aspect=a,
            mean=points_by.get((campaign.pk, a.key), (None, 0))[0],
            below_count=below.get(a.pk, 0),
            answer_count=points_by.get((campaign.pk, a.key), (None, 0))[1],
            previous_mean=points_by.get((previous.pk, a.key), (None, 0))[0] if previous else None,
        )
        for a in aspects
    ]
    counts = {b: 0 for b in Band.values}
    for r in responses:
        counts[r.band] += 1
    bands = [(b, scoring.band_label(b), counts[b], _share(counts[b], len(responses))) for b in Band.values]
    stats = Statistics(
        campaign=campaign,
        responses=responses,
        aspects=aspect_stats,
        bands=bands,
        sample_size=sample_size,
        mean_total=_mean([r.total for r in responses]),
        previous=previous,
        low_totals=sum(1 for r in responses if scoring.is_low_total(r.total)),
    )
    if previous:
        prev = list(Response.objects.filter(recipient__campaign=previous).values_list("total", "band"))
        stats.previous_mean_total = _mean([t for t, _b in prev])
        stats.previous_response_rate = _share(len(prev), previous.recipients.count())
        stats.previous_bands = {b: sum(1 for _t, pb in prev if pb == b) for b in Band.values}
    stats.trend = trend_by_year(upto=campaign)
    return stats


def trend_by_year(*, upto: Campaign | None = None) -> list[tuple[int, Decimal, int]]:
    """Mean total of all answers per year a survey was sent, oldest first."""
    qs = Response.objects.filter(recipient__campaign__state__in=SENT_STATES, recipient__campaign__sent_on__isnull=False)
    if upto is not None and upto.sent_on:
        qs = qs.filter(recipient__campaign__sent_on__year__lte=upto.sent_on.year)
    rows = (
        qs.order_by()
        .values(year=ExtractYear("recipient__campaign__sent_on"))
        .annotate(total=Sum("total"), n=Count("pk"))
        .order_by("year")
    )
    return [(r["year"], scoring.round_score(Decimal(r["total"]) / r["n"]), r["n"]) for r in rows if r["n"]]
