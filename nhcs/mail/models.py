"""Outgoing e-mail: one row per recipient, sent in the background by a job, with its status.

A mail is written (status "queued") in the transaction of whatever caused it, and a send job is enqueued
when that transaction commits. The job hands the mail to the mail server, and only then marks it "sent";
a failure is written on the row and retried later, until the last attempt marks it "failed".
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import MailKind, MailStatus


class Mail(models.Model):
    to = models.EmailField(pgettext_lazy("mail", "to"))
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    # The record the mail is about (a workflow record, a survey recipient …), if any.
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("about (type)"), on_delete=models.SET_NULL, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    status = models.CharField(
        pgettext_lazy("mail", "status"), max_length=8, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("mail log", "e-mail")
        verbose_name_plural = pgettext_lazy("mail log", "e-mails")
        ordering = ["-queued_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def status_label(self) -> str:
        return self.get_status_display()

    @property
    def kind_label(self) -> str:
        return self.get_kind_display()


class ScheduledRun(models.Model):
    """The next run of a job that schedules itself (the daily reminders): at most one is live.

    Each enqueued run carries the token written here; a run whose token is no longer the current one (it
    was replaced, or already ran) does nothing, so duplicates in the queue cannot multiply the schedule.
    """

    name = models.CharField(_("job"), max_length=64, unique=True)
    token = models.UUIDField(_("token of the pending run"), null=True, blank=True)
    run_after = models.DateTimeField(_("next run"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
