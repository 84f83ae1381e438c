"""Every write of the satisfaction surveys. Workflow moves go through nhcs.workflow.services."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department, User
from nhcs.capa import services as capa
from nhcs.capa.choices import Trigger
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.links import services as links
from nhcs.links.exceptions import LinkClosed, LinkUsed
from nhcs.mail.choices import MailKind
from nhcs.mail.services import mail_queue
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed, StaleRecord
from nhcs.workflow.flow import list_text

from . import scoring
from .choices import AnswerSource, Band, CampaignState, Channel, FollowUpKind, SampleRule
from .defaults import DEFAULT_ASPECTS, DEFAULT_TICKS, GREETING_EN, GREETING_ZH
from .flow import CAMPAIGN_FLOW
from .models import Answer, Aspect, Campaign, FollowUp, Recipient, Response, Tick

# Default responsible department of each default aspect; a low total goes to the head of Sales.
ASPECT_DEPARTMENTS = {
    "quality": "QA",
    "delivery": "PLAN",
    "price": "SALES",
    "attitude": "SALES",
    "technical": "ENG",
    "complaints": "QA",
    "communication": "SALES",
    "packaging": "WH",
}
LOW_TOTAL_DEPARTMENT = "SALES"

# The kind of source a survey answer is to the corrective actions it raises (registered in apps.py).
SURVEY_ANSWER_SOURCE = "survey_answer"

# Purpose of the survey links (nhcs.links; registered in apps.py, page /s/<token>/).
SURVEY_LINK = "survey"

CHANNEL_FROM_CUSTOMER = {"email": Channel.EMAIL, "fax": Channel.FAX, "letter": Channel.LETTER, "phone": Channel.PHONE}


def is_sales(user: User) -> bool:
    """Sales runs the surveys (the role is declared in satisfaction/flow.py)."""
    return wf.may(user=user, flow=CAMPAIGN_FLOW, ability="run_surveys")


def _require_sales(user: User) -> None:
    if not is_sales(user):
        raise NotAllowed(_("Only Sales runs the satisfaction surveys."))


def _require_state(campaign: Campaign, *states: str) -> None:
    if campaign.state not in states:
        raise Blocked(_("The survey is “%(state)s”; this is not possible now.") % {"state": campaign.state_label})


def _lock(campaign: Campaign) -> Campaign:
    return wf.record_lock(campaign)


# --- campaigns ------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, user: User, title: str, period: str, response_deadline=None) -> Campaign:
    """A new survey in draft, with the default questionnaire copied onto it."""
    _require_sales(user)
    campaign = wf.record_create(
        model=Campaign,
        user=user,
        data={
            "title": title.strip(),
            "period": period.strip(),
            "response_deadline": response_deadline,
            "greeting_zh": GREETING_ZH,
            "greeting_en": GREETING_EN,
        },
    )
    departments = {d.code: d for d in Department.objects.all()}
    Aspect.objects.bulk_create(
        Aspect(
            campaign=campaign,
            key=key,
            label_zh=zh,
            label_en=en,
            weight=Decimal(1),
            responsible_department=departments[ASPECT_DEPARTMENTS[key]],
            order=i,
        )
        for i, (key, zh, en) in enumerate(DEFAULT_ASPECTS)
    )
    Tick.objects.bulk_create(
        Tick(campaign=campaign, key=key, label_zh=zh, label_en=en, points=points, order=i)
        for i, (key, zh, en, points) in enumerate(DEFAULT_TICKS)
    )
    return campaign


def _touch(campaign: Campaign, user: User, reason: str) -> None:
    """Questionnaire and sample are part of the record: bump its version and leave a change mark."""
    campaign.changed_by = user
    campaign.changed_at = timezone.now()
    campaign.version += 1
    campaign._change_reason = reason
    campaign._history_user = user
    campaign.save()


@transaction.atomic
def questionnaire_update(
    *, campaign: Campaign, user: User, aspects: list[dict[str, Any]], tick_points: dict[str, int]
) -> Campaign:
    """Replace the aspects (label, weight, department) and the tick points of a draft survey.

    `aspects` are dicts with id (None for a new row), label_zh, label_en, weight, responsible_department,
    delete. Ticks must stay in order: a better tick is worth more.
    """
    _require_sales(user)
    campaign = _lock(campaign)
    _require_state(campaign, CampaignState.DRAFT)
    problems = []
    kept = [a for a in aspects if not a.get("delete")]
    if not kept:
        problems.append(gettext("Keep at least one aspect."))
    if kept and sum(Decimal(a["weight"]) for a in kept) <= 0:
        problems.append(gettext("At least one aspect needs a weight above zero."))
    if any(Decimal(a["weight"]) < 0 for a in kept):
        problems.append(gettext("Weights cannot be negative."))
    order = [key for key, *_rest in DEFAULT_TICKS]
    points = [tick_points.get(key) for key in order]
    if any(p is None or p < 0 or p > 100 for p in points):
        problems.append(gettext("Every tick is worth between 0 and 100 points."))
    elif any(points[i] <= points[i + 1] for i in range(len(points) - 1)):
        problems.append(gettext("Each tick must be worth more than the one below it."))
    if problems:
        raise Blocked(problems=problems)
    existing = {a.pk: a for a in campaign.aspects.all()}
    used_keys = {a.key for a in existing.values()}
    for i, row in enumerate(aspects):
        aspect = existing.get(row.get("id"))
        if row.get("delete"):
            if aspect is not None:
                aspect.delete()
            continue
        if aspect is None:
            n = len(used_keys) + 1
            while f"aspect{n}" in used_keys:
                n += 1
            aspect = Aspect(campaign=campaign, key=f"aspect{n}")
            used_keys.add(aspect.key)
        aspect.label_zh = row["label_zh"].strip()
        aspect.label_en = row["label_en"].strip()
        aspect.weight = Decimal(row["weight"])
        aspect.responsible_department = row["responsible_department"]
        aspect.order = i
        aspect.save()
    for tick in campaign.ticks.all():
        if tick.points != tick_points[tick.key]:
            tick.points = tick_points[tick.key]
            tick.save(update_fields=["points"])
    _touch(campaign, user, gettext("Questionnaire changed"))
    return campaign


def _recipients_replace(campaign: Campaign, customers: Iterable[Customer]) -> list[Recipient]:
    campaign.recipients.all().delete()
    rows = [
        Recipient(
            campaign=campaign,
            customer=c,
            channel=CHANNEL_FROM_CUSTOMER.get(c.preferred_channel, Channel.EMAIL),
            is_key_account=c.is_key_account,
        )
        for c in customers
    ]
    return Recipient.objects.bulk_create(rows)


@transaction.atomic
def sample_choose(*, campaign: Campaign, user: User, customers: Iterable[Customer]) -> Campaign:
    """The sample chosen by hand."""
    _require_sales(user)
    campaign = _lock(campaign)
    _require_state(campaign, CampaignState.DRAFT)
    customers = list(customers)
    if not customers:
        raise Blocked(_("Choose at least one customer."))
    _recipients_replace(campaign, customers)
    campaign.sample_rule = SampleRule.MANUAL
    campaign.sample_share = None
    campaign.sample_seed = None
    _touch(campaign, user, gettext("Sample chosen by hand: %(n)s customers") % {"n": len(customers)})
    return campaign


def sample_draw_customers(*, share: int, seed: int, customers: Iterable[Customer]) -> list[Customer]:
    """Every key account, plus `share` % of the others drawn at random with `seed` (reproducible)."""
    customers = sorted(customers, key=lambda c: c.code)
    key = [c for c in customers if c.is_key_account]
    others = [c for c in customers if not c.is_key_account]
    count = int((Decimal(len(others)) * Decimal(share) / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    drawn = random.Random(seed).sample(others, count)
    return sorted(key + drawn, key=lambda c: c.code)


@transaction.atomic
def sample_draw(*, campaign: Campaign, user: User, share: int, seed: int | None = None) -> Campaign:
    """Draw the sample by rule from the active customers; the seed is stored so the draw can be repeated."""
    _require_sales(user)
    campaign = _lock(campaign)
    _require_state(campaign, CampaignState.DRAFT)
    if share < 0 or share > 100:
        raise Blocked(_("The share is a percentage between 0 and 100."))
    seed = secrets.randbelow(2**31) if seed is None else seed
    chosen = sample_draw_customers(share=share, seed=seed, customers=Customer.objects.filter(is_active=True))
    if not chosen:
        raise Blocked(_("The rule draws no customer: raise the share or mark key accounts."))
    _recipients_replace(campaign, chosen)
    campaign.sample_rule = SampleRule.DRAWN
    campaign.sample_share = share
    campaign.sample_seed = seed
    _touch(
        campaign,
        user,
        gettext("Sample drawn: %(n)s customers (share %(share)s%%, seed %(seed)s)")
        % {"n": len(chosen), "share": share, "seed": seed},
    )
    return campaign


@transaction.atomic
def recipient_set_channel(*, recipient: Recipient, user: User, channel: str) -> Recipient:
    _require_sales(user)
    campaign = _lock(recipient.campaign)
    _require_state(campaign, CampaignState.DRAFT)
    if channel not in Channel.values:
        raise Blocked(_("Choose a channel."))
    recipient.channel = channel
    recipient.save(update_fields=["channel"])
    _touch(
        campaign,
        user,
        gettext("Channel of %(customer)s: %(channel)s")
        % {"customer": recipient.customer.code, "channel": Channel(channel).label},
    )
    return recipient


def link_expiry(campaign: Campaign) -> datetime:
    """Links work until the end of the answer-by day, office time."""
    end = datetime.combine(campaign.response_deadline + timedelta(days=1), time.min)
    return timezone.make_aware(end, timezone.get_default_timezone())


def campaign_after_send(*, record: Campaign, user: User, **kwargs) -> None:
    """Hook of the "send" transition: date the sending, arm the links, queue the e-mail invitations.

    The invitations are written in the transition's transaction (sent with it, or not at all) and go out
    in the background: a mail server outage does not stop the survey from being sent.
    """
    now = timezone.now()
    Campaign.objects.filter(pk=record.pk).update(sent_on=timezone.localdate())
    record.sent_on = timezone.localdate()
    record.recipients.update(sent_at=now)
    expires_at = link_expiry(record)
    for recipient in record.recipients.filter(link=None).select_related("customer"):
        recipient.link = links.link_create(
            purpose=SURVEY_LINK, customer=recipient.customer, target=recipient, expires_at=expires_at, user=user
        )
        recipient.save(update_fields=["link"])
    ids = list(record.recipients.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    mail_survey_links(recipient_ids=ids, reminder=False)


@transaction.atomic
def mail_survey_links(*, recipient_ids: list[int], reminder: bool) -> int:
    """Queue for each customer their private link, in their language. Returns the number of mails queued."""
    from .defaults import ONLINE_GREETING

    queued = 0
    for r in Recipient.objects.filter(pk__in=recipient_ids).select_related("customer", "campaign", "link"):
        if not r.customer.email:
            continue
        with translation.override(r.customer.language or "zh-hans"):
            context = {
                "recipient": r,
                "campaign": r.campaign,
                "url": r.public_url(),
                "reminder": reminder,
                "customer": r.customer,
                "greeting": ONLINE_GREETING,  # the online form's, not the paper form's "return by post"
            }
            subject = render_to_string("satisfaction/email/link_subject.txt", context).strip()
            body = render_to_string("satisfaction/email/link_body.txt", context)
        kind = MailKind.SURVEY_REMINDER if reminder else MailKind.SURVEY_INVITATION
        queued += len(mail_queue(to=[r.customer.email], subject=subject, body=body, kind=kind, about=r))
    return queued


# --- follow-up of non-respondents ---------------------------------------------------------------


@transaction.atomic
def follow_up_log(*, recipient: Recipient, user: User, kind: str, note: str = "") -> FollowUp:
    """Log a phone or fax follow-up (or send a reminder e-mail) for a customer who has not answered."""
    _require_sales(user)
    campaign = _lock(recipient.campaign)
    _require_state(campaign, CampaignState.SENT, CampaignState.COLLECTING)
    if Response.objects.filter(recipient=recipient).exists():
        raise Blocked(_("This customer has already answered."))
    if kind not in FollowUpKind.values:
        raise Blocked(_("Choose how you followed up."))
    note = (note or "").strip()
    if kind in (FollowUpKind.PHONE, FollowUpKind.FAX, FollowUpKind.EMAIL) and not note:
        raise Blocked(_("Write down what was said or sent."))
    if kind == FollowUpKind.REMINDER_EMAIL:
        if not recipient.customer.email:
            raise Blocked(_("%(customer)s has no e-mail address.") % {"customer": recipient.customer})
        mail_survey_links(recipient_ids=[recipient.pk], reminder=True)
    return FollowUp.objects.create(recipient=recipient, kind=kind, note=note, done_by=user)


@transaction.atomic
def reminders_send(*, campaign: Campaign, user: User) -> int:
    """A reminder e-mail to every non-respondent with an e-mail address; returns how many."""
    count = 0
    pending = campaign.recipients.filter(response__isnull=True).exclude(customer__email="").select_related("customer")
    for recipient in pending:
        follow_up_log(recipient=recipient, user=user, kind=FollowUpKind.REMINDER_EMAIL)
        count += 1
    return count


# --- answers ------------------------------------------------------------------------------------


def recipient_for_link(link) -> Recipient:
    """The surveyed customer behind a usable survey link (nhcs.links checked it is known, unused and
    unexpired); LinkUsed when the answer came another way meanwhile, LinkClosed once the survey is closed."""
    recipient = Recipient.objects.select_related("campaign", "customer").filter(link=link).first()
    if recipient is None:
        raise LinkClosed(link)  # the survey this link was for no longer exists
    if Response.objects.filter(recipient=recipient).exists():
        raise LinkUsed(link)
    if not recipient.campaign.is_open_for_answers:
        raise LinkClosed(link)
    return recipient


def _score(campaign: Campaign, ticks_by_aspect: dict[int, int]) -> tuple[list[Answer], Decimal]:
    aspects = list(campaign.aspects.all())
    ticks = {t.pk: t for t in campaign.ticks.all()}
    satisfied = next(t.points for t in ticks.values() if t.key == Band.SATISFIED)
    missing = [a.label_for() for a in aspects if ticks.get(ticks_by_aspect.get(a.pk)) is None]
    if missing:
        raise Blocked(_("Tick one box in each row. Missing: %(rows)s.") % {"rows": list_text(missing)})
    answers = []
    for a in aspects:
        tick = ticks[ticks_by_aspect[a.pk]]
        answers.append(Answer(aspect=a, tick=tick, points=tick.points, below_satisfied=tick.points < satisfied))
    total = scoring.weighted_total((a.aspect.weight, a.points) for a in answers)
    return answers, total


def _response_write(
    *,
    recipient: Recipient,
    campaign: Campaign,
    ticks_by_aspect: dict[int, int],
    source: str,
    entered_by: User | None,
    signed_name: str,
    comments: str,
    respondent: str = "",
    received_on=None,
) -> Response:
    answers, total = _score(campaign, ticks_by_aspect)
    response = Response(
        recipient=recipient,
        source=source,
        entered_by=entered_by,
        signed_name=(signed_name or "").strip()[:80],
        respondent=(respondent or "").strip()[:80],
        comments=(comments or "").strip(),
        total=total,
        band=scoring.band_for(total),
        received_on=received_on or timezone.localdate(),
    )
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise StaleRecord(_("An answer from this customer has already been recorded.")) from None
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    improvements_raise(response=response, answers=answers, user=entered_by or campaign.created_by)
    opinion_pass_on(response=response, user=entered_by or campaign.created_by)
    return response


def opinion_pass_on(*, response: Response, user: User) -> None:
    """The customer's comments reach the after-sales feedback register (4.7.4: no opinion is lost),
    through the shared hook of nhcs.customers.opinions; once per answer."""
    from nhcs.customers.opinions import NEGATIVE, NEUTRAL, SURVEY, customer_opinion

    recipient = response.recipient
    customer_opinion(
        key=f"survey_answer:{response.pk}",
        customer=recipient.customer,
        text=response.comments,
        source=SURVEY,
        received_on=response.received_on,
        user=user,
        contact_name=response.signed_name or response.respondent,
        reference=f"{recipient.campaign.number}-{recipient.customer.code}",
        url=reverse("satisfaction:response_detail", args=[recipient.campaign_id, recipient.pk]),
        sentiment=NEGATIVE if scoring.is_low_total(response.total) else NEUTRAL,
    )


@transaction.atomic
def answer_submit_online(
    *,
    token: str,
    ticks_by_aspect: dict[int, int],
    signed_name: str = "",
    comments: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Response:
    """The customer's own submission through their link: once, before the link expires. The link keeps
    the name typed, the time and the address (nhcs.links). LinkProblem when the link cannot be used."""
    link = links.link_for_use(token=token, purpose=SURVEY_LINK, for_update=True)
    recipient = recipient_for_link(link)
    response = _response_write(
        recipient=recipient,
        campaign=recipient.campaign,
        ticks_by_aspect=ticks_by_aspect,
        source=AnswerSource.ONLINE,
        entered_by=None,
        signed_name=signed_name,
        comments=comments,
    )
    links.link_use(link=link, name=signed_name, ip=ip, user_agent=user_agent)
    return response


@transaction.atomic
def answer_enter(
    *,
    recipient: Recipient,
    user: User,
    ticks_by_aspect: dict[int, int],
    source: str,
    received_on,
    signed_name: str = "",
    respondent: str = "",
    comments: str = "",
    scan=None,
) -> Response:
    """Staff enter a form returned by letter, fax or e-mail (scan attached) or taken on the phone."""
    _require_sales(user)
    campaign = _lock(recipient.campaign)
    _require_state(campaign, CampaignState.SENT, CampaignState.COLLECTING)
    if source not in (AnswerSource.LETTER, AnswerSource.FAX, AnswerSource.EMAIL, AnswerSource.PHONE):
        raise Blocked(_("Choose how the answer came in."))
    if source != AnswerSource.PHONE and scan is None:
        raise Blocked(_("Attach the scan of the returned form."))
    if source == AnswerSource.PHONE and not (respondent or "").strip():
        raise Blocked(_("Name the person interviewed."))
    if received_on and received_on > timezone.localdate():
        raise Blocked(_("The date received cannot be in the future."))
    response = _response_write(
        recipient=recipient,
        campaign=campaign,
        ticks_by_aspect=ticks_by_aspect,
        source=source,
        entered_by=user,
        signed_name=signed_name,
        respondent=respondent,
        comments=comments,
        received_on=received_on,
    )
    if scan is not None:
        wf.attachment_add(
            record=response,
            user=user,
            upload=scan,
            kind=AttachmentKind.SCAN,
            purpose="survey_returned_form",
        )
    return response


# --- corrective actions raised by low answers (4.7.4–4.7.5) -------------------------------------------


@transaction.atomic
def improvements_raise(*, response: Response, answers: list[Answer], user: User) -> list[CorrectiveAction]:
    """The corrective actions a low answer raises (nhcs.capa): one for a total below 60 (Sales), one per
    aspect below 'satisfied' (its responsible department), each keeping the aspect and the score."""
    actions = []
    if scoring.is_low_total(response.total):
        actions.append(
            capa.action_raise(
                source=response,
                user=user,
                trigger=Trigger.LOW_TOTAL,
                score=response.total,
                owner_department=Department.objects.get(code=LOW_TOTAL_DEPARTMENT),
            )
        )
    for answer in answers:
        if answer.below_satisfied:
            actions.append(
                capa.action_raise(
                    source=response,
                    user=user,
                    trigger=Trigger.LOW_ASPECT,
                    topic=answer.aspect,
                    score=Decimal(answer.points),
                    owner_department=answer.aspect.responsible_department,
                )
            )
    return actions
