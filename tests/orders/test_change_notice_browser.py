"""A change of price and quantity from the customer's fax to the amended order, in the browser: sales raises
the change notice, planning opens the review, R&D, Purchasing and Quality give the impact, the sales head,
the deputy GM and the GM approve (the GM on a phone), planning issues it, the departments acknowledge, and
the order shows the old values struck through."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhcs.accounts.models import Department
from orders.models import ChangeNotice, Order

from .test_browser import PDF, state, take

pytestmark = pytest.mark.browser


def impact(page, step, **figures):
    form = page.locator(f'form.step-form[data-step="{step}"]')
    form.locator('select[name$="-outcome"]').select_option("accept")
    for name, value in figures.items():
        form.locator(f'input[name$="-{name}"]').fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(f'form.step-form[data-step="{step}"]')).to_have_count(0)


@pytest.mark.demo_areas("orders")
def test_a_price_and_quantity_change_from_sales_to_the_struck_through_order(page, live_demo, tmp_path):
    base = live_demo.url
    order = Order.objects.get(po_number="DEMO-PO-0990")  # released, 3000 of 8000 shipped
    line = order.lines.get()

    # Sales raises the change from the order's page: 8000 → 9000 pcs at 0.80 instead of 0.82.
    live_demo(page, "sales")
    page.goto(f"{base}{order.get_absolute_url()}")
    page.click("#change-new")
    page.fill("#id_n-reason", "客户传真：追加1000只，单价降至0.80")
    row = page.locator(f'tr.line-change[data-line="{line.pk}"]')
    row.locator('input[name$="-quantity"]').fill("9000")
    row.locator('input[name$="-unit_price"]').fill("0.80")
    fax = tmp_path / "customer-fax.pdf"
    fax.write_bytes(PDF)
    page.set_input_files("#id_f-request_file", str(fax))
    page.click("#change-save")
    page.wait_for_load_state()
    notice = ChangeNotice.objects.get(order=order)
    url = f"{base}{notice.get_absolute_url()}"
    expect(page.locator("li.change-row")).to_have_count(2)
    take(page, "submit")
    state(page, "submitted")
    live_demo.logout(page)

    live_demo(page, "planner")
    page.goto(url)
    take(page, "start_review")
    state(page, "under_review")
    live_demo.logout(page)

    for username, step, figures in (
        ("rd", "rd", {}),
        ("buyer", "pur", {"material_bought": "800", "cost": "1200"}),
        ("qa", "qa", {"stock": "0", "work_in_progress": "1500"}),
    ):
        live_demo(page, username)
        page.goto(url)
        impact(page, step, **figures)
        live_demo.logout(page)

    live_demo(page, "planner")
    page.goto(url)
    take(page, "accept")
    state(page, "accepted")
    live_demo.logout(page)

    live_demo(page, "sales_head")
    page.goto(url)
    take(page, "head_review", "同意")
    state(page, "head_reviewed")
    live_demo.logout(page)

    live_demo(page, "vgm")
    page.goto(url)
    take(page, "vgm_approve", "同意")
    state(page, "vgm_approved")
    live_demo.logout(page)

    # The GM approves the price change on a phone, from the task's page: what to decide first, nothing
    # running off the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    live_demo(page, "gm")
    page.goto(f"{base}/tasks/")
    page.click(f'a[href="{notice.get_absolute_url()}"]')
    page.wait_for_url(f"**{notice.get_absolute_url()}")
    decision = page.locator("#decision")
    expect(decision).to_contain_text("8000")
    expect(decision).to_contain_text("9000")
    expect(decision.locator("#cost-total")).to_contain_text(re.compile(r"1,?200\.00"))
    expect(decision.locator(".impact")).to_have_count(3)
    expect(decision.locator(".request-open")).to_have_attribute(
        "href", f"/attachments/{notice.attachments.get().pk}/?inline=1"
    )
    assert page.evaluate("document.getElementById('decision').getBoundingClientRect().top") < page.evaluate(
        "document.getElementById('workflow-actions').getBoundingClientRect().top"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    take(page, "gm_approve", "同意调价")
    state(page, "gm_approved")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    live_demo.logout(page)

    # Planning issues it to Manufacturing and the warehouse: the order is changed at once.
    live_demo(page, "planner")
    page.goto(url)
    keep = {str(d.pk) for d in Department.objects.filter(code__in=("MFG", "WH"))}
    boxes = page.locator('form[data-transition="issue"] input[name="d-issue-departments"]')
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if box.get_attribute("value") in keep:
            box.check()
        else:
            box.uncheck()
    take(page, "issue")
    state(page, "issued")
    expect(page.locator(".acknowledgement")).to_have_count(2)
    live_demo.logout(page)
    line.refresh_from_db()
    assert (line.quantity, line.unit_price) == (Decimal("9000"), Decimal("0.80"))

    # Each department acknowledges from its own tasks.
    for username in ("mfg", "warehouse"):
        live_demo(page, username)
        page.goto(f"{base}/tasks/")
        page.locator(".task-table a", has_text=notice.number).first.click()
        page.wait_for_load_state()
        take(page, "acknowledge")
        state(page, "acknowledged")
        live_demo.logout(page)

    live_demo(page, "planner")
    page.goto(url)
    take(page, "close")
    state(page, "closed")

    # The order shows the old values struck through with the notice, the date and the signer.
    page.goto(f"{base}{order.get_absolute_url()}")
    row = page.locator(f'tr.line-row[data-line="{line.pk}"]')
    expect(row.locator("del.amended-old")).to_have_count(2)
    expect(row.locator("del.amended-old").first).to_have_text("8000")
    expect(row.locator(".amended-by").first).to_contain_text(notice.number)
    expect(row.locator(".amended-by").first).to_contain_text(timezone.localdate().isoformat())
    expect(row.locator(".amended-by").first).to_contain_text("陈计划")
    expect(row).to_contain_text("9000")
