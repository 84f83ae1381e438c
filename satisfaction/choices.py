from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    COLLECTING = "collecting", _("Collecting answers")
    CLOSED = "closed", _("Closed")
    ANALYSED = "analysed", _("Analysed")


class SampleRule(models.TextChoices):
    MANUAL = "manual", _("Chosen by hand")
    DRAWN = "drawn", _("Drawn by rule (key accounts plus a random share of the others)")


class Channel(models.TextChoices):
    """How the form reaches the customer (4.7.1)."""

    EMAIL = "email", _("E-mail link")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone interview")


class AnswerSource(models.TextChoices):
    ONLINE = "online", _("Answered online")
    LETTER = "letter", _("Returned letter")
    FAX = "fax", _("Returned fax")
    EMAIL = "email", _("Form returned by e-mail")
    PHONE = "phone", _("Phone interview")


class FollowUpKind(models.TextChoices):
    REMINDER_EMAIL = "reminder_email", _("Reminder e-mail")
    PHONE = "phone", _("Phone call")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("Personal e-mail")


class Band(models.TextChoices):
    """Total score bands of 4.7.3, best first."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NOT_VERY_SATISFIED = "not_very_satisfied", _("Not very satisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")


BAND_ZH = {
    Band.VERY_SATISFIED: "很满意",
    Band.FAIRLY_SATISFIED: "比较满意",
    Band.SATISFIED: "满意",
    Band.NOT_VERY_SATISFIED: "不太满意",
    Band.VERY_DISSATISFIED: "很不满意",
}
