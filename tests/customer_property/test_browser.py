"""A mold's journey in the browser: Sales registers it, Quality verifies it, the warehouse stores it and —
on a phone, by opening the address its label's QR code holds — issues it to production; a damage is
reported, the customer notified and the outcome settled."""

import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from customer_property.models import Incident, Location, Movement, PropertyItem

pytestmark = pytest.mark.browser


def qr_of_label(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-", f"{folder}/p"], input=pdf, check=True)
        [path] = sorted(Path(folder).glob("p-*.png"))
        with Image.open(path) as image:
            [code] = zxingcpp.read_barcodes(image)
    return code.text


def action(page, name):
    return page.locator(f'form.transition-form[data-transition="{name}"]')


@pytest.mark.demo_areas("customer_property")
def test_a_mold_from_registration_to_production_by_its_label_and_a_damage_settled(page, live_demo, settings):
    settings.SITE_URL = live_demo.url  # the label's QR code opens this server
    rack = Location.objects.get(code="MOLD-R1")

    # Sales registers the mold.
    live_demo(page, "sales")
    page.goto(f"{live_demo.url}/property/")
    page.click("#item-new")
    page.select_option("#id_customer", label="C002 东莞长安精密五金厂")
    page.select_option("#id_kind", "mold")
    page.fill("#id_name", "6P外壳模具 Housing mold 6P")
    page.fill("#id_customer_asset_number", "M-6P-01")
    page.fill("#id_quantity", "1")
    page.fill("#id_unit", "set")
    page.fill("#id_received_from", "客户送货")
    page.fill("#id_acceptance_criteria", "Mold acceptance list MA-02")
    page.fill("#id_cavity_count", "6")
    page.fill("#id_shots_at_receipt", "0")
    page.fill("#id_shot_limit", "300000")
    page.click("#item-save")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "registered")
    item = PropertyItem.objects.get(customer_asset_number="M-6P-01")
    action(page, "submit").locator("button[type=submit]").click()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "pending_verification")
    live_demo.logout(page)

    # Quality verifies it against the acceptance criteria.
    live_demo(page, "qa")
    page.goto(f"{live_demo.url}{item.get_absolute_url()}")
    accept = action(page, "accept")
    accept.locator('input[value="appearance"]').check()
    accept.locator('input[value="dimensions"]').check()
    accept.locator("button[type=submit]").click()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "accepted")
    live_demo.logout(page)

    # The warehouse stores it on the mold rack.
    live_demo(page, "warehouse")
    page.goto(f"{live_demo.url}{item.get_absolute_url()}")
    store = action(page, "store")
    store.locator("#id_d-store-location").select_option(str(rack.pk))
    store.locator("button[type=submit]").click()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "in_storage")
    expect(page.locator("#item-location")).to_contain_text("MOLD-R1")

    # On a phone: the label's QR code opens the item; the warehouse issues it to production there.
    label = page.request.get(f"{live_demo.url}/property/{item.pk}/label.pdf?size=single")
    address = qr_of_label(label.body())
    assert address == f"{live_demo.url}/property/{item.pk}/scan/"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(address)
    expect(page.locator("#scan-number")).to_have_text(item.number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#id_mv-kind", "issued")
    page.fill("#id_mv-quantity", "1")
    page.fill("#id_mv-order_number", "DD-2026-0004")
    page.fill("#id_mv-place", "注塑5号机")
    page.click("#movement-save")
    expect(page.locator(".alert-success")).to_be_visible()
    assert page.url == address  # back on the phone page
    expect(page.locator(".item-state")).to_have_attribute("data-state", "in_use")
    expect(page.locator("#qty-at-production")).to_have_text("1")
    issued = Movement.objects.get(item=item, kind="issued")
    assert (issued.order_number, issued.place, issued.entered_by.username) == ("DD-2026-0004", "注塑5号机", "warehouse")

    # A damage is reported from the phone page.
    page.click("text=报告丢失/损坏")
    page.select_option("#id_kind", "damage")
    page.fill("#id_found_how", "换模时发现")
    page.fill("#id_description", "顶针断裂")
    page.fill("#id_extent", "一根顶针")
    page.click("#incident-save")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "reported")
    incident = Incident.objects.get(item=item)
    assert PropertyItem.objects.get(pk=item.pk).state == "damaged"
    page.set_viewport_size({"width": 1280, "height": 900})
    live_demo.logout(page)

    # Sales notifies the customer; the Sales head records the outcome agreed.
    live_demo(page, "sales")
    page.goto(f"{live_demo.url}{incident.get_absolute_url()}")
    notify = action(page, "notify_customer")
    notify.locator("#id_d-notify_customer-channel").select_option("email")
    notify.locator("button[type=submit]").click()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "customer_notified")
    expect(page.locator("#incident-notified")).to_be_visible()
    live_demo.logout(page)
    live_demo(page, "sales_head")
    page.goto(f"{live_demo.url}{incident.get_absolute_url()}")
    settle = action(page, "settle")
    settle.locator("#id_d-settle-outcome").select_option("repair")
    settle.locator("textarea[name$='-details']").fill("我司负责维修顶针")
    settle.locator("button[type=submit]").click()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "settled")
    expect(page.locator("#incident-outcome")).to_contain_text("我司负责维修顶针")
    assert Incident.objects.get(pk=incident.pk).outcome == "repair"
