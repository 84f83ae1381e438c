"""The survey's record sheets: the form (blank, addressed, filled) and the statistics sheet, in Excel and PDF."""

import shutil
import subprocess
from io import BytesIO

from django.test import Client
from openpyxl import load_workbook

from satisfaction.demo import DEMO_TITLE
from satisfaction.models import Campaign
from tests.sheets.conftest import embedded_fonts, pdf_text, write_artifact


def _text(data):
    return "".join(pdf_text(data).split())


def test_statistics_sheet_pdf_and_xlsx(survey_demo, demo, client_for):
    campaign = Campaign.objects.get(title=DEMO_TITLE)
    client = client_for(demo["qa"])
    pdf = client.get(f"/surveys/{campaign.pk}/statistics.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    text = _text(data)
    assert "顾客满意度调查统计表" in text and campaign.number in text
    assert "70.4" in text and "100.0%" in text  # mean total and response rate
    assert "88.8" in text and "56.3" in text  # per customer totals
    assert "李营销经理" in text and "王销售" in text  # 批准 by the head of Sales, 编制 by Sales
    assert all(embedded for _name, embedded in embedded_fonts(data))
    assert b"<svg" not in data  # charts were drawn into the PDF, not left as markup
    if shutil.which("pdftoppm"):
        pdf_path = write_artifact("survey-statistics.pdf", data)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf_path),
                str(pdf_path.with_name("survey-statistics-p1")),
            ],
            check=True,
        )
    xlsx = client.get(f"/surveys/{campaign.pk}/statistics.xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
    ws = wb.active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    flat = [v for row in values for v in row if v is not None]
    assert any(isinstance(v, str) and "顾客满意度调查统计表" in v for v in flat)
    mean_row = next(row for row in values if row[0] in ("Mean total", "平均总分") or (row[1] == 70.4))
    assert 70.4 in mean_row
    customer_row = next(row for row in values if row[0] == "C001")
    assert 88.8 in customer_row and any(isinstance(v, str) and v.startswith("比较满意") for v in customer_row)


def test_filled_form_pdf_and_xlsx(demo, client_for, sent_campaign, answer_online):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C003")
    answer_online(r, [0, 1, 2, 3, 4, 0, 1, 2], signed_name="Ms. Weber", comments="Faster replies please")
    client = client_for(demo["sales"])
    pdf = client.get(f"/surveys/{campaign.pk}/answers/{r.pk}/form.pdf")
    assert pdf.status_code == 200
    data = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    write_artifact("survey-form-filled.pdf", data)
    text = pdf_text(data)
    assert "顾客满意度调查表" in text and "Ms. Weber" in text and "Faster replies please" in text
    assert "Bosch" in text and text.count("√") >= 8
    xlsx = client.get(f"/surveys/{campaign.pk}/answers/{r.pk}/form.xlsx")
    ws = load_workbook(BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    quality = next(row for row in rows if isinstance(row[1], str) and row[1].startswith("产品质量"))
    assert quality[2] == "√" and quality[3:7] == (None, None, None, None)
    packaging = next(row for row in rows if isinstance(row[1], str) and row[1].startswith("包装"))
    assert packaging[4] == "√"
    # (100 + 85 + 70 + 50 + 20 + 100 + 85 + 70) / 8 = 72.5, a number in the workbook
    r.refresh_from_db()
    assert r.response.total == 72.5
    assert any(row[1] == 72.5 and isinstance(row[1], float) for row in rows)


def test_blank_and_letter_forms(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    client = client_for(demo["sales"])
    blank = client.get(f"/surveys/{campaign.pk}/form.pdf")
    assert blank.status_code == 200 and "产品质量" in pdf_text(blank.content)
    assert client.get(f"/surveys/{campaign.pk}/form.xlsx").status_code == 200
    letters = client.get(f"/surveys/{campaign.pk}/letters.pdf")
    assert letters.status_code == 200
    text = pdf_text(letters.content)
    # C002 by fax and C004 by letter get a form addressed to them; the e-mail customers do not
    assert "东莞长安精密五金厂" in text and "Hong Kong United Trading" in text and "华强" not in text


def test_sheet_permissions(demo, client_for, sent_campaign, answer_online):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C001")
    answer_online(r, 1)
    urls = [
        f"/surveys/{campaign.pk}/statistics.pdf",
        f"/surveys/{campaign.pk}/statistics.xlsx",
        f"/surveys/{campaign.pk}/form.pdf",
        f"/surveys/{campaign.pk}/letters.pdf",
        f"/surveys/{campaign.pk}/answers/{r.pk}/form.pdf",
        f"/surveys/{campaign.pk}/answers/{r.pk}/form.xlsx",
    ]
    for url in urls:
        assert Client().get(url).status_code == 302, url  # to the login page
    from nhcs.accounts.models import User

    outsider = User.objects.create_user("outsider", password="x")  # no department: sees no survey
    for url in urls:
        assert client_for(outsider).get(url).status_code == 404, url
    assert client_for(demo["sales"]).get(f"/surveys/{campaign.pk}/statistics.doc").status_code == 404


def _rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(BytesIO(content)).active
    return list(ws.iter_rows(values_only=True))


def test_list_exports_with_filters(survey_demo, demo, client_for, sent_campaign):
    sent_campaign(title="current survey")
    client = client_for(demo["qa"])
    rows = _rows(client.get("/surveys/export.xlsx"))
    numbers = [row[0] for row in rows if isinstance(row[0], str) and row[0].startswith("MY-")]
    assert len(numbers) == 3  # the two demo surveys and this one
    demo_row = next(row for row in rows if row[1] == DEMO_TITLE)
    assert demo_row[6] == 4 and demo_row[7] == 4  # customers surveyed and answers, as numbers
    assert hasattr(demo_row[4], "year")  # sent on, a date
    filtered = _rows(client.get("/surveys/export.xlsx?state=sent"))
    assert [row[1] for row in filtered if isinstance(row[0], str) and row[0].startswith("MY-")] == ["current survey"]
    assert client.get("/surveys/export.xlsx?state=nonsense").status_code == 400
    pdf = client.get("/surveys/export.pdf")
    assert pdf.status_code == 200 and "顾客满意度调查一览表" in _text(pdf.content)
    items = _rows(client.get("/actions/export.xlsx?source_kind=survey_answer"))
    header = next(row for row in items if row[0] in ("Number", "编号"))
    assert len(header) == 13 and header[7] in ("Score", "得分", "分数")
    demo_items = [row for row in items if isinstance(row[0], str) and row[0].startswith("CA-")]
    # 2024: C002 two aspects at 不太满意; 2025: C002 four aspects and its total 56.3, C004 six aspects and 51.3
    assert len(demo_items) == 2 + 5 + 7
    assert all(isinstance(row[7], (int, float)) for row in demo_items)
    assert client.get("/actions/export.pdf?state=open").status_code == 200


def test_list_export_permissions(demo, client_for):
    from nhcs.accounts.models import User

    outsider = User.objects.create_user("outsider2", password="x")
    for url in ["/surveys/export.xlsx", "/actions/export.pdf"]:
        assert Client().get(url).status_code == 302
        assert client_for(outsider).get(url).status_code == 404
