"""The order review flow of NH-QP14 4.1–4.2, every branch and refusal, over HTTP where it matters."""

from datetime import timedelta

import lxml.html
import pytest
from django.urls import reverse

from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.models import Attachment, SignOff
from orders import services
from orders.models import Order

from .conftest import PO_DATE, open_steps, pdf_upload, post_transition, reload

pytestmark = pytest.mark.django_db


def shown_messages(response) -> list[str]:
    """The messages at the top of the page, as the user reads them."""
    tree = lxml.html.fromstring(response.content.decode())
    return [" ".join(div.text_content().split()) for div in tree.xpath("//div[@id='messages']/div")]


def test_new_order_is_a_numbered_draft_with_its_lines(make_order):
    order = make_order()
    assert order.state == "draft"
    assert order.number.startswith("DD-")
    assert order.lines.count() == 1


def test_submit_needs_every_requirement_item_set(demo, make_order, client_for):
    order = make_order(req_methods="")
    response = post_transition(client_for(demo["sales"]), order, "submit")
    assert response.status_code == 400
    assert shown_messages(response) == [
        "Set every requirement item: identified, not applicable or needs clarification."
    ]
    assert reload(order).state == "draft"
    services_edit = reverse("orders:order_edit", args=[order.pk])
    assert client_for(demo["sales"]).get(services_edit).status_code == 200


def test_item_needing_clarification_needs_a_question_to_the_customer(demo, make_order, flow):
    order = make_order(req_materials="clarify")
    with pytest.raises(Blocked) as refused:
        flow.go(order, "submit", "sales")
    assert any("clarification" in m for m in refused.value.messages())
    services.clarification_raise(
        order=order,
        user=demo["sales"],
        topic="materials",
        question="Is PA66 GF30 acceptable?",
        channel="email",
        sent_on=PO_DATE,
    )
    assert flow.go(order, "submit", "sales").state == "submitted"


def test_only_sales_submits_and_only_planning_opens_the_review(demo, make_order, client_for):
    order = make_order()
    assert post_transition(client_for(demo["planner"]), order, "submit").status_code == 403
    assert reload(order).state == "draft"
    assert post_transition(client_for(demo["sales"]), order, "submit").status_code == 302
    assert post_transition(client_for(demo["sales"]), order, "start_review").status_code == 403
    assert post_transition(client_for(demo["engineer"]), order, "start_review").status_code == 403
    assert post_transition(client_for(demo["planner"]), order, "start_review").status_code == 302
    order = reload(order)
    assert order.state == "in_review"
    assert set(open_steps(order)) == {"bom", "lead_times", "rd", "qa", "mfg"}


def test_each_opinion_only_by_its_department_over_http(demo, make_order, flow, client_for):
    order = flow.to_in_review(make_order())
    task = open_steps(order)["qa"]
    data = {
        "_action": "step",
        "task_id": task.pk,
        f"s-{task.pk}-task": task.pk,
        f"s-{task.pk}-outcome": "accept",
        f"s-{task.pk}-comment": "",
    }
    assert client_for(demo["mfg"]).post(order.get_absolute_url(), data).status_code == 403
    assert "qa" in open_steps(order)
    assert client_for(demo["qa"]).post(order.get_absolute_url(), data).status_code == 302
    assert "qa" not in open_steps(order)


def test_review_cannot_conclude_before_every_opinion_bom_and_lead_time(demo, make_order, flow):
    order = flow.go(flow.go(make_order(), "submit", "sales"), "start_review", "planner")
    with pytest.raises(Blocked) as refused:
        flow.go(order, "complete_review", "planner")
    assert refused.value.messages() == [
        "Waiting for: Engineering & Process: BOM review, Purchasing: material lead times, R&D opinion, "
        "Quality opinion, Manufacturing opinion.",
        "Engineering has not entered the BOM.",
    ]
    # Purchasing's opinion is given on the lead times: not before every one is in.
    order = flow.to_in_review(make_order(po_number="PO-2"), lead_times=(21, None))
    with pytest.raises(Blocked) as refused:
        flow.opinions(order)
    assert "lead time" in " ".join(refused.value.messages())
    with pytest.raises(Blocked) as refused:
        flow.go(order, "complete_review", "planner")
    assert "Waiting for" in " ".join(refused.value.messages())


