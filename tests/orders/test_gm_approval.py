"""3.5: the GM approves what was agreed with the customer — after the deputy GM in charge — before the order
is released; a rule kept in the admin may let the deputy GM's approval suffice, and the review sheet names it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from nhcs.workflow import services as wf
from nhcs.workflow.models import SignOff, Task
from nhcs.workflow.selectors import tasks_for_user
from orders.models import ApprovalRule
from tests.sheets.conftest import pdf_text

from .conftest import PO_DATE, line, post_transition, reload
from .test_flow import shown_messages
from .test_lists_prices_sheets import _rows

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    """The page's text as a reader sees it (entities decoded, spaces folded)."""
    import lxml.html

    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def offered(client, order) -> set[str]:
    import lxml.html

    page = lxml.html.fromstring(client.get(order.get_absolute_url()).content.decode())
    return {f.get("data-transition") for f in page.xpath("//form[@data-transition]")}


def test_an_order_is_released_only_after_the_deputy_gm_and_then_the_gm_approved(demo, make_order, flow, client_for):
    order = flow.to_date_confirmed(make_order())
    sales, vgm, gm = client_for(demo["sales"]), client_for(demo["vgm"]), client_for(demo["gm"])
    # Confirmed with the customer: the deputy GM in charge of Sales has the task; nobody may release yet.
    assert "release" not in offered(sales, order)
    assert post_transition(sales, order, "release").status_code == 409
    assert [t.label for t in tasks_for_user(user=demo["vgm"]) if t.record_number == order.number] == [
        "Approve the agreed requirements (deputy GM) / Return to sales (not approved)"
    ]
    # Neither sales nor the GM approves in the deputy GM's place.
    assert post_transition(sales, order, "vgm_approve").status_code == 403
    assert post_transition(gm, order, "vgm_approve").status_code == 403
    assert offered(vgm, order) >= {"vgm_approve", "vgm_return"}
    assert post_transition(vgm, order, "vgm_approve").status_code == 302
    order = reload(order)
    assert order.state == "vgm_approved" and order.approval_rule is None
    # No rule applies: the GM approves too, and until then the order is not released.
    assert "release" not in offered(sales, order)
    assert post_transition(sales, order, "release").status_code == 403
    assert reload(order).state == "vgm_approved"
    assert [t.label for t in tasks_for_user(user=demo["gm"]) if t.record_number == order.number] == [
        "Approve the agreed requirements (GM) / Return to sales (not approved)"
    ]
    assert post_transition(vgm, order, "gm_approve").status_code == 403
    assert "the GM approves too" in page_text(gm.get(order.get_absolute_url()))
    assert post_transition(gm, order, "gm_approve").status_code == 302
    order = reload(order)
    assert order.state == "approved"
    assert "Approved by the deputy GM and the GM." in page_text(sales.get(order.get_absolute_url()))
    assert post_transition(sales, order, "release").status_code == 302
    assert reload(order).state == "released"


def test_an_approver_returns_the_order_with_the_reason_and_sales_reworks_it(demo, make_order, flow, client_for):
    order = flow.to_date_confirmed(make_order())
    vgm = client_for(demo["vgm"])
    response = post_transition(vgm, order, "vgm_return", comment="")
    assert response.status_code == 400 and shown_messages(response) == ["Give a reason in the comment."]
    assert post_transition(vgm, order, "vgm_return", comment="Price below cost").status_code == 302
    assert reload(order).state == "returned"
    order = flow.go(order, "rework", "sales")
    assert order.state == "draft" and order.rounds.count() == 2
    # The second round: the review again (its BOM and lead times are there), the date, both approvals.
    order = flow.go(flow.go(order, "submit", "sales"), "start_review", "planner")
    order = flow.go(flow.opinions(order), "complete_review", "planner")
    order = flow.approve(flow.go(flow.reply(order, PO_DATE + timedelta(days=30)), "confirm_date", "sales"))
    assert flow.go(order, "release", "sales").state == "released"
    # The GM's refusal sends it back the same way.
    other = flow.go(flow.to_date_confirmed(make_order(po_number="PO-2")), "vgm_approve", "vgm")
    assert post_transition(client_for(demo["gm"]), other, "gm_return", comment="Not at this price").status_code == 302
    assert reload(other).state == "returned"


def test_sales_may_recall_an_approved_order_to_change_it_before_release(demo, make_order, flow, client_for):
    order = flow.to_approved(make_order())
    response = post_transition(client_for(demo["sales"]), order, "recall", comment="Customer changed the PO")
    assert response.status_code == 302
    order = reload(order)
    assert order.state == "draft" and order.rounds.count() == 2
    # Recalling is an optional action: never a task.
    assert not Task.objects.for_record(order).open().filter(transitions__contains="recall").exists()


