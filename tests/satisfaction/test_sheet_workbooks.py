"""The surveys' workbooks: what respondents type stays text; the sheets carry what their PDFs carry."""

import re
import zipfile
from io import BytesIO

from django.test import Client
from openpyxl import load_workbook

from satisfaction.demo import DEMO_TITLE
from satisfaction.models import Campaign

from .conftest import ticks_for

COMMENT = '=1+1 and the delivery notes =HYPERLINK("http://evil.example","x")'
SIGNED = "@Ms. Weber -QA"


def _content(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _no_formula(data: bytes) -> bool:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return re.search(rb"<f[\s>/]", z.read("xl/worksheets/sheet1.xml")) is None


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_an_anonymous_respondents_formula_like_comment_stays_text(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    recipient = campaign.recipients.get(customer__code="C001")
    # The customer answers through their link, without logging in.
    data = {f"aspect_{aspect}": tick for aspect, tick in ticks_for(campaign, 1).items()}
    data.update(comments=COMMENT, signed_name=SIGNED)
    answered = Client().post(recipient.public_url(), data)
    assert answered.status_code == 302, answered.content[:500]
    client = client_for(demo["sales"])
    for url in (
        f"/surveys/{campaign.pk}/answers/{recipient.pk}/form.xlsx",  # the filled-in form
        f"/surveys/{campaign.pk}/statistics.xlsx",  # the statistics sheet, comments per customer
    ):
        content = _content(client.get(url))
        ws = load_workbook(BytesIO(content)).active
        cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert COMMENT in cells, url
        assert cells[COMMENT].data_type == "s", url
        assert _no_formula(content), url
    form = load_workbook(BytesIO(_content(client.get(f"/surveys/{campaign.pk}/answers/{recipient.pk}/form.xlsx"))))
    signature = next(c for row in form.active.iter_rows() for c in row if c.value == SIGNED)
    assert signature.data_type == "s"


def test_statistics_workbook_carries_what_its_pdf_carries(survey_demo, demo, client_for):
    campaign = Campaign.objects.get(title=DEMO_TITLE)
    ws = load_workbook(
        BytesIO(_content(english(client_for(demo["qa"])).get(f"/surveys/{campaign.pk}/statistics.xlsx")))
    ).active
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    first = [r[0] for r in rows]
    assert first[:2] == ["顾客满意度调查统计表", "Customer satisfaction survey statistics"]
    assert first[3].startswith(f"Document no. NH-QP14-06 · Version A · Record no. {campaign.number}")
    # The survey itself (the PDF prints its period and title) and the survey it is compared with.
    fields = {r[0]: r[1] for r in rows}
    assert fields["Title"] == DEMO_TITLE and fields["Period surveyed"] == campaign.period
    previous = next(r for r in rows if r[0] == "Previous survey" and r[1])
    assert previous[1].startswith("MY-") and previous[1] != campaign.number
    # The band legend printed under the PDF's summary.
    legend = first.index("Bands (4.7.3), decided on the total as shown (one decimal)")
    assert rows[legend + 1][1] == "90 ≤ total ≤ 100" and "Very satisfied" in rows[legend + 1][0]
    # Answers below "satisfied" marked as in the PDF (bold red).
    c002 = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "C002")
    below = campaign.recipients.get(customer__code="C002").response.answers.filter(below_satisfied=True).count()
    low = [ws.cell(c002, c) for c in range(3, 3 + campaign.aspects.count()) if ws.cell(c002, c).font.b]
    assert below and len(low) == below
    assert all(cell.font.color.rgb.endswith("BB0000") and cell.value < 70 for cell in low)
    # Printed like the PDF; the tables bordered, their text wrapped; the signature boxes at the end.
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.cell(c002, 1).border.top.style == "thin" and ws.cell(c002, 2).alignment.wrap_text
    signatures = first.index("Signature")
    assert [r[0] for r in rows[signatures + 1 :]] == ["编制 Prepared", "批准 Approved"]
    assert all(r[1] for r in rows[signatures + 1 :])  # both signed in the demo


def test_survey_form_workbook_has_the_bilingual_letterhead_and_print_setup(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    ws = load_workbook(
        BytesIO(_content(english(client_for(demo["sales"])).get(f"/surveys/{campaign.pk}/form.xlsx")))
    ).active
    first = [ws.cell(r, 1).value for r in range(1, 5)]
    assert first[:3] == [
        "顾客满意度调查表",
        "Customer satisfaction survey form",
        "东莞市宁浩实业有限公司 Dongguan Ninghao Industrial Co., Ltd.",
    ]
    assert first[3] == f"文件编号 Doc. no. NH-QP14-05 · 版本 Version A · 编号 No. {campaign.number}"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页 · Page &P of &N"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "序号 No.")
    assert ws.cell(header + 1, 2).border.left.style == "thin" and ws.cell(header + 1, 2).alignment.wrap_text
