"""Change notices 生产订单/计划表更改通知单 (NH-QP14 4.3), every branch over HTTP: written by sales against a
released order with the customer's written request, reviewed for impact by R&D, Purchasing and Quality,
rejected back to sales or accepted, reviewed by the department head, approved by the deputy GM — and by the
GM when a price changes —, issued: the order is amended at once, each value keeping its mark, and each
department concerned acknowledges receipt."""

from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from nhcs.accounts.models import Department
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind, TaskStatus
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.models import Round, SignOff, Task, ValueChange
from nhcs.workflow.selectors import tasks_for_user
from orders import services
from orders.models import ChangeAck, ChangeNotice, Order, Shipment

from .conftest import PO_DATE, fresh, line, open_steps, pdf_upload, post_action, post_opinion, reload
from .test_flow import shown_messages
from .test_gm_approval import page_text

pytestmark = pytest.mark.django_db


def change(line_id, **values):
    return services.LineChange(line_id=line_id, **values)


def create_form(order, **overrides):
    """What the change notice form posts: each line prefilled with its values, nothing added."""
    lines = list(order.lines.order_by("pk"))
    data = {
        "n-reason": "Customer fax: more pieces, lower price",
        "n-customer_request_on": PO_DATE.isoformat(),
        "n-specification": order.req_methods_note,
        "n-material": order.req_materials_note,
        "n-packaging": order.req_special_note,
        "n-other": order.remarks,
        "ln-TOTAL_FORMS": len(lines),
        "ln-INITIAL_FORMS": len(lines),
        "add-TOTAL_FORMS": 0,
        "add-INITIAL_FORMS": 0,
    }
    for i, li in enumerate(lines):
        data.update(
            {
                f"ln-{i}-line": li.pk,
                f"ln-{i}-quantity": str(li.quantity),
                f"ln-{i}-unit_price": str(li.unit_price or ""),
                f"ln-{i}-requested_date": li.requested_date.isoformat(),
            }
        )
    data.update(overrides)
    return data


# --- writing the notice ------------------------------------------------------------------------------------


def test_sales_writes_the_notice_on_a_released_order_the_old_values_read_from_the_order(
    demo, released, make_order, client_for
):
    order = released()
    li = order.lines.get()
    url = reverse("orders:change_create", args=[order.pk])
    sales = client_for(demo["sales"])
    assert sales.get(url).status_code == 200
    assert client_for(demo["planner"]).get(url).status_code == 403  # Planning does not write them
    assert client_for(demo["warehouse"]).get(url).status_code == 404  # nor reads the order
    # Not released: there is nothing to change by notice yet (the order is changed in its review).
    draft = make_order(po_number="PO-DRAFT")
    response = sales.get(reverse("orders:change_create", args=[draft.pk]), follow=True)
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert shown_messages(response) == [
        f"Order {draft.number} is “Draft”: only a released or partly shipped order is changed by a change notice."
    ]
    # The form posts new values only: the old ones are read from the order, whatever is posted beside.
    data = create_form(
        order,
        **{
            "ln-0-quantity": "1500",
            "ln-0-unit_price": "120.0000",
            "ln-0-requested_date": (li.requested_date + timedelta(days=7)).isoformat(),
            "ln-0-old_quantity": "1",
            "f-request_file": pdf_upload("fax.pdf"),
        },
    )
    response = sales.post(url, data, follow=True)
    assert response.redirect_chain, shown_messages(response)
    notice = ChangeNotice.objects.get()
    assert shown_messages(response) == [
        f"Change notice {notice.number} written: submit it to planning once it is complete."
    ]
    assert notice.number.startswith("BG-") and notice.state == "draft" and notice.price_changed
    items = {i.kind: i for i in notice.items.all()}
    assert set(items) == {"quantity", "unit_price", "requested_date"}
    assert (items["quantity"].old_quantity, items["quantity"].new_quantity) == (Decimal("1000"), Decimal("1500"))
    assert (items["unit_price"].old_unit_price, items["unit_price"].new_unit_price) == (
        Decimal("123.4567"),
        Decimal("120"),
    )
    assert items["requested_date"].old_date == li.requested_date
    request = notice.attachments.get()
    assert request.kind == AttachmentKind.CUSTOMER_REQUEST and request.original_name == "fax.pdf"
    # Nothing differs from the order: refused, with the input kept.
    response = sales.post(url, create_form(order, **{"n-reason": "Nothing really"}))
    assert response.status_code == 400
    assert shown_messages(response) == ["Enter at least one change: nothing differs from the order."]
    assert "Nothing really" in response.content.decode()
    assert ChangeNotice.objects.count() == 1


