"""The periodic count: by location or by customer, counted against what the register has in store, the
differences listed and resolved through the flow, the register adjusted through the ledger."""

from decimal import Decimal

import pytest

from customer_property.models import Movement, StockCount
from customer_property.selectors import balance_of

from .conftest import post_transition, reload

pytestmark = pytest.mark.django_db


def test_a_count_by_location_with_a_difference(demo, client_for, make_item, drive, rack, shelf):
    a = drive.stored(make_item(name="A", quantity=Decimal(100)))
    b = drive.stored(make_item(name="B", quantity=Decimal(50)))
    elsewhere = drive.stored(make_item(name="C"), location=shelf)
    wh = client_for(demo["warehouse"])
    assert (
        client_for(demo["sales"])
        .post("/property/counts/", {"location": rack.pk, "counted_on": "2026-11-20"})
        .status_code
        == 403
    )
    assert wh.post("/property/counts/", {"counted_on": "2026-11-20"}).status_code == 400
    response = wh.post("/property/counts/", {"location": rack.pk, "counted_on": "2026-11-20"})
    count = StockCount.objects.get()
    assert response.status_code == 302
    lines = {line.item_id: line for line in count.lines.all()}
    assert set(lines) == {a.pk, b.pk} and elsewhere.pk not in lines
    assert lines[a.pk].expected == 100

    # Submitting waits for every line.
    assert post_transition(wh, count, "submit").status_code == 400
    bad = wh.post(f"/property/counts/{count.pk}/counted/", {"version": count.version, f"counted-{lines[a.pk].pk}": "x"})
    assert bad.status_code == 400
    saved = wh.post(
        f"/property/counts/{count.pk}/counted/",
        {
            "version": reload(count).version,
            f"counted-{lines[a.pk].pk}": "97",
            f"note-{lines[a.pk].pk}": "3 missing",
            f"counted-{lines[b.pk].pk}": "50",
        },
    )
    assert saved.status_code == 302
    assert post_transition(wh, count, "submit").status_code == 302
    count = reload(count)
    page = wh.get(count.get_absolute_url()).content.decode()
    assert "count-differences" in page and "-3" in page

    # The Sales head resolves the differences (and says how); the register follows through the ledger.
    head = client_for(demo["sales_head"])
    assert post_transition(head, count, "resolve", {"resolution": ""}).status_code == 400
    assert post_transition(wh, count, "resolve", {"resolution": "Told the customer"}).status_code == 403
    assert post_transition(head, count, "resolve", {"resolution": "Told the customer"}).status_code == 302
    assert reload(count).state == "closed"
    adjustment = Movement.objects.get(kind="adjusted")
    assert (adjustment.item_id, adjustment.quantity, adjustment.reference) == (a.pk, Decimal(-3), count.number)
    assert balance_of(a).stock == 97 and balance_of(b).stock == 50


def test_a_count_by_customer_and_sheet(demo, client_for, make_item, drive, customer):
    drive.stored(make_item(name="A", quantity=Decimal(5)))
    wh = client_for(demo["warehouse"])
    wh.post("/property/counts/", {"customer": customer.pk, "counted_on": "2026-11-20"})
    count = StockCount.objects.get()
    assert count.lines.count() == 1
    for fmt in ("pdf", "xlsx"):
        assert wh.get(f"/property/counts/{count.pk}/sheet.{fmt}").status_code == 200
    assert client_for(demo["engineer"]).get(f"/property/counts/{count.pk}/").status_code == 404


def test_a_difference_that_no_longer_fits_the_stock_is_refused_and_nothing_changes(
    demo, client_for, make_item, drive, rack, shelf
):
    from customer_property import services

    item = drive.stored(make_item(quantity=Decimal(10)))
    count = services.count_start(user=demo["warehouse"], location=rack, customer=None, counted_on=item.received_on)
    line = count.lines.get()
    services.count_enter(count=count, user=demo["warehouse"], counts={line.pk: (Decimal(2), "")})
    drive.move(item, "issued", quantity=Decimal(9))  # meanwhile: only 1 left in store, the count says -8
    count = drive.go(count, "submit", "warehouse")
    response = post_transition(client_for(demo["sales_head"]), count, "resolve", {"resolution": "Adjust"})
    assert response.status_code == 400 and "count again" in response.content.decode()
    assert reload(count).state == "counted" and not Movement.objects.filter(kind="adjusted").exists()
    from nhcs.workflow.exceptions import Blocked, NotAllowed

    with pytest.raises(Blocked, match="Choose a location or a customer"):
        services.count_start(user=demo["warehouse"], location=None, customer=None, counted_on=item.received_on)
    with pytest.raises(Blocked, match="No item"):
        services.count_start(user=demo["warehouse"], location=shelf, customer=None, counted_on=item.received_on)
    with pytest.raises(NotAllowed):
        services.count_start(user=demo["sales"], location=rack, customer=None, counted_on=item.received_on)
