"""Sales starts a survey, a customer answers on a phone through the public link, Sales reads the
statistics and the corrective action raised by the low answer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhcs.capa.models import CorrectiveAction
from satisfaction.models import Campaign

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("staff_language", ["zh-hans", "en"])
def test_survey_journey(page, live_people, browser, staff_language):
    base = live_people.url
    # Staff work in the language they picked; the customer's form stays in the customer's language.
    page.context.add_cookies([{"name": "django_language", "value": staff_language, "url": base}])
    live_people(page, "sales")
    page.goto(f"{base}/surveys/")
    page.click("#new-campaign")
    page.fill("input[name=title]", "2026 年度顾客满意度调查")
    page.fill("input[name=period]", "2026")
    page.fill("input[name=response_deadline]", (timezone.localdate() + timedelta(days=21)).isoformat())
    page.click("#campaign-form button[type=submit]")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "draft")
    expect(page.locator("#aspect-table tbody tr")).to_have_count(8)
    campaign = Campaign.objects.get(title="2026 年度顾客满意度调查")

    page.click("#edit-sample")
    for code in ["C001", "C002", "C003"]:
        page.locator("#choose-form label", has_text=code).click()
    page.click("#save-sample")
    expect(page.locator("#sample-count")).to_have_text("3")
    page.goto(f"{base}{campaign.get_absolute_url()}")
    page.locator('form[data-transition="send"] button[type=submit]').click()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "sent")
    live_people.logout(page)

    # the customer, on a phone, in Chinese
    recipient = campaign.recipients.get(customer__code="C002")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.goto(f"{base}/s/{recipient.token}/")
    expect(mobile.locator("#customer-name")).to_contain_text("东莞长安")
    rows = mobile.locator(".aspect-row")
    expect(rows).to_have_count(8)
    # the rows fit the phone's width: no sideways scrolling
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.click("#submit-survey")  # nothing ticked: refused, nothing stored
    expect(mobile.locator("#form-error")).to_be_visible()
    choices = [2, 3, 2, 2, 2, 2, 2, 4]  # delivery 不太满意, packaging 很不满意
    for i, tick in enumerate(choices):
        rows.nth(i).locator("label").nth(tick).click()
    mobile.fill("textarea[name=comments]", "包装需要加强")
    mobile.fill("input[name=signed_name]", "李主管")
    mobile.click("#submit-survey")
    expect(mobile.locator("#thanks")).to_be_visible()
    mobile.goto(f"{base}/s/{recipient.token}/")
    expect(mobile.locator("#link-problem")).to_have_attribute("data-kind", "used")
    phone.close()

    live_people(page, "sales")
    page.goto(f"{base}{campaign.get_absolute_url()}")
    page.click("#statistics-link")
    # (70*6 + 50 + 20) / 8 = 61.25 → 61.3
    expect(page.locator("#customer-stats tr[data-customer=C002] .customer-total")).to_have_text("61.3")
    expect(page.locator("#stat-rate")).to_have_text("33.3%")
    expect(page.locator("#band-stats tr[data-band=satisfied] .band-count")).to_have_text("1")
    expect(page.locator("#chart-aspects")).to_be_visible()
    assert page.evaluate("!!window.Chart")
    page.click("#campaign-improvements")
    expect(page.locator("#action-table tbody tr")).to_have_count(2)
    packaging = campaign.aspects.get(key="packaging")
    item = CorrectiveAction.objects.for_source(recipient.response).get(topic_id=packaging.pk)
    page.locator("#action-table a", has_text=item.number).click()
    expect(page.locator("#action-source")).to_contain_text("C002")
    expect(page.locator("#action-trigger")).to_contain_text("包装" if staff_language == "zh-hans" else "Packaging")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "open")
