"""After-sales feedback and advisory notices with acknowledgement tracking (NH-QP14 4.5), over HTTP."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from complaints import services
from complaints.models import AdvisoryAck, AdvisoryNotice, Complaint, Feedback
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.links.models import CustomerLink
from nhcs.mail.models import Mail
from nhcs.workflow import services as wf
from nhcs.workflow.models import Attachment, Task

from .conftest import PDF, TODAY

pytestmark = pytest.mark.django_db


def _now_local() -> str:
    return (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


def feedback_post(**overrides) -> dict:
    data = {
        "customer": Customer.objects.get(code="C001").pk,
        "contact_name": "李工",
        "contact_detail": "138-0000-0000",
        "source": "phone",
        "received_at": _now_local(),
        "order_number": "SO-2026-0042",
        "part_number": "NH-CN-2040",
        "lot": "LOT-K1",
        "sentiment": "negative",
        "text": "=1+1 端子插拔力偏大 Insertion force too high",
    }
    data.update(overrides)
    return data


@pytest.fixture
def feedback(demo):
    def make(user="sales", **data):
        values = {
            "customer": Customer.objects.get(code="C001"),
            "source": "visit",
            "received_at": timezone.now() - timedelta(hours=3),
            "sentiment": "neutral",
            "text": "包装很好 Packaging fine",
        }
        values.update(data)
        return services.feedback_register(user=demo[user], data=values)

    return make


def notice_data(**overrides) -> dict:
    data = {
        "subject": "端子镀层可能脱落 Plating may peel",
        "reason": "镀层附着力不足 Plating adhesion too low",
        "parts": "NH-CN-2040",
        "lots": "LOT-A",
        "measure": "stop_use",
        "instructions": "隔离库存 Quarantine the stock",
        "respond_by": (TODAY + timedelta(days=10)).isoformat(),
        "shipped_from": (TODAY - timedelta(days=30)).isoformat(),
        "shipped_to": TODAY.isoformat(),
    }
    data.update(overrides)
    return data


def act(client, record, name, data=None, comment=""):
    record = type(record).objects.get(pk=record.pk)
    post = {
        "_action": "transition",
        "transition_name": name,
        f"t-{name}-version": record.version,
        f"t-{name}-transition": name,
        f"t-{name}-comment": comment,
    }
    for key, value in (data or {}).items():
        post[f"d-{name}-{key}"] = value
    return client.post(record.get_absolute_url(), post)


@pytest.fixture
def approved(demo, client_for):
    """An advisory notice drafted by qa over HTTP, reviewed by qa_head, approved by vgm."""

    def make(**overrides):
        qa = client_for(demo["qa"])
        page = qa.post("/advisories/new/", notice_data(**overrides))
        assert page.status_code == 302, page.content.decode()[:2000]
        notice = AdvisoryNotice.objects.latest("pk")
        assert act(qa, notice, "submit").status_code == 302
        assert act(client_for(demo["qa_head"]), notice, "review").status_code == 302
        assert act(client_for(demo["vgm"]), notice, "approve").status_code == 302
        notice = AdvisoryNotice.objects.get(pk=notice.pk)
        assert notice.state == "approved"
        return notice

    return make


def send(client, notice, customers=None):
    if customers is None:
        return act(client, notice, "send", {"selection": "shipments"})
    data = {"selection": "chosen"}
    response_data = {"d-send-customers": [c.pk for c in customers]}
    notice = AdvisoryNotice.objects.get(pk=notice.pk)
    post = {
        "_action": "transition",
        "transition_name": "send",
        "t-send-version": notice.version,
        "t-send-transition": "send",
        "t-send-comment": "",
        "d-send-selection": data["selection"],
        **response_data,
    }
    return client.post(notice.get_absolute_url(), post)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- feedback -------------------------------------------------------------------------------------------


def test_feedback_is_registered_with_its_material_listed_and_exported_as_text(demo, client_for):
    sales = client_for(demo["sales"])
    upload = SimpleUploadedFile("visit-report.pdf", PDF, content_type="application/pdf")
    page = sales.post("/feedback/new/", {**feedback_post(), "attachments": upload})
    assert page.status_code == 302, page.content.decode()[:2000]
    fb = Feedback.objects.get()
    assert re.fullmatch(r"FK-\d{4}-\d{4}", fb.number)
    assert (fb.source, fb.sentiment, fb.lot, fb.state) == ("phone", "negative", "LOT-K1", "open")
    assert Attachment.objects.for_record(fb).count() == 1
    listing = sales.get("/feedback/").content.decode()
    assert f'data-number="{fb.number}"' in listing
    # The log: every user string a text cell (a formula typed by the customer stays text).
    book = load_workbook(io.BytesIO(_body(sales.get("/feedback/export.xlsx"))))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == fb.text]
    assert cells and all(c.data_type == "s" for c in cells)
    assert sales.get("/feedback/export.pdf").status_code == 200
    # Sales or Quality deal with it: a task until it is closed with what was done.
    assert Task.objects.for_record(fb).open().exists()
    assert act(sales, fb, "close", {"outcome": "已致电解释"}).status_code == 302
    fb = Feedback.objects.get(pk=fb.pk)
    assert (fb.state, fb.outcome) == ("closed", "已致电解释")
    assert not Task.objects.for_record(fb).open().exists()


def test_feedback_becomes_a_complaint_keeping_every_field_and_linking_back(demo, client_for):
    sales = client_for(demo["sales"])
    upload = SimpleUploadedFile("photo.pdf", PDF, content_type="application/pdf")
    sales.post("/feedback/new/", {**feedback_post(), "attachments": upload})
    fb = Feedback.objects.get()
    page = sales.post(f"/feedback/{fb.pk}/complaint/", {"c-category": "quality", "c-severity": "minor"})
    assert page.status_code == 302
    complaint = Complaint.objects.get()
    assert page["Location"] == complaint.get_absolute_url()
    assert complaint.from_feedback_id == fb.pk
    assert complaint.customer_id == fb.customer_id
    assert (complaint.contact_name, complaint.contact_detail) == ("李工", "138-0000-0000")
    assert (complaint.channel, complaint.received_at) == ("phone", fb.received_at)
    assert (complaint.order_number, complaint.part_number, complaint.lot) == ("SO-2026-0042", "NH-CN-2040", "LOT-K1")
    assert complaint.description == fb.text and complaint.call_notes == fb.text
    assert (complaint.category, complaint.severity) == ("quality", "minor")
    copied = Attachment.objects.for_record(complaint).get()
    assert (copied.original_name, copied.sha256) == ("photo.pdf", Attachment.objects.for_record(fb).get().sha256)
    fb = Feedback.objects.get(pk=fb.pk)
    assert fb.state == "closed" and complaint.number in fb.outcome
    # Both pages name each other; a second click makes no second complaint.
    assert complaint.number in sales.get(fb.get_absolute_url()).content.decode()
    assert fb.number in sales.get(complaint.get_absolute_url()).content.decode()
    assert sales.post(
        f"/feedback/{fb.pk}/complaint/", {"c-category": "quality", "c-severity": "minor"}
    ).status_code in (
        403,
        404,
    )
    assert Complaint.objects.count() == 1


def test_feedback_raises_a_corrective_action_for_a_department(demo, client_for, feedback):
    fb = feedback(sentiment="negative", text="交货包装破损")
    post = {
        "act-kind": "corrective",
        "act-owner_department": demo["warehouse"].department_id,
        "act-title": "改进包装",
        "act-measures": "加强纸箱",
        "act-due_on": (TODAY + timedelta(days=7)).isoformat(),
    }
    assert client_for(demo["planner"]).post(f"/feedback/{fb.pk}/actions/", post).status_code == 404
    page = client_for(demo["qa"]).post(f"/feedback/{fb.pk}/actions/", post)
    assert page.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (action.source_number, action.trigger, action.owner_department.code) == (fb.number, "feedback", "WH")
    assert action.customer_feedback_required  # the customer is told of the measures
    assert action.number in client_for(demo["sales"]).get(fb.get_absolute_url()).content.decode()


def test_a_survey_comment_reaches_the_feedback_register_once(demo):
    from nhcs.customers.opinions import customer_opinion
    from satisfaction import services as survey
    from satisfaction.models import Campaign, Response

    campaign = survey.campaign_create(
        user=demo["sales"], title="2026", period="2026", response_deadline=TODAY + timedelta(days=30)
    )
    survey.sample_choose(campaign=campaign, user=demo["sales"], customers=Customer.objects.filter(code="C003"))
    campaign = wf.transition_record(record=Campaign.objects.get(pk=campaign.pk), name="send", user=demo["sales"])
    recipient = campaign.recipients.get()
    ticks = {a.pk: campaign.ticks.all()[0].pk for a in campaign.aspects.all()}
    page = Client().post(
        f"/s/{recipient.token}/",
        {**{f"aspect_{a}": t for a, t in ticks.items()}, "comments": "希望缩短交期", "signed_name": "Ms. Weber"},
    )
    assert page.status_code == 302, page.content.decode()[:1000]
    fb = Feedback.objects.get()
    response = Response.objects.get()
    assert (fb.customer.code, fb.source, fb.text, fb.contact_name) == ("C003", "survey", "希望缩短交期", "Ms. Weber")
    assert fb.origin_key == f"survey_answer:{response.pk}" and fb.origin_reference.endswith("-C003")
    assert fb.created_by == demo["sales"]
    # Passed on again (a replay, a retry): no second feedback.
    survey.opinion_pass_on(response=response, user=demo["sales"])
    customer_opinion(
        key=fb.origin_key, customer=fb.customer, text="x", source="survey", received_on=TODAY, user=demo["sales"]
    )
    assert Feedback.objects.count() == 1
    assert fb.number in client_for_sales(demo).get("/feedback/?source=survey").content.decode()


def client_for_sales(demo):
    c = Client()
    c.force_login(demo["sales"])
    return c


# --- advisory notices -------------------------------------------------------------------------------------


def test_a_notice_is_drafted_by_quality_reviewed_by_its_head_approved_by_the_deputy_gm(demo, client_for):
    qa = client_for(demo["qa"])
    assert client_for(demo["planner"]).get("/advisories/new/").status_code in (403, 404)
    qa.post("/advisories/new/", notice_data())
    notice = AdvisoryNotice.objects.get()
    assert re.fullmatch(r"ZG-\d{4}-\d{4}", notice.number) and notice.state == "draft"
    act(qa, notice, "submit")
    # Nobody judges what they drafted; only the Quality head reviews, only the deputy GM approves.
    assert act(client_for(demo["sales_head"]), notice, "review").status_code in (403, 404)
    assert act(client_for(demo["qa_head"]), notice, "review").status_code == 302
    assert act(client_for(demo["qa_head"]), notice, "approve").status_code in (403, 404)
    assert act(client_for(demo["vgm"]), notice, "approve").status_code == 302
    notice = AdvisoryNotice.objects.get(pk=notice.pk)
    assert notice.state == "approved"
    assert [s.transition for s in wf.SignOff.objects.for_record(notice).order_by("pk")] == [
        "submit",
        "review",
        "approve",
    ]
    # Signed: a change takes it back to draft with a reason (a new round), never silently.
    edit = qa.post(
        f"/advisories/{notice.pk}/edit/",
        {**notice_data(subject="新主题"), "version": notice.version, "change_reason": "客户要求"},
    )
    assert edit.status_code == 302
    notice = AdvisoryNotice.objects.get(pk=notice.pk)
    assert (notice.state, notice.subject) == ("draft", "新主题")
    # Optional actions are never tasks.
    assert not Task.objects.for_record(notice).open().filter(transitions__contains="withdraw").exists()


def test_a_notice_drawn_from_shipments_goes_to_exactly_the_customers_who_got_the_lots(
    demo, client_for, approved, delivered
):
    delivered(lot="LOT-A", customer="C001", note="DN-A1")
    delivered(lot="LOT-A", customer="C003", note="DN-A3")
    delivered(lot="LOT-B", customer="C002", note="DN-B2")  # another lot
    notice = approved()
    sales = client_for(demo["sales"])
    page = sales.get(notice.get_absolute_url()).content.decode()
    assert re.findall(r'class="drawn-customer" data-code="([^"]+)"', page) == ["C001", "C003"]
    assert send(sales, notice).status_code == 302
    notice = AdvisoryNotice.objects.get(pk=notice.pk)
    acks = list(notice.acknowledgements.order_by("customer__code"))
    assert notice.state == "sent" and [a.customer.code for a in acks] == ["C001", "C003"]
    assert [a.number for a in acks] == [f"{notice.number}/1", f"{notice.number}/2"]
    assert all(a.link and a.link.purpose == "advisory_ack" and a.state == "sent" for a in acks)
    # Each customer with an e-mail address gets the notice and their link, in their language.
    mails = {m.to: m for m in Mail.objects.filter(kind="advisory_notice")}
    assert set(mails) == {"quality@huaqiang.example", "purchasing@bosch-demo.example"}
    assert acks[1].link.url in mails["purchasing@bosch-demo.example"].body
    assert "Advisory notice" in mails["purchasing@bosch-demo.example"].subject
    # Sales follows up each customer: a task per acknowledgement, due with the deadline.
    task = Task.objects.for_record(acks[0]).open().get()
    assert task.department.code == "SALES" and timezone.localtime(task.due_at).date() >= notice.respond_by


def test_a_notice_with_no_shipment_in_the_period_is_sent_to_customers_picked_by_hand(demo, client_for, approved):
    notice = approved(lots="LOT-NONE")
    sales = client_for(demo["sales"])
    assert send(sales, notice).status_code == 400  # nobody got that lot: pick them
    assert send(sales, notice, customers=Customer.objects.filter(code__in=["C002", "C004"])).status_code == 302
    assert sorted(AdvisoryAck.objects.values_list("customer__code", flat=True)) == ["C002", "C004"]


@pytest.fixture
def sent(demo, client_for, approved):
    def make():
        notice = approved()
        customers = Customer.objects.filter(code__in=["C001", "C002", "C003"])
        assert send(client_for(demo["sales"]), notice, customers=customers).status_code == 302
        return AdvisoryNotice.objects.get(pk=notice.pk)

    return make


def test_the_link_acknowledges_once_and_wrong_used_or_expired_links_store_nothing(demo, sent):
    notice = sent()
    ack = notice.acknowledgements.get(customer__code="C003")
    customer = Client()
    page = customer.get(ack.link.path)
    assert page.status_code == 200 and "Plating may peel" in page.content.decode()
    assert customer.post(ack.link.path, {"name": "  "}).status_code == 400  # a name is needed
    assert AdvisoryAck.objects.get(pk=ack.pk).state == "sent"
    done = customer.post(ack.link.path, {"name": "Ms. Weber", "reply": "Stock quarantined"}, REMOTE_ADDR="203.0.113.5")
    assert done.status_code == 200 and 'id="advisory-acknowledged"' in done.content.decode()
    ack = AdvisoryAck.objects.get(pk=ack.pk)
    assert (ack.state, ack.channel, ack.acknowledged_by, ack.reply) == (
        "acknowledged",
        "online",
        "Ms. Weber",
        "Stock quarantined",
    )
    assert ack.acknowledged_on == TODAY and CustomerLink.objects.get(pk=ack.link_id).answered_ip == "203.0.113.5"
    answer = Attachment.objects.for_record(ack).get()
    assert answer.kind == "written_confirmation" and answer.mime_type == "application/pdf"
    signoffs = before = wf.SignOff.objects.count()
    # Used: a clear page, nothing stored.
    again = customer.post(ack.link.path, {"name": "Someone else"})
    assert again.status_code == 410 and AdvisoryAck.objects.get(pk=ack.pk).acknowledged_by == "Ms. Weber"
    # Wrong token: a clear page, nothing stored.
    assert customer.post("/a/not-a-token/", {"name": "X"}).status_code == 404
    # Expired: a clear page, nothing stored.
    other = notice.acknowledgements.get(customer__code="C001")
    CustomerLink.objects.filter(pk=other.link_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = customer.post(other.link.path, {"name": "王经理"})
    assert expired.status_code == 410
    assert AdvisoryAck.objects.get(pk=other.pk).state == "sent"
    assert CustomerLink.objects.get(pk=other.link_id).used_at is None
    assert wf.SignOff.objects.count() == signoffs == before
    # The customer's page fits a phone: the public layout, no navigation.
    assert 'name="viewport"' in page.content.decode() and "navbar" not in page.content.decode()


def test_the_notice_closes_only_when_every_customer_acknowledged_or_sales_recorded_why(demo, client_for, sent):
    notice = sent()
    sales = client_for(demo["sales"])
    first, second, third = notice.acknowledgements.order_by("customer__code")
    Client().post(first.link.path, {"name": "王经理"})
    # Two customers have not acknowledged: no "close" offered, taking it is refused.
    assert 'data-transition="close"' not in sales.get(notice.get_absolute_url()).content.decode()
    assert act(sales, notice, "close").status_code in (403, 404)
    assert not Task.objects.for_record(notice).open().exists()
    # Reminders go to those still waiting (with an e-mail address: C003).
    assert sales.post(f"/advisories/{notice.pk}/remind/").status_code == 302
    assert list(Mail.objects.filter(kind="advisory_reminder").values_list("to", flat=True)) == [
        "purchasing@bosch-demo.example"
    ]
    # By phone, with who, when and what they said; the refusal with its reason (captured with the action).
    reply = {"acknowledged_on": TODAY.isoformat(), "channel": "phone", "acknowledged_by": "刘经理", "reply": "已隔离"}
    assert act(sales, second, "acknowledge", reply).status_code == 302
    assert act(sales, third, "not_acknowledged", {"reason": ""}).status_code == 400
    assert act(sales, third, "not_acknowledged", {"reason": "客户拒绝签收"}).status_code == 302
    second, third = AdvisoryAck.objects.get(pk=second.pk), AdvisoryAck.objects.get(pk=third.pk)
    assert (second.state, second.channel, second.acknowledged_by) == ("acknowledged", "phone", "刘经理")
    assert (third.state, third.reason) == ("not_acknowledged", "客户拒绝签收")
    assert wf.SignOff.objects.for_record(third).get().data == {"reason": "客户拒绝签收"}
    # Now Sales closes it (a task once the last acknowledgement is in).
    assert Task.objects.for_record(notice).open().filter(transitions__contains="close").exists()
    assert act(sales, notice, "close").status_code == 302
    notice = AdvisoryNotice.objects.get(pk=notice.pk)
    assert (notice.state, notice.closed_on) == ("closed", TODAY)


def test_readers_only_sales_quality_and_managers_read_feedback_notices_and_their_files(
    demo, client_for, feedback, sent
):
    fb = feedback()
    wf.attachment_add(
        record=fb, user=demo["sales"], upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"), kind="other"
    )
    notice = sent()
    ack = notice.acknowledgements.order_by("pk").first()
    wf.attachment_add(
        record=ack, user=demo["sales"], upload=SimpleUploadedFile("b.pdf", PDF, "application/pdf"), kind="other"
    )
    urls = [
        fb.get_absolute_url(),
        f"/attachments/{Attachment.objects.for_record(fb).get().pk}/",
        notice.get_absolute_url(),
        f"/advisories/{notice.pk}/sheet.xlsx",
        f"/advisories/{notice.pk}/sheet.pdf",
        f"/advisories/{notice.pk}/letter.pdf",
        ack.get_absolute_url(),
        f"/advisories/acknowledgements/{ack.pk}/letter.pdf",
        f"/attachments/{Attachment.objects.for_record(ack).get().pk}/",
    ]
    for url in urls:
        # (the PDFs' contents are checked by the sheet tests: here only who gets them)
        readers = () if url.endswith(".pdf") else ("sales", "qa", "vgm")
        for name in readers:
            assert client_for(demo[name]).get(url).status_code == 200, (name, url)
        for name in ("planner", "mfg", "warehouse"):
            assert client_for(demo[name]).get(url).status_code == 404, (name, url)
    for url in ("/feedback/", "/advisories/", "/feedback/export.xlsx"):
        assert client_for(demo["planner"]).get(url).status_code == 404


def test_the_lists_issue_a_constant_number_of_queries(demo, client_for, feedback, sent):
    sales = client_for(demo["sales"])
    feedback()
    sent()
    few = (_queries(sales, "/feedback/"), _queries(sales, "/advisories/"))
    for _i in range(3):
        feedback()
    sent()
    assert (_queries(sales, "/feedback/"), _queries(sales, "/advisories/")) == few
    notice = AdvisoryNotice.objects.latest("pk")
    assert 'class="ack-count">0 / 3' in sales.get("/advisories/").content.decode()
    # The notice page: the same whatever the number of customers.
    assert _queries(sales, notice.get_absolute_url()) <= 40


def test_the_notice_record_and_the_letter_in_each_customers_language(demo, client_for, sent):
    notice = sent()
    Client().post(notice.acknowledgements.get(customer__code="C003").link.path, {"name": "=HYPERLINK(1)"})
    qa = client_for(demo["qa"])
    book = load_workbook(io.BytesIO(_body(qa.get(f"/advisories/{notice.pk}/sheet.xlsx"))))
    cells = {c.value: c for row in book.active.iter_rows() for c in row if c.value is not None}
    assert "=HYPERLINK(1)" in cells and cells["=HYPERLINK(1)"].data_type == "s"
    assert notice.subject in cells and "NH-QP14-24" in " ".join(str(v) for v in cells)
    for url in (f"/advisories/{notice.pk}/sheet.pdf", f"/advisories/{notice.pk}/letter.pdf?lang=en"):
        assert qa.get(url)["Content-Type"] == "application/pdf"
    for code, words in (("C003", "Advisory notice"), ("C001", "忠告性通知")):
        ack = notice.acknowledgements.get(customer__code=code)
        pdf = qa.get(f"/advisories/acknowledgements/{ack.pk}/letter.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = _pdf_text(pdf.content)
        assert words in text and ack.link.token[:20] in text.replace("\n", "")


def _pdf_text(data: bytes) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, text=True, check=True).stdout


def test_withdrawing_is_optional_never_a_task_and_signed_records_are_never_deleted(demo, client_for, feedback):
    from nhcs.workflow.models import SignedRecordProtected

    fb = feedback()
    tasks = list(Task.objects.for_record(fb).open())
    assert {t.department.code for t in tasks} == {"SALES", "QA"}
    assert all("withdraw" not in t.transitions.split(",") for t in tasks)
    sales = client_for(demo["sales"])
    assert act(sales, fb, "withdraw").status_code == 400  # a reason is needed
    assert act(sales, fb, "withdraw", comment="登记错误").status_code == 302
    fb = Feedback.objects.get(pk=fb.pk)
    assert fb.state == "withdrawn" and not Task.objects.for_record(fb).open().exists()
    with pytest.raises(SignedRecordProtected):
        fb.delete()


def test_a_sent_notice_changes_no_more(demo, client_for, sent):
    notice = sent()
    qa = client_for(demo["qa"])
    assert qa.get(f"/advisories/{notice.pk}/edit/").status_code == 403
    page = qa.get(notice.get_absolute_url()).content.decode()
    assert 'data-transition="withdraw"' not in page and 'data-transition="reopen"' not in page
