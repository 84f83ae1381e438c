"""The warehouse records a delivery on a phone: the shipments page at 390×844, the released demo order."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, Shipment

pytestmark = pytest.mark.browser


@pytest.mark.demo_areas("orders")
def test_warehouse_records_a_delivery_on_a_phone(page, live_demo):
    order = Order.objects.get(po_number="DEMO-PO-0990")
    assert order.state == "partly_shipped"  # the demo's first delivery
    page.set_viewport_size({"width": 390, "height": 844})
    live_demo(page, "warehouse")

    # The menu folds away on a phone: open it, then the shipments page.
    page.click(".navbar-toggler")
    page.click('#nav-areas [data-nav="shipments"]')
    page.wait_for_url("**/orders/shipments/")
    card = page.locator(f'.open-line[data-order="{order.number}"]')
    expect(card).to_have_count(1)
    expect(card.locator(".shipped")).to_have_text("3000")
    expect(card.locator(".open-quantity")).to_have_text("5000")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen

    # An empty delivery note number is refused, the quantity typed kept.
    card.locator('input[name$="-quantity"]').fill("2000")
    page.click("#delivery-save")
    page.wait_for_load_state()
    expect(page.locator(".alert-danger").first).to_be_visible()
    card = page.locator(f'.open-line[data-order="{order.number}"]')
    expect(card.locator('input[name$="-quantity"]')).to_have_value("2000")
    assert not Shipment.objects.filter(delivery_note="DN-PHONE-1").exists()

    page.fill("#id_dn-delivery_note", "DN-PHONE-1")
    card.locator('input[name$="-lot"]').fill("L-PHONE")
    page.click("#delivery-save")
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("DN-PHONE-1")
    card = page.locator(f'.open-line[data-order="{order.number}"]')
    expect(card.locator(".order-state")).to_have_attribute("data-state", "partly_shipped")
    expect(card.locator(".shipped")).to_have_text("5000")
    expect(card.locator(".open-quantity")).to_have_text("3000")
    entry = Shipment.objects.get(delivery_note="DN-PHONE-1")
    assert (entry.quantity, entry.lot, entry.entered_by.username) == (Decimal("2000"), "L-PHONE", "warehouse")
    assert Order.objects.get(pk=order.pk).state == "partly_shipped"

    # The log lists it.
    page.click("#tab-shipment-log")
    expect(page.locator('.shipment-row[data-note="DN-PHONE-1"]')).to_have_count(1)