def _repeat_order(make_order, flow, price="2.00", quantity="1000"):
    """A customer's second order of a part released before: a repeat order of an existing product."""
    flow.to_released(make_order(po_number="PO-FIRST", lines=[line(part_number="NH-CN-2040")]))
    order = make_order(
        po_number="PO-REPEAT",
        lines=[line(part_number="NH-CN-2040", quantity=Decimal(quantity), unit_price=Decimal(price))],
    )
    return flow.to_date_confirmed(order)


def test_a_rule_of_the_admin_lets_the_deputy_gms_approval_suffice_and_the_sheet_names_it(
    demo, make_order, flow, client_for
):
    rule = ApprovalRule.objects.create(
        name="重复订单 5000元以下", repeat_orders_only=True, below_amount=Decimal("5000"), currency="CNY"
    )
    order = _repeat_order(make_order, flow)  # 1000 × 2.00 = 2,000 CNY
    vgm = client_for(demo["vgm"])
    # The deputy GM sees, before approving, that the rule applies.
    page = vgm.get(order.get_absolute_url()).content.decode()
    assert "重复订单 5000元以下" in page
    assert post_transition(vgm, order, "vgm_approve").status_code == 302
    order = reload(order)
    assert order.state == "vgm_approved" and order.approval_rule == rule
    signoff = SignOff.objects.for_record(order).get(transition="vgm_approve")
    assert signoff.data == {"approval_rule": rule.pk}
    # No GM step for this order: nobody has a task for it but sales and planning, who release it.
    assert "gm_approve" not in offered(client_for(demo["gm"]), order)
    assert post_transition(client_for(demo["gm"]), order, "gm_approve").status_code == 403
    assert not [t for t in tasks_for_user(user=demo["gm"]) if t.record_number == order.number]
    assert post_transition(client_for(demo["sales"]), order, "release").status_code == 302
    order = reload(order)
    assert order.state == "released"
    text = "The deputy GM's approval suffices by the rule “重复订单 5000元以下”: repeat order of existing products, total below 5,000.00 CNY."
    assert text in page_text(client_for(demo["planner"]).get(order.get_absolute_url()))
    # The review sheet prints the rule applied, in PDF and Excel.
    pdf = client_for(demo["qa"]).get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"}))
    assert "重复订单5000元以下" in "".join(pdf_text(pdf.content).split())
    xlsx = client_for(demo["qa"]).get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"}))
    assert text in {v for row in _rows(xlsx) for v in row if v}
    # A rule once applied stays as it was: the admin changes only its "active" tick.
    from orders.admin import ApprovalRuleAdmin

    admin = ApprovalRuleAdmin(ApprovalRule, None)
    assert "below_amount" in admin.get_readonly_fields(None, rule) and not admin.has_delete_permission(None, rule)


@pytest.mark.parametrize(
    "price, repeat_only, why",
    [("6.00", True, "the total is not below the rule's value"), ("2.00", True, "not a repeat order")],
)
def test_the_gm_approves_when_no_rule_applies(demo, make_order, flow, price, repeat_only, why):
    ApprovalRule.objects.create(
        name="Repeat small", repeat_orders_only=repeat_only, below_amount=Decimal("5000"), currency="CNY"
    )
    if why == "not a repeat order":
        order = flow.to_date_confirmed(
            make_order(po_number="PO-NEW", lines=[line(part_number="NEW-1", unit_price=Decimal(price))])
        )
    else:
        order = _repeat_order(make_order, flow, price=price)  # 6,000 CNY
    order = flow.go(order, "vgm_approve", "vgm")
    assert order.approval_rule is None
    assert wf.transition_options(record=order, user=demo["gm"])[0].name == "gm_approve", why


def test_an_inactive_rule_or_a_line_in_another_currency_does_not_apply(demo, make_order, flow):
    rule = ApprovalRule.objects.create(name="Off", repeat_orders_only=True, below_amount=Decimal("5000"), active=False)
    order = _repeat_order(make_order, flow)
    assert flow.go(order, "vgm_approve", "vgm").approval_rule is None
    rule.active = True
    rule.save()
    other = make_order(
        po_number="PO-USD", lines=[line(part_number="NH-CN-2040", unit_price=Decimal("1"), currency="USD")]
    )
    other = flow.go(flow.to_date_confirmed(other, PO_DATE + timedelta(days=30)), "vgm_approve", "vgm")
    assert other.approval_rule is None