def test_a_rejection_returns_the_order_to_sales_with_reasons_then_a_new_round(demo, make_order, flow):
    order = flow.opinions(flow.to_in_review(make_order()), outcomes={"qa": "reject"})
    names = [o.name for o in wf.transition_options(record=order, user=demo["planner"])]
    assert "complete_review" not in names and "return_to_sales" in names
    with pytest.raises(Blocked):
        flow.go(order, "return_to_sales", "planner", comment="")
    order = flow.go(order, "return_to_sales", "planner", comment="QA: plating spec not met")
    assert order.state == "returned"
    with pytest.raises(NotAllowed):
        flow.go(order, "rework", "planner")
    order = flow.go(order, "rework", "sales")
    assert order.state == "draft"
    # New round: the earlier rejection no longer counts.
    order = flow.go(flow.go(order, "submit", "sales"), "start_review", "planner")
    order = flow.opinions(order)
    assert flow.go(order, "complete_review", "planner").state == "reviewed"
    assert SignOff.objects.for_record(order).filter(step="qa", outcome="reject").exists()


def test_committed_date_respects_the_longest_lead_time_or_needs_a_justification(demo, make_order, flow, client_for):
    order = flow.to_reviewed(make_order())  # lead times 21 and 14 days
    too_early = PO_DATE + timedelta(days=20)
    client = client_for(demo["planner"])
    # The date is captured with the planner's action on the order page, in the waiting panel.
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'data-transition="reply_date"' in page and "d-reply_date-committed_date" in page
    assert 'id="no-actions"' not in page
    data = {"d-reply_date-committed_date": too_early.isoformat(), "d-reply_date-justification": ""}
    response = post_transition(client, order, "reply_date", comment="", **data)
    assert response.status_code == 400
    errors = lxml.html.fromstring(response.content.decode()).xpath(
        "//form[@data-transition='reply_date']//*[contains(@class, 'invalid-feedback')]"
    )
    earliest = (PO_DATE + timedelta(days=21)).isoformat()
    assert [" ".join(e.text_content().split()) for e in errors] == [
        f"The committed date is earlier than the PO date plus the longest material lead time ({earliest}): "
        "give a justification."
    ]
    order = reload(order)
    assert order.state == "reviewed" and order.committed_date is None
    # Planning may not be bypassed by sales.
    response = post_transition(
        client_for(demo["sales"]), order, "reply_date", **{"d-reply_date-committed_date": "2027-01-01"}
    )
    assert response.status_code == 403
    data["d-reply_date-justification"] = "Springs from stock (ticket 55)"
    response = post_transition(client, order, "reply_date", comment="", **data)
    assert response.status_code == 302
    order = reload(order)
    assert order.state == "date_replied" and order.committed_date == too_early
    # The date and its justification are kept with the sign-off and printed with it.
    signoff = SignOff.objects.for_record(order).get(transition="reply_date")
    assert signoff.data == {"committed_date": too_early.isoformat(), "justification": "Springs from stock (ticket 55)"}
    assert [(str(k), v) for k, v in signoff.data_rows] == [
        ("committed delivery date", too_early.isoformat()),
        ("justification (needed when earlier than the lead times allow)", "Springs from stock (ticket 55)"),
    ]


def test_committed_date_at_the_lead_time_limit_needs_no_justification(demo, make_order, flow):
    order = flow.to_reviewed(make_order())
    order = flow.reply(order, PO_DATE + timedelta(days=21))
    assert order.state == "date_replied"


def test_customer_refusing_the_date_sends_it_back_to_planning(demo, make_order, flow):
    order = flow.to_reviewed(make_order())
    order = flow.reply(order, PO_DATE + timedelta(days=30))
    with pytest.raises(NotAllowed):
        flow.go(order, "confirm_date", "planner")
    order = flow.go(order, "date_not_accepted", "sales", comment="Customer needs it 5 days earlier")
    assert order.state == "reviewed"
    order = flow.reply(order, PO_DATE + timedelta(days=25))
    order = flow.go(order, "confirm_date", "sales")
    assert order.state == "date_confirmed" and order.confirmed_on is not None


