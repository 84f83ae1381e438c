"""Every write of the outgoing mail: queue, send (the job's body), retry, and the self-scheduling runs."""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import BadHeaderError, EmailMessage
from django.db import models, transaction
from django.utils import timezone

from nhcs.workflow.locking import lock_rows

from .choices import MailStatus
from .models import Mail, ScheduledRun

logger = logging.getLogger(__name__)

SUBJECT_MAX = Mail._meta.get_field("subject").max_length
ERROR_MAX = 2000
# A queued mail whose attempt is this much overdue has lost its job (a worker died, a queue was emptied).
STALE_AFTER = timedelta(minutes=15)


def retry_delays() -> list[timedelta]:
    """Waits before the 2nd, 3rd … attempt; after the last one a mail that still fails is "failed"."""
    return [timedelta(minutes=m) for m in settings.NHCS_MAIL_RETRY_MINUTES]


def max_attempts() -> int:
    return len(retry_delays()) + 1


def _enqueue_send(mail_id: int, attempt: int, run_after: datetime | None = None) -> None:
    from .tasks import send_mail

    job = send_mail.using(run_after=run_after) if run_after is not None else send_mail
    job.enqueue(mail_id=mail_id, attempt=attempt)


def _enqueue_on_commit(mail_id: int, attempt: int, run_after: datetime | None = None) -> None:
    # robust: if the queue cannot take the job, the committed work stands; the mail stays "queued" and the
    # daily sweep (mail_requeue_stale) enqueues it again.
    transaction.on_commit(lambda: _enqueue_send(mail_id, attempt, run_after), robust=True)


@transaction.atomic
def mail_queue(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    kind: str,
    about: models.Model | None = None,
    about_type_id: int | None = None,
    about_id: int | None = None,
) -> list[Mail]:
    """Write one queued mail per address (duplicates and blanks dropped) and send each in the background
    once the surrounding transaction commits; nothing is queued if it rolls back.

    `about` (or `about_type_id` + `about_id`) links the mails to the record they are about.
    """
    if about is not None:
        about_type_id = ContentType.objects.get_for_model(type(about)).pk
        about_id = about.pk
    addresses = list(dict.fromkeys(a.strip() for a in to if a and a.strip()))
    now = timezone.now()
    mails = Mail.objects.bulk_create(
        Mail(
            to=address,
            subject=" ".join(subject.split())[:SUBJECT_MAX],
            body=body,
            kind=kind,
            content_type_id=about_type_id,
            object_id=about_id,
            queued_at=now,
            next_attempt_at=now,
        )
        for address in addresses
    )
    for mail in mails:
        _enqueue_on_commit(mail.pk, 0)
    return mails


def _is_permanent(error: Exception) -> bool:
    """Errors no retry can fix: the server refused every address for good (5xx), or a malformed header."""
    if isinstance(error, BadHeaderError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return all(code >= 500 for code, _message in error.recipients.values())
    return False


@transaction.atomic
def mail_send(*, mail_id: int, attempt: int) -> str:
    """Hand one queued mail to the mail server (the send job's body). Returns sent, retry, failed or skipped.

    The row stays locked from the status check until the outcome is written, so two jobs for the same
    mail (a duplicate in the queue, two workers) cannot both send it: the second finds it sent, or finds
    a later attempt number, and does nothing. The mail is marked sent only after the server accepted it.
    """
    mail = lock_rows(Mail.objects.filter(pk=mail_id)).first()
    if mail is None or mail.status != MailStatus.QUEUED or mail.attempts != attempt:
        return "skipped"
    message = EmailMessage(subject=mail.subject, body=mail.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[mail.to])
    try:
        if not message.send(fail_silently=False):
            raise smtplib.SMTPException("The mail server accepted no recipient.")
    except Exception as error:  # whatever stopped the hand-over is written on the row
        return _record_failure(mail, error)
    mail.status = MailStatus.SENT
    mail.attempts += 1
    mail.sent_at = timezone.now()
    mail.next_attempt_at = None
    mail.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])
    return "sent"


def _record_failure(mail: Mail, error: Exception) -> str:
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    delays = retry_delays()
    if _is_permanent(error) or mail.attempts > len(delays):
        mail.status = MailStatus.FAILED
        mail.next_attempt_at = None
        outcome = "failed"
        logger.warning("Mail %s to %s failed for good after %s attempts: %s", mail.pk, mail.to, mail.attempts, error)
    else:
        mail.next_attempt_at = timezone.now() + delays[mail.attempts - 1]
        _enqueue_on_commit(mail.pk, mail.attempts, mail.next_attempt_at)
        outcome = "retry"
        logger.info(
            "Mail %s to %s not sent (attempt %s), retry at %s: %s",
            mail.pk,
            mail.to,
            mail.attempts,
            mail.next_attempt_at,
            error,
        )
    mail.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    return outcome


@transaction.atomic
def mail_retry(*, mails: Iterable[Mail]) -> int:
    """Send failed mails again now (one more attempt each; a new failure marks them failed again)."""
    ids = [m.pk for m in mails]
    now = timezone.now()
    retried = list(lock_rows(Mail.objects.filter(pk__in=ids, status=MailStatus.FAILED)).values_list("pk", "attempts"))
    Mail.objects.filter(pk__in=[pk for pk, _attempts in retried]).update(status=MailStatus.QUEUED, next_attempt_at=now)
    for pk, attempts in retried:
        _enqueue_on_commit(pk, attempts)
    return len(retried)


@transaction.atomic
def mail_requeue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Enqueue again the queued mails whose attempt is long overdue: their job was lost.

    Harmless when the job was merely late: the send job acts only on the attempt it was made for.
    """
    rows = list(
        Mail.objects.filter(status=MailStatus.QUEUED, next_attempt_at__lt=timezone.now() - older_than).values_list(
            "pk", "attempts"
        )
    )
    for pk, attempts in rows:
        _enqueue_on_commit(pk, attempts)
    return len(rows)


# --- jobs that schedule their own next run -----------------------------------------------------------

# A pending run this long past its time is taken as lost (its queue entry vanished); a new one may replace it.
RUN_LOST_AFTER = timedelta(hours=1)


@transaction.atomic
def run_schedule(*, name: str, job: Any, run_after: datetime, replace: bool = False) -> bool:
    """Enqueue the next run of a self-scheduling job `job` (a task taking `token`) at `run_after`.

    Only one run is live at a time: unless `replace`, nothing is enqueued while a run is pending (its time
    is ahead, or not long past). A replaced run stays in the queue but does nothing when it comes up.
    Returns whether a run was enqueued.
    """
    ScheduledRun.objects.get_or_create(name=name)
    run = lock_rows(ScheduledRun.objects.all()).get(name=name)
    if not replace and run.token is not None and run.run_after > timezone.now() - RUN_LOST_AFTER:
        return False
    run.token = uuid.uuid4()
    run.run_after = run_after
    run.save(update_fields=["token", "run_after"])
    token = str(run.token)
    transaction.on_commit(lambda: job.using(run_after=run_after).enqueue(token=token))
    return True


@transaction.atomic
def run_claim(*, name: str, token: str) -> bool:
    """Start the run carrying `token` if it is the live one; a stale or duplicate run gets False."""
    run = lock_rows(ScheduledRun.objects.filter(name=name)).first()
    if run is None or run.token is None or str(run.token) != token:
        return False
    run.token = None
    run.last_started_at = timezone.now()
    run.save(update_fields=["token", "last_started_at"])
    return True
