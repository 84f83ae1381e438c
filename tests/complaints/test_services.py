"""The complaints' services refuse bad input themselves, whoever calls them (the pages check first), and
write nothing half-way; the signed data is what was signed; the demo data."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintCost, ComplaintLink
from nhcs.accounts.models import Department
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import Blocked, NotAllowed

from .conftest import TODAY, to_state

pytestmark = pytest.mark.django_db


def _raise(demo, complaint, **overrides):
    data = {
        "complaint": complaint,
        "user": demo["rd"],
        "kind": "corrective",
        "owner_department": Department.objects.get(code="QA"),
        "title": "修模",
        "analysis": "刃口磨损",
        "measures": "修磨",
        "due_on": TODAY + timedelta(days=3),
        "check_on": TODAY + timedelta(days=30),
    }
    data.update(overrides)
    return services.action_raise(**data)


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"kind": "nonsense"}, "corrective or preventive"),
        ({"title": "  "}, "title"),
        ({"analysis": ""}, "which cause"),
        ({"measures": ""}, "Describe the measures"),
        ({"due_on": TODAY - timedelta(days=1)}, "due today or later"),
        ({"check_on": TODAY}, "on or after the due date"),
    ],
)
def test_raising_an_action_refuses_bad_input(demo, register, overrides, message):
    complaint = to_state(demo, register(), "investigating")
    with pytest.raises(Blocked) as refused:
        _raise(demo, complaint, **overrides)
    assert message in " ".join(refused.value.messages())
    assert not CorrectiveAction.objects.exists()


def test_who_raises_actions_and_when(demo, register):
    complaint = register()
    with pytest.raises(NotAllowed):
        _raise(demo, complaint, user=demo["qa_head"])  # registered: not yet
    complaint = to_state(demo, complaint, "assigned")
    for name in ("sales", "qa", "planner"):
        with pytest.raises(NotAllowed):
            _raise(demo, complaint, user=demo[name])
    assert _raise(demo, complaint, user=demo["qa_head"]).owner_department.code == "QA"  # the owner
    assert _raise(demo, complaint, user=demo["rd"]).created_by == demo["rd"]  # an investigator


def test_registration_refuses_what_the_form_would(demo, register):
    with pytest.raises(NotAllowed):
        register(user="rd")
    with pytest.raises(Blocked) as refused:
        register(user="qa", category="delivery")
    assert "Quality registers quality complaints" in " ".join(refused.value.messages())
    with pytest.raises(Blocked):
        register(received_at=timezone.now() + timedelta(days=1))
    with pytest.raises(Blocked):
        register(quantity_delivered=Decimal(5), quantity_affected=Decimal(6))
    with pytest.raises(Blocked) as refused:
        register(description="")
    assert "description of the complaint" in " ".join(refused.value.messages())
    assert not Complaint.objects.exists()


def test_a_delivery_of_another_customer_is_refused_by_the_service(demo, register, delivered):
    other = delivered(lot="LOT-X", customer="C002", note="DN-X")
    with pytest.raises(Blocked) as refused:
        register(delivery=other)
    assert "not made to this customer" in " ".join(refused.value.messages())
    mine = delivered(lot="LOT-M", note="DN-M")
    complaint = register(delivery=mine, part_number="typed", lot="typed")
    assert (complaint.part_number, complaint.lot, complaint.delivery_note) == (mine.part_number, "LOT-M", "DN-M")
    # Correcting without touching the delivery keeps it, even once it is reversed.
    corrected = services.complaint_correct(
        complaint=complaint,
        user=demo["sales"],
        data={"customer": complaint.customer, "received_at": complaint.received_at, "contact_name": "Ms. Lee"},
    )
    assert (corrected.contact_name, corrected.delivery_key) == ("Ms. Lee", mine.key)
    cleared = services.complaint_correct(
        complaint=corrected,
        user=demo["sales"],
        data={"customer": complaint.customer, "received_at": complaint.received_at},
        delivery=None,
    )
    assert (cleared.delivery_key, cleared.order_number, cleared.lot) == ("", "", "LOT-M")


def test_costs_and_links_are_refused_to_those_who_may_not(demo, register):
    complaint = register()
    with pytest.raises(NotAllowed):
        services.cost_add(complaint=complaint, user=demo["rd"], kind="rework", amount=Decimal(1), incurred_on=TODAY)
    with pytest.raises(Blocked):
        services.cost_add(
            complaint=complaint,
            user=demo["qa"],
            kind="rework",
            amount=Decimal(1),
            incurred_on=TODAY + timedelta(days=1),
        )
    with pytest.raises(Blocked) as refused:
        services.cost_add(complaint=complaint, user=demo["qa"], kind="rework", amount=Decimal(0), incurred_on=TODAY)
    assert "The amount of a cost is more than 0." in refused.value.messages()
    cost = services.cost_add(complaint=complaint, user=demo["qa"], kind="rework", amount=Decimal(5), incurred_on=TODAY)
    with pytest.raises(NotAllowed):
        services.cost_remove(cost=cost, user=demo["planner"])
    assert ComplaintCost.objects.count() == 1
    earlier = register(received_at=timezone.now() - timedelta(days=9))
    with pytest.raises(NotAllowed):
        services.link_add(complaint=complaint, earlier=earlier, user=demo["planner"])
    link = services.link_add(complaint=complaint, earlier=earlier, user=demo["qa"])
    with pytest.raises(NotAllowed):
        services.link_remove(link=link, user=demo["planner"])
    secret = register(customer=Customer.objects.get(code="C003"), received_at=timezone.now() - timedelta(days=9))
    rd_complaint = to_state(demo, register(), "assigned")
    with pytest.raises(NotAllowed):  # rd investigates one complaint, but does not read the other
        services.link_add(complaint=rd_complaint, earlier=secret, user=demo["rd"])
    assert ComplaintLink.objects.count() == 1


def test_the_signed_data_is_what_was_signed(demo, register):
    complaint = to_state(demo, register(), "verification")
    check = wf.signatures_verify(record=complaint, user=demo["admin"])
    assert check.intact and check.signoffs == 3
    # Costs and repeats are rows of their own: they leave the signatures intact.
    services.cost_add(complaint=complaint, user=demo["qa"], kind="freight", amount=Decimal(9), incurred_on=TODAY)
    assert wf.signatures_verify(record=Complaint.objects.get(pk=complaint.pk), user=demo["admin"]).intact
    # A change of the investigators behind the workflow's back is noticed.
    complaint.investigators.add(demo["mfg"])
    assert not wf.signatures_verify(record=Complaint.objects.get(pk=complaint.pk), user=demo["admin"]).intact


def test_the_demo_has_complaints_in_different_states(db):
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    states = dict(Complaint.objects.values_list("rma_number", "state"))
    assert states == {"DEMO-RMA-001": "closed", "DEMO-RMA-002": "investigating", "DEMO-RMA-003": "registered"}
    repeat = Complaint.objects.get(rma_number="DEMO-RMA-002")
    assert repeat.delivery_key and repeat.links.get().earlier.rma_number == "DEMO-RMA-001"
    assert CorrectiveAction.objects.for_source(repeat).count() == 1
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # idempotent
    assert Complaint.objects.count() == 3
