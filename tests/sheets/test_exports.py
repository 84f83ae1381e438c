import datetime
import shutil
import subprocess
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from nhcs.sheets.models import CompanySettings, FormSetting
from nhcs.workflow import services
from tests.flowtest.models import Memo, MemoState
from tests.flowtest.sheets import MEMO_LIST

from .conftest import embedded_fonts, pdf_text, write_artifact

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def list_url(fmt, query=""):
    return reverse("flowtest:memo_list_export", kwargs={"fmt": fmt}) + (f"?{query}" if query else "")


def record_url(memo, fmt):
    return reverse("flowtest:memo_export", kwargs={"pk": memo.pk, "fmt": fmt})


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def make_memos(user, n, **data):
    return [
        services.record_create(model=Memo, user=user, data={"title": f"Memo {i}", "body": "x" * (i + 1), **data})
        for i in range(n)
    ]


def header_row(ws):
    """Row number and values of the table header (the row the autofilter starts on)."""
    first = int(ws.auto_filter.ref.split(":")[0][1:])
    return first, [c.value for c in ws[first]]


# --- settings seeded by the data migration ------------------------------------------------------------


@pytest.mark.django_db
def test_company_and_every_form_of_section_6_are_seeded():
    company = CompanySettings.load()
    assert company.name_zh == "东莞市宁浩实业有限公司"
    keys = set(FormSetting.objects.values_list("key", flat=True))
    assert keys >= {
        "product_demand_plan",
        "production_plan_review",
        "change_notice",
        "complaint_record",
        "survey_form",
        "survey_statistics",
        "customer_property_register",
        "certified_data_letter",
    }
    survey = FormSetting.objects.get(key="survey_form")
    assert (survey.title_zh, survey.document_number, survey.version) == ("顾客满意度调查表", "NH-QP14-05", "A")
    assert all(f.title_en and f.document_number.startswith("NH-QP14-") for f in FormSetting.objects.all())


# --- list to Excel ------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_list_xlsx_has_headers_types_rows_frozen_header_and_autofilter(demo, client_for, settings, engine):
    settings.NHCS_XLSX_LIST_ENGINE = engine
    make_memos(demo["sales"], 3)
    response = client_for(demo["sales_head"]).get(list_url("xlsx"))
    assert 'filename="memos.xlsx"' in response["Content-Disposition"]
    ws = workbook(response).active
    top, headers = header_row(ws)
    with translation.override("zh-hans"):
        assert headers == [str(c.label) for c in MEMO_LIST.columns]
    assert ws.freeze_panes == f"A{top + 1}"
    assert ws.auto_filter.ref == f"A{top}:I{top + 3}"
    rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
    assert len(rows) == 3
    number, title, state, created, changed, author, version, length, flag = rows[0]
    assert number.startswith("MEMO-") and title == "Memo 0"
    with translation.override("zh-hans"):
        assert state == str(MemoState.DRAFT.label)
    assert isinstance(created, datetime.datetime) and ws.cell(top + 1, 4).is_date
    assert ws.cell(top + 1, 4).number_format == "yyyy-mm-dd"
    assert created.date() == datetime.date.today() or abs((created.date() - datetime.date.today()).days) <= 1
    assert isinstance(changed, datetime.datetime) and ws.cell(top + 1, 5).is_date
    assert version == 1 and isinstance(version, int)
    assert length == 1 and [r[7] for r in rows] == [1, 2, 3]
    assert flag is False
    assert author == demo["sales"].signature_name
    assert ws.column_dimensions["B"].width == 30
    # The letterhead above the table names the company and the form.
    letterhead = " ".join(str(ws.cell(r, 1).value) for r in range(1, top))
    assert "东莞市宁浩实业有限公司" in letterhead and "NH-QP14-03" in letterhead


def test_hidden_column_is_absent_for_a_user_without_the_right(demo, client_for):
    make_memos(demo["sales"], 2)
    _, staff_headers = header_row(workbook(client_for(demo["sales"]).get(list_url("xlsx"))).active)
    _, head_headers = header_row(workbook(client_for(demo["sales_head"]).get(list_url("xlsx"))).active)
    assert len(head_headers) == len(staff_headers) + 1
    # (The test memo's own columns are not translated.)
    assert head_headers == [*staff_headers, "Price changes"]
    assert "Price changes" not in staff_headers
    ws = workbook(client_for(demo["sales"]).get(list_url("xlsx"))).active
    top, _ = header_row(ws)
    assert ws.max_column == 8 and ws.auto_filter.ref == f"A{top}:H{top + 2}"
    text = pdf_text(b"".join([client_for(demo["sales"]).get(list_url("pdf")).content]))
    assert "Price changes" not in text


