"""An advisory notice from its draft to its closing, by the demo users: qa drafts it, qa_head reviews,
vgm approves, sales sends it to three customers; one acknowledges through the link on a phone, sales
records the second by phone and why the third does not acknowledge, then closes the notice."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import AdvisoryNotice
from nhcs.customers.models import Customer

pytestmark = pytest.mark.browser


def take(page, transition, data=None, comment=""):
    form = page.locator(f'form[data-transition="{transition}"]')
    for name, value in (data or {}).items():
        field = form.locator(f'[name="d-{transition}-{name}"]')
        if field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if comment:
        form.locator(f'textarea[name="t-{transition}-comment"]').fill(comment)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def state(page, value):
    expect(page.locator("#record-state")).to_have_attribute("data-state", value)


def test_an_advisory_notice_from_its_draft_to_every_customers_acknowledgement(page, browser, live_people):
    base = live_people.url
    today = timezone.localdate()

    live_people(page, "qa")
    page.goto(f"{base}/advisories/")
    page.click("#advisory-new")
    page.fill("#id_subject", "端子镀层附着力不足")
    page.fill("#id_reason", "部分批次镀层附着力低于规格，可能脱落")
    page.fill("#id_parts", "NH-CN-2040")
    page.fill("#id_lots", "L-ADV-01")
    page.select_option("#id_measure", "inspect")
    page.fill("#id_respond_by", (today + timedelta(days=10)).isoformat())
    page.click("#advisory-save")
    page.wait_for_load_state()
    state(page, "draft")
    notice = AdvisoryNotice.objects.order_by("-pk").first()
    url = f"{base}{notice.get_absolute_url()}"
    take(page, "submit")
    state(page, "submitted")
    live_people.logout(page)

    live_people(page, "qa_head")
    page.goto(url)
    take(page, "review")
    state(page, "reviewed")
    live_people.logout(page)

    live_people(page, "vgm")
    page.goto(url)
    take(page, "approve")
    state(page, "approved")
    live_people.logout(page)

    # Sales sends it to three customers picked by hand.
    live_people(page, "sales")
    page.goto(url)
    form = page.locator('form[data-transition="send"]')
    form.locator('input[name="d-send-selection"][value="chosen"]').check()
    customers = {c.code: c for c in Customer.objects.filter(code__in=["C001", "C002", "C003"])}
    for customer in customers.values():
        form.locator(f'input[name="d-send-customers"][value="{customer.pk}"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    state(page, "sent")
    expect(page.locator(".ack-row")).to_have_count(3)

    # The first customer acknowledges through the link, on a phone.
    acks = {a.customer.code: a for a in notice.acknowledgements.select_related("customer", "link")}
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.goto(f"{base}{acks['C003'].link.path}")
    expect(mobile.locator("#advisory-acknowledge")).to_contain_text("NH-CN-2040")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.fill("#id_name", "Ms. Weber")
    mobile.fill("#id_reply", "Stock inspected")
    mobile.click("#acknowledge")
    expect(mobile.locator("#advisory-acknowledged")).to_be_visible()
    mobile.goto(f"{base}{acks['C003'].link.path}")
    expect(mobile.locator("#link-problem")).to_have_attribute("data-kind", "used")
    phone.close()

    # Sales records the second by phone and the third's refusal with its reason.
    page.goto(f"{base}{acks['C001'].get_absolute_url()}")
    take(page, "acknowledge", {"channel": "phone", "acknowledged_by": "王经理", "reply": "已检查库存"})
    state(page, "acknowledged")
    page.goto(f"{base}{acks['C002'].get_absolute_url()}")
    take(page, "not_acknowledged", {"reason": "客户拒绝签收，已电话说明"})
    state(page, "not_acknowledged")
    page.goto(url)
    expect(page.locator('.ack-row[data-state="acknowledged"]')).to_have_count(2)
    expect(page.locator('.ack-row[data-customer="C002"]')).to_contain_text("客户拒绝签收")
    take(page, "close")
    state(page, "closed")