@pytest.mark.parametrize(
    "values, message",
    [
        ({"ln-0-quantity": "0"}, "Line 1 · NH-CN-2040: enter a quantity greater than zero, or cancel the line."),
        ({"ln-0-unit_price": "-1"}, "Line 1 · NH-CN-2040: enter a unit price greater than zero."),
        (
            {"ln-0-requested_date": "2026-10-01"},
            "Line 1 · NH-CN-2040: the requested date is before the PO date (2026-11-02).",
        ),
        (
            {"ln-0-cancel": "on", "ln-0-quantity": "5"},
            "Line 1 · NH-CN-2040: cancel the line, or change its values, not both.",
        ),
        (
            {"ln-0-quantity": "5", "n-cancel_order": "on"},
            "Cancelling the whole order is a notice of its own: remove the other changes.",
        ),
    ],
)
def test_a_change_that_cannot_be_is_refused_with_its_reason(demo, released, client_for, values, message):
    order = released()
    response = client_for(demo["sales"]).post(
        reverse("orders:change_create", args=[order.pk]), create_form(order, **values)
    )
    assert response.status_code == 400
    assert shown_messages(response) == [message]
    assert not ChangeNotice.objects.exists()


def test_below_what_was_shipped_is_refused(demo, released, notices):
    order = released()
    li = order.lines.get()
    services.shipments_record(
        user=demo["warehouse"],
        delivery_note="DN-1",
        shipped_on=timezone.localdate(),
        entries=[services.ShipmentEntry(line=li, quantity=Decimal("400"))],
    )
    with pytest.raises(Blocked) as refused:
        notices.raise_change(order, lines=[change(li.pk, quantity=Decimal("300"))])
    assert refused.value.messages() == ["Line 1 · NH-CN-2040: 400 already shipped; the quantity cannot go below it."]
    with pytest.raises(Blocked) as refused:
        notices.raise_change(order, lines=[change(li.pk, cancel=True)])
    assert refused.value.messages() == [
        "Line 1 · NH-CN-2040: 400 already shipped; change its quantity to 400 instead of cancelling it."
    ]


def test_submitting_needs_the_customers_written_request(demo, released, notices, client_for):
    notice = notices.raise_change(released(), lines=[], texts={"other": "Deliver on pallets"}, attach=False)
    sales = client_for(demo["sales"])
    response = post_action(sales, notice, "submit")
    assert response.status_code == 400
    assert shown_messages(response) == ["Attach first: Customer's written request."]
    assert fresh(notice).state == "draft"
    # Attached with the action itself.
    response = post_action(
        sales, notice, "submit", **{"t-submit-attachment": pdf_upload(), "t-submit-attachment_kind": "customer_request"}
    )
    assert response.status_code == 302 and fresh(notice).state == "submitted"


# --- the chain ------------------------------------------------------------------------------------------


def test_rejected_because_already_produced_then_negotiated_revised_and_resubmitted(demo, released, notices, client_for):
    order = released()
    li = order.lines.get()
    notice = notices.raise_change(order, lines=[change(li.pk, quantity=Decimal("600"))])
    sales, planner = client_for(demo["sales"]), client_for(demo["planner"])
    assert post_action(planner, notice, "submit").status_code == 403
    assert post_action(sales, notice, "submit").status_code == 302
    assert post_action(sales, notice, "start_review").status_code == 403
    assert post_action(planner, notice, "start_review").status_code == 302
    steps = open_steps(fresh(notice))
    assert set(steps) == {"rd", "pur", "qa"}
    # Each department states the impact; only its own.
    assert post_opinion(client_for(demo["qa"]), notice, steps["pur"], "accept").status_code == 403
    response = post_opinion(
        client_for(demo["buyer"]),
        notice,
        steps["pur"],
        "reject",
        "Material for 1000 already bought",
        material_bought="8400",
        cost="8400",
    )
    assert response.status_code == 302
    assert post_opinion(client_for(demo["rd"]), notice, steps["rd"], "accept").status_code == 302
    assert post_opinion(client_for(demo["qa"]), notice, steps["qa"], "accept", stock="900").status_code == 302
    # A rejection: planning cannot accept; it rejects with the reason (stocked, in production).
    assert post_action(planner, notice, "accept").status_code == 403
    response = post_action(planner, notice, "reject", comment="")
    assert response.status_code == 400 and shown_messages(response) == ["Give a reason in the comment."]
    response = post_action(
        planner, notice, "reject", comment="900 pcs already in stock", **{"d-reject-already_stocked": "on"}
    )
    assert response.status_code == 302
    notice = fresh(notice)
    assert notice.state == "rejected"
    assert SignOff.objects.for_record(notice).get(transition="reject").data == {
        "already_stocked": True,
        "in_production": False,
    }
    # Back with sales: what was negotiated with the customer is recorded (required), then revised.
    response = post_action(sales, notice, "record_negotiation", **{"d-record_negotiation-negotiation": "  "})
    assert response.status_code == 400
    response = post_action(
        sales,
        notice,
        "record_negotiation",
        **{"d-record_negotiation-negotiation": "Customer takes the 900 in stock; reduce to 900 instead"},
    )
    assert response.status_code == 302
    assert fresh(notice).negotiation == "Customer takes the 900 in stock; reduce to 900 instead"
    assert post_action(sales, notice, "revise", comment="").status_code == 302
    notice = fresh(notice)
    assert notice.state == "draft"
    edit = reverse("orders:change_edit", args=[notice.pk])
    data = create_form(order, **{"ln-0-quantity": "900", "version": notice.version})
    assert sales.post(edit, data).status_code == 302
    notice = fresh(notice)
    assert [(i.kind, i.new_quantity) for i in notice.items.all()] == [("quantity", Decimal("900"))]
    # Resubmitted: a new round; the first round and its opinions stay on record.
    notice = notices.to_accepted(notice)
    rounds = list(Round.objects.for_record(notice).order_by("number"))
    assert [r.number for r in rounds] == [1, 2]
    assert SignOff.objects.for_record(notice).filter(round=rounds[0], step="pur", outcome="reject").exists()
    page = sales.get(notice.get_absolute_url()).content.decode()
    assert 'data-round="1"' in page and "Material for 1000 already bought" in page
    assert "Customer takes the 900 in stock" in page


