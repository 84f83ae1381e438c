"""Survey e-mails go out in the background: a survey sent with the mail server down is sent at once, its
invitations wait in the queue, show "queued" per customer, and go out (and show "sent") when it is back."""

from datetime import timedelta

import lxml.html
import time_machine
from django.utils import timezone, translation

from nhcs.mail.choices import MailKind, MailStatus
from nhcs.mail.models import Mail
from satisfaction.choices import CampaignState

DOWN = "tests.mail.backends.DownBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(MailStatus(status).label)


def send_survey(client, campaign):
    return client.post(
        campaign.get_absolute_url(),
        {
            "_action": "transition",
            "transition_name": "send",
            "t-send-version": campaign.version,
            "t-send-transition": "send",
            "t-send-comment": "",
        },
    )


def recipient_mails(response) -> dict[str, list[tuple[str, str, str]]]:
    """{customer code: [(kind, status, badge text)]} from the campaign page's recipient table."""
    tree = lxml.html.fromstring(response.content.decode())
    return {
        row.get("data-customer"): [
            (cell.get("data-kind"), cell.get("data-status"), cell.xpath(".//span[@data-status]")[0].text_content())
            for cell in row.xpath(".//div[contains(@class, 'recipient-mail')]")
        ]
        for row in tree.xpath("//table[@id='recipient-table']//tr[@data-customer]")
    }


def test_survey_sent_with_the_mail_server_down_goes_out_when_it_is_back(
    demo, client_for, new_campaign, settings, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    settings.EMAIL_BACKEND = DOWN
    campaign = new_campaign()  # C001 and C003 by e-mail, C002 by fax, C004 by letter
    client = client_for(demo["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        response = send_survey(client, campaign)
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENT and campaign.sent_on == timezone.localdate()
    queued = [("survey_invitation", "queued", label("queued"))]
    assert recipient_mails(client.get(campaign.get_absolute_url())) == {
        "C001": queued,
        "C002": [],
        "C003": queued,
        "C004": [],
    }

    # The worker tries while the server is still down: nothing sent, the error kept, a retry due later.
    # (the survey's workflow tasks mailed Sales too: those mails wait in the same queue)
    assert run_jobs() == Mail.objects.count()
    assert mailoutbox == []
    invitations = list(Mail.objects.filter(kind=MailKind.SURVEY_INVITATION))
    assert len(invitations) == 2
    for mail in invitations:
        assert (mail.status, mail.attempts, mail.sent_at) == (MailStatus.QUEUED, 1, None)
        assert "Connection refused" in mail.last_error
        assert mail.next_attempt_at > timezone.now()
    assert run_jobs() == 0  # the retry is not due yet
    assert recipient_mails(client.get(campaign.get_absolute_url()))["C001"] == queued

    # The server is back and the retry is due (the first one waits a minute): the worker sends them.
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert run_jobs() == Mail.objects.count()
    survey_mails = [m for m in mailoutbox if "/s/" in m.body]
    assert sorted(m.to[0] for m in survey_mails) == ["purchasing@bosch-demo.example", "quality@huaqiang.example"]
    for recipient in campaign.recipients.filter(channel="email").select_related("customer"):
        [message] = [m for m in survey_mails if m.to == [recipient.customer.email]]
        assert recipient.token in message.body
    assert {(m.status, m.attempts) for m in Mail.objects.all()} == {(MailStatus.SENT, 2)}  # tasks' too
    sent = [("survey_invitation", "sent", label("sent"))]
    assert recipient_mails(client.get(campaign.get_absolute_url())) == {
        "C001": sent,
        "C002": [],
        "C003": sent,
        "C004": [],
    }


def test_survey_reminders_are_queued_and_shown_per_recipient(
    demo, client_for, sent_campaign, settings, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    campaign = sent_campaign()  # its invitations are queued in the fixture (never enqueued: no commit)
    client = client_for(demo["sales"])
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/surveys/{campaign.pk}/follow-up/", {"_action": "remind_all"})
    assert response.status_code == 302
    run_jobs()
    rows = recipient_mails(client.get(campaign.get_absolute_url()))
    assert rows["C001"] == [
        ("survey_invitation", "queued", label("queued")),
        ("survey_reminder", "queued", label("queued")),
    ]
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        run_jobs()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "orders@hkunited.example",
        "purchasing@bosch-demo.example",
        "quality@huaqiang.example",
    ]
    assert recipient_mails(client.get(campaign.get_absolute_url()))["C001"][1] == (
        "survey_reminder",
        "sent",
        label("sent"),
    )
