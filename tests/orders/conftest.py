from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.choices import TaskKind, TaskStatus
from nhcs.workflow.models import Task
from orders import services
from orders.models import Order

REQUIREMENTS_IDENTIFIED = {
    f"req_{k}": "identified" for k in ("cost", "materials", "methods", "special", "services", "statutory")
}
PO_DATE = date(2026, 11, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="confirmation.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def line(**kw):
    data = {
        "part_number": "NH-CN-2040",
        "description": "Connector 4P",
        "quantity": Decimal("1000"),
        "unit": "pcs",
        "unit_price": Decimal("123.4567"),
        "currency": "CNY",
        "requested_date": PO_DATE + timedelta(days=40),
    }
    data.update(kw)
    return data


@pytest.fixture
def customer(db):
    return Customer.objects.create(code="T001", name_zh="测试客户", name_en="Test customer", email="t@example.com")


@pytest.fixture
def make_order(demo, customer):
    def make(lines=None, **data):
        values = {"customer": customer, "po_number": "PO-7788", "po_date": PO_DATE, **REQUIREMENTS_IDENTIFIED}
        values.update(data)
        return services.order_create(user=demo["sales"], data=values, lines=lines or [line()])

    return make


def open_steps(order):
    return {t.step: t for t in Task.objects.for_record(order).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN)}


STEP_USERS = {"bom": "engineer", "lead_times": "buyer", "rd": "rd", "qa": "qa", "mfg": "mfg"}


def reload(order):
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def flow(demo):
    """Drive an order through the flow with the demo users."""

    class Driver:
        def go(self, order, name, username, comment="ok"):
            return wf.transition_record(record=reload(order), name=name, user=demo[username], comment=comment)

        def to_in_review(self, order, lead_times=(21, 14)):
            order = self.go(order, "submit", "sales")
            order = self.go(order, "start_review", "planner")
            services.bom_save(
                order=order,
                user=demo["engineer"],
                rows=[
                    {"part_number": "PCB-1", "quantity_per_unit": Decimal("1"), "source": "buy"},
                    {"part_number": "HSG-1", "quantity_per_unit": Decimal("1"), "source": "make"},
                    {"part_number": "SPR-1", "quantity_per_unit": Decimal("2"), "source": "outsource"},
                ],
            )
            order = reload(order)
            bought = order.bom_lines.exclude(source="make").order_by("pk")
            services.lead_times_save(
                order=order, user=demo["buyer"], lead_times={b.pk: (d, "") for b, d in zip(bought, lead_times)}
            )
            return reload(order)

        def opinions(self, order, outcomes=None):
            outcomes = outcomes or {}
            for key, task in open_steps(order).items():
                outcome = outcomes.get(key, "accept")
                wf.step_complete(
                    task=task,
                    user=demo[STEP_USERS[key]],
                    outcome=outcome,
                    comment="" if outcome == "accept" else "reason",
                )
            return reload(order)

        def to_reviewed(self, order):
            order = self.opinions(self.to_in_review(order))
            return self.go(order, "complete_review", "planner")

        def reply(self, order, committed, justification=""):
            """Planning replies the delivery date: data captured with the "reply_date" action."""
            return wf.transition_record(
                record=reload(order),
                name="reply_date",
                user=demo["planner"],
                data={"committed_date": committed, "justification": justification},
            )

        def to_date_confirmed(self, order, committed=None):
            order = self.to_reviewed(order)
            order = self.reply(order, committed or PO_DATE + timedelta(days=30))
            return self.go(order, "confirm_date", "sales")

        def approve(self, order):
            """3.5: the deputy GM approves, then the GM — unless a rule lets the deputy GM's approval suffice."""
            order = self.go(order, "vgm_approve", "vgm")
            if order.approval_rule_id is None:
                order = self.go(order, "gm_approve", "gm")
            return order

        def to_approved(self, order, committed=None):
            return self.approve(self.to_date_confirmed(order, committed))

        def to_released(self, order, committed=None):
            return self.go(self.to_approved(order, committed), "release", "sales")

    return Driver()