def test_accepted_without_a_price_change_is_issued_without_the_gm(demo, released, notices, client_for):
    order = released()
    li = order.lines.get()
    notice = notices.to_accepted(notices.raise_change(order, lines=[change(li.pk, quantity=Decimal("1200"))]))
    assert not notice.price_changed
    sales_head, vgm, gm, planner = (client_for(demo[u]) for u in ("sales_head", "vgm", "gm", "planner"))
    assert post_action(vgm, notice, "head_review").status_code == 403
    assert post_action(sales_head, notice, "head_review").status_code == 302
    assert post_action(client_for(demo["sales"]), notice, "vgm_approve").status_code == 403
    assert post_action(vgm, notice, "vgm_approve").status_code == 302
    notice = fresh(notice)
    # No price changes: the GM's step does not exist; planning issues at once.
    assert post_action(gm, notice, "gm_approve").status_code == 403
    assert not [t for t in tasks_for_user(user=demo["gm"]) if t.record_number == notice.number]
    page = planner.get(notice.get_absolute_url()).content.decode()
    assert 'data-transition="issue"' in page and 'data-transition="gm_approve"' not in page
    mfg, wh = (Department.objects.get(code=c).pk for c in ("MFG", "WH"))
    response = post_action(planner, notice, "issue", **{"d-issue-departments": [mfg, wh]})
    assert response.status_code == 302, shown_messages(response)
    notice = fresh(notice)
    assert notice.state == "issued"
    assert reload(order).lines.get().quantity == Decimal("1200")
    assert [s.transition for s in SignOff.objects.for_record(notice).exclude(transition="")] == [
        "submit",
        "start_review",
        "accept",
        "head_review",
        "vgm_approve",
        "issue",
    ]


def test_with_a_price_change_it_is_refused_until_the_gm_approves(demo, released, notices, client_for):
    order = released()
    li = order.lines.get()
    notice = notices.to_vgm_approved(notices.raise_change(order, lines=[change(li.pk, unit_price=Decimal("118"))]))
    planner, gm = client_for(demo["planner"]), client_for(demo["gm"])
    assert notice.price_changed and notice.state == "vgm_approved"
    # Planning cannot issue it: the GM has it, and the order keeps its price.
    assert 'data-transition="issue"' not in planner.get(notice.get_absolute_url()).content.decode()
    mfg = Department.objects.get(code="MFG").pk
    assert post_action(planner, notice, "issue", **{"d-issue-departments": [mfg]}).status_code == 403
    with pytest.raises(NotAllowed):
        notices.issue(notice)
    assert reload(order).lines.get().unit_price == Decimal("123.4567")
    assert [t.label for t in tasks_for_user(user=demo["gm"]) if t.record_number == notice.number] == [
        "Approve the price change (GM) / Return to sales with the reason"
    ]
    assert post_action(gm, notice, "gm_approve").status_code == 302
    notice = notices.issue(notice)
    assert notice.state == "issued" and reload(order).lines.get().unit_price == Decimal("118")


def test_an_approver_returns_the_notice_with_the_reason_into_a_new_round(demo, released, notices, client_for):
    order = released()
    notice = notices.to_accepted(notices.raise_change(order, lines=[change(order.lines.get().pk, quantity=Decimal(7))]))
    head = client_for(demo["sales_head"])
    assert post_action(head, notice, "head_return", comment="").status_code == 400
    assert post_action(head, notice, "head_return", comment="Ask the customer for the date too").status_code == 302
    notice = fresh(notice)
    assert notice.state == "draft" and Round.objects.for_record(notice).count() == 2


