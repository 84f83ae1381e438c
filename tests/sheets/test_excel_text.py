"""Every text reaches a workbook as exactly that text, never as a formula — both writers, any Unicode.

How the round trip is read: openpyxl's reader (3.1, see openpyxl/worksheet/_reader.py `parse_cell` and
openpyxl/cell/text.py) returns an inline string's stored text as it is in the file: it decodes neither
"_xHHHH_" escapes nor anything else. Excel and LibreOffice do decode them (OOXML ST_Xstring), so what a
user sees in Excel is openpyxl's stored text passed through `openpyxl.utils.escape.unescape`, the
library's own decoder of those escapes. These tests read workbooks that way, with openpyxl's functions
only, so they do not trust the writer's own escaping code.
"""

import datetime
import re
import zipfile
from io import BytesIO
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from nhcs.sheets.declarations import Column, RecordSheet
from nhcs.sheets.export import write_list_xlsx, write_record_xlsx

LIMIT = 32767
MARK = "…[已截断 truncated]"

FRAGMENTS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "_x0041_",
    "_x005F_",
    "_X0041_",
    "_x005f_x0041_",
    "_x00",
    "_x12G4_",
    "_",
    "x0041_",
    "\x00",
    "\x07",
    "\x0b",
    "\x1f",
    "\x7f",
    "\x85",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
    "😀",
    "𝕏",
    "\u202e",
    "مرحبا بالعالم",
    "שלום",
    "<",
    "&amp;",
    "]]>",
    " ",
    "\u3000",
    "#N/A",
    "#DIV/0!",
    '=HYPERLINK("http://evil.example/","点这里")',
    "=1+1",
    "顾客满意度",
]

short_texts = st.lists(st.one_of(st.text(max_size=25), st.sampled_from(FRAGMENTS)), max_size=10).map("".join)
long_texts = st.builds(
    lambda head, unit, n: head + unit * n,
    short_texts,
    st.sampled_from(["a", "😀", "_x0041_", "\x07", "中", "=\r"]),
    st.integers(4_000, 34_000),
)
texts = st.one_of(short_texts, short_texts, short_texts, long_texts)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def assert_shown_as(shown, original: str) -> None:
    """Excel shows the original text, or — above 32,767 UTF-16 units — its beginning and the mark."""
    if original == "":
        assert shown in (None, "")
        return
    if utf16(original) <= LIMIT:
        assert shown == original
        return
    assert shown.endswith(MARK), shown[-40:]
    kept = shown[: -len(MARK)]
    assert original.startswith(kept)
    assert LIMIT - 1 <= utf16(shown) <= LIMIT  # as much as fits (an astral character may leave one unit)


def sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def assert_no_formula(data: bytes, ws) -> None:
    assert re.search(rb"<f[\s>/]", sheet_xml(data)) is None
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (cell.coordinate, cell.data_type)


def test_the_truncation_mark_is_the_one_documented():
    from nhcs.sheets.excel_text import MAX_CELL_CHARS, TRUNCATION_MARK

    assert (TRUNCATION_MARK, MAX_CELL_CHARS) == (MARK, LIMIT)


def test_openpyxl_reads_inline_strings_undecoded():
    """The premise of the decoding above, checked on openpyxl's own writer and reader."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "_x0041_"
    out = BytesIO()
    wb.save(out)
    assert b"<t>_x0041_</t>" in sheet_xml(out.getvalue())
    assert load_workbook(BytesIO(out.getvalue())).active["A1"].value == "_x0041_"
    assert unescape("_x0041_") == "A"  # … which Excel would show


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
@settings(max_examples=40, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=6), title=short_texts, label=short_texts)
def test_list_writer_keeps_any_text_as_text(engine, values, title, label):
    columns = [Column("text", label or "T"), Column("n", "N", kind="number"), Column("day", "D", kind="date")]
    rows = [SimpleNamespace(text=v, n=i, day=datetime.date(2026, 1, 1 + i)) for i, v in enumerate(values)]
    out = BytesIO()
    count = write_list_xlsx(out=out, columns=columns, objects=rows, title_rows=[title or "x", "y"], engine=engine)
    data = out.getvalue()
    ws = load_workbook(BytesIO(data)).active
    assert count == len(values)
    assert_shown_as(unescape(ws["A1"].value), title or "x")
    assert_shown_as(unescape(ws["A3"].value), label or "T")
    for i, original in enumerate(values):
        cell = ws.cell(4 + i, 1)
        assert_shown_as(None if cell.value is None else unescape(cell.value), original)
        # Numbers and dates declared as such stay numbers and dates.
        assert ws.cell(4 + i, 2).value == i and ws.cell(4 + i, 2).data_type == "n"
        assert ws.cell(4 + i, 3).is_date
    assert_no_formula(data, ws)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=6), title=short_texts)
def test_record_sheets_keep_any_text_as_text(values, title):
    """A record sheet's builder writes with ws.append, ws.cell and ws[...] = : every str stays text."""
    from django.utils import timezone

    from nhcs.sheets.models import CompanySettings, FormSetting

    where = []

    def builder(*, ws, record, context, request):
        for i, text in enumerate(values):
            row = ws.max_row + 1
            if i % 3 == 0:
                ws.append([text, i])
                row = ws.max_row
            elif i % 3 == 1:
                ws.cell(row=row, column=1, value=text)
                ws.cell(row=row, column=2, value=i)
            else:
                ws[f"A{row}"] = text
                ws[f"B{row}"] = i
            where.append(row)

    context = {
        "company": CompanySettings(name_zh="公司", name_en="Company"),
        "form": FormSetting(key="k", title_zh=title, title_en="T", document_number="NH-1", version="A"),
        "record_number": "R-1",
        "generated_at": timezone.localtime(),
        "user": None,
        "fields": [],
        "signature_boxes": [],
    }
    out = BytesIO()
    sheet = RecordSheet("k", "sheets/pdf/record.html", xlsx_builder=builder)
    write_record_xlsx(out=out, sheet=sheet, record=None, context=context)
    data = out.getvalue()
    ws = load_workbook(BytesIO(data)).active
    assert_shown_as(unescape(ws["A1"].value), title or "T")
    for i, (row, original) in enumerate(zip(where, values)):
        cell = ws.cell(row, 1)
        assert_shown_as(None if cell.value is None else unescape(cell.value), original)
        assert ws.cell(row, 2).value == i
    assert_no_formula(data, ws)


def test_record_fields_with_formula_like_and_control_text_stay_text(demo):
    """The default record layout (fields and their changes) on the real memo sheet."""
    from django.test import RequestFactory

    from nhcs.sheets.export import export_record
    from nhcs.workflow import services
    from tests.flowtest.models import Memo
    from tests.flowtest.sheets import MEMO_RECORD

    title, body = '=HYPERLINK("http://evil.example/","x")', "@cmd\x07\r\n_x0041_ -1+2"
    memo = services.record_create(model=Memo, user=demo["sales"], data={"title": title, "body": body})
    request = RequestFactory().get("/")
    request.user = demo["qa"]
    response = export_record(request=request, sheet=MEMO_RECORD, record=memo, fmt="xlsx")
    data = b"".join(response.streaming_content)
    ws = load_workbook(BytesIO(data)).active
    cells = {unescape(c.value): c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert title in cells and body in cells
    assert cells[title].data_type == "s" and cells[body].data_type == "s"
    assert_no_formula(data, ws)
