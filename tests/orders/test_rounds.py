"""The order review sheet's signature boxes come from the review round: a date the customer refused
does not empty them, and orders signed before rounds were data print every box after the migration."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from nhcs.sheets.export import fill_signature_boxes
from nhcs.workflow import services as wf
from nhcs.workflow.choices import StepOutcome
from nhcs.workflow.models import Round, SignOff, Task
from nhcs.workflow.rounds_migration import assign_rounds
from orders.sheets import ORDER_REVIEW
from tests.sheets.conftest import pdf_text

from .conftest import PO_DATE, open_steps, reload

pytestmark = pytest.mark.django_db


def released_after_a_refused_date(make_order, flow):
    order = flow.to_reviewed(make_order())
    order = flow.reply(order, PO_DATE + timedelta(days=30))
    order = flow.go(order, "date_not_accepted", "sales", comment="Customer needs it earlier")
    order = flow.reply(order, PO_DATE + timedelta(days=25))
    order = flow.approve(flow.go(order, "confirm_date", "sales"))
    return flow.go(order, "release", "sales")


def test_a_date_refused_once_leaves_every_signature_box_filled(demo, make_order, flow, client_for):
    order = released_after_a_refused_date(make_order, flow)
    boxes = fill_signature_boxes(record=order, boxes=ORDER_REVIEW.signature_boxes)
    assert [str(b.label) for b in boxes if b.signature is None] == []
    # The reply in its box is the second one, the date the customer accepted.
    declared = dict(zip([b.transitions for b in ORDER_REVIEW.signature_boxes], boxes))
    last_reply = SignOff.objects.for_record(order).filter(transition="reply_date").last()
    assert declared[("reply_date",)].signature.signed_at == last_reply.signed_at
    response = client_for(demo["planner"]).get(reverse("orders:order_review_sheet", args=[order.pk, "pdf"]))
    text = pdf_text(response.content)
    for username in ("sales", "planner", "engineer", "buyer", "rd", "qa", "mfg"):
        assert demo[username].signature_name in text, username


def _forget_rounds(order):
    """The order as it was before rounds were data: no rounds, sign-offs and tasks in none."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the database refuses this to anybody else
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE workflow_signoff SET round_id = NULL WHERE object_id = %s", [order.pk])
        cursor.execute("UPDATE workflow_task SET round_id = NULL WHERE object_id = %s", [order.pk])
        cursor.execute("DELETE FROM workflow_round WHERE object_id = %s", [order.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_orders_signed_before_rounds_print_every_box_after_the_migration(demo, make_order, flow):
    # Quality rejects at once; planning returns the order without waiting for the other opinions.
    returned = flow.go(flow.go(make_order(po_number="PO-R"), "submit", "sales"), "start_review", "planner")
    wf.step_complete(task=open_steps(returned)["qa"], user=demo["qa"], outcome="reject", comment="plating")
    returned = flow.go(returned, "return_to_sales", "planner", comment="QA: plating")
    assert not open_steps(returned)  # the other steps were dropped, not forced
    returned = flow.go(returned, "rework", "sales")
    order = released_after_a_refused_date(lambda: returned, flow)
    _forget_rounds(order)
    assert not Round.objects.filter(object_id=order.pk).exists()

    assign_rounds(apps, "orders", "Order", initial="draft", final_states=("released", "cancelled"))

    order = reload(order)
    rounds = list(Round.objects.for_record(order).order_by("number"))
    # The rejection's round was superseded by the rework; the second round completed with the release.
    assert [(r.number, r.status) for r in rounds] == [(1, "superseded"), (2, "completed")]
    assert not SignOff.objects.for_record(order).filter(round=None).exists()
    assert not Task.objects.for_record(order).filter(round=None).exists()
    boxes = fill_signature_boxes(record=order, boxes=ORDER_REVIEW.signature_boxes)
    assert [str(b.label) for b in boxes if b.signature is None] == []
    # The rejected opinion stays with the first round; Quality's box holds the second round's accept.
    qa_box = boxes[[b.step for b in ORDER_REVIEW.signature_boxes].index("qa")]
    assert qa_box.signature.outcome == str(StepOutcome.ACCEPT.label)
    assert SignOff.objects.get(object_id=order.pk, step="qa", outcome="reject").round == rounds[0]
