"""The management review report (NH-QP14-27: ISO 9001 §9.3 input, customer service) and the customer
dossier (NH-QP14-26), as PDF and Excel on the letterhead: the same panels as the pages, the same SVG
charts in the PDF, the charts' figures as tables in the workbook (every str stored as text)."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from nhcs.sheets.excel_text import new_workbook, save_workbook
from nhcs.sheets.export import render_pdf_bytes, sheet_context, xlsx_response
from nhcs.sheets.xlsx_record import (
    letterhead_lines,
    note,
    print_setup,
    section,
    set_widths,
    table_header,
    table_row,
    write_letterhead,
)
from nhcs.sheets.xlsx_record import sheet_title as sheet_title_for_excel

REPORT_FORM = "management_review"
DOSSIER_FORM = "customer_dossier"


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (int, float, date)):
        return value
    return str(value)


def report_pdf(*, request, panels, start, end, customer) -> bytes:
    context = sheet_context(
        form_key=REPORT_FORM,
        request=request,
        record_number=f"{start:%Y-%m-%d} – {end:%Y-%m-%d}",
        panels=panels,
        start=start,
        end=end,
        customer=customer,
    )
    return render_pdf_bytes("dashboard/report_pdf.html", context)


def dossier_pdf(*, request, panels, customer) -> bytes:
    context = sheet_context(
        form_key=DOSSIER_FORM, request=request, record_number=customer.code, panels=panels, customer=customer
    )
    return render_pdf_bytes("dashboard/dossier_pdf.html", context)


def write_panels(ws, panels) -> None:
    for panel in panels:
        section(ws, str(panel.title))
        for warning in panel.warnings:
            note(ws, str(warning))
        if panel.figures:
            table_header(ws, _("Figure"), _("Value"), _("Unit"), _("Note"))
            for f in panel.figures:
                table_row(ws, [str(f.label), _cell(f.value), f.unit or None, str(f.note) if f.note else None])
        for table in panel.tables:
            note(ws, str(table.title))
            table_header(ws, *[str(c) for c in table.columns])
            for row in table.rows:
                table_row(ws, [_cell(c) for c in row.cells])
            if not table.rows and table.empty:
                note(ws, str(table.empty))
        for chart in panel.charts:
            note(ws, str(chart.title))
            table_header(ws, _("Category"), _("Value"))
            for label, value in chart.data:
                table_row(ws, [str(label), _cell(value)])


def report_xlsx(*, request, panels, start, end, customer, filename: str):
    context = sheet_context(form_key=REPORT_FORM, request=request, record_number=f"{start:%Y-%m-%d} – {end:%Y-%m-%d}")
    wb = new_workbook()
    ws = wb.active
    ws.title = sheet_title_for_excel(context["form"].title_zh)
    extra = [_("Period: %(start)s – %(end)s") % {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}]
    if customer is not None:
        extra.append(_("Customer: %(customer)s") % {"customer": f"{customer.code} {customer.display_name}"})
    write_letterhead(ws, letterhead_lines(context, extra))
    set_widths(ws, {"A": 44, "B": 16, "C": 14, "D": 40, "E": 14, "F": 14})
    ws.append([])
    write_panels(ws, panels)
    print_setup(ws, context=context, landscape=False)
    fh = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        save_workbook(wb, fh)
    except BaseException:
        fh.close()
        raise
    return xlsx_response(fh, filename)
