"""Demo data, stale forms and odd input: refused with a message, never a 500."""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from orders.models import Order

from .conftest import reload

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_orders_in_several_states_notices_awaiting_the_gm_and_the_customer_and_is_idempotent(demo):
    """One run of the whole demo (some 15 s) for the orders, the change notice and the delay notice."""
    from nhcs.workflow.selectors import tasks_for_user
    from orders.models import ChangeNotice, DelayNotice

    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    states = set(Order.objects.filter(po_number__startswith="DEMO-").values_list("state", flat=True))
    # The released demo order is partly shipped by the warehouse.
    assert {"draft", "in_review", "date_replied", "partly_shipped"} <= states
    shipped = Order.objects.get(po_number="DEMO-PO-0990").delivery()
    assert shipped.shipped_any and not shipped.complete

    # A change notice awaiting the GM and a delay notice awaiting the customer.
    change = ChangeNotice.objects.get()
    assert change.state == "vgm_approved" and change.price_changed
    assert {i.kind for i in change.items.all()} == {"quantity", "unit_price"}
    assert change.attachments.get().mime_type == "image/png"  # the customer's fax, shown in the page
    assert [t.record_number for t in tasks_for_user(user=demo["gm"])] == [change.number]
    delay = DelayNotice.objects.get()
    assert delay.state == "negotiating" and delay.link is not None and delay.link.used_at is None
    assert delay.items.get().order.po_number == "DEMO-PO-0990"

    count = Order.objects.count()
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    assert Order.objects.count() == count


def test_a_stale_lines_form_is_refused_and_changes_nothing(demo, make_order, client_for):
    order = make_order()
    line = order.lines.get()
    url = reverse("orders:order_lines", args=[order.pk])
    rows = {
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-0-id": line.pk,
        "lines-0-part_number": "CHANGED",
        "lines-0-quantity": "1",
        "lines-0-unit": "pcs",
        "lines-0-currency": "CNY",
        "lines-0-requested_date": line.requested_date.isoformat(),
        "version": order.version - 1,
    }
    response = client_for(demo["sales"]).post(url, rows)
    assert response.status_code == 409
    assert "CHANGED" in response.content.decode()  # the user's input is kept
    assert reload(order).lines.get().part_number == line.part_number
    response = client_for(demo["sales"]).post(url, {**rows, "version": "x"})
    assert response.status_code == 409


def test_removing_every_line_is_refused(demo, make_order, client_for):
    order = make_order()
    line = order.lines.get()
    url = reverse("orders:order_lines", args=[order.pk])
    rows = {
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-0-id": line.pk,
        "lines-0-part_number": line.part_number,
        "lines-0-quantity": "1000",
        "lines-0-unit": "pcs",
        "lines-0-currency": "CNY",
        "lines-0-DELETE": "on",
        "lines-0-requested_date": line.requested_date.isoformat(),
        "version": order.version,
    }
    assert client_for(demo["sales"]).post(url, rows).status_code == 400
    assert reload(order).lines.count() == 1


def test_new_order_form_keeps_input_on_errors(demo, client_for, customer):
    client = client_for(demo["sales"])
    data = {
        "customer": customer.pk,
        "po_number": "PO-KEEP",
        "po_date": "2026-13-45",
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-0-part_number": "P-KEEP",
        "lines-0-quantity": "abc",
        "lines-0-unit": "pcs",
        "lines-0-currency": "CNY",
        "lines-0-requested_date": "2026-12-01",
    }
    response = client.post(reverse("orders:order_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "PO-KEEP" in page and "P-KEEP" in page
    assert not Order.objects.filter(po_number="PO-KEEP").exists()
    data.update({"po_date": "2026-11-20", "lines-0-quantity": "10", "certified_data_discrepancy": "on"})
    response = client.post(reverse("orders:order_create"), data)
    assert response.status_code == 400  # a discrepancy must be described
    data["discrepancy_description"] = "RoHS exemption 7(c)-I requested"
    assert client.post(reverse("orders:order_create"), data).status_code == 302
    assert Order.objects.get(po_number="PO-KEEP").lines.count() == 1


def test_odd_input_never_gives_a_server_error(demo, make_order, client_for):
    order = make_order()
    client = client_for(demo["sales"])
    assert client.get(reverse("orders:order_list") + "?page=abc&ordering=zzz&customer=x&state=nope").status_code == 200
    assert client.post(order.customer.get_absolute_url(), {"_action": "contact_delete", "pk": "abc"}).status_code == 404
    assert client.post(order.get_absolute_url(), {"_action": "nothing"}).status_code == 400
    url = reverse("orders:clarification_answer", args=[order.pk, 999999])
    assert client.post(url, {}).status_code == 404
    assert client.get(reverse("orders:order_detail", args=[999999])).status_code == 404


def test_home_page_warns_sales_of_unconfirmed_clarifications(demo, make_order, client_for):
    from orders import services

    order = make_order(req_cost="clarify")
    services.clarification_raise(
        order=order,
        user=demo["sales"],
        topic="cost",
        question="Price per 1000?",
        channel="email",
        sent_on=order.po_date,
    )
    page = client_for(demo["sales"]).get("/").content.decode()
    assert "written confirmation of a clarification" in page
    assert "written confirmation of a clarification" not in client_for(demo["qa"]).get("/").content.decode()
