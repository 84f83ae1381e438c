"""Layout of record sheets in Excel (openpyxl): the letterhead, tables with thin borders and wrapped text,
signature boxes, and the print set-up of the PDFs (A4 landscape, one page wide, page x of y).

An area's `xlsx_builder(*, ws, record, context, request)` writes its body with these helpers below the
letterhead that nhcs.sheets.export wrote; `ws` is a TextWorksheet (nhcs.sheets.excel_text): every str
given to `ws.append`, `ws.cell` or the helpers here is stored as text, never as a formula.

    section(ws, gettext("Order lines"))                     # a bold heading line, a blank line above
    table_header(ws, gettext("Part number"), gettext("Quantity"))
    table_row(ws, [line.part_number, line.quantity], formats={2: "#,##0.###"})
    note(ws, "Longest material lead time: …")               # a line of text under a table
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8ECF2")  # the PDFs' table headers (#e8ecf2)
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
LOW_FONT = Font(bold=True, color="BB0000")  # the PDFs' "low" marks
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
# Column widths of a record sheet (characters), set before the body: a builder may change them.
WIDTHS = {"A": 24, "B": 36, "C": 40, "D": 16, "E": 18, "F": 14, "G": 14, "H": 14}
# Height (points) of a signature row: room to sign the printed sheet by hand.
SIGNATURE_ROW_HEIGHT = 30


def letterhead_lines(context: dict, extra: Sequence[str] = ()) -> list[str]:
    """The letterhead as lines of text, as the PDFs print it in every language: the Chinese title first,
    the English title beneath, the company (Chinese and English), then document number, version, record
    number and who printed it when."""
    company, form = context["company"], context["form"]
    lines = [form.title_zh or form.title_en or form.key]
    if form.title_en and form.title_en != lines[0]:
        lines.append(form.title_en)
    name = " ".join(x for x in (company.name_zh, company.name_en) if x)
    if name:
        lines.append(name)
    parts = []
    if form.document_number:
        parts.append(_("Document no. %(number)s") % {"number": form.document_number})
    if form.version:
        parts.append(_("Version %(version)s") % {"version": form.version})
    if context.get("record_number"):
        parts.append(_("Record no. %(number)s") % {"number": context["record_number"]})
    user = context.get("user")
    stamp = context["generated_at"].strftime("%Y-%m-%d %H:%M")
    if user is not None and getattr(user, "is_authenticated", False):
        parts.append(_("Printed %(when)s by %(user)s") % {"when": stamp, "user": user.signature_name})
    else:
        parts.append(_("Printed %(when)s") % {"when": stamp})
    return [*lines, " · ".join(parts), *extra]


def write_letterhead(ws, lines: Sequence[str]) -> None:
    for index, line in enumerate(lines, start=1):
        ws.cell(row=index, column=1, value=line).font = TITLE_FONT if index == 1 else BOLD


_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: 1 to 31 characters, none of []:*?/\\ or control characters, no
    apostrophe at either end."""
    cleaned = _NOT_IN_SHEET_NAMES.sub("", str(title)).strip().strip("'").strip()
    return cleaned[:31].rstrip("'") or "Sheet1"


def section(ws, title: str) -> int:
    """A bold heading line (after a blank line when the sheet already has content); returns its row."""
    if ws.max_row > 1 or ws.cell(1, 1).value is not None:
        ws.append([])
    ws.append([str(title)])
    row = ws.max_row
    ws.cell(row, 1).font = BOLD
    return row


def note(ws, text: str) -> int:
    ws.append([str(text)])
    return ws.max_row


def table_header(ws, *labels) -> int:
    ws.append([str(label) for label in labels])
    row = ws.max_row
    for column in range(1, len(labels) + 1):
        cell = ws.cell(row, column)
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.border = GRID
        cell.alignment = WRAP
    return row


def table_row(ws, values: Sequence, *, formats: dict[int, str] | None = None, fonts: dict | None = None) -> int:
    """A bordered, wrapped, top-aligned row of a table; `formats`/`fonts`: {column (1-based): number format/Font}.

    Dates get "yyyy-mm-dd" (datetimes "yyyy-mm-dd hh:mm") unless `formats` says otherwise."""
    values = list(values)
    ws.append(values)
    row = ws.max_row
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row, column)
        cell.border = GRID
        cell.alignment = WRAP
        if formats and column in formats:
            cell.number_format = formats[column]
        elif isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        if fonts and column in fonts:
            cell.font = fonts[column]
    return row


def signature_table(ws, boxes) -> None:
    """The signature boxes of the PDF as a table: one row per signature, an empty row to sign by hand
    where nobody has signed yet."""
    section(ws, _("Signatures"))
    table_header(ws, _("Signature"), _("Name"), _("Position"), _("Date"), _("Opinion"))
    for box in boxes:
        rows = []
        if not box.signatures:
            rows.append([str(box.label), None, None, None, None])
        for s in box.signatures:
            name = s.name + (" " + _("on behalf of %(name)s") % {"name": s.on_behalf_of} if s.on_behalf_of else "")
            position = " ".join(x for x in (s.department, s.position) if x)
            rows.append([str(box.label), name, position, s.date, s.outcome or None])
        for values in rows:
            row = table_row(ws, values, formats={4: DATE_FORMAT})
            ws.row_dimensions[row].height = SIGNATURE_ROW_HEIGHT


def _footer_text(text: str) -> str:
    return str(text).replace("&", "&&")


def print_setup(ws, *, context: dict | None = None, landscape: bool = True, page_label: str | None = None) -> None:
    """A4, landscape, fitted to one page wide (as many pages tall as needed); footer as the PDFs:
    document number and version, "page x of y" (`page_label` with {page} and {pages}, default in the
    user's language), record number."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    if context is None:
        return
    form = context["form"]
    left = " · ".join(
        x
        for x in (
            form.document_number,
            _("Version %(version)s") % {"version": form.version} if form.version else "",
        )
        if x
    )
    page = _footer_text(page_label or _("Page {page} of {pages}")).replace("{page}", "&P").replace("{pages}", "&N")
    footer = ws.oddFooter
    footer.left.text, footer.left.size = _footer_text(left), 8
    footer.center.text, footer.center.size = page, 8
    footer.right.text, footer.right.size = _footer_text(context.get("record_number") or ""), 8


def set_widths(ws, widths: dict[str, float] | None = None) -> None:
    for letter, width in (widths or WIDTHS).items():
        ws.column_dimensions[letter].width = width
