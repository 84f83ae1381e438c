from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from nhcs import deliveries
from nhcs.accounts.models import Department
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate()


def evidence(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fresh(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def act(client, complaint, name, *, data=None, comment="", upload=None, kind="evidence"):
    """Take a transition on the complaint's page, as its form posts it."""
    complaint = fresh(complaint)
    post = {
        "_action": "transition",
        "transition_name": name,
        f"t-{name}-version": complaint.version,
        f"t-{name}-transition": name,
        f"t-{name}-comment": comment,
    }
    for key, value in (data or {}).items():
        post[f"d-{name}-{key}"] = value
    if upload is not None:
        post[f"t-{name}-attachment"] = upload
        post[f"t-{name}-attachment_kind"] = kind
    return client.post(complaint.get_absolute_url(), post)


def offered(client, complaint) -> set[str]:
    """The transitions the complaint's page offers this user."""
    import re

    page = client.get(complaint.get_absolute_url())
    assert page.status_code == 200
    return set(re.findall(r'data-transition="([a-z_]+)"', page.content.decode()))


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def registration(**overrides) -> dict:
    """What the registration form posts (a delivery complaint of C001 by e-mail, received an hour ago)."""
    data = {
        "customer": Customer.objects.get(code="C001").pk,
        "channel": "email",
        "received_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_name": "Mr. Chan",
        "description": "Delivered two days late",
        "category": "delivery",
        "severity": "major",
        "part_number": "NH-CN-2040",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def register(demo):
    """Register a complaint through the service: register(user="sales", category="quality", …)."""

    def make(user="sales", delivery=None, earlier=(), **data):
        values = {
            "customer": Customer.objects.get(code="C001"),
            "channel": "email",
            "received_at": timezone.now() - timedelta(hours=1),
            "description": "端子毛刺 Burrs on the terminals",
            "category": "quality",
            "part_number": "NH-CN-2040",
        }
        values.update(data)
        return services.complaint_register(user=demo[user], data=values, delivery=delivery, earlier=list(earlier))

    return make


def go(complaint, name, user, **kwargs):
    return wf.transition_record(record=fresh(complaint), name=name, user=user, **kwargs)


def raise_action(demo, complaint, *, owner="QA", user="rd", kind="corrective", due_in=5, title="模具修磨"):
    return services.action_raise(
        complaint=fresh(complaint),
        user=demo[user],
        kind=kind,
        owner_department=Department.objects.get(code=owner),
        title=title,
        analysis="冲压模刃口磨损",
        measures="修磨刃口并按冲次保养",
        due_on=TODAY + timedelta(days=due_in),
        check_on=TODAY + timedelta(days=due_in + 20),
    )


def carry_out(demo, action, *, verify=True):
    """An action through its own flow: the owner head sets and distributes the measures, the department
    carries them out with the evidence, Quality verifies their effectiveness."""
    heads = {"QA": ("qa_head", "qa"), "PLAN": ("planning_head", "planner")}
    head, staff = heads[action.owner_department.code]
    action = wf.transition_record(record=action, name="set_measures", user=demo[head])
    action = wf.transition_record(
        record=action, name="distribute", user=demo[head], data={"departments": [action.owner_department_id]}
    )
    action = wf.transition_record(
        record=action, name="implement", user=demo[staff], attachments=[(evidence(), AttachmentKind.EVIDENCE, "")]
    )
    if verify:
        action = wf.transition_record(
            record=action,
            name="verify",
            user=demo["qa"],
            data={"checked_on": TODAY.isoformat(), "effectiveness": "三批无复发"},
        )
    return action


INVESTIGATION = {
    "why_1": "端子有毛刺",
    "why_2": "冲压模刃口磨损",
    "why_3": "模具未按冲次保养",
    "cause_machine": "冲压模刃口磨损",
    "cause_category": "machine",
    "root_cause": "模具保养未按冲次管理",
}


def to_state(demo, complaint, state, *, actions=1):
    """Drive a (quality) complaint with the demo users up to `state`."""
    steps = [
        ("assigned", "assign", "qa_head", {"investigators": [demo["rd"].pk]}),
        ("investigating", "contain", "rd", {"containment": "库存全检", "contained_on": TODAY.isoformat()}),
        ("verification", "submit_investigation", "rd", INVESTIGATION),
        (
            "reply",
            "verify",
            "qa",
            {
                "verification_report": "措施已完成",
                "effectiveness_criterion": "三批无复发",
                "effectiveness_check_on": TODAY.isoformat(),
            },
        ),
        ("effectiveness_check", "reply", "sales", {"replied_on": TODAY.isoformat(), "channel": "email"}),
        ("closed", "close", "qa", {"checked_on": TODAY.isoformat(), "result": "有效"}),
    ]
    sources = ["registered", "assigned", "investigating", "verification", "reply", "effectiveness_check"]
    for source, (target, name, user, data) in zip(sources, steps):
        if complaint.state == state:
            break
        if complaint.state != source:
            continue  # already past this step
        if name == "submit_investigation":
            for i in range(actions):
                carry_out(demo, raise_action(demo, complaint, title=f"措施 {i + 1}"))
        complaint = go(complaint, name, demo[user], data=data)
        assert complaint.state == target
    return fresh(complaint)


@pytest.fixture
def delivered(demo):
    """A delivery to C001 recorded by the warehouse (through orders, as it happens): the Delivery value
    nhcs.deliveries offers for it."""
    from orders import services as order_services
    from orders.demo import ALL_IDENTIFIED

    def make(lot="LOT-K1", part="NH-CN-2040", quantity=500, customer="C001", note="DN-K1"):
        order = order_services.order_create(
            user=demo["sales"],
            data={
                "customer": Customer.objects.get(code=customer),
                "po_number": f"PO-{lot}",
                "po_date": TODAY - timedelta(days=20),
                **ALL_IDENTIFIED,
            },
            lines=[{"part_number": part, "quantity": Decimal(quantity), "unit": "pcs", "requested_date": TODAY}],
        )
        type(order).objects.filter(pk=order.pk).update(state="released", committed_date=TODAY)
        order_services.shipments_record(
            user=demo["warehouse"],
            delivery_note=note,
            shipped_on=TODAY - timedelta(days=3),
            entries=[order_services.ShipmentEntry(line=order.lines.get(), quantity=Decimal(quantity), lot=lot)],
        )
        return deliveries.search(text=lot)[0]

    return make


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
