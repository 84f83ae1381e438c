"""Reads of the satisfaction surveys, each with the joins its page needs (constant query counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from nhcs.mail.selectors import mails_by_object

from . import scoring
from .choices import Band, CampaignState
from .models import Answer, Aspect, Campaign, Recipient, Response

SENT_STATES = (CampaignState.SENT, CampaignState.COLLECTING, CampaignState.CLOSED, CampaignState.ANALYSED)


def campaign_list(*, counts: bool = True) -> QuerySet[Campaign]:
    """The surveys; with `counts`, each with its customers surveyed and answers (the sheets, the API).
    The list page reads its page's counts in one grouped query instead (`with_counts`)."""
    qs = Campaign.objects.select_related("created_by")
    if not counts:
        return qs
    return qs.annotate(
        recipient_count=Count("recipients", distinct=True),
        response_count=Count("recipients__response", distinct=True),
    )


def campaign_figures(*, bands: bool = False) -> dict[int, dict]:
    """Per survey: customers surveyed, answers, their summed totals, state and day sent (with `bands`
    also the totals below 60 and the answers per band) — every survey in one query grouped by survey
    (the list page's counts, the statistics and the trend over years come from it)."""
    extra = {}
    if bands:
        extra = {f"band_{b}": Count("response", filter=Q(response__band=b)) for b in Band.values}
        extra["low"] = Count("response", filter=Q(response__total__lt=scoring.LOW_TOTAL_LIMIT))
    return {
        row["campaign_id"]: row
        for row in Recipient.objects.order_by()
        .values("campaign_id", "campaign__state", "campaign__sent_on")
        .annotate(total=Count("pk"), answered=Count("response"), points=Sum("response__total"), **extra)
    }


def with_counts(campaigns, figures: dict[int, dict]) -> list[Campaign]:
    """The surveys, each with `recipient_count` and `response_count` from `campaign_figures()`."""
    rows = list(campaigns)
    for r in rows:
        f = figures.get(r.pk, {})
        r.recipient_count, r.response_count = f.get("total", 0), f.get("answered", 0)
    return rows


def trend_from(figures: dict[int, dict], *, upto: Campaign | None = None) -> list[tuple[int, Decimal, int]]:
    """The mean total of all answers per year a survey was sent, oldest first (up to the year `upto`
    was sent), from `campaign_figures()`."""
    last = upto.sent_on.year if upto is not None and upto.sent_on else None
    years: dict[int, list] = {}
    for f in figures.values():
        sent_on = f["campaign__sent_on"]
        if f["campaign__state"] in SENT_STATES and sent_on is not None and f["answered"]:
            if last is not None and sent_on.year > last:
                continue
            year = years.setdefault(f["campaign__sent_on"].year, [Decimal(0), 0])
            year[0] += f["points"]
            year[1] += f["answered"]
    return [(y, scoring.round_score(total / n), n) for y, (total, n) in sorted(years.items())]


def campaign_detail(pk: int) -> QuerySet[Campaign]:
    return Campaign.objects.select_related("created_by", "changed_by")


# The answer states a survey's recipients are counted and filtered by (the survey page).
RECIPIENT_STATES = {
    "answered": Q(response__isnull=False),
    "waiting": Q(response__isnull=True, sent_at__isnull=False),
    "not_sent": Q(response__isnull=True, sent_at__isnull=True),
}


def recipient_counts(campaign: Campaign) -> dict[str, int]:
    """Customers surveyed, and how many answered, are waiting, were not sent the form: one query."""
    return campaign.recipients.aggregate(
        total=Count("pk"), **{state: Count("pk", filter=q) for state, q in RECIPIENT_STATES.items()}
    )


def recipients_of(campaign: Campaign, *, answer: str = "", q: str = "") -> QuerySet[Recipient]:
    """The sample by customer code with each customer's answer and link, narrowed to an answer state
    (RECIPIENT_STATES) and a customer code or name; a page of it goes through `with_mails`."""
    qs = (
        campaign.recipients.select_related("customer", "response", "link")
        .only(
            *("campaign_id", "customer_id", "channel", "is_key_account", "sent_at", "link_id"),
            *("customer__code", "customer__name_zh", "customer__name_en"),
            *("response__total", "response__band"),
            *("link__token", "link__purpose"),
        )
        .order_by("customer__code", "pk")
    )
    if answer in RECIPIENT_STATES:
        qs = qs.filter(RECIPIENT_STATES[answer])
    if q:
        qs = qs.filter(
            Q(customer__code__icontains=q) | Q(customer__name_zh__icontains=q) | Q(customer__name_en__icontains=q)
        )
    return qs