def post_transition(client, order, name, comment="ok", **extra):
    order = reload(order)
    data = {
        "_action": "transition",
        "transition_name": name,
        f"t-{name}-version": order.version,
        f"t-{name}-transition": name,
        f"t-{name}-comment": comment,
    }
    data.update(extra)
    return client.post(order.get_absolute_url(), data)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the source language, whatever the catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    def make(user):
        from django.conf import settings

        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


# --- change and delay notices --------------------------------------------------------------------------------


def fresh(record):
    return type(record)._default_manager.get(pk=record.pk)


def post_action(client, record, name, comment="ok", **extra):
    """Take a transition of any record over HTTP, as its page's form posts it."""
    record = fresh(record)
    data = {
        "_action": "transition",
        "transition_name": name,
        f"t-{name}-version": record.version,
        f"t-{name}-transition": name,
        f"t-{name}-comment": comment,
    }
    data.update(extra)
    return client.post(record.get_absolute_url(), data)


def post_opinion(client, record, task, outcome="accept", comment="", **figures):
    data = {"_action": "step", "task_id": task.pk, f"s-{task.pk}-outcome": outcome, f"s-{task.pk}-comment": comment}
    data.update({f"s-{task.pk}-{k}": v for k, v in figures.items()})
    return client.post(fresh(record).get_absolute_url(), data)


IMPACT_USERS = {"rd": "rd", "pur": "buyer", "qa": "qa"}


@pytest.fixture
def released(make_order, flow):
    """A released order (through the review and both approvals)."""

    def make(lines=None, committed=None, **data):
        return flow.to_released(make_order(lines=lines, **data), committed)

    return make


@pytest.fixture
def notices(demo):
    """Raise and drive change notices with the demo users."""
    from orders.models import ChangeNotice

    class Notices:
        def raise_change(self, order, *, lines=(), added=(), texts=None, cancel_order=False, user="sales", attach=True):
            return services.change_notice_create(
                order=order,
                user=demo[user],
                reason="Customer fax of today",
                customer_request_on=PO_DATE,
                request=services.ChangeRequest(
                    lines=list(lines), added=list(added), texts=texts or {}, cancel_order=cancel_order
                ),
                request_file=pdf_upload("customer-request.pdf") if attach else None,
            )

        def go(self, notice, name, username, comment="ok", data=None):
            return wf.transition_record(
                record=fresh(notice), name=name, user=demo[username], comment=comment, data=data
            )

        def impacts(self, notice, outcomes=None):
            outcomes = outcomes or {}
            for key, task in open_steps(notice).items():
                outcome = outcomes.get(key, "accept")
                wf.step_complete(
                    task=task,
                    user=demo[IMPACT_USERS[key]],
                    outcome=outcome,
                    comment="" if outcome == "accept" else "Goods already in stock",
                )
            return fresh(notice)

        def to_accepted(self, notice):
            notice = self.go(self.go(notice, "submit", "sales"), "start_review", "planner")
            return self.go(self.impacts(notice), "accept", "planner")

        def to_vgm_approved(self, notice):
            notice = self.go(self.to_accepted(notice), "head_review", "sales_head")
            return self.go(notice, "vgm_approve", "vgm")

        def issue(self, notice, departments=("MFG", "WH")):
            from nhcs.accounts.models import Department

            ids = list(Department.objects.filter(code__in=departments).values_list("pk", flat=True))
            return self.go(notice, "issue", "planner", data={"departments": ids})

        def to_issued(self, notice, departments=("MFG", "WH")):
            notice = self.to_vgm_approved(notice)
            if notice.price_changed:
                notice = self.go(notice, "gm_approve", "gm")
            return self.issue(notice, departments)

        def get(self, notice):
            return ChangeNotice.objects.get(pk=notice.pk)

    return Notices()
