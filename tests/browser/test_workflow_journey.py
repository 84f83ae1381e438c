"""Submit, review, approve with the customer's written confirmation, and reject with a reason,
through the shared record page, by the demo users."""

import pytest
from playwright.sync_api import expect

from nhcs.accounts.models import User
from nhcs.workflow import services
from tests.flowtest.models import Memo

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def take(page, transition, comment="", file=None):
    form = page.locator(f'form[data-transition="{transition}"]')
    if comment:
        form.locator("textarea").fill(comment)
    if file:
        if not form.locator('input[type="file"]').is_visible():
            form.locator("summary").click()
        form.locator('input[type="file"]').set_input_files(file)
        form.locator("select").select_option("written_confirmation")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_memo_submitted_reviewed_approved_and_another_rejected(page, live_people, tmp_path):
    sales = User.objects.get(username="sales")
    memo = services.record_create(model=Memo, user=sales, data={"title": "2027 价格调整", "body": "一月起执行"})
    other = services.record_create(model=Memo, user=sales, data={"title": "Second memo", "body": "x"})
    url = f"{live_people.url}{memo.get_absolute_url()}"

    live_people(page, "sales")
    page.goto(url)
    take(page, "submit")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "submitted")
    page.goto(f"{live_people.url}{other.get_absolute_url()}")
    take(page, "submit")
    live_people.logout(page)

    live_people(page, "sales_head")
    page.goto(f"{live_people.url}/tasks/")
    expect(page.locator(".task-table").first).to_contain_text(memo.number)
    page.goto(url)
    take(page, "review", "同意")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "reviewed")
    page.goto(f"{live_people.url}{other.get_absolute_url()}")
    take(page, "review", "ok")
    live_people.logout(page)

    live_people(page, "vgm")
    page.goto(url)
    # Without the customer's written confirmation the approval is refused, the comment kept.
    take(page, "approve", "批准执行")
    expect(page.locator(".alert-danger").first).to_be_visible()
    expect(page.locator('form[data-transition="approve"] textarea')).to_have_value("批准执行")
    confirmation = tmp_path / "confirmation.pdf"
    confirmation.write_bytes(PDF)
    take(page, "approve", "批准执行", file=str(confirmation))
    expect(page.locator("#record-state")).to_have_attribute("data-state", "approved")
    expect(page.locator(".signoff")).to_have_count(3)
    expect(page.locator(".signoff").last).to_contain_text("黄副总")

    # Rejecting needs a reason.
    page.goto(f"{live_people.url}{other.get_absolute_url()}")
    take(page, "reject")
    expect(page.locator(".alert-danger").first).to_be_visible()
    expect(page.locator("#record-state")).to_have_attribute("data-state", "reviewed")
    take(page, "reject", "价格低于成本")
    expect(page.locator("#record-state")).to_have_attribute("data-state", "cancelled")
    expect(page.locator(".signoff-comment").last).to_contain_text("价格低于成本")
