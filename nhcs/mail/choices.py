from django.db import models
from django.utils.translation import gettext_lazy as _


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class MailKind(models.TextChoices):
    """What a mail is for. An area that sends a new kind of mail adds its code here."""

    TASK = "task", _("task waiting")
    TASK_REMINDER = "task_reminder", _("overdue reminder")
    SURVEY_INVITATION = "survey_invitation", _("survey invitation")
    SURVEY_REMINDER = "survey_reminder", _("survey reminder")
    ADVISORY_NOTICE = "advisory_notice", _("advisory notice")
    ADVISORY_REMINDER = "advisory_reminder", _("advisory notice reminder")