def test_a_reviewer_cannot_approve_a_notice_they_raised_or_last_changed(demo, released, notices, client_for):
    order = released()
    li = order.lines.get()
    # Raised by the sales head: another head must review it (here nobody: the task moves up).
    notice = notices.to_accepted(
        notices.raise_change(order, lines=[change(li.pk, quantity=Decimal(5))], user="sales_head")
    )
    response = post_action(client_for(demo["sales_head"]), notice, "head_review")
    assert response.status_code == 403
    assert shown_messages(response) == [
        "You created or last changed this record, so someone else must review, approve or verify it."
    ]
    # Last changed by the sales head (an edit of a colleague's draft): the same.
    other = notices.raise_change(released(po_number="PO-2"), texts={"other": "Pallets"})
    other_order = other.order
    edit = reverse("orders:change_edit", args=[other.pk])
    response = client_for(demo["sales_head"]).post(
        edit, create_form(other_order, **{"ln-0-quantity": "9", "version": other.version})
    )
    assert response.status_code == 302
    other = notices.to_accepted(fresh(other))
    assert fresh(other).changed_by == demo["sales_head"]
    assert post_action(client_for(demo["sales_head"]), other, "head_review").status_code == 403
    assert fresh(other).state == "accepted"


# --- issued: the order is amended, the departments acknowledge ------------------------------------------


def test_each_department_acknowledges_and_a_slow_one_holds_nothing_back(demo, released, notices, client_for):
    order = released()
    notice = notices.to_issued(
        notices.raise_change(order, lines=[change(order.lines.get().pk, quantity=Decimal("1100"))]),
        departments=("MFG", "WH", "QA"),
    )
    acks = {a.department.code: a for a in ChangeAck.objects.filter(notice=notice)}
    assert sorted(acks) == ["MFG", "QA", "WH"]
    assert [a.number for a in ChangeAck.objects.filter(notice=notice).order_by("pk")] == [
        f"{notice.number}/1",
        f"{notice.number}/2",
        f"{notice.number}/3",
    ]
    # The order is changed at once, whatever the departments do.
    assert reload(order).lines.get().quantity == Decimal("1100")
    # Each department's task, due in two working days, overdue after that.
    for code, user in (("MFG", "mfg"), ("WH", "warehouse"), ("QA", "qa")):
        labels = [t.label for t in tasks_for_user(user=demo[user]) if t.record_number == acks[code].number]
        assert labels == ["Acknowledge receipt"], code
    task = Task.objects.for_record(acks["WH"]).get(status=TaskStatus.OPEN)
    assert task.due_at is not None and not task.is_overdue
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(days=1))
    assert Task.objects.get(pk=task.pk).is_overdue
    # The warehouse reads its acknowledgement (and the changes in it), not the notice nor the others'.
    wh = client_for(demo["warehouse"])
    page = wh.get(acks["WH"].get_absolute_url())
    assert page.status_code == 200 and "1100" in page_text(page)
    assert wh.get(notice.get_absolute_url()).status_code == 404
    assert wh.get(acks["MFG"].get_absolute_url()).status_code == 404
    # Manufacturing reads the notice, so its acknowledgements, but acknowledges only its own.
    assert post_action(client_for(demo["mfg"]), acks["WH"], "acknowledge").status_code == 403
    # Two acknowledge; planning cannot close while one is missing.
    assert post_action(wh, acks["WH"], "acknowledge", comment="").status_code == 302
    assert post_action(client_for(demo["mfg"]), acks["MFG"], "acknowledge", comment="").status_code == 302
    planner = client_for(demo["planner"])
    assert post_action(planner, notice, "close").status_code == 403
    assert not [t for t in tasks_for_user(user=demo["planner"]) if t.record_number == notice.number]
    assert post_action(client_for(demo["qa"]), acks["QA"], "acknowledge", comment="").status_code == 302
    # The last acknowledgement gives planning the task of closing the notice.
    assert [t.label for t in tasks_for_user(user=demo["planner"]) if t.record_number == notice.number] == [
        "Close: every department acknowledged"
    ]
    assert post_action(planner, notice, "close").status_code == 302
    assert fresh(notice).state == "closed"


