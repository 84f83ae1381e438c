"""A small fixed data set for the dashboard's figures, written straight to the tables (no flows: each
figure is checked against values computed by hand from these rows). Dates are relative to today."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from complaints.models import Complaint, ComplaintLink
from customer_property.models import Incident, PropertyItem
from nhcs.accounts.models import Department
from nhcs.customers.models import Customer, CustomerCertificate
from nhcs.workflow.models import SignOff, Task
from orders.models import ChangeNotice, Clarification, Order, OrderLine, Shipment
from satisfaction.models import Campaign, Recipient, Response

_numbers = itertools.count(1)


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def number(prefix: str) -> str:
    return f"{prefix}-T{next(_numbers):05d}"


class Data:
    def __init__(self, demo):
        self.demo = demo
        self.today = timezone.localdate()
        self.sales = demo["sales"]

    def day(self, ago: int):
        return self.today - timedelta(days=ago)

    def customer(self, code):
        return Customer.objects.create(code=code, name_zh=f"客户{code}", name_en=f"Customer {code}")

    def order(self, customer, *, state, po_ago, committed_ago=None, reply_ago=None):
        order = Order.objects.create(
            number=number("OR"),
            created_by=self.sales,
            changed_by=self.sales,
            customer=customer,
            po_number="PO",
            po_date=self.day(po_ago),
            state=state,
            committed_date=self.day(committed_ago) if committed_ago is not None else None,
        )
        if reply_ago is not None:
            self.signoff(order, "reply_date", self.day(reply_ago))
        return order

    def signoff(self, record, transition, day, to_state=""):
        SignOff.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            transition=transition,
            action="submit",
            to_state=to_state,
            user=self.demo["planner"],
            signed_at=at(day),
            content_hash="x",
        )

    def line(self, order):
        return OrderLine.objects.create(order=order, part_number="P1", quantity=100, requested_date=self.today)

    def ship(self, line, ago, quantity=10, reverses=None):
        return Shipment.objects.create(
            line=line,
            shipped_on=self.day(ago),
            quantity=quantity,
            delivery_note="DN",
            reverses=reverses,
            reason="wrong" if reverses else "",
            entered_by=self.sales,
        )

    def task(self, record, *, due_in_days, department=None, assignee=None):
        return Task.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            flow_key=record.flow.key,
            record_number=record.number,
            record_url="/",
            kind="action",
            state=record.state,
            department=department,
            assignee=assignee,
            record_created_by=self.sales,
            record_changed_by=self.sales,
            due_at=timezone.now() + timedelta(days=due_in_days),
        )

    def complaint(self, customer, *, received_ago, state, category="quality", replied_ago=None, closed_ago=None):
        return Complaint.objects.create(
            number=number("KS"),
            created_by=self.sales,
            changed_by=self.sales,
            customer=customer,
            channel="email",
            received_at=at(self.day(received_ago)),
            description="x",
            category=category,
            state=state,
            first_replied_on=self.day(replied_ago) if replied_ago is not None else None,
            closed_on=self.day(closed_ago) if closed_ago is not None else None,
        )

    def survey(self, *, sent_ago, answers, recipients):
        campaign = Campaign.objects.create(
            number=number("MY"),
            created_by=self.sales,
            changed_by=self.sales,
            title="t",
            period="p",
            greeting_zh="g",
            greeting_en="g",
            state="closed",
            sent_on=self.day(sent_ago),
        )
        for i, customer in enumerate(recipients):
            recipient = Recipient.objects.create(campaign=campaign, customer=customer, channel="email")
            if i < len(answers):
                total, band = answers[i]
                Response.objects.create(recipient=recipient, source="paper", total=Decimal(total), band=band)
        return campaign

    def item(self, customer, *, state, kind="parts", shot_limit=None, shots=None):
        return PropertyItem.objects.create(
            number=number("CP"),
            created_by=self.sales,
            changed_by=self.sales,
            customer=customer,
            kind=kind,
            name="item",
            received_from="x",
            state=state,
            shot_limit=shot_limit,
            shots_at_receipt=shots,
        )

    def build(self, tag=""):
        """The fixed set (see test_figures.py for the figures computed by hand); `tag` names another
        three customers for a second set."""
        c1, c2, c3 = (self.customer(f"T10{i}{tag}") for i in (1, 2, 3))
        plan = Department.objects.get(code="PLAN")
        # Orders: O1 in review (an overdue task, a clarification unanswered), O2 released and late,
        # O3 shipped (one shipment on time, one late, one reversed pair), O4 date replied.
        o1 = self.order(c1, state="in_review", po_ago=10)
        self.task(o1, due_in_days=-1, department=plan)
        Clarification.objects.create(
            order=o1, topic="cost", question="q", channel="email", sent_on=self.day(9), created_by=self.sales
        )
        self.order(c1, state="released", po_ago=40, committed_ago=5, reply_ago=35)
        o3 = self.order(c2, state="shipped", po_ago=60, committed_ago=20, reply_ago=48)
        line = self.line(o3)
        self.ship(line, 25)
        self.ship(line, 15)
        wrong = self.ship(line, 22, quantity=5)
        self.ship(line, 21, quantity=-5, reverses=wrong)
        self.order(c2, state="date_replied", po_ago=5, reply_ago=3)
        # A change notice under review; one rejected (already produced) 12 days ago.
        notice = ChangeNotice.objects.create(
            number=number("CN"), created_by=self.sales, changed_by=self.sales, order=o3, state="under_review"
        )
        self.signoff(notice, "reject", self.day(12), to_state="rejected")
        # Complaints: K1 closed (reply 2 days, close 20 days), K2 open and a repeat of K1 (reply 4 days),
        # K3 open since 200 days (before the period).
        k1 = self.complaint(c1, received_ago=50, state="closed", replied_ago=48, closed_ago=30)
        k2 = self.complaint(c1, received_ago=10, state="investigating", category="delivery", replied_ago=6)
        ComplaintLink.objects.create(complaint=k2, earlier=k1, linked_by=self.sales)
        self.complaint(c2, received_ago=200, state="assigned")
        # A survey 30 days ago: 3 customers, 2 answers (85.0 fairly satisfied, 55.0 not very satisfied).
        self.survey(
            sent_ago=30,
            answers=[("85.0", "fairly_satisfied"), ("55.0", "not_very_satisfied")],
            recipients=[c1, c2, c3],
        )
        # Property: a mold at 95% of its shot limit (in use, one incident reported), an item pending
        # verification, an item returned.
        mold = self.item(c1, state="in_use", kind="mold", shot_limit=1000, shots=950)
        self.item(c2, state="pending_verification")
        self.item(c1, state="returned")
        Incident.objects.create(
            number=number("CI"),
            created_by=self.sales,
            changed_by=self.sales,
            item=mold,
            kind="damage",
            occurred_on=self.day(3),
            found_how="x",
            description="x",
            extent="x",
            state="reported",
        )
        CustomerCertificate.objects.create(customer=c1, certificate="UL", expires_on=self.day(-20))
        # Tasks: one for QA staff (not overdue), besides the overdue one on O1 (planning).
        self.task(k2, due_in_days=3, assignee=self.demo["qa"])
        return {"c1": c1, "c2": c2, "c3": c3, "o1": o1, "k2": k2}

    def more_for(self, customer, n=3):
        """More records of one customer, of every kind the dossier shows."""
        for i in range(n):
            order = self.order(customer, state="released", po_ago=30 + i, committed_ago=2, reply_ago=25)
            self.task(order, due_in_days=-2)
            ChangeNotice.objects.create(
                number=number("CN"), created_by=self.sales, changed_by=self.sales, order=order, state="submitted"
            )
            self.complaint(customer, received_ago=20 + i, state="registered")
            self.item(customer, state="in_storage")
            CustomerCertificate.objects.create(customer=customer, certificate=f"C{i}", expires_on=self.day(-5))
        self.survey(sent_ago=10, answers=[("75.0", "satisfied")], recipients=[customer])


@pytest.fixture
def data(demo):
    d = Data(demo)
    d.rows = d.build()
    return d


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield
