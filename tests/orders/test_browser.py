"""A new order from sales to its release, by the demo users sales, planner, engineer, buyer, rd, qa and mfg, and
its approval by the deputy GM and the GM (3.5)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Order

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def take(page, transition, comment=""):
    form = page.locator(f'form[data-transition="{transition}"]')
    if comment:
        form.locator("textarea").fill(comment)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def opinion(page, step, outcome="accept", comment=""):
    form = page.locator(f'form.step-form[data-step="{step}"]')
    form.locator("select").select_option(outcome)
    if comment:
        form.locator("textarea").fill(comment)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(f'form.step-form[data-step="{step}"]')).to_have_count(0)


def state(page, value):
    expect(page.locator("#record-state")).to_have_attribute("data-state", value)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_order_from_sales_to_release(page, live_people, tmp_path, language):
    today = timezone.localdate()
    base = live_people.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    # Sales enters the order and identifies the requirements; one point needs the customer's answer.
    live_people(page, "sales")
    page.goto(f"{base}/orders/")
    page.click("#order-new")
    page.select_option("#id_customer", label=None, index=1)
    page.fill("#id_po_number", "PO-BROWSER-1")
    page.fill("#id_po_date", today.isoformat())
    for item in ("cost", "materials", "methods", "services", "statutory"):
        page.check(f'input[name="req_{item}"][value="identified"]')
    page.check('input[name="req_special"][value="clarify"]')
    page.fill("#id_req_special_note", "包装方式未说明")
    page.fill('input[name="lines-0-part_number"]', "NH-CN-2040")
    page.fill('input[name="lines-0-quantity"]', "5000")
    page.fill('input[name="lines-0-unit_price"]', "0.8500")
    page.fill('input[name="lines-0-requested_date"]', (today + timedelta(days=45)).isoformat())
    page.click("#order-save")
    page.wait_for_load_state()
    state(page, "draft")
    order = Order.objects.get(po_number="PO-BROWSER-1")
    url = f"{base}{order.get_absolute_url()}"
    # Submitting before the unclear point is raised with the customer is refused.
    take(page, "submit")
    expect(page.locator(".alert-danger").first).to_be_visible()
    state(page, "draft")
    page.click("#clarification-form >> xpath=ancestor::details/summary")
    page.select_option("#id_clar-topic", "special")
    page.fill("#id_clar-question", "每袋包装50只还是100只？")
    page.select_option("#id_clar-channel", "fax")
    page.click("#clarification-form button")
    page.wait_for_load_state()
    expect(page.locator(".clarification-row")).to_have_count(1)
    take(page, "submit")
    state(page, "submitted")
    live_people.logout(page)

    # Planning opens the technical review.
    live_people(page, "planner")
    page.goto(url)
    take(page, "start_review")
    state(page, "in_review")
    live_people.logout(page)

    # Engineering enters the BOM and gives its opinion.
    live_people(page, "engineer")
    page.goto(url)
    expect(page.locator(".price")).to_have_count(0)  # engineers see no prices
    page.click("#bom-edit")
    page.fill('input[name="bom-0-part_number"]', "PCB-2L-100")
    page.fill('input[name="bom-0-quantity_per_unit"]', "1")
    page.select_option('select[name="bom-0-source"]', "buy")
    page.click("#add-bom-row")
    page.fill('input[name="bom-1-part_number"]', "HSG-PA66")
    page.fill('input[name="bom-1-quantity_per_unit"]', "1")
    page.select_option('select[name="bom-1-source"]', "make")
    page.click("#bom-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".bom-row")).to_have_count(2)
    opinion(page, "bom")
    live_people.logout(page)

    # Purchasing gives the lead time of what is bought.
    live_people(page, "buyer")
    page.goto(url)
    page.click("#lead-times-edit")
    page.fill('input[name="lt-0-lead_time_days"]', "21")
    page.click("#lead-times-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#bom-table")).to_contain_text("21")
    opinion(page, "lead_times")
    live_people.logout(page)

    for username, step, outcome, comment in (
        ("rd", "rd", "accept", ""),
        ("qa", "qa", "conditions", "首件需品质确认"),
        ("mfg", "mfg", "accept", ""),
    ):
        live_people(page, username)
        page.goto(url)
        opinion(page, step, outcome, comment)
        live_people.logout(page)

    # Planning concludes the review and replies the date; too early without a justification is refused.
    live_people(page, "planner")
    page.goto(url)
    take(page, "complete_review")
    state(page, "reviewed")
    # The date is given with the action, at the top of the page where the planner's task waits.
    reply = 'form[data-transition="reply_date"]'
    page.fill(f'{reply} input[name="d-reply_date-committed_date"]', (today + timedelta(days=10)).isoformat())
    page.click(f"{reply} button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".alert-danger").first).to_be_visible()
    state(page, "reviewed")
    page.fill(f'{reply} input[name="d-reply_date-committed_date"]', (today + timedelta(days=30)).isoformat())
    page.click(f"{reply} button[type=submit]")
    page.wait_for_load_state()
    state(page, "date_replied")
    live_people.logout(page)

    # Sales confirms the date with the customer.
    live_people(page, "sales")
    page.goto(url)
    take(page, "confirm_date", "客户传真确认交期")
    state(page, "date_confirmed")
    expect(page.locator('form[data-transition="release"]')).to_have_count(0)  # not before the approvals
    live_people.logout(page)

    # 3.5: the deputy GM in charge approves the agreed requirements, then the GM (no rule lets the deputy
    # GM's approval suffice for a new product).
    live_people(page, "vgm")
    page.goto(url)
    take(page, "vgm_approve")
    state(page, "vgm_approved")
    expect(page.locator("#approval-summary")).to_be_visible()
    live_people.logout(page)
    live_people(page, "gm")
    page.goto(url)
    take(page, "gm_approve")
    state(page, "approved")
    live_people.logout(page)

    # Release waits for the customer's written answer.
    live_people(page, "sales")
    page.goto(url)
    expect(page.locator('form[data-transition="release"] .blockers li')).to_have_count(1)
    confirmation = tmp_path / "fax.pdf"
    confirmation.write_bytes(PDF)
    page.click(".answer-form >> xpath=ancestor::details/summary")
    page.fill(".answer-form textarea", "每袋100只")
    page.set_input_files(".answer-form input[type=file]", str(confirmation))
    page.click(".answer-form button")
    page.wait_for_load_state()
    expect(page.locator(".clarification-row")).to_contain_text("fax.pdf")
    take(page, "release")
    state(page, "released")
    # submit, start_review, five opinions, complete_review, reply_date, confirm_date, vgm_approve, gm_approve,
    # release
    expect(page.locator(".signoff")).to_have_count(13)


def currency_text_fits(page, name) -> bool:
    """The currency select shows its chosen code whole: its inner width (less Bootstrap's arrow padding)
    holds the text."""
    return page.evaluate(
        """(name) => {
            const select = document.querySelector(`select[name="${name}"]`);
            const style = getComputedStyle(select);
            const context = document.createElement("canvas").getContext("2d");
            context.font = style.font;
            const text = context.measureText(select.options[select.selectedIndex].text).width;
            const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return room >= text;
        }""",
        name,
    )


def test_order_lines_are_added_and_removed_in_the_form(page, live_people):
    today = timezone.localdate()
    base = live_people.url
    live_people(page, "sales")
    page.goto(f"{base}/orders/new/")
    page.select_option("#id_customer", index=1)
    page.fill("#id_po_number", "PO-ROWS-1")
    page.fill("#id_po_date", today.isoformat())
    for item in ("cost", "materials", "methods", "special", "services", "statutory"):
        page.check(f'input[name="req_{item}"][value="identified"]')
    rows = page.locator("#lines-formset tbody tr.line-form")
    expect(rows).to_have_count(1)  # one empty line to start, no fixed blank rows
    assert currency_text_fits(page, "lines-0-currency")

    def fill(index, part, quantity):
        page.fill(f'input[name="lines-{index}-part_number"]', part)
        page.fill(f'input[name="lines-{index}-quantity"]', quantity)
        page.fill(f'input[name="lines-{index}-requested_date"]', (today + timedelta(days=30)).isoformat())

    fill(0, "A-100", "10")
    page.click("#add-line")
    page.click("#add-line")
    expect(rows).to_have_count(3)
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value("3")
    expect(page.locator('input[name="lines-2-part_number"]')).to_be_focused()
    fill(1, "B-200", "20")
    # A new line removed is gone from the form; the saved order has the other two.
    rows.nth(2).locator("[data-formset-remove]").click()
    expect(rows.nth(2)).to_be_hidden()
    page.click("#order-save")
    page.wait_for_load_state()
    expect(page.locator("#line-table .line-row")).to_have_count(2)
    order = Order.objects.get(po_number="PO-ROWS-1")
    assert sorted(order.lines.values_list("part_number", flat=True)) == ["A-100", "B-200"]

    # Editing: a saved line is struck through when removed, a second click takes the removal back.
    page.click("#lines-edit")
    expect(rows).to_have_count(2)  # the order's lines, no blank rows
    remove_a = rows.nth(0).locator("[data-formset-remove]")
    remove_a.click()
    expect(rows.nth(0)).to_have_class(re.compile("formset-removed"))
    remove_a.click()
    expect(rows.nth(0)).not_to_have_class(re.compile("formset-removed"))
    rows.nth(1).locator("[data-formset-remove]").click()  # B-200 goes
    page.click("#add-line")
    fill(2, "C-300", "30")
    page.click("#lines-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#line-table .line-row")).to_have_count(2)
    assert sorted(order.lines.values_list("part_number", flat=True)) == ["A-100", "C-300"]