def test_the_order_shows_each_amended_value_with_its_mark(demo, released, notices, client_for):
    order = released(
        lines=[line(part_number="A-100"), line(part_number="B-200"), line(part_number="C-300")],
        remarks="Pack by 50",
    )
    a, b, c = order.lines.order_by("pk")
    new_date = c.requested_date + timedelta(days=10)
    notice = notices.to_issued(
        notices.raise_change(
            order,
            lines=[
                change(a.pk, quantity=Decimal("1500"), unit_price=Decimal("120")),
                change(b.pk, cancel=True),
                change(c.pk, requested_date=new_date),
            ],
            added=[
                {
                    "part_number": "D-400",
                    "description": "Added",
                    "quantity": Decimal("50"),
                    "unit": "pcs",
                    "unit_price": Decimal("9.5"),
                    "currency": "CNY",
                    "requested_date": new_date,
                }
            ],
            texts={"other": "Pack by 100", "material": "PA66 GF30"},
        )
    )
    order = reload(order)
    assert order.remarks == "Pack by 100" and order.req_materials_note == "PA66 GF30"
    assert fresh(b).cancelled and fresh(b).quantity == Decimal("1000")  # nothing signed is deleted
    assert order.lines.filter(part_number="D-400", quantity=50).exists()
    day = timezone.localdate().isoformat()
    signer = str(demo["planner"])
    tree = lxml.html.fromstring(client_for(demo["sales"]).get(order.get_absolute_url()).content.decode())

    def cell_text(part, index):
        row = tree.xpath(f"//tr[contains(@class, 'line-row')][.//span[@class='line-part' and text()='{part}']]")[0]
        return " ".join(row.xpath("./td")[index].text_content().split())

    mark = f"({notice.number} · {day} · {signer})"
    assert cell_text("A-100", 2) == f"1000 {mark} 1500"
    assert cell_text("A-100", 4) == f"123.4567 {mark} 120.0000 CNY"
    assert tree.xpath("//tr[contains(@class, 'line-row')]//del[text()='1000']")
    assert cell_text("C-300", 6) == f"{c.requested_date.isoformat()} {mark} {new_date.isoformat()}"
    assert cell_text("B-200", 0) == f"B-200 cancelled {notice.number} · {day} · {signer}"
    assert "line-cancelled" in tree.xpath("//tr[.//span[text()='B-200']]")[0].get("class")
    assert cell_text("D-400", 0) == f"D-400 added by {notice.number} · {day} · {signer}"
    assert (
        " ".join(tree.xpath("//dd[@id='order-remarks']")[0].text_content().split()) == f"Pack by 50 {mark} Pack by 100"
    )
    materials = tree.xpath("//tr[@data-item='materials']/td")[1]
    assert " ".join(materials.text_content().split()) == f"— {mark} PA66 GF30"
    # Without the price permission, no price and no mark of one.
    engineer_page = client_for(demo["engineer"]).get(order.get_absolute_url()).content.decode()
    assert "123.4567" not in engineer_page and "120.0000" not in engineer_page
    # The review sheet carries the marks too (PDF, Excel), prices by permission.
    from tests.sheets.conftest import pdf_text

    from .test_lists_prices_sheets import _rows

    pdf = client_for(demo["sales"]).get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"}))
    text = " ".join(pdf_text(pdf.content).split())
    assert notice.number in text and "123.4567" in text and "1000" in text and "D-400" in text
    xlsx = client_for(demo["engineer"]).get(
        reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"})
    )
    cells = [str(v) for row in _rows(xlsx) for v in row if v is not None]
    assert f"quantity: 1000 → 1500 ({notice.number} · {day} · {signer})" in cells
    assert not any("123.4567" in v for v in cells)
    # The amendment is a sign-off on the order: its signatures still verify.
    assert wf.signatures_verify(record=order, user=demo["admin"]).intact


def test_quantities_changed_move_the_shipping_state(demo, released, notices):
    order = released(
        lines=[line(part_number="A-100", quantity=Decimal(100)), line(part_number="B-200", quantity=Decimal(50))]
    )
    a, b = order.lines.order_by("pk")
    services.shipments_record(
        user=demo["warehouse"],
        delivery_note="DN-1",
        shipped_on=timezone.localdate(),
        entries=[services.ShipmentEntry(line=a, quantity=Decimal(80))],
    )
    assert reload(order).state == "partly_shipped"
    # The customer takes 80 of A and no B: the order is shipped in full at once.
    notices.to_issued(
        notices.raise_change(order, lines=[change(a.pk, quantity=Decimal(80)), change(b.pk, cancel=True)])
    )
    order = reload(order)
    assert order.state == "shipped"
    assert SignOff.objects.for_record(order).last().transition == "ship_in_full"
    assert SignOff.objects.for_record(order).last().comment.startswith("BG-")
    # A cancelled line is not shipped any more.
    with pytest.raises(Blocked):
        services.shipments_record(
            user=demo["warehouse"],
            delivery_note="DN-2",
            shipped_on=timezone.localdate(),
            entries=[services.ShipmentEntry(line=fresh(b), quantity=Decimal(1))],
        )


