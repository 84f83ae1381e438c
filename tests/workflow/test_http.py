"""The shared record page over HTTP: who may take which transition, refusals that keep input, files."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from nhcs.workflow import services
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.models import Attachment, SignOff
from tests.flowtest.models import Memo

from .helpers import advance, new_memo
from .test_engine import PDF, confirmation

PERSONAS = ["sales", "sales_head", "planner", "planning_head", "qa", "qa_head", "warehouse", "vgm", "gm"]

# transition -> who may take it on a memo written by `sales` (the flow's rules, stated independently).
ALLOWED = {
    "submit": {"sales", "sales_head"},
    "review": {"sales_head"},
    "return_to_draft": {"sales_head", "vgm"},
    "approve": {"vgm"},
    "reject": {"vgm"},
    "gm_approve": {"gm"},
    "reopen": {"sales", "sales_head"},
}
# Who reads memos (the flow's readers: Sales and Quality; heads and above): the others get 404.
READERS = {"sales", "sales_head", "qa", "qa_head", "planning_head", "vgm", "gm"}


def memo_in_source_state(demo, name: str) -> Memo:
    memo = new_memo(demo["sales"], price_changed=True)
    if name == "submit":
        return memo
    memo = advance(memo, ("submit", demo["sales"]))
    if name in {"review", "return_to_draft", "reopen"}:
        return memo
    memo = advance(memo, ("review", demo["sales_head"]))
    services.attachment_add(
        record=memo, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    if name in {"approve", "reject"}:
        return memo
    return advance(memo, ("approve", demo["vgm"]))


def post_transition(client, memo: Memo, name: str, comment="because", version=None):
    prefix = f"t-{name}"
    return client.post(
        memo.get_absolute_url(),
        {
            "_action": "transition",
            "transition_name": name,
            f"{prefix}-version": memo.version if version is None else version,
            f"{prefix}-transition": name,
            f"{prefix}-comment": comment,
        },
    )


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(demo, client_for, persona, name):
    memo = memo_in_source_state(demo, name)
    before = memo.state
    response = post_transition(client_for(demo[persona]), memo, name)
    memo.refresh_from_db()
    if persona in ALLOWED[name]:
        assert response.status_code == 302, response.content.decode()[:500]
        assert memo.state != before
        assert SignOff.objects.for_record(memo).last().user == demo[persona]
    else:
        assert response.status_code == (403 if persona in READERS else 404)
        assert memo.state == before


def test_record_page_offers_only_my_actions(demo, client_for):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    page = client_for(demo["sales_head"]).get(memo.get_absolute_url()).content.decode()
    assert 'data-transition="review"' in page and 'data-transition="return_to_draft"' in page
    page = client_for(demo["qa"]).get(memo.get_absolute_url()).content.decode()
    assert "data-transition=" not in page and 'id="no-actions"' in page


def test_refused_transition_keeps_the_typed_comment(demo, client_for):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    response = post_transition(client_for(demo["vgm"]), memo, "approve", comment="Looks fine, my long comment")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Looks fine, my long comment" in page
    # Why: the approval wants the customer's written confirmation attached (the page offers that kind of
    # attachment in every form, so the message itself is what tells).
    shown = lxml.html.fromstring(page).xpath("//div[@id='messages']/div")
    assert [" ".join(d.text_content().split()) for d in shown] == ["请先上传附件：客户书面确认。"]


def test_two_people_on_one_record_the_second_gets_a_clear_message(demo, client_for):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    stale_version = memo.version
    assert post_transition(client_for(demo["sales_head"]), memo, "review", version=stale_version).status_code == 302
    response = post_transition(
        client_for(demo["vgm"]), memo, "return_to_draft", comment="My reason", version=stale_version
    )
    assert response.status_code == 409
    assert "My reason" in response.content.decode()
    memo.refresh_from_db()
    assert memo.state == "reviewed"


def test_edit_page_requires_reason_after_draft_and_keeps_input(demo, client_for):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    client = client_for(demo["sales"])
    url = f"/flowtest/memos/{memo.pk}/edit/"
    response = client.post(
        url,
        {
            "title": "Changed title",
            "body": memo.body,
            "category": "general",
            "version": memo.version,
            "change_reason": "",
        },
    )
    assert response.status_code == 400
    assert "Changed title" in response.content.decode()
    response = client.post(
        url,
        {
            "title": "Changed title",
            "body": memo.body,
            "category": "general",
            "version": memo.version,
            "change_reason": "Fax 7",
        },
    )
    assert response.status_code == 302
    page = client.get(memo.get_absolute_url()).content.decode()
    assert "Changed title" in page and "Fax 7" in page and 'class="diff-old"' in page


def test_edit_page_refused_to_other_departments(demo, client_for):
    memo = new_memo(demo["sales"])
    assert client_for(demo["qa"]).get(f"/flowtest/memos/{memo.pk}/edit/").status_code == 403
    assert client_for(demo["qa"]).post(f"/flowtest/memos/{memo.pk}/edit/", {"title": "x"}).status_code == 403


def upload(client, memo, name, content, kind="fax", description="Fax from customer"):
    return client.post(
        memo.get_absolute_url(),
        {
            "_action": "attachment",
            "att-kind": kind,
            "att-description": description,
            "att-file": SimpleUploadedFile(name, content),
        },
    )


def test_attachment_numbered_and_downloadable_by_those_who_see_the_record(demo, client_for):
    memo = new_memo(demo["sales"])
    client = client_for(demo["sales"])
    assert upload(client, memo, "customer-fax-original.pdf", PDF).status_code == 302
    assert upload(client, memo, "b.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).status_code == 302
    a1, a2 = Attachment.objects.for_record(memo)
    assert (a1.seq, a2.seq) == (1, 2)
    assert a1.original_name not in a1.file.name  # stored under an unguessable name
    response = client_for(demo["qa"]).get(f"/attachments/{a1.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    from django.test import Client

    assert Client().get(f"/attachments/{a1.pk}/").status_code == 302  # anonymous → login
    from nhcs.accounts.services import user_create

    outsider = user_create(username="outsider", password="x-pass-123", department_code=None, position="staff")
    assert client_for(outsider).get(f"/attachments/{a1.pk}/").status_code == 404


def test_upload_refused_by_content_not_name_and_keeps_the_description(demo, client_for):
    memo = new_memo(demo["sales"])
    response = upload(
        client_for(demo["sales"]), memo, "invoice.pdf", b"MZ\x90\x00 this is an exe", description="My description"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "invoice.pdf" in page and "My description" in page
    assert not Attachment.objects.for_record(memo).exists()


@override_settings(NHCS_ATTACHMENT_MAX_BYTES=100)
def test_upload_over_the_size_limit_is_refused(demo, client_for):
    memo = new_memo(demo["sales"])
    response = upload(client_for(demo["sales"]), memo, "big.pdf", PDF + b"x" * 200)
    assert response.status_code == 400
    assert not Attachment.objects.for_record(memo).exists()


def test_my_tasks_lists_waiting_records_and_marks_overdue(demo, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from nhcs.workflow.models import Task

    memo = advance(new_memo(demo["sales"], title="Urgent memo"), ("submit", demo["sales"]))
    Task.objects.for_record(memo).open().update(due_at=timezone.now() - timedelta(days=1))
    page = client_for(demo["sales_head"]).get("/tasks/").content.decode()
    assert memo.number in page and "Urgent memo" in page and 'class="overdue"' in page
    assert 'id="task-count"' in page
    assert memo.number not in client_for(demo["qa"]).get("/tasks/").content.decode()


def test_department_head_sees_the_department_queue(demo, client_for):
    memo = new_memo(demo["sales"], title="Queue memo")  # waits for SALES (any) to submit
    page = client_for(demo["sales_head"]).get("/tasks/").content.decode()
    assert 'id="department-queue"' in page and memo.number in page.split('id="department-queue"')[1]


def test_reminders_mail_overdue_tasks_once_a_day(demo, mailoutbox, django_capture_on_commit_callbacks, run_jobs):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from nhcs.workflow.models import Task

    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    Task.objects.for_record(memo).open().update(due_at=timezone.now() - timedelta(hours=1))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))
    run_jobs()
    first = len(mailoutbox)
    assert first >= 1 and any("sales_head@nhcs.example" in m.to for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))
    run_jobs()
    assert len(mailoutbox) == first


def test_deputies_page(demo, client_for):
    from datetime import date

    client = client_for(demo["qa_head"])
    response = client.post("/deputies/", {"deputy": demo["qa"].pk, "starts_on": "2026-01-01", "ends_on": "2025-01-01"})
    assert response.status_code == 400
    today = date.today().isoformat()
    # A deputy must be able to hold the position: someone of Quality, or a superior — not Sales.
    response = client.post("/deputies/", {"deputy": demo["sales"].pk, "starts_on": today, "ends_on": today})
    assert response.status_code == 400
    assert "营销" not in response.content.decode().split('id="deputies-mine"')[-1][:0]
    response = client.post("/deputies/", {"deputy": demo["qa"].pk, "starts_on": today, "ends_on": today})
    assert response.status_code == 302
    assert client_for(demo["sales"]).post("/deputies/", {"deputy": demo["qa"].pk}).status_code == 403


def test_my_tasks_page_issues_constant_queries(demo, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(demo["sales_head"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tasks/").status_code == 200
        return len(ctx)

    for _ in range(3):
        advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    few = count()
    for _ in range(25):
        advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    assert count() == few


def test_a_file_may_be_shown_in_a_frame_of_our_own_pages_only(demo, client_for):
    memo = new_memo(demo["sales"])
    attachment = services.attachment_add(
        record=memo, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.CUSTOMER_REQUEST
    )
    response = client_for(demo["sales"]).get(f"/attachments/{attachment.pk}/?inline=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # Pages themselves are never framed.
    page = client_for(demo["sales"]).get(memo.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page["Content-Security-Policy"]