def test_release_waits_for_every_written_confirmation(demo, make_order, flow, client_for):
    order = make_order(req_special="clarify")
    clar = services.clarification_raise(
        order=order,
        user=demo["sales"],
        topic="special",
        question="Packing: 50 or 100 per bag?",
        channel="fax",
        sent_on=PO_DATE,
    )
    order = flow.to_approved(order)
    response = post_transition(client_for(demo["sales"]), order, "release")
    assert response.status_code == 400
    assert shown_messages(response) == [
        "Every clarification needs the customer's answer with the written confirmation attached."
    ]
    assert reload(order).state == "approved"
    # An answer without the written confirmation is refused, and nothing is written.
    url = reverse("orders:clarification_answer", args=[order.pk, clar.pk])
    response = client_for(demo["sales"]).post(
        url, {f"ans-{clar.pk}-answer": "Bags of 100, said on the phone", f"ans-{clar.pk}-answered_on": "2026-11-10"}
    )
    assert response.status_code == 400
    assert shown_messages(response) == ["Attach the customer's written confirmation (fax, signed letter or e-mail)."]
    form = lxml.html.fromstring(response.content.decode()).xpath(f"//form[@action='{url}']")[0]
    # What was typed comes back, its form open.
    assert (
        form.xpath(f".//textarea[@name='ans-{clar.pk}-answer']")[0].text_content() == "Bags of 100, said on the phone"
    )
    assert form.xpath(f".//input[@name='ans-{clar.pk}-answered_on']")[0].get("value") == "2026-11-10"
    assert form.xpath("ancestor::details[@open]")
    clar.refresh_from_db()
    assert clar.answer == ""
    # Others may not record it.
    response = client_for(demo["planner"]).post(
        url,
        {
            f"ans-{clar.pk}-answer": "x",
            f"ans-{clar.pk}-answered_on": "2026-11-10",
            f"ans-{clar.pk}-confirmation": pdf_upload(),
        },
    )
    assert response.status_code == 403
    response = client_for(demo["sales"]).post(
        url,
        {
            f"ans-{clar.pk}-answer": "100 per bag",
            f"ans-{clar.pk}-answered_on": "2026-11-10",
            f"ans-{clar.pk}-confirmation": pdf_upload(),
        },
    )
    assert response.status_code == 302
    clar.refresh_from_db()
    assert clar.is_confirmed and clar.confirmation.kind == AttachmentKind.WRITTEN_CONFIRMATION
    # Planning may release too.
    assert post_transition(client_for(demo["planner"]), order, "release").status_code == 302
    assert reload(order).state == "released"