def test_cancelling_the_whole_order_moves_it_to_cancelled_through_the_engine(demo, released, notices, client_for):
    order = released()
    notice = notices.to_issued(notices.raise_change(order, cancel_order=True))
    order = reload(order)
    assert order.state == "cancelled"
    signoff = SignOff.objects.for_record(order).last()
    assert (signoff.transition, signoff.user, signoff.data) == (
        "cancel_by_notice",
        demo["planner"],
        {"notice": notice.number},
    )
    page = page_text(client_for(demo["sales"]).get(order.get_absolute_url()))
    assert "Cancelled by a change notice" in page and notice.number in page
    # Nothing shipped may be cancelled away.
    other = released(po_number="PO-SHIPPED")
    services.shipments_record(
        user=demo["warehouse"],
        delivery_note="DN-9",
        shipped_on=timezone.localdate(),
        entries=[services.ShipmentEntry(line=other.lines.get(), quantity=Decimal(1))],
    )
    with pytest.raises(Blocked) as refused:
        notices.raise_change(reload(other), cancel_order=True)
    assert "instead of cancelling the whole order" in refused.value.messages()[0]


def test_a_notice_written_against_values_that_changed_meanwhile_is_refused_at_issue(
    demo, released, notices, client_for
):
    order = released()
    li = order.lines.get()
    first = notices.raise_change(order, lines=[change(li.pk, quantity=Decimal(1200))])
    second = notices.to_vgm_approved(notices.raise_change(order, lines=[change(li.pk, quantity=Decimal(1300))]))
    notices.to_issued(first)
    mfg = Department.objects.get(code="MFG").pk
    response = post_action(client_for(demo["planner"]), second, "issue", **{"d-issue-departments": [mfg]})
    assert response.status_code == 400
    assert shown_messages(response) == [
        "Line 1 · NH-CN-2040: the quantity is now 1200, not 1000 as the notice says; revise the notice."
    ]
    assert fresh(second).state == "vgm_approved" and reload(order).lines.get().quantity == Decimal(1200)
    assert ValueChange.objects.filter(by_number=second.number).count() == 0


# --- the approver's page ---------------------------------------------------------------------------------