def test_export_applies_the_list_filters_and_prints_them(demo, client_for):
    make_memos(demo["sales"], 3)
    make_memos(demo["sales"], 2, title="Special offer")
    response = client_for(demo["sales"]).get(list_url("xlsx", "title=special"))
    ws = workbook(response).active
    top, _ = header_row(ws)
    titles = [r[1] for r in ws.iter_rows(min_row=top + 1, values_only=True)]
    assert titles == ["Special offer", "Special offer"]
    assert any("special" in str(ws.cell(r, 1).value) for r in range(1, top))


def test_invalid_filters_are_refused_with_a_message_not_exported(demo, client_for):
    make_memos(demo["sales"], 1)
    response = client_for(demo["sales"]).get(list_url("xlsx", "state=nonsense"))
    assert response.status_code == 400
    assert b"export-refused" in response.content


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_formula_like_text_stays_text(demo, client_for, settings, engine):
    settings.NHCS_XLSX_LIST_ENGINE = engine
    make_memos(demo["sales"], 1, title='=HYPERLINK("http://evil","x")')
    ws = workbook(client_for(demo["sales"]).get(list_url("xlsx"))).active
    top, _ = header_row(ws)
    cell = ws.cell(top + 1, 2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_list_export_issues_a_constant_number_of_queries(demo, client_for, fmt):
    client = client_for(demo["sales"])
    make_memos(demo["sales"], 2)
    with CaptureQueriesContext(connection) as small:
        response = client.get(list_url(fmt))
        b"".join(response.streaming_content) if response.streaming else response.content
    make_memos(demo["sales"], 15)
    with CaptureQueriesContext(connection) as large:
        response = client.get(list_url(fmt))
        b"".join(response.streaming_content) if response.streaming else response.content
    assert len(large) == len(small)


def test_pdf_of_a_too_long_list_is_refused_with_advice(demo, client_for, settings):
    settings.NHCS_PDF_MAX_ROWS = 2
    make_memos(demo["sales"], 3)
    response = client_for(demo["sales"]).get(list_url("pdf"))
    assert response.status_code == 413 and b"export-refused" in response.content
    assert client_for(demo["sales"]).get(list_url("xlsx")).status_code == 200


def test_list_pdf_has_title_rows_and_page_numbers(demo, client_for):
    make_memos(demo["sales"], 60)
    response = client_for(demo["sales"]).get(list_url("pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "生产订单/计划表更改通知单" in text and "Memo 59" in text
    pages = text.count("\f") or 1
    assert pages >= 2
    assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text  # a Chinese reader's sheet
    write_artifact("memo-list.pdf", response.content)


# --- permissions over HTTP ----------------------------------------------------------------------------


def test_exports_require_login_and_access(demo, client, client_for):
    memo = make_memos(demo["sales"], 1)[0]
    for url in (list_url("xlsx"), list_url("pdf"), record_url(memo, "pdf"), record_url(memo, "xlsx")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # The superuser has no department, but sees everything; a user without a department sees nothing.
    from nhcs.accounts.models import User

    outsider = User.objects.create_user("outsider", password="x")
    assert client_for(outsider).get(list_url("xlsx")).status_code == 404
    assert client_for(outsider).get(record_url(memo, "pdf")).status_code == 404


def test_unknown_format_is_404(demo, client_for):
    memo = make_memos(demo["sales"], 1)[0]
    response = client_for(demo["sales"]).get(f"/flowtest/memos/{memo.pk}/sheet.docx")
    assert response.status_code == 404


# --- record sheets ------------------------------------------------------------------------------------


def test_record_pdf_has_title_number_signatures_pages_and_embedded_fonts(signed_memo, demo, client_for):
    response = client_for(demo["qa"]).get(record_url(signed_memo, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{signed_memo.number}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "生产订单/计划表更改通知单" in text
    assert signed_memo.number in text
    assert "东莞市宁浩实业有限公司" in text and "NH-QP14-03" in text
    # The names in their boxes, in the boxes' order.
    for label, name in (
        ("编制", "王小明"),
        ("审核", "李经理"),
        ("批准", demo["vgm"].signature_name),
        ("总经理批准", demo["gm"].signature_name),
    ):
        assert label in text and name in text
    order = [text.index(x) for x in ("王小明", "李经理", demo["vgm"].signature_name)]
    assert order == sorted(order)
    assert "第1页共1页" in text
    fonts = embedded_fonts(response.content)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("CJK" in name for name, _ in fonts)
    write_artifact("memo-record.pdf", response.content)


def test_record_pdf_strikes_through_values_changed_after_submission(signed_memo, demo, client_for):
    from nhcs.sheets.export import change_marks

    marks = change_marks(record=signed_memo)
    assert [(m.old, m.new) for m in marks["title"]] == [("2027 价格表", "2027 新价格表")]
    assert "body" not in marks  # set while drafting: no change mark
    response = client_for(demo["qa"]).get(record_url(signed_memo, "pdf"))
    text = pdf_text(response.content)
    assert "2027 价格表" in text and "2027 新价格表" in text
    from django.template.loader import render_to_string

    from nhcs.sheets.export import record_context
    from tests.flowtest.sheets import MEMO_RECORD

    class Req:
        user = demo["qa"]
        META = {}

    html = render_to_string(
        MEMO_RECORD.pdf_template, record_context(request=Req(), sheet=MEMO_RECORD, record=signed_memo)
    )
    assert '<del class="struck">2027 价格表</del> <span class="changed">2027 新价格表</span>' in html


def test_record_xlsx_has_fields_changes_and_signatures(signed_memo, demo, client_for):
    wb = workbook(client_for(demo["sales_head"]).get(record_url(signed_memo, "xlsx")))
    ws = wb.active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert any(signed_memo.number in v for v in flat)
    assert "2027 新价格表" in flat
    assert any("2027 价格表 → 2027 新价格表" in v for v in flat)
    assert "王小明" in flat and "李经理" in flat
    created = next(row[1] for row in values if row[0] in ("Created on", "创建日期"))
    assert isinstance(created, datetime.datetime)
    sig_dates = [row[3] for row in values if row[1] == "王小明"]
    assert sig_dates and isinstance(sig_dates[0], datetime.datetime)


def test_record_sheet_hides_fields_the_user_may_not_see(signed_memo, demo, client_for):
    staff_text = pdf_text(client_for(demo["qa"]).get(record_url(signed_memo, "pdf")).content)
    head_text = pdf_text(client_for(demo["qa_head"]).get(record_url(signed_memo, "pdf")).content)
    assert "Price changes" in head_text and "Price changes" not in staff_text


def test_signature_boxes_start_afresh_after_a_reopening(demo):
    from nhcs.sheets.export import fill_signature_boxes
    from tests.flowtest.sheets import MEMO_RECORD

    memo = make_memos(demo["sales"], 1)[0]
    memo = services.transition_record(record=memo, name="submit", user=demo["sales"], comment="ok")
    memo = services.transition_record(record=memo, name="review", user=demo["sales_head"], comment="ok")
    boxes = fill_signature_boxes(record=memo, boxes=MEMO_RECORD.signature_boxes)
    assert [b.signature.name if b.signature else None for b in boxes] == [
        demo["sales"].signature_name,
        demo["sales_head"].signature_name,
        None,
        None,
    ]
    memo = services.transition_record(record=memo, name="return_to_draft", user=demo["sales_head"], comment="no")
    boxes = fill_signature_boxes(record=memo, boxes=MEMO_RECORD.signature_boxes)
    assert all(b.signature is None for b in boxes)


def test_record_page_shows_export_buttons(signed_memo, demo, client_for):
    response = client_for(demo["sales"]).get(signed_memo.get_absolute_url())
    assert response.status_code == 200
    assert record_url(signed_memo, "xlsx").encode() in response.content
    assert record_url(signed_memo, "pdf").encode() in response.content


def test_english_user_gets_english_labels(signed_memo, demo, client_for):
    client = client_for(demo["qa"])
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(record_url(signed_memo, "pdf")).content)
    assert "Production order / plan change notice" in text
    assert "Page 1 of 1" in text


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_record_pdf_renders_to_png(signed_memo, demo, client_for):
    pdf = write_artifact("memo-record.pdf", client_for(demo["qa"]).get(record_url(signed_memo, "pdf")).content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    png = next(pdf.parent.glob("memo-record*.png"))
    assert png.stat().st_size > 5000


def test_grouped_list_has_headings_in_pdf_and_a_first_column_in_excel(demo):
    from django.test import RequestFactory

    from nhcs.sheets.declarations import Column, ListSheet
    from nhcs.sheets.export import export_list

    sheet = ListSheet(
        "product_demand_plan",
        [Column("number", "Number"), Column("title", "Title")],
        group_by=Column("group", "Group", lambda m: "长" if len(m.body) > 2 else "短"),
    )
    make_memos(demo["sales"], 4)
    request = RequestFactory().get("/")
    request.user = demo["sales"]
    queryset = Memo.objects.order_by("number")
    text = pdf_text(export_list(request=request, sheet=sheet, queryset=queryset, fmt="pdf", filename="g").content)
    assert "Group: 短" in text and "Group: 长" in text
    assert text.index("Group: 短") < text.index("Memo 0") < text.index("Group: 长") < text.index("Memo 3")
    ws = workbook(export_list(request=request, sheet=sheet, queryset=queryset, fmt="xlsx", filename="g")).active
    top, headers = header_row(ws)
    assert headers == ["Group", "Number", "Title"]
    assert [r[0] for r in ws.iter_rows(min_row=top + 1, values_only=True)] == ["短", "短", "长", "长"]


# --- workbooks like the PDFs ----------------------------------------------------------------------------


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_list_xlsx_letterhead_is_bilingual_with_the_document_number_in_english(demo, client_for, settings, engine):
    settings.NHCS_XLSX_LIST_ENGINE = engine
    make_memos(demo["sales"], 1)
    ws = workbook(english(client_for(demo["sales"])).get(list_url("xlsx"))).active
    top, headers = header_row(ws)
    assert "Number" in headers  # the table is in the reader's language …
    letterhead = [ws.cell(r, 1).value for r in range(1, top)]
    # … the letterhead as the PDF's: Chinese title first, English beneath, company, document number.
    assert letterhead[:3] == [
        "生产订单/计划表更改通知单",
        "Production order / plan change notice",
        "东莞市宁浩实业有限公司 Dongguan Ninghao Industrial Co., Ltd.",
    ]
    assert "Document no. NH-QP14-03" in letterhead[3] and "Version A" in letterhead[3]
    assert ws.title == "生产订单计划表更改通知单"
    assert ws.cell(top + 1, 2).alignment.wrap_text  # list text wraps …
    assert ws.freeze_panes == f"A{top + 1}" and ws.auto_filter.ref == f"A{top}:H{top + 1}"  # … header kept


def test_record_xlsx_is_laid_out_like_its_pdf(signed_memo, demo, client_for):
    ws = workbook(english(client_for(demo["sales_head"])).get(record_url(signed_memo, "xlsx"))).active
    assert ws["A1"].value == "生产订单/计划表更改通知单" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A2"].value == "Production order / plan change notice"
    assert ws["A3"].value == "东莞市宁浩实业有限公司 Dongguan Ninghao Industrial Co., Ltd."
    assert ws["A4"].value.startswith(f"Document no. NH-QP14-03 · Version A · Record no. {signed_memo.number}")
    # Printed as the PDF: A4 landscape, one page wide, footer with document number, page x of y, record no.
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.oddFooter.left.text == "NH-QP14-03 · Version A"
    assert ws.oddFooter.center.text == "Page &P of &N"
    assert ws.oddFooter.right.text == signed_memo.number
    # The fields table: thin borders, wrapped text.
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    title_row = rows["Title"]
    for column in (1, 2, 3):
        cell = ws.cell(title_row, column)
        assert cell.border.left.style == cell.border.right.style == "thin"
        assert cell.border.top.style == cell.border.bottom.style == "thin"
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert ws.cell(title_row, 2).value == "2027 新价格表"
    assert ws.cell(title_row, 3).value.startswith("2027 价格表 → 2027 新价格表")
    header = rows["Field"]
    assert [ws.cell(header, c).value for c in (1, 2, 3)] == ["Field", "Value", "Changes (struck through on paper)"]
    assert ws.cell(header, 1).font.b and ws.cell(header, 1).border.bottom.style == "thin"
    # The signature boxes: each box, signed or empty, a bordered row with room to sign.
    signatures = rows["Signature"]
    assert [ws.cell(signatures, c).value for c in range(1, 6)] == ["Signature", "Name", "Position", "Date", "Opinion"]
    boxes = [ws.cell(r, 1).value for r in range(signatures + 1, ws.max_row + 1)]
    assert boxes == ["编制 Prepared", "审核 Reviewed", "批准 Approved", "总经理批准 GM approved"]
    gm_row = signatures + 4
    assert ws.cell(gm_row, 2).value == demo["gm"].signature_name and ws.cell(gm_row, 4).is_date
    assert ws.cell(gm_row, 4).number_format == "yyyy-mm-dd"
    assert ws.cell(gm_row, 5).border.right.style == "thin" and ws.row_dimensions[gm_row].height == 30
