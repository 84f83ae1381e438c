"""The export buttons of a record page download the sheets in a real browser."""

import pytest
from openpyxl import load_workbook

from nhcs.accounts.models import User
from nhcs.workflow import services
from tests.flowtest.models import Memo

from .conftest import pdf_text


@pytest.mark.browser
def test_record_page_buttons_download_excel_and_pdf(live_people, page, tmp_path):
    sales = User.objects.get(username="sales")
    memo = services.record_create(model=Memo, user=sales, data={"title": "浏览器测试", "body": "正文"})
    live_people(page, "sales")
    page.goto(f"{live_people.url}{memo.get_absolute_url()}")
    with page.expect_download() as xlsx_info:
        page.click(".export-buttons [data-export=xlsx]")
    xlsx = tmp_path / "memo.xlsx"
    xlsx_info.value.save_as(xlsx)
    assert xlsx_info.value.suggested_filename == f"{memo.number}.xlsx"
    values = [v for row in load_workbook(xlsx).active.iter_rows(values_only=True) for v in row if v]
    assert "浏览器测试" in values
    with page.expect_download() as pdf_info:
        page.click(".export-buttons [data-export=pdf]")
    pdf = tmp_path / "memo.pdf"
    pdf_info.value.save_as(pdf)
    assert memo.number in pdf_text(pdf.read_bytes())


@pytest.mark.browser
def test_home_page_card_downloads_the_blank_survey_form(live_people, page, tmp_path):
    live_people(page, "warehouse")
    page.goto(f"{live_people.url}/")
    assert page.locator("#home-record-sheets").is_visible()
    with page.expect_download() as info:
        page.click("#survey-form-blank-link")
    target = tmp_path / "form.pdf"
    info.value.save_as(target)
    assert "顾客满意度调查表" in pdf_text(target.read_bytes())
