"""On a phone: a record page leads with the reader's action forms, full width; list filters fold away
behind a button (closed below md) and stay open on a desk."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def test_list_filters_fold_away_on_a_phone_and_stay_open_on_a_desk(page, live_people):
    live_people(page, "sales")
    for path, card in (
        ("/orders/", "#order-filter-card"),
        ("/customers/", "#customer-filter-card"),
        ("/surveys/", "#campaign-filter-card"),
        ("/changes/", "#change-filter-card"),
        ("/delays/", "#delay-filter-card"),
    ):
        page.set_viewport_size(PHONE)
        page.goto(f"{live_people.url}{path}")
        toggle = page.locator(f'button[data-bs-target="{card}"]')
        expect(page.locator(card)).to_be_hidden()
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(page.locator(f"{card} form")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.set_viewport_size(DESK)
        page.reload()
        expect(page.locator(f"{card} form")).to_be_visible()
        expect(toggle).to_be_hidden()


def test_a_filtered_list_on_a_phone_says_how_many_filters_are_set(page, live_people):
    page.set_viewport_size(PHONE)
    live_people(page, "sales")
    page.goto(f"{live_people.url}/orders/?state=draft&ordering=-po_date")
    expect(page.locator("#order-filter-card")).to_be_hidden()
    expect(page.locator('button[data-bs-target="#order-filter-card"] .filters-in-use')).to_have_text("1")


@pytest.mark.demo_areas("orders")
def test_record_page_action_forms_are_at_the_top_and_full_width_on_a_phone(page, live_demo):
    from datetime import timedelta

    from django.utils import timezone

    from nhcs.accounts.models import User
    from orders.models import Order
    from satisfaction import services

    page.set_viewport_size(PHONE)
    live_demo(page, "sales")
    order = Order.objects.get(po_number__startswith="DEMO-", state="date_replied")
    campaign = services.campaign_create(
        user=User.objects.get(username="sales"),
        title="Phone survey",
        period="2026",
        response_deadline=timezone.localdate() + timedelta(days=20),
    )
    for url, transition in ((order.get_absolute_url(), "confirm_date"), (campaign.get_absolute_url(), "send")):
        page.goto(f"{live_demo.url}{url}")
        button = page.locator(f'form[data-transition="{transition}"] button[type=submit]')
        expect(button).to_be_in_viewport()  # in reach without scrolling
        box = button.bounding_box()
        content = page.locator("main").bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"]
        assert box["width"] >= 0.8 * content["width"], (url, box, content)
