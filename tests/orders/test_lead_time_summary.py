"""The lead-time line under the BOM, on the order page and on its review sheet (PDF and Excel): what it
still waits for while lead times are missing, "0 days" when nothing is bought or outsourced."""

import io
from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orders import services
from tests.sheets.conftest import pdf_text

from .conftest import PO_DATE, reload

pytestmark = pytest.mark.django_db


def summaries(client, order) -> dict[str, str]:
    """The summary as the order page, the PDF and the workbook show it."""
    page = lxml.html.fromstring(client.get(order.get_absolute_url()).content.decode())
    shown = {"page": " ".join(page.xpath("//*[@id='lead-time-summary']")[0].text_content().split())}
    pdf = client.get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"}))
    shown["pdf"] = " ".join(pdf_text(pdf.content).split())
    xlsx = client.get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"}))
    data = b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content
    cells = [c.value for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    shown["xlsx"] = " | ".join(v for v in cells if isinstance(v, str))
    return shown


def in_review(demo, make_order, flow):
    return flow.go(flow.go(make_order(), "submit", "sales"), "start_review", "planner")


def bom(demo, order, *rows):
    services.bom_save(
        order=order,
        user=demo["engineer"],
        rows=[{"part_number": p, "quantity_per_unit": Decimal("1"), "source": s} for p, s in rows],
    )
    return reload(order)


def test_before_the_bom_the_summary_waits_for_engineering(demo, make_order, flow, client_for):
    order = in_review(demo, make_order, flow)
    for where, text in summaries(client_for(demo["engineer"]), order).items():
        assert "Material lead time: waiting for Engineering's BOM." in text, where
        assert "0 days" not in text, where


def test_missing_lead_times_are_named_not_counted_as_zero(demo, make_order, flow, client_for):
    order = bom(demo, in_review(demo, make_order, flow), ("PCB-1", "buy"), ("HSG-1", "make"), ("SPR-1", "outsource"))
    client = client_for(demo["planner"])
    for where, text in summaries(client, order).items():
        assert (
            "Material lead time: waiting for Purchasing, the lead times of PCB-1, SPR-1 are not given yet." in text
        ), where
        assert "0 days" not in text, where
    pcb = order.bom_lines.get(part_number="PCB-1")
    services.lead_times_save(order=order, user=demo["buyer"], lead_times={pcb.pk: (21, "")})
    for where, text in summaries(client, reload(order)).items():
        assert "waiting for Purchasing, the lead time of SPR-1 is not given yet." in text, where
    spr = order.bom_lines.get(part_number="SPR-1")
    services.lead_times_save(order=reload(order), user=demo["buyer"], lead_times={spr.pk: (14, "")})
    earliest = (PO_DATE + timedelta(days=21)).isoformat()
    for where, text in summaries(client, reload(order)).items():
        assert f"Longest material lead time: 21 days; earliest delivery without a justification: {earliest}." in text, (
            where
        )


def test_nothing_bought_needs_no_lead_time_and_says_zero_days(demo, make_order, flow, client_for):
    order = bom(demo, in_review(demo, make_order, flow), ("HSG-1", "make"))
    for where, text in summaries(client_for(demo["planner"]), order).items():
        assert (
            "Nothing is bought or outsourced: no material lead time (0 days); earliest delivery without a "
            f"justification: {PO_DATE.isoformat()}." in text
        ), where
        assert "waiting" not in text, where
