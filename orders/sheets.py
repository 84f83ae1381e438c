"""Record sheets of the orders area: 产品需求计划表, 生产计划及评审明细表 and the certified-data letter.

Each sheet is declared as a title, columns and rows (plain values), and rendered to Excel (openpyxl) or
PDF (WeasyPrint from the template orders/sheet_pdf.html). The declarations are kept apart from the
rendering so that they can move onto the shared record-sheet mechanism (nhcs.sheets) unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ReviewStep
from .models import Order
from .selectors import review_rows


@dataclass
class Sheet:
    title: str
    columns: list[str]
    # (group heading or "", rows); a heading groups the rows under it (e.g. a delivery month).
    groups: list[tuple[str, list[list[Any]]]]
    subtitle: str = ""
    signatures: list[str] = field(default_factory=list)
    landscape: bool = True
    # Indexes of columns that get more room (long texts such as sign-offs).
    wide: frozenset[int] = frozenset()


def _qty(value):
    """A quantity as it is written: 8000, not 8000.000."""
    return int(value) if value == value.to_integral_value() else value.normalize()


def _money(value):
    return None if value is None else value.quantize(Decimal("0.01"))


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def _d(value) -> str:
    return value.isoformat() if value else ""


def demand_plan(orders: list[Order], *, show_prices: bool) -> Sheet:
    """产品需求计划表: every order line, grouped by the month of its requested delivery."""
    columns = [_("Order number"), _("Customer"), _("PO number"), _("Part number"), _("Description"),
               _("Quantity"), _("Unit")]
    if show_prices:
        columns += [_("Unit price"), _("Currency"), _("Amount")]
    columns += [_("Requested delivery"), _("Committed date"), _("State")]
    lines = []
    for order in orders:
        for line in order.lines.all():
            lines.append((line.requested_date, order, line))
    lines.sort(key=lambda t: (t[0], t[1].number, t[2].pk))
    groups = []
    for month, items in groupby(lines, key=lambda t: t[0].strftime("%Y-%m")):
        rows = []
        for _when, order, line in items:
            row = [order.number, order.customer.code, order.po_number, line.part_number, line.description,
                   _qty(line.quantity), line.unit]
            if show_prices:
                row += [line.unit_price, line.currency, _money(line.amount)]
            row += [_d(line.requested_date), _d(order.committed_date), order.state_label]
            rows.append(row)
        groups.append((_("Delivery month %(month)s") % {"month": month}, rows))
    return Sheet(
        title="产品需求计划表",
        subtitle=_("Product demand plan, printed %(date)s") % {"date": timezone.localdate().isoformat()},
        columns=columns,
        groups=groups,
        signatures=[_("Prepared by (Sales)"), _("Received by (Planning & Logistics)")],
    )


def review_detail(orders: list[Order]) -> Sheet:
    """生产计划及评审明细表: each order with its review opinions, sign-offs, replied and re-confirmed dates."""
    extra = review_rows(orders)
    steps = list(ReviewStep)
    columns = [_("Order number"), _("Customer"), _("PO number"), _("PO date"), _("Lines"),
               *[str(s.label) for s in steps], _("Sign-offs"), _("Replied delivery date"),
               _("Re-confirmed with the customer on"), _("State")]
    rows = []
    for order in orders:
        info = extra[order.pk]
        latest = {}
        for task in info["opinions"]:
            latest[task.step] = task  # the latest round wins
        opinion_cells = []
        for step in steps:
            task = latest.get(step.value)
            opinion_cells.append(
                f"{task.get_outcome_display()} · {task.completed_by} · {_day(task.completed_at)}"
                + (f"\n{task.comment}" if task.comment else "")
                if task else ""
            )
        signoffs = "\n".join(
            f"{s.get_action_display()} · {s.user} · {_day(s.signed_at)}" for s in info["signoffs"]
        )
        line_text = "\n".join(f"{line.part_number} × {_qty(line.quantity)} {line.unit}" for line in order.lines.all())
        rows.append([order.number, order.customer.code, order.po_number, _d(order.po_date), line_text,
                     *opinion_cells, signoffs, _d(order.committed_date), _d(order.confirmed_on), order.state_label])
    return Sheet(
        title="生产计划及评审明细表",
        subtitle=_("Production plan & review detail sheet, printed %(date)s") % {"date": timezone.localdate().isoformat()},
        columns=columns,
        groups=[("", rows)],
        signatures=[_("Planning & Logistics"), _("Sales & Marketing")],
        wide=frozenset({4, 5 + len(steps)}),
    )


# --- rendering ----------------------------------------------------------------------------------------


def to_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title[:31]
    ws.append([sheet.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([sheet.subtitle])
    ws.append([])
    ws.append(sheet.columns)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for heading, rows in sheet.groups:
        if heading:
            ws.append([heading])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        for row in rows:
            ws.append([_plain(v) for v in row])
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append([f"{s}: ____________    {_('Date')}: ________" for s in sheet.signatures])
    for index in range(1, len(sheet.columns) + 1):
        ws.column_dimensions[ws.cell(4, index).column_letter].width = 34 if index - 1 in sheet.wide else 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plain(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else value


def to_pdf(sheet: Sheet) -> bytes:
    html = render_to_string("orders/sheet_pdf.html", {"sheet": sheet})
    return _pdf(html)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def discrepancy_letter_pdf(*, order: Order) -> bytes:
    """The written report to the customer on a requirement that departs from its certified data (4.1.3)."""
    from django.utils import translation

    # Written in the customer's language.
    with translation.override(order.customer.language):
        html = render_to_string(
        "orders/discrepancy_letter.html",
        {
            "order": order,
            "customer": order.customer,
            "certificates": list(order.customer.certificates.all()),
            "today": timezone.localdate(),
        },
        )
    return _pdf(html)
