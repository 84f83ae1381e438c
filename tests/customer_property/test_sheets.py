"""The register's sheets and labels: the register (filtered) and each item's card in Excel and PDF, the
labels with a QR code that opens the item (decoded here with zxing-cpp), formula-like text kept as text,
and constant queries on the pages."""

import io
import re
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from customer_property.labels import labels_pdf
from customer_property.models import PropertyItem
from customer_property.selectors import register_qs
from tests.sheets.conftest import pdf_text

from .conftest import reload

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/","点这里")'


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def pdf_pages_as_images(data: bytes, dpi: int = 200) -> list[Image.Image]:
    """Each page of a PDF rendered by poppler's pdftoppm, as it would print."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-", f"{folder}/page"], input=data, check=True)
        images = []
        for path in sorted(Path(folder).glob("page-*.png")):
            with Image.open(path) as image:
                images.append(image.copy())
        return images


def decoded(image) -> list[str]:
    return sorted(r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode)


def test_a_single_label_prints_the_item_and_its_qr_code_opens_it(demo, client_for, make_item, drive):
    item = drive.stored(make_item(name="Housing mold 4P"))
    response = client_for(demo["warehouse"]).get(f"/property/{item.pk}/label.pdf?size=single")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (item.number, "Housing mold 4P", "T001", "在库", "In storage"):
        assert expected in text, expected
    [page] = pdf_pages_as_images(response.content)
    assert page.width < page.height * 2  # 100 × 60 mm, one label
    assert decoded(page) == [f"{settings.SITE_URL}/property/{item.pk}/scan/"]
    # The address opens the phone page of the item.
    phone = client_for(demo["warehouse"]).get(f"/property/{item.pk}/scan/")
    assert phone.status_code == 200 and item.number in phone.content.decode()


def test_an_a4_sheet_holds_ten_labels_each_with_its_own_code(demo, client_for, make_item, drive):
    items = [make_item(name=f"Part {i}") for i in range(11)]
    pdf = labels_pdf(items=PropertyItem.objects.order_by("pk"), size="a4")
    pages = pdf_pages_as_images(pdf)
    assert len(pages) == 2
    codes = decoded(pages[0]) + decoded(pages[1])
    assert codes == sorted(f"{settings.SITE_URL}/property/{i.pk}/scan/" for i in items)
    assert all(i.number in pdf_text(pdf) for i in items)
    # The register's button prints the labels of the items listed (its filters kept).
    response = client_for(demo["sales"]).get("/property/labels.pdf?q=Part%2010")
    assert decoded(pdf_pages_as_images(response.content)[0]) == [f"{settings.SITE_URL}/property/{items[10].pk}/scan/"]


def test_an_obsolete_revision_says_so_on_its_label(demo, make_item, drive):
    old = drive.stored(make_item(kind="drawing", name="Drawing", quantity=Decimal(1), revision="B"))
    drive.accepted(make_item(kind="drawing", name="Drawing", quantity=Decimal(1), revision="C", supersedes=old))
    assert "OBSOLETE" in pdf_text(labels_pdf(items=register_qs().filter(pk=old.pk), size="single"))


def test_the_register_in_excel_and_pdf_with_its_filters_and_formula_like_text_as_text(
    demo, client_for, make_item, drive, customer
):
    stored = drive.stored(make_item(name=FORMULA, customer_asset_number="@SUM(A1)"))
    drive.move(stored, "issued", quantity=Decimal(40))
    make_item(kind="tooling", name="Fixture", quantity=Decimal(1))
    sales = client_for(demo["sales"])
    response = sales.get("/property/register.xlsx?kind=parts")
    data = content(response)
    ws = load_workbook(io.BytesIO(data)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "顾客财产登记表" in values[0] and any(isinstance(v, str) and "NH-QP14-07" in v for v in values)
    assert FORMULA in values and "@SUM(A1)" in values and "Fixture" not in values
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert re.search(rb"<f[\s>/]", z.read("xl/worksheets/sheet1.xml")) is None
    header = next(i for i, row in enumerate(ws.iter_rows(values_only=True)) if "Number" in row)
    row = [r for r in ws.iter_rows(values_only=True)][header + 1]
    columns = [c.value for c in ws[header + 1]]
    assert row[columns.index("In store")] == 60 and row[columns.index("At production")] == 40
    assert row[columns.index("Location")] == "R-01 Rack 01" and row[columns.index("Status")] == "In use"
    text = pdf_text(content(sales.get("/property/register.pdf?kind=parts")))
    assert stored.number in text and "Fixture" not in text
    assert client_for(demo["engineer"]).get("/property/register.xlsx").status_code == 404


def test_the_card_with_its_movement_and_status_logs(demo, client_for, make_item, drive):
    item = drive.stored(make_item(remarks=FORMULA))
    drive.move(item, "issued", quantity=Decimal(5), order_number="DD-2026-0042")
    client = client_for(demo["qa"])
    text = pdf_text(content(client.get(f"/property/{item.pk}/card.pdf")))
    for expected in (
        "顾客财产卡",
        "NH-QP14-12",
        item.number,
        "DD-2026-0042",
        "Issued to production",
        "In use",
        "Drawing 123",
    ):
        assert expected in text, expected
    data = content(client.get(f"/property/{item.pk}/card.xlsx"))
    ws = load_workbook(io.BytesIO(data)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert FORMULA in values and "Issued to production" in values and any("DD-2026-0042" in str(v) for v in values)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert re.search(rb"<f[\s>/]", z.read("xl/worksheets/sheet1.xml")) is None


def test_the_notices_are_letters_in_the_customers_language(demo, client_for, make_item, drive, customer):
    item = drive.rejected(make_item(), findings="锈蚀 Rusty")
    text = pdf_text(client_for(demo["sales"]).get(f"/property/{item.pk}/notice.pdf").content)
    assert "顾客财产不合格通知单" in text and "锈蚀 Rusty" in text and "退回" in text
    customer.language = "en"
    customer.save()
    text = pdf_text(client_for(demo["sales"]).get(f"/property/{item.pk}/notice.pdf").content)
    assert "Please tell us in writing how you wish us to proceed" in " ".join(text.split())
    # No nonconformity, no notice.
    assert client_for(demo["sales"]).get(f"/property/{drive.stored(make_item()).pk}/notice.pdf").status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("state", ["registered", "in_use", "customer_notified"])
def test_the_item_page_issues_a_constant_small_number_of_queries(demo, client_for, make_item, drive, mold_data, state):
    def build(n):
        item = make_item(**mold_data)
        if state == "in_use":
            item = drive.stored(item)
            for i in range(n):
                drive.move(item, "issued", quantity=Decimal(1), order_number=f"DD-{i}")
                drive.move(item, "shots", "mfg", shots=10)
                drive.move(item, "returned_from_production", "mfg", quantity=Decimal(1))
            drive.move(item, "issued", quantity=Decimal(1))
        if state == "customer_notified":
            item = drive.rejected(item)
            item = drive.go(item, "notify_customer", "sales", {"sent_on": timezone.localdate(), "channel": "email"})
        return reload(item)

    client = client_for(demo["warehouse"])
    few = _queries(client, build(1).get_absolute_url())
    many = _queries(client, build(6).get_absolute_url())
    assert few == many and many <= 20, (few, many)
    assert _queries(client, f"/property/{build(3).pk}/scan/") <= 20


def test_the_register_list_queries_do_not_grow_with_rows(demo, client_for, make_item, drive):
    client = client_for(demo["sales"])
    drive.stored(make_item())
    few = _queries(client, "/property/")
    for i in range(8):
        drive.stored(make_item(name=f"Item {i}"))
    assert _queries(client, "/property/") == few