def with_mails(recipients) -> list[Recipient]:
    """The recipients, each with its e-mails (invitation, reminders) as `mails`, oldest first, and its
    answer or None as `answer` (read with the recipient, no query): one query."""
    rows = list(recipients)
    mails = mails_by_object(Recipient, [r.pk for r in rows])
    answer_of = Recipient.response.related.get_cached_value
    for r in rows:
        r.mails = mails.get(r.pk, [])
        r.answer = answer_of(r, None)
    return rows


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


def response_rows_of(campaign: Campaign) -> QuerySet[Response]:
    """The answers of a survey by customer code, with only what the statistics page's table shows; a page
    of it goes through `with_points`."""
    return (
        Response.objects.filter(recipient__campaign=campaign)
        .select_related("recipient__customer")
        .only(
            *("recipient_id", "total", "band", "comments"),
            *("recipient__customer__code", "recipient__customer__name_zh", "recipient__customer__name_en"),
        )
        .order_by("recipient__customer__code", "pk")
    )


def with_points(responses) -> list[Response]:
    """The answers, each with `points`: (points, below "satisfied") per aspect in questionnaire order, as
    plain pairs read in one query."""
    rows = list(responses)
    points: dict[int, list[tuple[int, bool]]] = {r.pk: [] for r in rows}
    for response_id, value, below in (
        Answer.objects.filter(response_id__in=list(points))
        .order_by("response_id", "aspect__order", "aspect_id")
        .values_list("response_id", "points", "below_satisfied")
    ):
        points[response_id].append((value, below))
    for r in rows:
        r.points = points[r.pk]
    return rows


def _aspect_means(campaign_ids: list[int]) -> dict[tuple[int, str], tuple[Decimal | None, int, int]]:
    """(mean, answers, answers below "satisfied") per (survey, aspect key), in the database."""
    # An aspect belongs to one survey: the answers are found through their aspects (a few rows, indexed).
    rows = (
        Answer.objects.filter(aspect__campaign_id__in=campaign_ids)
        .order_by()
        .values("aspect__campaign_id", "aspect__key")
        .annotate(total=Sum("points"), n=Count("pk"), below=Count("pk", filter=Q(below_satisfied=True)))
    )
    return {
        (r["aspect__campaign_id"], r["aspect__key"]): (
            scoring.round_score(Decimal(r["total"]) / r["n"]) if r["n"] else None,
            r["n"],
            r["below"],
        )
        for r in rows
    }


def _totals(figures: dict[int, dict], campaign: Campaign) -> dict:
    """Customers surveyed, answers, their mean total, totals below 60 and the answers per band of a
    survey, from `campaign_figures()`."""
    row = figures.get(campaign.pk) or {"total": 0, "answered": 0, "points": None, "low": 0}
    n = row["answered"]
    return {
        "sample": row["total"],
        "n": n,
        "mean": scoring.round_score(Decimal(row["points"]) / n) if n else None,
        "low": row["low"],
        "bands": {b: row.get(f"band_{b}", 0) for b in Band.values},
    }


def campaign_statistics(campaign: Campaign) -> Statistics:
    """The figures of the statistics sheet: per aspect, bands, response rate, comparison, trend over
    years, all counted and summed in the database; the answers per customer are read only when asked
    for (`responses`, or a page of `responses_of`). A fixed number of queries whatever the number of answers."""
    aspects = aspects_for(campaign)
    figures = campaign_figures(bands=True)
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
    totals = _totals(figures, campaign)
    counts = totals["bands"]
    bands = [(b, scoring.band_label(b), counts[b], _share(counts[b], totals["n"])) for b in Band.values]
    stats = Statistics(
        campaign=campaign,
        aspects=aspect_stats,
        bands=bands,
        sample_size=totals["sample"],
        mean_total=totals["mean"],
        response_count=totals["n"],
        previous=previous,
        low_totals=totals["low"],
    )
    if previous:
        prev = _totals(figures, previous)
        stats.previous_mean_total = prev["mean"]
        stats.previous_response_rate = _share(prev["n"], prev["sample"])
        stats.previous_bands = prev["bands"]
    stats.trend = trend_from(figures, upto=campaign)
    return stats


def trend_by_year(*, upto: Campaign | None = None) -> list[tuple[int, Decimal, int]]:
    """Mean total of all answers per year a survey was sent, oldest first (up to the year `upto` was sent)."""
    return trend_from(campaign_figures(), upto=upto)
