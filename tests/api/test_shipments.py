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
