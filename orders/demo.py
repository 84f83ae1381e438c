"""Demo orders for `manage.py seed_demo`: a few orders in different states of the review, the released one
partly shipped by the warehouse; an approval rule of the admin; a change notice (price and quantity)
awaiting the GM's approval, and a delay notice awaiting the customer's written confirmation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.choices import StepOutcome, TaskKind, TaskStatus
from nhcs.workflow.models import Task

from . import services
from .models import ApprovalRule, Order

ALL_IDENTIFIED = {
    f"req_{k}": "identified" for k in ("cost", "materials", "methods", "special", "services", "statutory")
}


def _order(sales, customer, po, days_ago, lines, **extra):
    today = timezone.localdate()
    data = {
        "customer": customer,
        "po_number": po,
        "po_date": today - timedelta(days=days_ago),
        **ALL_IDENTIFIED,
        **extra,
    }
    return services.order_create(user=sales, data=data, lines=lines)


def _line(part, qty, price, in_days, description=""):
    return {
        "part_number": part,
        "description": description,
        "quantity": Decimal(qty),
        "unit": "pcs",
        "unit_price": Decimal(price),
        "currency": "CNY",
        "requested_date": timezone.localdate() + timedelta(days=in_days),
    }


def _review(order, users):
    order = wf.transition_record(record=order, name="submit", user=users["sales"])
    order = wf.transition_record(record=order, name="start_review", user=users["planner"])
    services.bom_save(
        order=order,
        user=users["engineer"],
        rows=[
            {"part_number": "PCB-2L-100", "description": "PCB", "quantity_per_unit": Decimal("1"), "source": "buy"},
            {"part_number": "HSG-PA66", "description": "Housing", "quantity_per_unit": Decimal("1"), "source": "make"},
            {
                "part_number": "SPR-301",
                "description": "Spring, plated",
                "quantity_per_unit": Decimal("2"),
                "source": "outsource",
            },
        ],
    )
    order = Order.objects.get(pk=order.pk)
    lead = {b.pk: (days, "") for b, days in zip(order.bom_lines.exclude(source="make").order_by("pk"), (21, 14))}
    services.lead_times_save(order=order, user=users["buyer"], lead_times=lead)
    return Order.objects.get(pk=order.pk)


def _opinions(order, users):
    who = {"bom": "engineer", "lead_times": "buyer", "rd": "rd", "qa": "qa", "mfg": "mfg"}
    for task in Task.objects.for_record(order).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN):
        wf.step_complete(task=task, user=users[who[task.step]], outcome=StepOutcome.ACCEPT, comment="")
    return Order.objects.get(pk=order.pk)


def seed(stdout=None) -> None:
    if Order.objects.filter(po_number__startswith="DEMO-").exists():
        return
    names = ["sales", "sales_head", "planner", "engineer", "buyer", "rd", "qa", "mfg", "vgm", "gm"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        return
    c1 = Customer.objects.filter(code="C001").first()
    c2 = Customer.objects.filter(code="C002").first()
    c3 = Customer.objects.filter(code="C003").first()
    if not (c1 and c2 and c3):
        return
    sales = users["sales"]
    _order(
        sales,
        c2,
        "DEMO-PO-1001",
        2,
        [_line("NH-CN-2040", 5000, "0.85", 45, "Connector 4P")],
        req_special="clarify",
        req_special_note="Packing for export unclear",
    )
    o2 = _order(
        sales,
        c1,
        "DEMO-PO-1002",
        5,
        [
            _line("NH-CN-3060", 20000, "1.20", 40, "Connector 6P"),
            _line("NH-CN-3080", 10000, "1.45", 60, "Connector 8P"),
        ],
    )
    _review(o2, users)
    o3 = _order(sales, c3, "DEMO-PO-1003", 10, [_line("NH-SW-0101", 3000, "3.10", 35, "Switch")])
    o3 = _opinions(_review(o3, users), users)
    o3 = wf.transition_record(record=o3, name="complete_review", user=users["planner"])
    wf.transition_record(
        record=o3,
        name="reply_date",
        user=users["planner"],
        data={"committed_date": timezone.localdate() + timedelta(days=30)},
    )
    o4 = _order(sales, c1, "DEMO-PO-0990", 20, [_line("NH-CN-2040", 8000, "0.82", 20, "Connector 4P")])
    o4 = _opinions(_review(o4, users), users)
    o4 = wf.transition_record(record=o4, name="complete_review", user=users["planner"])
    o4 = wf.transition_record(
        record=o4, name="reply_date", user=users["planner"], data={"committed_date": o4.po_date + timedelta(days=25)}
    )
    o4 = wf.transition_record(record=o4, name="confirm_date", user=sales)
    o4 = _approve(o4, users)
    o4 = wf.transition_record(record=o4, name="release", user=sales)
    warehouse = User.objects.filter(username="warehouse").first()
    if warehouse is not None:
        services.shipments_record(
            user=warehouse,
            delivery_note="DEMO-DN-0001",
            shipped_on=timezone.localdate() - timedelta(days=2),
            entries=[services.ShipmentEntry(line=o4.lines.get(), quantity=Decimal(3000), lot="L-DEMO-01")],
        )
    # The admin's rule of 3.5, for repeat orders of small value.
    ApprovalRule.objects.get_or_create(
        name="重复订单 3000元以下 Repeat orders below 3,000 CNY",
        defaults={"repeat_orders_only": True, "below_amount": Decimal("3000"), "currency": "CNY"},
    )
    o5 = _order(
        sales,
        c2,
        "DEMO-PO-0985",
        25,
        [
            _line("NH-CN-3060", 12000, "1.18", 20, "Connector 6P"),
            _line("NH-SW-0101", 2000, "3.05", 24, "Switch"),
        ],
    )
    o5 = _opinions(_review(o5, users), users)
    o5 = wf.transition_record(record=o5, name="complete_review", user=users["planner"])
    o5 = wf.transition_record(
        record=o5, name="reply_date", user=users["planner"], data={"committed_date": o5.po_date + timedelta(days=30)}
    )
    o5 = wf.transition_record(record=o5, name="confirm_date", user=sales)
    o5 = wf.transition_record(record=_approve(o5, users), name="release", user=sales)
    _change_notice_awaiting_gm(o5, users)
    _delay_notice_awaiting_customer(Order.objects.get(pk=o4.pk), users)
    if stdout is not None:
        stdout.write("Demo orders ready.")


def _approve(order, users):
    order = wf.transition_record(record=order, name="vgm_approve", user=users["vgm"])
    if order.approval_rule_id is None:
        order = wf.transition_record(record=order, name="gm_approve", user=users["gm"])
    return order


def _request_picture() -> SimpleUploadedFile:
    """The customer's fax asking for the change, as a picture (shown in the approver's page)."""
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (900, 560), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 30)
    except OSError:
        font = ImageFont.load_default()
    text = [
        "传真 FAX  →  东莞市宁浩实业有限公司 营销部",
        "订单 PO: DEMO-PO-0985",
        "NH-CN-3060: 数量 12000 → 15000 pcs",
        "NH-CN-3060: 单价 1.18 → 1.12 CNY",
        "请确认。Please confirm.",
        "—— 采购部 张经理 (签名)",
    ]
    for i, line in enumerate(text):
        draw.text((40, 40 + i * 80), line, fill="black", font=font)
    out = BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("customer-fax.png", out.getvalue(), content_type="image/png")


def _change_notice_awaiting_gm(order, users) -> None:
    """A change of quantity and price on a released order, approved by the deputy GM: waits for the GM."""
    line = order.lines.order_by("pk").first()
    notice = services.change_notice_create(
        order=order,
        user=users["sales"],
        reason="客户追加数量并要求降价 The customer adds 3,000 pcs and asks for a lower price",
        customer_request_on=timezone.localdate() - timedelta(days=3),
        request=services.ChangeRequest(
            lines=[services.LineChange(line_id=line.pk, quantity=Decimal("15000"), unit_price=Decimal("1.12"))]
        ),
        request_file=_request_picture(),
    )
    notice = wf.transition_record(record=notice, name="submit", user=users["sales"])
    notice = wf.transition_record(record=notice, name="start_review", user=users["planner"])
    figures = {
        "rd": ("rd", {"cost": "0"}),
        "pur": ("buyer", {"material_bought": "4200", "cost": "1800"}),
        "qa": ("qa", {"stock": "0", "work_in_progress": "2000"}),
    }
    for task in Task.objects.for_record(notice).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN):
        username, data = figures[task.step]
        wf.step_complete(task=task, user=users[username], data={"outcome": StepOutcome.ACCEPT, "comment": "", **data})
    notice = wf.transition_record(record=notice, name="accept", user=users["planner"])
    notice = wf.transition_record(record=notice, name="head_review", user=users["sales_head"])
    wf.transition_record(record=notice, name="vgm_approve", user=users["vgm"])


def _delay_notice_awaiting_customer(order, users) -> None:
    """Planning cannot make the partly shipped order's date: sales negotiated, the customer has the link."""
    notice = services.delay_notice_create(
        user=users["planner"],
        customer=order.customer,
        reason="注塑机故障，外壳延误一周 Moulding machine down: housings one week late",
        items=[(order, order.committed_date + timedelta(days=7))],
    )
    notice = wf.transition_record(record=notice, name="issue", user=users["planner"])
    notice = wf.transition_record(
        record=notice,
        name="negotiate",
        user=users["sales"],
        data={"negotiation": "客户电话同意顺延一周，待书面确认 Agreed by phone, written confirmation to follow"},
    )
    services.delay_link_give(notice=notice, user=users["sales"])
