"""Two workers on the same mail at the same moment (PostgreSQL, real transactions): the row lock lets
exactly one of them hand it to the mail server."""

import pytest
from django.db import connection

from nhcs.mail.choices import MailKind, MailStatus
from nhcs.mail.services import mail_queue, mail_send
from tests.workflow.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_workers_sending_the_same_mail_at_once_send_it_once(transactional_db, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail.backends.SlowBackend"
    [mail] = mail_queue(to=["a@customer.example"], subject="Hello", body="Text", kind=MailKind.TASK)
    results = run_together([lambda: mail_send(mail_id=mail.pk, attempt=0) for _ in range(2)])
    assert sorted(results) == [("ok", "sent"), ("ok", "skipped")]
    assert len(mailoutbox) == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 1)