def test_the_approvers_page_leads_with_what_to_decide(
    demo, released, notices, client_for, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nhcs.mail.models import Mail

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    order = released()
    notice = notices.raise_change(
        order, lines=[change(order.lines.get().pk, quantity=Decimal(1500), unit_price=Decimal(110))], attach=False
    )
    request = wf.attachment_add(
        record=notice,
        user=demo["sales"],
        upload=SimpleUploadedFile("fax.png", png, "image/png"),
        kind=AttachmentKind.CUSTOMER_REQUEST,
    )
    notice = notices.go(notice, "submit", "sales")
    notice = notices.go(notice, "start_review", "planner")
    figures = {"rd": {"cost": "100"}, "pur": {"material_bought": "4200", "cost": "1800.50"}, "qa": {"stock": "300"}}
    for key, task in open_steps(notice).items():
        wf.step_complete(
            task=task,
            user=demo[{"rd": "rd", "pur": "buyer", "qa": "qa"}[key]],
            data={"outcome": "accept", "comment": "", **figures[key]},
        )
    notice = notices.go(notices.go(notice, "accept", "planner"), "head_review", "sales_head")
    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.go(notice, "vgm_approve", "vgm")
    tree = lxml.html.fromstring(client_for(demo["gm"]).get(notice.get_absolute_url()).content.decode())
    body = tree.xpath("//main")[0]
    order_of = [e.get("id") for e in body.iter() if e.get("id") in ("decision", "workflow-actions")]
    assert order_of == ["decision", "workflow-actions"]  # first what to decide, then the decision
    rows = [" ".join(r.text_content().split()) for r in tree.xpath("//li[contains(@class,'change-row')]")]
    assert rows == [
        "Quantity of a line · Line 1 · NH-CN-2040 1000 → becomes 1500",
        "Unit price of a line · Line 1 · NH-CN-2040 123.4567 CNY → becomes 110 CNY",
    ]
    assert (
        " ".join(tree.xpath("//*[@id='cost-total']")[0].text_content().split())
        == "Stated cost of the change: 1,900.50 CNY"
    )
    impacts = tree.xpath("//li[contains(@class,'impact')]")
    assert len(impacts) == 3 and "4200" in impacts[1].text_content()
    # The customer's request opens in the page.
    image = tree.xpath("//div[contains(@class,'customer-request')]//img")[0]
    src = reverse("workflow:attachment_download", args=[request.pk]) + "?inline=1"
    assert image.get("src") == src
    inline = client_for(demo["gm"]).get(src)
    assert inline.status_code == 200 and inline["Content-Disposition"].startswith("inline")
    assert {f.get("data-transition") for f in tree.xpath("//form[@data-transition]")} == {"gm_approve", "gm_return"}
    # The GM's task mail links straight to this page.
    mail = Mail.objects.filter(to__contains=demo["gm"].email).latest("pk")
    assert f"{settings.SITE_URL}{notice.get_absolute_url()}" in mail.body


# --- prices follow the permission; lists, filters, sheets ------------------------------------------------


def test_prices_on_the_notice_its_sheets_lists_and_filters_follow_the_order_price_permission(
    demo, released, notices, client_for
):
    order = released()
    notice = notices.to_accepted(
        notices.raise_change(
            order, lines=[change(order.lines.get().pk, quantity=Decimal(1500), unit_price=Decimal(110))]
        )
    )
    rd, sales = client_for(demo["rd"]), client_for(demo["sales"])
    hidden = rd.get(notice.get_absolute_url()).content.decode()
    shown = sales.get(notice.get_absolute_url()).content.decode()
    assert "123.4567" not in hidden and "110 CNY" not in hidden and 'id="price-change"' not in hidden
    assert "123.4567" in shown and 'id="price-change"' in shown
    assert "1500" in hidden  # the quantity is no price
    # Lists and filters: no price flag, and filtering by it is not offered (nor applied).
    lst = rd.get(reverse("orders:change_list")).content.decode()
    assert 'name="price_changed"' not in lst and notice.number in lst
    assert notice.number in rd.get(reverse("orders:change_list") + "?price_changed=false").content.decode()
    assert 'name="price_changed"' in sales.get(reverse("orders:change_list")).content.decode()
    assert notice.number not in sales.get(reverse("orders:change_list") + "?price_changed=false").content.decode()
    from tests.sheets.conftest import pdf_text

    from .test_lists_prices_sheets import _rows

    for client, sees in ((rd, False), (sales, True)):
        cells = [
            str(v)
            for row in _rows(client.get(reverse("orders:change_sheet", kwargs={"pk": notice.pk, "fmt": "xlsx"})))
            for v in row
            if v
        ]
        assert any("123.4567" in v for v in cells) is sees
        log = [
            str(v) for row in _rows(client.get(reverse("orders:change_list_export", args=["xlsx"]))) for v in row if v
        ]
        assert ("A price changes" in log) is sees and (("Unit price of a line" in " ".join(log)) is sees)
        pdf = pdf_text(client.get(reverse("orders:change_sheet", kwargs={"pk": notice.pk, "fmt": "pdf"})).content)
        assert ("123.4567" in pdf) is sees and notice.number in pdf


def test_the_change_log_filters_and_sorts(demo, released, notices, client_for, customer):
    from nhcs.customers.models import Customer

    other_customer = Customer.objects.create(code="T002", name_zh="另一客户", name_en="Other")
    a = notices.go(notices.raise_change(released(po_number="PO-A"), texts={"other": "A"}), "submit", "sales")
    b = notices.to_accepted(
        notices.raise_change(released(po_number="PO-B", customer=other_customer), texts={"other": "B"})
    )
    sales_head = client_for(demo["sales_head"])
    url = reverse("orders:change_list")

    def numbers(query):
        tree = lxml.html.fromstring(sales_head.get(url + query).content.decode())
        return [r.get("data-number") for r in tree.xpath("//tr[@data-number]")]

    assert numbers("") == [b.number, a.number]
    assert numbers("?state=accepted") == [b.number]
    assert numbers("?state=submitted") == [a.number]
    assert numbers(f"?customer={customer.pk}") == [a.number]
    assert numbers("?order=PO-B") == [b.number]
    today = timezone.localdate().isoformat()
    assert numbers(f"?created_after={today}&created_before={today}") == [b.number, a.number]
    assert numbers("?created_after=2020-01-01&created_before=2020-01-02") == []
    # Awaiting me: the head reviews b, planning opens the review of a.
    assert numbers("?mine=on") == [b.number]
    planner_page = client_for(demo["planner"]).get(url + "?mine=on").content.decode()
    assert a.number in planner_page and b.number not in planner_page
    assert numbers("?ordering=number") == [a.number, b.number]
    assert numbers("?ordering=-state") == [b.number, a.number]
    pdf = sales_head.get(reverse("orders:change_list_export", args=["pdf"]) + "?state=accepted")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The warehouse reads no change notice (only its own acknowledgements): its list is empty.
    page = client_for(demo["warehouse"]).get(url).content.decode()
    assert a.number not in page and b.number not in page


# --- query budgets ----------------------------------------------------------------------------------------


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx), "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("stage", ["draft", "review", "vgm_approved", "issued"])
def test_the_notice_pages_issue_a_constant_small_number_of_queries(demo, released, notices, client_for, stage):
    def build(n, po):
        order = released(po_number=po, lines=[line(part_number=f"P{i}") for i in range(n)])
        notice = notices.raise_change(
            order, lines=[change(li.pk, quantity=Decimal(5), unit_price=Decimal(3)) for li in order.lines.all()]
        )
        if stage == "draft":
            return notice
        if stage == "review":
            return notices.go(notices.go(notice, "submit", "sales"), "start_review", "planner")
        notice = notices.to_vgm_approved(notice)
        if stage == "vgm_approved":
            return notice
        return notices.issue(notices.go(notice, "gm_approve", "gm"))

    client = client_for(demo["gm"])
    small_notice, big_notice = build(1, "PO-S"), build(4, "PO-B")
    small, _ = _count(client, small_notice.get_absolute_url())
    big, sql = _count(client, big_notice.get_absolute_url())
    assert big == small, sql
    assert big <= 20, sql
    if stage == "issued":
        mfg = client_for(demo["mfg"])
        small, _ = _count(mfg, ChangeAck.objects.filter(notice=small_notice).first().get_absolute_url())
        big, sql = _count(mfg, ChangeAck.objects.filter(notice=big_notice).first().get_absolute_url())
        assert big == small and big <= 20, sql
        # And the order page, amended, stays within its budget.
        count, sql = _count(client_for(demo["planner"]), big_notice.order.get_absolute_url())
        assert count <= 20, sql


