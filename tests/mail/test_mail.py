"""Mail in the background: queued with the work that causes it, sent by the worker through the real queue,
retried with backoff while the mail server is down, never sent twice, its status shown on the pages."""

import io
from datetime import datetime, timedelta

import lxml.html
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nhcs.jobs import TaskResultStatus
from nhcs.mail.choices import MailKind, MailStatus
from nhcs.mail.models import Mail
from nhcs.mail.services import mail_queue
from nhcs.mail.tasks import send_mail
from nhcs.workflow.models import Task
from tests.workflow.helpers import advance, new_memo

DOWN = "tests.mail.backends.DownBackend"
REFUSING = "tests.mail.backends.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def record_mails(response) -> list[tuple[str, str]]:
    """[(to, status)] from the record page's list of e-mails about the record."""
    tree = lxml.html.fromstring(response.content.decode())
    return [
        (row.xpath("./td[2]")[0].text_content(), row.get("data-status"))
        for row in tree.xpath("//details[@id='record-mails']//tr[contains(@class, 'record-mail')]")
    ]


def pending(task_path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=task_path))


# --- retries, failure, never twice -------------------------------------------------------------------------


def test_retries_back_off_then_fail_and_the_admin_retries_now(
    demo, client_for, settings, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    settings.EMAIL_BACKEND = DOWN
    settings.NHCS_MAIL_RETRY_MINUTES = [1, 5]  # three attempts in all
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        [mail] = mail_queue(to=["buyer@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    assert run_jobs() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.QUEUED, 1)
    assert timedelta(seconds=50) < mail.next_attempt_at - start < timedelta(minutes=2)
    with time_machine.travel(start + timedelta(seconds=30)):
        assert run_jobs() == 0  # not yet
    with time_machine.travel(start + timedelta(minutes=2)):
        assert run_jobs() == 1
        mail.refresh_from_db()
        assert (mail.status, mail.attempts) == (MailStatus.QUEUED, 2)
        assert timedelta(minutes=4) < mail.next_attempt_at - timezone.now() < timedelta(minutes=6)
    with time_machine.travel(start + timedelta(minutes=10)):
        assert run_jobs() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.next_attempt_at) == (MailStatus.FAILED, 3, None)
    assert "Connection refused" in mail.last_error
    with time_machine.travel(start + timedelta(days=1)):
        assert run_jobs() == 0  # a failed mail is not tried again by itself
    assert mailoutbox == []

    # The mail log in the admin: by status, by address; "retry now" sends a failed mail again.
    admin = client_for(demo["admin"])
    page = admin.get("/admin/mail/mail/?status__exact=failed").content.decode()
    assert "buyer@customer.example" in page
    assert "buyer@customer.example" not in admin.get("/admin/mail/mail/?status__exact=sent").content.decode()
    assert "buyer@customer.example" in admin.get("/admin/mail/mail/?q=buyer%40customer").content.decode()
    assert "buyer@customer.example" not in admin.get("/admin/mail/mail/?q=nobody").content.decode()
    settings.EMAIL_BACKEND = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/admin/mail/mail/", {"action": "retry_now", "_selected_action": [mail.pk]})
    assert response.status_code == 302
    mail.refresh_from_db()
    assert mail.status == MailStatus.QUEUED
    assert run_jobs() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 4) and mail.sent_at is not None
    assert [m.to for m in mailoutbox] == [["buyer@customer.example"]]


def test_the_mail_log_is_read_only_in_the_admin(demo, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [mail] = mail_queue(to=["x@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    admin = client_for(demo["admin"])
    page = admin.get(f"/admin/mail/mail/{mail.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin.post(f"/admin/mail/mail/{mail.pk}/change/", {"to": "y@example.com"}).status_code == 403
    assert admin.get("/admin/mail/mail/add/").status_code == 403
    assert admin.post(f"/admin/mail/mail/{mail.pk}/delete/", {"post": "yes"}).status_code == 403
    mail.refresh_from_db()
    assert mail.to == "x@customer.example"
    assert client_for(demo["sales"]).get("/admin/mail/mail/").status_code == 302  # staff only


def test_an_address_refused_for_good_fails_at_once(
    db, settings, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        [mail] = mail_queue(to=["nobody@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    assert run_jobs() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 1)
    assert "No such user" in mail.last_error
    assert pending("nhcs.mail.tasks.send_mail") == []


def test_a_mail_is_never_sent_twice_by_two_jobs(db, settings, mailoutbox, django_capture_on_commit_callbacks, run_jobs):
    with django_capture_on_commit_callbacks(execute=True):
        [mail] = mail_queue(to=["a@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    send_mail.enqueue(mail_id=mail.pk, attempt=0)  # a second job for the same mail (a duplicate, a sweep)
    assert len(pending("nhcs.mail.tasks.send_mail")) == 2
    assert run_jobs() == 2
    assert len(mailoutbox) == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 1)
    results = sorted(r.return_value for r in DBTaskResult.objects.filter(task_path="nhcs.mail.tasks.send_mail"))
    assert results == ["sent", "skipped"]
    # A late retry job for an attempt already made does nothing either.
    send_mail.enqueue(mail_id=mail.pk, attempt=1)
    assert run_jobs() == 1
    assert len(mailoutbox) == 1


def test_a_lost_job_is_enqueued_again_by_the_daily_sweep(db, settings, mailoutbox, run_jobs):
    # Queued outside any captured commit: the mail row exists, its job was never enqueued (a crash, say).
    [mail] = mail_queue(to=["lost@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    assert run_jobs() == 0 and mailoutbox == []
    from django.test import TestCase

    from nhcs.mail.services import mail_requeue_stale

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert mail_requeue_stale() == 0  # not overdue yet
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert mail_requeue_stale() == 1
        assert run_jobs() == 1
    assert [m.to for m in mailoutbox] == [["lost@customer.example"]]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's")
def test_workers_share_the_queue_through_skip_locked(django_capture_on_commit_callbacks, run_jobs):
    """Several workers (on several machines) each take a different job: the worker claims one with
    SELECT … FOR UPDATE SKIP LOCKED."""
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(to=["a@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    with CaptureQueriesContext(connection) as ctx:
        assert run_jobs() == 1
    assert any("FOR UPDATE SKIP LOCKED" in q["sql"] for q in ctx.captured_queries)


# --- workflow task mails -----------------------------------------------------------------------------------


def test_task_mails_are_queued_on_commit_and_not_when_it_rolls_back(
    demo, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    memo = new_memo(demo["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        advance(memo, ("submit", demo["sales"]))
        assert not Mail.objects.exists()  # inside the transaction: nothing yet
    mails = list(Mail.objects.all())
    assert "sales_head@nhcs.example" in {m.to for m in mails}
    assert all(m.kind == MailKind.TASK and m.status == MailStatus.QUEUED and m.about == memo for m in mails)
    assert all(memo.number in m.subject for m in mails)
    assert len(pending("nhcs.mail.tasks.send_mail")) == len(mails)
    assert mailoutbox == []
    run_jobs()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.to for m in mails)

    other = new_memo(demo["sales"], title="Rolled back")
    count = Mail.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            advance(other, ("submit", demo["sales"]))
            raise RuntimeError("something later in the same request failed")
    assert callbacks == []
    assert Mail.objects.count() == count
    assert run_jobs() == 0


def test_record_page_shows_its_mails_to_those_who_see_it(
    demo, client_for, settings, django_capture_on_commit_callbacks, run_jobs
):
    settings.EMAIL_BACKEND = DOWN
    memo = new_memo(demo["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        advance(memo, ("submit", demo["sales"]))
    client = client_for(demo["sales_head"])
    assert ("sales_head@nhcs.example", "queued") in record_mails(client.get(memo.get_absolute_url()))
    run_jobs()
    page = client.get(memo.get_absolute_url())
    assert ("sales_head@nhcs.example", "queued") in record_mails(page)
    assert "Connection refused" in page.content.decode()  # the last error, on hover
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        run_jobs()
    assert ("sales_head@nhcs.example", "sent") in record_mails(client.get(memo.get_absolute_url()))

    from nhcs.accounts.services import user_create

    outsider = user_create(username="outsider", password="x-pass-123", department_code=None, position="staff")
    response = client_for(outsider).get(memo.get_absolute_url())
    assert response.status_code == 404 and b"sales_head@nhcs.example" not in response.content


# --- the daily reminder job --------------------------------------------------------------------------------

OFFICE = timezone.get_default_timezone()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=OFFICE)


def test_reminder_job_mails_each_overdue_task_once_a_day_and_keeps_one_next_run(
    demo, settings, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    settings.NHCS_REMINDER_HOUR = 8
    job = "nhcs.workflow.tasks.send_reminders"

    def reminders():
        return sorted(m.to[0] for m in mailoutbox if "Overdue:" in m.subject)

    with time_machine.travel(at(2, 7)):  # Monday 07:00 office time
        memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
        Task.objects.for_record(memo).open().update(due_at=timezone.now() - timedelta(hours=1))
        out = []
        for _ in range(2):  # starting the schedule twice keeps one pending run
            stdout = io.StringIO()
            with django_capture_on_commit_callbacks(execute=True):
                call_command("send_reminders", "--schedule", stdout=stdout)
            out.append(stdout.getvalue())
        assert out[0].startswith("Daily reminders scheduled: next run 2026-03-02 08:00")
        assert out[1].startswith("Daily reminders already scheduled: next run 2026-03-02 08:00")
        [run] = pending(job)
        assert run.run_after == at(2, 8)
        assert run_jobs() == 0  # not 08:00 yet

    with time_machine.travel(at(2, 8, 1)):
        run_jobs()
        first = reminders()
        assert "sales_head@nhcs.example" in first
        [run] = pending(job)
        assert run.run_after == at(3, 8)  # tomorrow, and only that one
        # Running it now again the same day (the command, a second worker) mails nobody twice.
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=io.StringIO())
        run_jobs()
        assert reminders() == first
        assert len(pending(job)) == 1
        # A stale run (replaced, or a duplicate in the queue) does nothing and schedules nothing.
        from nhcs.workflow.tasks import send_reminders

        send_reminders.enqueue(token="00000000-0000-0000-0000-000000000000")
        assert run_jobs() == 1
        assert reminders() == first and len(pending(job)) == 1

    with time_machine.travel(at(3, 8, 1)):  # Tuesday: the task is still overdue, one reminder more
        run_jobs()
        assert reminders() == sorted(first + first)
        [run] = pending(job)
        assert run.run_after == at(4, 8)
    assert {m.kind for m in Mail.objects.filter(subject__contains="Overdue:")} == {MailKind.TASK_REMINDER}
