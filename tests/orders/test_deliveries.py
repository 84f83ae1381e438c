"""What was delivered, read by other areas through nhcs.deliveries (never by importing orders)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nhcs import deliveries
from orders import services

from .test_shipments import lines_of, record, released  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_deliveries_are_read_net_of_reversals_and_name_the_customers_who_got_a_lot(demo, released):  # noqa: F811
    order = released()
    a, b = lines_of(order)
    record(demo["warehouse"], a, 60, note="DN-1", lot="LOT-7")
    record(demo["warehouse"], b, 50, note="DN-1", lot="LOT-8")
    found = deliveries.search(customer=order.customer, text="LOT-7")
    assert [(d.delivery_note, d.part_number, d.lot, d.quantity) for d in found] == [("DN-1", "A-100", "LOT-7", 60)]
    assert deliveries.get(found[0].key) == found[0]
    assert deliveries.get("shipment:999999") is None and deliveries.get("nonsense") is None
    assert deliveries.customers_who_got(lots=["LOT-7"]) == {order.customer_id}
    assert deliveries.customers_who_got(parts=["B-200"], shipped_from=TODAY + timedelta(days=1)) == set()
    # A delivery reversed in full no longer counts: the customer did not get that lot.
    entry = order.lines.get(part_number="A-100").shipments.get()
    services.shipment_reverse(user=demo["warehouse"], shipment=entry, reason="Wrong lot keyed in")
    assert deliveries.search(text="LOT-7") == []
    assert deliveries.customers_who_got(lots=["LOT-7"]) == set()
    assert [d.lot for d in deliveries.search(customer=order.customer)] == ["LOT-8"]