def test_shipped_orders_take_no_change_notice(demo, released, notices):
    order = released()
    services.shipments_record(
        user=demo["warehouse"],
        delivery_note="DN-F",
        shipped_on=timezone.localdate(),
        entries=[services.ShipmentEntry(line=order.lines.get(), quantity=Decimal(1000))],
    )
    assert reload(order).state == "shipped"
    with pytest.raises(Blocked) as refused:
        notices.raise_change(reload(order), texts={"other": "x"})
    assert "only a released or partly shipped order is changed" in refused.value.messages()[0]
    assert Shipment.objects.count() == 1 and Order.objects.get(pk=order.pk).state == "shipped"


def test_editing_a_submitted_notice_needs_the_reason_and_recalls_it_into_a_new_round(
    demo, released, notices, client_for
):
    order = released()
    li = order.lines.get()
    notice = notices.go(notices.raise_change(order, lines=[change(li.pk, quantity=Decimal(1500))]), "submit", "sales")
    edit = reverse("orders:change_edit", args=[notice.pk])
    sales = client_for(demo["sales"])
    form = lxml.html.fromstring(sales.get(edit).content.decode())
    # The form shows the notice's values, not the order's, and warns that saving recalls it.
    assert form.xpath("//input[@name='ln-0-quantity']")[0].get("value") == "1500"
    assert form.xpath("//*[@id='reopen-warning']")
    assert client_for(demo["planner"]).get(edit).status_code == 403
    data = create_form(order, **{"ln-0-quantity": "1600", "version": fresh(notice).version})
    response = sales.post(edit, {**data, "ln-0-quantity": "many"})
    assert response.status_code == 400 and fresh(notice).items.get().new_quantity == Decimal(1500)
    response = sales.post(edit, data)
    assert response.status_code == 400
    assert shown_messages(response) == ["Give the reason for the change: it is kept as the change mark."]
    response = sales.post(edit, {**data, "change_reason": "Customer corrected the fax"})
    assert response.status_code == 302
    notice = fresh(notice)
    assert notice.state == "draft" and notice.items.get().new_quantity == Decimal(1600)
    assert Round.objects.for_record(notice).count() == 2
    assert SignOff.objects.for_record(notice).last().transition == "recall"
    # A stale form is refused.
    response = sales.post(edit, {**data, "version": 1})
    assert response.status_code == 409


def test_lines_added_by_the_form_and_a_line_added_wrongly(demo, released, client_for):
    order = released()
    url = reverse("orders:change_create", args=[order.pk])
    sales = client_for(demo["sales"])
    added = {
        "add-TOTAL_FORMS": 1,
        "add-0-part_number": "NEW-9",
        "add-0-description": "Added by the customer",
        "add-0-quantity": "40",
        "add-0-unit": "pcs",
        "add-0-unit_price": "2.5",
        "add-0-currency": "CNY",
        "add-0-requested_date": "2026-10-01",
    }
    response = sales.post(url, create_form(order, **added))
    assert response.status_code == 400 and not ChangeNotice.objects.exists()
    response = sales.post(url, create_form(order, **{**added, "add-0-requested_date": "2026-12-20"}))
    assert response.status_code == 302
    item = ChangeNotice.objects.get().items.get()
    assert (item.kind, item.part_number, item.new_quantity, item.new_unit_price) == (
        "add_line",
        "NEW-9",
        Decimal(40),
        Decimal("2.5"),
    )
    assert ChangeNotice.objects.get().price_changed  # a new line brings its price
