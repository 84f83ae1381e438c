"""Demo orders for `manage.py seed_demo`: a few orders in different states of the review, the released one
partly shipped by the warehouse."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.choices import StepOutcome, TaskKind, TaskStatus
from nhcs.workflow.models import Task

from . import services
from .models import Order

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
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["sales", "planner", "engineer", "buyer", "rd", "qa", "mfg"])
    }
    if len(users) < 7:
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
    o4 = wf.transition_record(record=o4, name="release", user=sales)
    warehouse = User.objects.filter(username="warehouse").first()
    if warehouse is not None:
        services.shipments_record(
            user=warehouse,
            delivery_note="DEMO-DN-0001",
            shipped_on=timezone.localdate() - timedelta(days=2),
            entries=[services.ShipmentEntry(line=o4.lines.get(), quantity=Decimal(3000), lot="L-DEMO-01")],
        )
    if stdout is not None:
        stdout.write("Demo orders ready.")
