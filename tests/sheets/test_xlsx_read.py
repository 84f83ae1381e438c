"""Imports that cannot be turned into bombs (nhcs.sheets.xlsx_read, used by the customer and shipment
imports): every malformed workbook gets a clear message, quickly, and nothing is written."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from nhcs.customers.models import Customer
from nhcs.sheets.xlsx_read import WorkbookRefused, first_sheet_rows
from orders.models import Shipment

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>{sheets}</sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>"""


def workbook(rows_xml: str, *, dimension: str = "", sheets: bool = True, extra: dict | None = None) -> bytes:
    """A hand-made .xlsx: its sheet's XML as given (a probe's file, byte for byte what a tool could send)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        sheet = '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>' if sheets else ""
        z.writestr("xl/workbook.xml", WORKBOOK.format(sheets=sheet))
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        z.writestr("xl/worksheets/sheet1.xml", SHEET.format(dimension=dim, rows=rows_xml))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def cells(row: int, values: list[str]) -> str:
    inner = "".join(f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{row}">{inner}</row>'


HEAD = cells(1, ["code", "name_zh"])
GOOD = HEAD + cells(2, ["B1", "炸弹客户"])


def billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'


def real_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["code", "name_zh"])
    wb.active.append(["B1", "炸弹客户"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# name: (bytes, what the message says)
BOMBS = {
    # The probe's 1.6 KB file: a declared size of a whole sheet, padded row by row (~40 s).
    "declared_whole_sheet": (workbook(GOOD, dimension="A1:XFD1048576"), "declares 1048576 rows"),
    # The ~30 minutes one: a last row at the bottom of the sheet, every row between padded.
    "row_at_the_bottom": (workbook(GOOD + cells(1048576, ["Z9", "x"])), "At most"),
    # Cells far to the right: read only as wide as an import may be.
    "wide_row": (
        workbook(HEAD + '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'),
        None,
    ),
    "zip_bomb": (workbook(GOOD, extra={"xl/media/padding.xml": " " * (8 * 1024 * 1024)}), "unpacks to"),
    "entity_bomb": (workbook(GOOD, extra={"xl/sharedStrings.xml": billion_laughs()}), "cannot be read"),
    "no_sheet": (workbook("", sheets=False), "no sheet"),
    "truncated": (real_xlsx()[:900], "cannot be read"),
    "not_a_zip": ("代码,名称\nB1,炸弹客户\n".encode(), "cannot be read"),
    "empty_file": (b"", "cannot be read"),
}


def upload(data: bytes, name="probe.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("kind", list(BOMBS))
def test_the_reader_refuses_or_bounds_every_malformed_workbook_quickly(kind):
    data, says = BOMBS[kind]
    # CPU time of this process, not the wall clock: other work on a loaded machine does not count.
    started = time.process_time()
    with translation.override("en"):
        if says is None:
            rows = first_sheet_rows(upload(data), max_rows=100)
            assert all(len(values) <= 256 for _n, values in rows)
        else:
            with pytest.raises(WorkbookRefused) as refused:
                first_sheet_rows(upload(data), max_rows=5000)
            assert says in refused.value.message
    assert time.process_time() - started < 5


def test_the_reader_stops_at_the_row_limit():
    rows = "".join(cells(n, [f"C{n}", "x"]) for n in range(1, 400))
    read = first_sheet_rows(upload(workbook(rows)), max_rows=100)
    assert len(read) == 102  # the headings, the limit, one more: the caller tells the user
    assert read[0] == (1, ("C1", "x", *([None] * 254)))


def test_the_reader_reads_a_real_workbook():
    read = first_sheet_rows(upload(real_xlsx()), max_rows=10)
    assert [(n, v[:2]) for n, v in read] == [(1, ("code", "name_zh")), (2, ("B1", "炸弹客户"))]


def expected(kind: str) -> str:
    # An empty upload is refused by the form's file field itself ("The submitted file is empty.").
    return "empty" if kind == "empty_file" else BOMBS[kind][1]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k, (_d, says) in BOMBS.items() if says])
def test_the_customer_import_refuses_each_with_a_message_and_writes_nothing(kind, demo, client_for):
    before = Customer.objects.count()
    client = client_for(demo["sales"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("customers:customer_import"), {"file": upload(BOMBS[kind][0])})
    assert response.status_code == 400
    assert expected(kind) in response.content.decode()
    assert Customer.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k, (_d, says) in BOMBS.items() if says])
def test_the_shipment_import_refuses_each_with_a_message_and_writes_nothing(kind, demo, client_for):
    client = client_for(demo["warehouse"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("orders:shipment_import"), {"file": upload(BOMBS[kind][0])})
    assert response.status_code == 400
    assert expected(kind) in response.content.decode()
    assert Shipment.objects.count() == 0