def test_certified_data_discrepancy_needs_the_written_report_sent(demo, make_order, flow, client_for):
    order = make_order(
        certified_data_discrepancy=True, discrepancy_description="Housing in PA6 instead of UL-listed PA66"
    )
    response = client_for(demo["engineer"]).get(reverse("orders:discrepancy_letter", args=[order.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    order = flow.to_approved(order)
    with pytest.raises(Blocked) as refused:
        flow.go(order, "release", "sales")
    assert "written report" in " ".join(refused.value.messages())
    url = reverse("orders:discrepancy_sent", args=[order.pk])
    assert (
        client_for(demo["planner"]).post(url, {"report-sent_on": "2026-11-20", "report-channel": "fax"}).status_code
        == 403
    )
    response = client_for(demo["sales"]).post(url, {"report-sent_on": "2026-11-20", "report-channel": "phone"})
    assert response.status_code == 400
    assert reload(order).discrepancy_report_sent_on is None
    response = client_for(demo["sales"]).post(url, {"report-sent_on": "2026-11-20", "report-channel": "fax"})
    assert response.status_code == 302
    order = reload(order)
    assert str(order.discrepancy_report_sent_on) == "2026-11-20"
    letter = Attachment.objects.for_record(order).get(kind=AttachmentKind.LETTER)
    assert letter.mime_type == "application/pdf"
    assert flow.go(order, "release", "sales").state == "released"


def test_only_the_sales_head_cancels_and_must_say_why(demo, make_order, flow, client_for):
    order = flow.to_in_review(make_order())
    assert post_transition(client_for(demo["sales"]), order, "cancel", comment="no").status_code == 403
    assert post_transition(client_for(demo["sales_head"]), order, "cancel", comment="").status_code == 400
    assert reload(order).state == "in_review"
    assert (
        post_transition(client_for(demo["sales_head"]), order, "cancel", comment="Customer withdrew PO").status_code
        == 302
    )
    assert reload(order).state == "cancelled"
    # A cancelled order takes no further transition.
    again = post_transition(client_for(demo["sales_head"]), order, "cancel", comment="again")
    assert again.status_code == 409
    assert shown_messages(again) == ["The record is now “Cancelled”; this action no longer applies."]


def test_changes_after_submission_carry_change_marks_and_recall_the_order(demo, make_order, flow, client_for):
    order = flow.go(make_order(), "submit", "sales")
    client = client_for(demo["sales"])
    edit = reverse("orders:order_edit", args=[order.pk])
    page = client.get(edit).content.decode()
    assert 'id="reopen-warning"' in page  # the user is told the change recalls the order
    form = {
        "customer": order.customer_id,
        "po_number": "PO-7788-A",
        "po_date": PO_DATE.isoformat(),
        **{f"req_{k}": "identified" for k in ("cost", "materials", "methods", "special", "services", "statutory")},
        "version": order.version,
    }
    response = client.post(edit, form)
    assert response.status_code == 400  # no reason given
    assert reload(order).po_number == "PO-7788"
    response = client.post(edit, {**form, "change_reason": "Customer revised PO"})
    assert response.status_code == 302
    order = reload(order)
    # Signed data changed: the order is recalled into a new review round.
    assert order.po_number == "PO-7788-A" and order.state == "draft"
    assert SignOff.objects.for_record(order).last().transition == "recall"
    assert order.rounds.count() == 2
    # Lines after the next submission: a reason is needed too, and the mark shows on the order page.
    order = flow.go(order, "submit", "sales")
    line = order.lines.get()
    lines_url = reverse("orders:order_lines", args=[order.pk])
    rows = {
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-0-id": line.pk,
        "lines-0-part_number": line.part_number,
        "lines-0-description": line.description,
        "lines-0-quantity": "1500",
        "lines-0-unit": "pcs",
        "lines-0-unit_price": "123.4567",
        "lines-0-currency": "CNY",
        "lines-0-requested_date": line.requested_date.isoformat(),
        "version": order.version,
    }
    assert client.post(lines_url, rows).status_code == 400
    assert reload(order).lines.get().quantity == 1000
    assert client.post(lines_url, {**rows, "change_reason": "Quantity raised by customer fax"}).status_code == 302
    order = reload(order)
    assert order.lines.get().quantity == 1500 and order.state == "draft"
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Quantity raised by customer fax" in page and "Customer revised PO" in page
    # Once the review started, order data is locked (changes are change notices, 4.3).
    order = flow.go(flow.go(order, "submit", "sales"), "start_review", "planner")
    assert client.get(edit).status_code == 403
    assert client.get(lines_url).status_code == 403


def test_pages_refuse_the_wrong_department(demo, make_order, flow, client_for):
    order = make_order()
    assert client_for(demo["engineer"]).get(reverse("orders:order_create")).status_code == 403
    assert client_for(demo["planner"]).get(reverse("orders:order_lines", args=[order.pk])).status_code == 403
    assert (
        client_for(demo["engineer"]).get(reverse("orders:order_bom", args=[order.pk])).status_code == 403
    )  # not in review
    order = flow.to_in_review(order)
    assert client_for(demo["sales"]).get(reverse("orders:order_bom", args=[order.pk])).status_code == 403
    assert client_for(demo["engineer"]).get(reverse("orders:order_bom", args=[order.pk])).status_code == 200
    assert client_for(demo["engineer"]).get(reverse("orders:order_lead_times", args=[order.pk])).status_code == 403
    assert client_for(demo["buyer"]).get(reverse("orders:order_lead_times", args=[order.pk])).status_code == 200
    add = reverse("orders:clarification_add", args=[order.pk])
    assert (
        client_for(demo["qa"])
        .post(add, {"clar-topic": "cost", "clar-question": "?", "clar-channel": "email", "clar-sent_on": "2026-11-05"})
        .status_code
        == 403
    )


def test_bom_and_lead_times_over_http(demo, make_order, flow, client_for):
    order = flow.go(flow.go(make_order(), "submit", "sales"), "start_review", "planner")
    url = reverse("orders:order_bom", args=[order.pk])
    data = {
        "bom-TOTAL_FORMS": 2,
        "bom-INITIAL_FORMS": 0,
        "version": order.version,
        "bom-0-part_number": "PCB-9",
        "bom-0-quantity_per_unit": "1",
        "bom-0-source": "buy",
        "bom-1-part_number": "",
        "bom-1-quantity_per_unit": "",
        "bom-1-source": "",
    }
    assert client_for(demo["engineer"]).post(url, data).status_code == 302
    order = reload(order)
    bom = order.bom_lines.get()
    url = reverse("orders:order_lead_times", args=[order.pk])
    data = {
        "lt-TOTAL_FORMS": 1,
        "lt-INITIAL_FORMS": 1,
        "version": order.version,
        "lt-0-line": bom.pk,
        "lt-0-lead_time_days": "-3",
        "lt-0-lead_time_note": "",
    }
    assert client_for(demo["buyer"]).post(url, data).status_code == 400
    data["lt-0-lead_time_days"] = "28"
    assert client_for(demo["buyer"]).post(url, data).status_code == 302
    order = reload(order)
    assert order.longest_lead_time() == 28
    assert order.earliest_allowed_date() == PO_DATE + timedelta(days=28)


def test_signoffs_record_the_whole_path(demo, make_order, flow):
    order = flow.to_released(make_order())
    transitions = list(SignOff.objects.for_record(order).exclude(transition="").values_list("transition", flat=True))
    assert transitions == [
        "submit",
        "start_review",
        "complete_review",
        "reply_date",
        "confirm_date",
        "vgm_approve",
        "gm_approve",
        "release",
    ]
    assert SignOff.objects.for_record(order).filter(step__in=["bom", "lead_times", "rd", "qa", "mfg"]).count() == 5
    assert Order.objects.get(pk=order.pk).is_final
