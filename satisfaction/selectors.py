"""Reads of the satisfaction surveys, each with the joins its page needs (constant query counts)."""

from __future__ import annotations

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
    aspects: list[AspectStat]
    bands: list[tuple[str, str, int, Decimal | None]]  # band, label, count, share %
    sample_size: int
    mean_total: Decimal | None
    response_count: int = 0
    previous: Campaign | None = None
    previous_mean_total: Decimal | None = None
    previous_response_rate: Decimal | None = None
    previous_bands: dict[str, int] = field(default_factory=dict)
    trend: list[tuple[int, Decimal, int]] = field(default_factory=list)  # year, mean total, answers
    low_totals: int = 0
    _responses: list[Response] | None = field(default=None, repr=False)

    @property
    def responses(self) -> list[Response]:
        """Every answer with its points, by customer code (the sheets list them all; the page a page of them)."""
        if self._responses is None:
            self._responses = list(responses_of(self.campaign))
        return self._responses

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


def responses_of(campaign: Campaign) -> QuerySet[Response]:
    """The answers of a survey with their points (in aspect order), by customer code."""
    return (
        Response.objects.filter(recipient__campaign=campaign)
        .select_related("recipient__customer", "entered_by")
        .prefetch_related("answers")
        .order_by("recipient__customer__code", "pk")
    )


def _aspect_means(campaign_ids: list[int]) -> dict[tuple[int, str], tuple[Decimal | None, int, int]]:
    """(mean, answers, answers below "satisfied") per (survey, aspect key), in the database."""
    rows = (
        Answer.objects.filter(response__recipient__campaign_id__in=campaign_ids)
        .order_by()
        .values("response__recipient__campaign_id", "aspect__key")
        .annotate(total=Sum("points"), n=Count("pk"), below=Count("pk", filter=Q(below_satisfied=True)))
    )
    return {
        (r["response__recipient__campaign_id"], r["aspect__key"]): (
            scoring.round_score(Decimal(r["total"]) / r["n"]) if r["n"] else None,
            r["n"],
            r["below"],
        )
        for r in rows
    }


def _totals(campaign: Campaign) -> dict:
    """Answers, their summed totals, totals below 60 and the answers per band of a survey: one query."""
    bands = {f"band_{b}": Count("pk", filter=Q(band=b)) for b in Band.values}
    row = Response.objects.filter(recipient__campaign=campaign).aggregate(
        n=Count("pk"),
        total_sum=Sum("total"),
        low=Count("pk", filter=Q(total__lt=scoring.LOW_TOTAL_LIMIT)),
        **bands,
    )
    row["mean"] = scoring.round_score(Decimal(row["total_sum"]) / row["n"]) if row["n"] else None
    row["bands"] = {b: row[f"band_{b}"] for b in Band.values}
    return row


def campaign_statistics(campaign: Campaign) -> Statistics:
    """The figures of the statistics sheet: per aspect, bands, response rate, comparison, trend over
    years, all counted and summed in the database; the answers per customer are read only when asked
    for (`responses`, or a page of `responses_of`). A fixed number of queries whatever the number of answers."""
    aspects = aspects_for(campaign)
    sample_size = campaign.recipients.count()
    previous = previous_campaign(campaign)
    ids = [campaign.pk] + ([previous.pk] if previous else [])
    points_by = _aspect_means(ids)
    aspect_stats = []
    for a in aspects:
        mean, n, below = points_by.get((campaign.pk, a.key), (None, 0, 0))
        aspect_stats.append(
            AspectStat(
                aspect=a,
                mean=mean,
                below_count=below,
                answer_count=n,
                previous_mean=points_by.get((previous.pk, a.key), (None, 0, 0))[0] if previous else None,
            )
        )
    totals = _totals(campaign)
    counts = totals["bands"]
    bands = [(b, scoring.band_label(b), counts[b], _share(counts[b], totals["n"])) for b in Band.values]
    stats = Statistics(
        campaign=campaign,
        aspects=aspect_stats,
        bands=bands,
        sample_size=sample_size,
        mean_total=totals["mean"],
        response_count=totals["n"],
        previous=previous,
        low_totals=totals["low"],
    )
    if previous:
        prev = _totals(previous)
        stats.previous_mean_total = prev["mean"]
        stats.previous_response_rate = _share(prev["n"], previous.recipients.count())
        stats.previous_bands = prev["bands"]
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
