"""The ERP sends a delivery note twice: its lines are recorded once; the order follows the shipments."""

import pytest
from django.utils import timezone

from orders.models import Order, Shipment
from tests.orders.conftest import flow, make_order, released  # noqa: F401 - the orders' fixtures

pytestmark = pytest.mark.django_db


def test_delivery_note_upsert_is_idempotent(api, released):  # noqa: F811
    order = released()
    line = order.lines.get()
    body = {"delivery_note": "DN-7", "shipped_on": timezone.localdate().isoformat(), "remark": "ERP"}
    body["entries"] = [{"line": line.pk, "quantity": "400", "lot": "L1"}]
    warehouse = api("warehouse")
    first = warehouse.post("/api/v1/shipments/", body)
    assert first.status_code == 201, first.content
    again = warehouse.post("/api/v1/shipments/", body)
    assert again.status_code == 200
    assert [row["id"] for row in again.json()] == [row["id"] for row in first.json()]
    assert Shipment.objects.count() == 1
    assert Order.objects.get(pk=order.pk).state == "partly_shipped"
    listed = api("sales").get("/api/v1/shipments/", delivery_note="DN-7").json()["results"]
    assert [row["quantity"] for row in listed] == ["400.000"]
    shipped = api("sales").get(f"/api/v1/orders/{order.pk}/").json()["lines"][0]["shipments"]
    assert shipped[0]["delivery_note"] == "DN-7"
    too_much = warehouse.post(
        "/api/v1/shipments/", {**body, "delivery_note": "DN-8", "entries": [{"line": line.pk, "quantity": "5000"}]}
    )
    assert too_much.status_code == 400 and too_much.json()["messages"]


def test_delay_notice_created_for_the_customers_released_orders(api, released):  # noqa: F811
    from datetime import timedelta

    from orders.models import DelayNotice

    order = released()
    later = (order.committed_date + timedelta(days=14)).isoformat()
    body = {
        "customer": order.customer.code,
        "reason": "Material late",
        "items": [{"order": order.pk, "proposed_date": later}],
    }
    assert api("sales").post("/api/v1/delay-notices/", body).status_code in (403, 404)
    created = api("planner").post("/api/v1/delay-notices/", body)
    assert created.status_code == 201, created.content
    notice = DelayNotice.objects.get(pk=created.json()["id"])
    assert created.json()["items"][0]["proposed_date"] == later
    listed = api("planner").get("/api/v1/delay-notices/").json()["results"]
    assert [row["id"] for row in listed] == [notice.pk]
    unknown = api("planner").post(
        "/api/v1/delay-notices/", {**body, "items": [{"order": 999999, "proposed_date": later}]}
    )
    assert unknown.status_code == 400 and "items" in unknown.json()["errors"]
