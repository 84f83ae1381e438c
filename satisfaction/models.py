"""Customer satisfaction surveys (NH-QP14 4.7): campaigns, their questionnaire, the sample, answers,
follow-ups of non-respondents. Low scores raise corrective actions (nhcs.capa), whose source is the answer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.workflow.models import WorkflowRecord

from .choices import (
    AnswerSource,
    Band,
    CampaignState,
    Channel,
    FollowUpKind,
    SampleRule,
)
from .flow import CAMPAIGN_FLOW


class Campaign(WorkflowRecord):
    """One survey round: its questionnaire, its sample and the answers (a survey at least once a year)."""

    flow = CAMPAIGN_FLOW

    title = models.CharField(_("title"), max_length=120)
    period = models.CharField(_("period surveyed"), max_length=40, help_text=_("e.g. 2026 or 2026 H2"))
    response_deadline = models.DateField(
        _("answer by"), null=True, blank=True, help_text=_("Survey links stop working after this day.")
    )
    greeting_zh = models.TextField(_("greeting (Chinese)"))
    greeting_en = models.TextField(_("greeting (English)"))
    sample_rule = models.CharField(_("sample"), max_length=10, choices=SampleRule.choices, default=SampleRule.MANUAL)
    sample_share = models.PositiveSmallIntegerField(
        _("share of other customers drawn (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    sample_seed = models.BigIntegerField(
        _("random seed of the draw"),
        null=True,
        blank=True,
        help_text=_("The same seed and customer list give the same sample."),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at", "-pk"]

    def get_absolute_url(self) -> str:
        return reverse("satisfaction:campaign_detail", args=[self.pk])

    def record_title(self) -> str:
        return f"{self.title} ({self.period})"

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        data["aspects"] = [
            (a.key, a.label_zh, a.label_en, str(a.weight), a.responsible_department_id) for a in self.aspects.all()
        ]
        data["ticks"] = [(t.key, t.points) for t in self.ticks.all()]
        data["sample"] = [(r.customer_id, r.channel) for r in self.recipients.all()]
        data["answers"] = [
            (r.recipient_id, str(r.total), r.band) for r in Response.objects.filter(recipient__campaign=self)
        ]
        return data

    @property
    def is_open_for_answers(self) -> bool:
        return self.state in (CampaignState.SENT, CampaignState.COLLECTING)


class Aspect(models.Model):
    """A row of the questionnaire, with its weight and the department that answers for it."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="aspects")
    key = models.SlugField(_("key"), max_length=30)
    label_zh = models.CharField(_("aspect (Chinese)"), max_length=60)
    label_en = models.CharField(_("aspect (English)"), max_length=80)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    responsible_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="aspect_key_per_campaign")]

    def __str__(self) -> str:
        return self.label_for()

    def label_for(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language or get_language() or "zh-hans"
        if language.startswith("zh"):
            return self.label_zh or self.label_en
        return self.label_en or self.label_zh


class Tick(models.Model):
    """One of the five boxes of a row and what it is worth out of 100."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="ticks")
    key = models.CharField(_("key"), max_length=30, choices=Band.choices)
    label_zh = models.CharField(_("tick (Chinese)"), max_length=20)
    label_en = models.CharField(_("tick (English)"), max_length=40)
    points = models.PositiveSmallIntegerField(_("points"), validators=[MaxValueValidator(100)])
    order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("tick")
        verbose_name_plural = _("ticks")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="tick_key_per_campaign")]

    def __str__(self) -> str:
        return self.label_for()

    def label_for(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language or get_language() or "zh-hans"
        if language.startswith("zh"):
            return self.label_zh
        return self.label_en or self.label_zh


class Recipient(models.Model):
    """A customer in a campaign's sample, with the channel and the private link of their answer (a
    customer link of nhcs.links, given out when the survey is sent)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="survey_recipients"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_key_account = models.BooleanField(_("key account"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    link = models.OneToOneField(
        "links.CustomerLink",
        verbose_name=_("survey link"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="survey_recipient",
    )

    class Meta:
        verbose_name = _("customer surveyed")
        verbose_name_plural = _("customers surveyed")
        ordering = ["customer__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="recipient_once_per_campaign")]

    def __str__(self) -> str:
        return str(self.customer)

    @property
    def token(self) -> str:
        return self.link.token if self.link_id else ""

    @property
    def expires_at(self):
        return self.link.expires_at if self.link_id else None

    def public_url(self) -> str:
        return self.link.url if self.link_id else ""


class FollowUp(models.Model):
    """A reminder or follow-up of a customer who has not answered (4.7.2)."""

    recipient = models.ForeignKey(
        Recipient, verbose_name=_("customer surveyed"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done at"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_at:%Y-%m-%d}"


class Response(models.Model):
    """A customer's filled form, answered online or entered by staff from a letter, fax or call."""

    recipient = models.OneToOneField(
        Recipient, verbose_name=_("customer surveyed"), on_delete=models.PROTECT, related_name="response"
    )
    source = models.CharField(_("received as"), max_length=10, choices=AnswerSource.choices)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    submitted_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_name = models.CharField(_("signed by (customer)"), max_length=80, blank=True)
    respondent = models.CharField(_("person interviewed"), max_length=80, blank=True)
    comments = models.TextField(_("customer's comments"), blank=True)
    total = models.DecimalField(_("total score"), max_digits=4, decimal_places=1)
    band = models.CharField(_("band"), max_length=20, choices=Band.choices)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["recipient__customer__code"]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.total}"

    @property
    def band_label(self) -> str:
        from .scoring import band_label

        return band_label(self.band)

    def can_be_seen_by(self, user) -> bool:
        from nhcs.workflow.services import can_view_record

        return can_view_record(user=user, record=self.recipient.campaign)


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("survey answer"), on_delete=models.CASCADE, related_name="answers"
    )
    aspect = models.ForeignKey(Aspect, verbose_name=_("aspect"), on_delete=models.PROTECT, related_name="answers")
    tick = models.ForeignKey(Tick, verbose_name=_("tick"), on_delete=models.PROTECT, related_name="answers")
    # Copied from the tick when answered: the form's values as the customer saw them.
    points = models.PositiveSmallIntegerField(_("points"))
    below_satisfied = models.BooleanField(_("below 'satisfied'"), default=False)

    class Meta:
        verbose_name = _("aspect answer")
        verbose_name_plural = _("aspect answers")
        ordering = ["aspect__order", "aspect_id"]
        constraints = [models.UniqueConstraint(fields=["response", "aspect"], name="answer_once_per_aspect")]

    def __str__(self) -> str:
        return f"{self.aspect}: {self.tick}"
