"""The streaming list writer against openpyxl's reader: types, styles, escaping, layout."""

import datetime
import re
import zipfile
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from nhcs.sheets.declarations import Column
from nhcs.sheets.export import write_list_xlsx

COLUMNS = [
    Column("text", "Text 文本"),
    Column("qty", "Quantity", kind="number"),
    Column("price", "Price", kind="money", width=11),
    Column("day", "Day", kind="date"),
    Column("at", "At", kind="datetime"),
    Column("ok", "OK", kind="bool"),
    Column("customer", "Customer", "customer.code"),
]


def rows():
    yield SimpleNamespace(
        text=" <a & b> \x07 ",
        qty=3,
        price=Decimal("1234.5"),
        day=datetime.date(2026, 11, 25),
        at=datetime.datetime(2026, 11, 25, 8, 30),
        ok=True,
        customer=SimpleNamespace(code="C001"),
    )
    yield SimpleNamespace(text="=1+1", qty=2.5, price=None, day=None, at=None, ok=False, customer=None)


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_values_types_and_layout(engine):
    out = BytesIO()
    count = write_list_xlsx(
        out=out,
        columns=COLUMNS,
        objects=rows(),
        title_rows=["公司 Title", "Doc no."],
        sheet_title="Sheet [1]: test/x",
        engine=engine,
    )
    assert count == 2
    ws = load_workbook(BytesIO(out.getvalue())).active
    assert ws.title == "Sheet 1 testx"
    assert ws["A1"].value == "公司 Title" and ws["A1"].font.b
    assert [c.value for c in ws[3]] == ["Text 文本", "Quantity", "Price", "Day", "At", "OK", "Customer"]
    assert ws["A3"].font.b
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:G5"
    assert ws.column_dimensions["C"].width == 11
    first = [c.value for c in ws[4]]
    # The control character is kept, as Excel's escape (which Excel decodes; openpyxl reads it as stored).
    assert unescape(first[0]) == " <a & b> \x07 "
    assert first[1:] == [
        3,
        1234.5,
        datetime.datetime(2026, 11, 25),
        datetime.datetime(2026, 11, 25, 8, 30),
        True,
        "C001",
    ]
    assert ws["C4"].number_format == "#,##0.00"
    assert ws["D4"].is_date and ws["D4"].number_format == "yyyy-mm-dd"
    assert ws["E4"].is_date
    second = [c.value for c in ws[5]]
    assert second == ["=1+1", 2.5, None, None, None, False, None]
    assert ws["A5"].data_type == "s"
    # Data text wraps and is top-aligned; numbers and dates keep their formats.
    assert ws["A4"].alignment.wrap_text and ws["A4"].alignment.vertical == "top"
    assert ws["G4"].alignment.wrap_text
    assert ws["C4"].alignment.vertical == "top"
    if engine == "stream":  # openpyxl would pay a style look-up per date cell
        assert ws["D4"].alignment.vertical == "top"
    assert not ws["B4"].alignment.wrap_text
    # Printed: landscape for 7 columns, one page wide, the header row repeated.
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_stream_writes_a_correct_dimension():
    out = BytesIO()
    write_list_xlsx(out=out, columns=COLUMNS, objects=rows(), title_rows=["T", "U"], engine="stream")
    with zipfile.ZipFile(BytesIO(out.getvalue())) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    # Two title rows, the header, two data rows; seven columns.
    assert re.search(r"<sheetPr>.*</sheetPr><dimension ref=\"A1:G5\"/><sheetViews>", xml)
    ws = load_workbook(BytesIO(out.getvalue()), read_only=True).active
    assert ws.calculate_dimension() == "A1:G5"
    assert (ws.max_row, ws.max_column) == (5, 7)
    empty = BytesIO()
    write_list_xlsx(out=empty, columns=COLUMNS[:2], objects=[], engine="stream")
    assert load_workbook(BytesIO(empty.getvalue()), read_only=True).active.calculate_dimension() == "A1:B1"


def test_empty_list_still_has_its_header_and_filter():
    out = BytesIO()
    assert write_list_xlsx(out=out, columns=COLUMNS, objects=[], title_rows=["T"]) == 0
    ws = load_workbook(BytesIO(out.getvalue())).active
    assert ws["A2"].value == "Text 文本" and ws.auto_filter.ref == "A2:G3"


def test_pdf_values_are_printed_as_written():
    from nhcs.sheets.export import display_value

    assert display_value(Decimal("8000.000"), "number") == "8000"
    assert display_value(Decimal("12.50"), "number") == "12.5"
    assert display_value(Decimal("1234.5"), "money").replace(",", "") == "1234.50"
    assert display_value(datetime.date(2026, 1, 2), "date") == "2026-01-02"
    assert display_value(None, "text") == "" and display_value("", "number") == ""
