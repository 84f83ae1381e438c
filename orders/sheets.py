"""Record sheets of the orders area on the shared mechanism (nhcs.sheets):

- 产品需求计划表 (product demand plan): every order line, by month of requested delivery (a list);
- 生产计划及评审明细表 (production plan & review detail sheet): each order with its review opinions,
  sign-offs, replied and re-confirmed dates (a list), and the same for one order with its signature
  boxes (a record sheet, from the order page);
- the written report to the customer on a certified-data discrepancy (NH-QP14 4.1.3), a letter;
- 发货记录表 (shipment log): every delivery per order line, reversing entries included (a list).

Prices (unit price, currency, amount) are columns only users with `orders.view_prices` get, in both
formats.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox, choice_label
from nhcs.sheets.export import render_pdf_bytes, sheet_context, write_field_rows
from nhcs.sheets.xlsx_record import LOW_FONT, MONEY_FORMAT, note, section, table_header, table_row
from nhcs.workflow.choices import Action, TaskKind, TaskStatus
from nhcs.workflow.models import SignOff, Task

from .choices import OrderState, ReviewStep, ShipmentSource
from .models import Order
from .services import can_see_prices


def may_see_prices(user) -> bool:
    return bool(user) and can_see_prices(user)


def _qty(value):
    """A quantity as it is written: 8000, not 8000.000."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


# --- 产品需求计划表 ------------------------------------------------------------------------------------

DEMAND_PLAN = ListSheet(
    "product_demand_plan",
    [
        Column("month", _("Delivery month"), lambda line: f"{line.requested_date:%Y-%m}", width=10),
        Column("order", _("Order number"), "order.number", width=15),
        Column("customer", _("Customer"), "order.customer.code", width=10),
        Column("po", _("PO number"), "order.po_number", width=14),
        Column("part", _("Part number"), "part_number", width=16),
        Column("description", _("Description"), "description", width=22),
        Column("quantity", _("Quantity"), lambda line: _qty(line.quantity), kind="number"),
        Column("unit", _("Unit"), "unit", width=6),
        Column("unit_price", _("Unit price"), "unit_price", kind="number", visible=may_see_prices),
        Column("currency", _("Currency"), "currency", width=8, visible=may_see_prices),
        Column("amount", _("Amount"), "amount", kind="money", visible=may_see_prices),
        Column("requested", _("Requested delivery"), "requested_date", kind="date"),
        Column("committed", _("Committed date"), "order.committed_date", kind="date"),
        Column("state", _("State"), choice_label("order.state", OrderState.choices), width=16),
    ],
    pdf_template="orders/sheets/demand_plan.html",
    landscape=True,
)


def demand_plan_queryset():
    from .models import OrderLine

    return OrderLine.objects.select_related("order__customer").order_by("requested_date", "order__number", "pk")


# --- 生产计划及评审明细表 -------------------------------------------------------------------------------


def _latest_opinion(order, step: str):
    done = [t for t in order.tasks.all() if t.kind == TaskKind.STEP and t.step == step and t.status == TaskStatus.DONE]
    return done[-1] if done else None


def _opinion_text(order, step: str) -> str:
    task = _latest_opinion(order, step)
    if task is None:
        return ""
    text = f"{task.get_outcome_display()} · {task.completed_by} · {_day(task.completed_at)}"
    return f"{text} · {task.comment}" if task.comment else text


def _signoff_text(order) -> str:
    return "; ".join(
        f"{s.get_action_display()} {s.user} {_day(s.signed_at)}" for s in order.signoffs.all() if not s.step
    )


def _lines_text(order) -> str:
    return "; ".join(f"{line.part_number} × {_qty(line.quantity)} {line.unit}" for line in order.lines.all())


REVIEW_DETAIL = ListSheet(
    "production_plan_review",
    [
        Column("number", _("Order number"), "number", width=21),
        Column("customer", _("Customer"), "customer.code", width=10),
        Column("po", _("PO number"), "po_number", width=14),
        Column("po_date", _("PO date"), "po_date", kind="date", width=14),
        Column("lines", _("Lines"), _lines_text, width=20),
        *[
            Column(f"step_{step.value}", step.label, (lambda o, key=step.value: _opinion_text(o, key)), width=16)
            for step in ReviewStep
        ],
        Column("signoffs", _("Sign-offs"), _signoff_text, width=30),
        Column("committed", _("Replied delivery date"), "committed_date", kind="date", width=14),
        Column("confirmed", _("Re-confirmed with the customer on"), "confirmed_on", kind="date", width=14),
        Column("state", _("State"), choice_label("state", OrderState.choices), width=14),
    ],
    pdf_template="orders/sheets/review_detail.html",
    landscape=True,
)


def review_queryset(base):
    """Orders with their lines, finished opinions and sign-offs prefetched: a constant number of queries."""
    return base.order_by("number").prefetch_related(
        "lines",
        Prefetch(
            "tasks",
            queryset=Task.objects.filter(kind=TaskKind.STEP, status=TaskStatus.DONE)
            .select_related("completed_by")
            .order_by("completed_at", "pk"),
        ),
        Prefetch("signoffs", queryset=SignOff.objects.select_related("user").order_by("signed_at", "pk")),
    )


def order_review_context(*, order: Order, user) -> dict:
    """What the order's record sheet prints besides its fields: lines, requirements, BOM, opinions."""
    return {
        "lines": list(order.lines.all()),
        "bom": list(order.bom_lines.all()),
        "requirements": order.requirement_rows(),
        "clarifications": list(order.clarifications.select_related("confirmation")),
        "show_prices": may_see_prices(user),
        "lead_time_summary": order.lead_time_summary(),
    }


def order_review_xlsx(*, ws, record, context, request=None) -> None:
    """The Excel body of one order's review sheet, as its PDF (orders/sheets/order_review.html) prints it;
    the signature boxes follow (added by nhcs.sheets)."""
    write_field_rows(ws, context["fields"])

    section(ws, gettext("Requirement identification (4.1.1)"))
    for item, _value, label, details in context["requirements"]:
        table_row(ws, [str(item.label), str(label or "—"), details or None])

    section(ws, gettext("Order lines"))
    columns = [gettext("Part number"), gettext("Description"), gettext("Quantity"), gettext("Unit")]
    if context["show_prices"]:
        columns += [gettext("Unit price"), gettext("Currency"), gettext("Amount")]
    table_header(ws, *columns, gettext("Requested delivery"))
    for line in context["lines"]:
        values = [line.part_number, line.description or None, _qty(line.quantity), line.unit]
        formats = {}
        if context["show_prices"]:
            values += [line.unit_price, line.currency, line.amount]
            formats = {7: MONEY_FORMAT}
        table_row(ws, [*values, line.requested_date], formats=formats)

    if context["clarifications"]:
        section(ws, gettext("Clarifications with the customer (4.1.2)"))
        table_header(
            ws,
            gettext("Requirement"),
            gettext("Question"),
            gettext("Answer"),
            gettext("Sent"),
            gettext("Sent by"),
            gettext("Answered on"),
            gettext("Written confirmation"),
        )
        for c in context["clarifications"]:
            confirmation = f"#{c.confirmation.seq} {c.confirmation.original_name}" if c.confirmation else None
            table_row(
                ws,
                [
                    c.get_topic_display(),
                    c.question,
                    c.answer or None,
                    c.sent_on,
                    c.get_channel_display(),
                    c.answered_on,
                    confirmation or gettext("missing"),
                ],
                fonts=None if confirmation else {7: LOW_FONT},
            )

    section(ws, gettext("Bill of materials and lead times"))
    table_header(
        ws,
        gettext("Material / part"),
        gettext("Description"),
        gettext("Quantity per unit"),
        gettext("Make / buy / outsource"),
        gettext("Lead time (days)"),
        gettext("Note"),
    )
    for b in context["bom"]:
        lead_time = b.lead_time_days if b.needs_lead_time else "—"
        table_row(
            ws,
            [
                b.part_number,
                b.description or None,
                _qty(b.quantity_per_unit),
                b.get_source_display(),
                lead_time,
                b.lead_time_note or None,
            ],
        )
    if not context["bom"]:
        note(ws, gettext("No BOM yet."))
    note(ws, context["lead_time_summary"])

    section(ws, gettext("Review opinions"))
    table_header(ws, gettext("Step"), gettext("Opinion"), gettext("Comment"), gettext("Date"))
    for box in context["signature_boxes"]:
        for s in box.signatures:
            if s.outcome:
                table_row(ws, [str(box.label), f"{s.outcome} · {s.name}", s.comment or None, s.date])


# One order's review, with its signature boxes: what the paper form carried per order.
ORDER_REVIEW = RecordSheet(
    "production_plan_review",
    "orders/sheets/order_review.html",
    # A long order (its lines and BOM rows) prints in the background (nhcs.sheets.background).
    size=lambda order: order.lines.count() + order.bom_lines.count(),
    signature_boxes=[
        SignatureBox(_("Sales: requirements identified"), transitions=("submit",)),
        SignatureBox(_("Planning: review opened"), actions=(Action.ISSUE,), transitions=("start_review",)),
        *[SignatureBox(step.label, step=step.value) for step in ReviewStep],
        SignatureBox(_("Planning: review concluded"), actions=(Action.REVIEW,), transitions=("complete_review",)),
        SignatureBox(_("Planning: delivery date replied"), actions=(Action.CONFIRM,), transitions=("reply_date",)),
        SignatureBox(
            _("Sales: date confirmed by the customer"), actions=(Action.CONFIRM,), transitions=("confirm_date",)
        ),
        SignatureBox(_("Released to production"), actions=(Action.ISSUE,), transitions=("release",)),
    ],
    fields=[
        Column("customer", _("Customer"), lambda o: str(o.customer)),
        Column("po_number", _("customer PO number"), "po_number"),
        Column("po_date", _("PO date"), "po_date", kind="date"),
        Column("state", _("State"), choice_label("state", OrderState.choices)),
        Column("committed_date", _("committed delivery date"), "committed_date", kind="date"),
        Column(
            "committed_justification",
            _("justification for a date earlier than the lead times allow"),
            "committed_justification",
        ),
        Column("confirmed_on", _("date confirmed to the customer on"), "confirmed_on", kind="date"),
        Column("remarks", _("remarks"), "remarks"),
    ],
    xlsx_builder=order_review_xlsx,
    landscape=True,
)


# --- 发货记录表: the shipment log ------------------------------------------------------------------------

_SOURCES = dict(ShipmentSource.choices)


def _shipment_source(shipment) -> str:
    label = str(_SOURCES.get(shipment.source, shipment.source))
    return f"{label}: {shipment.source_file}" if shipment.source_file else label


def _shipment_entry(shipment) -> str:
    """What kind of entry: a reversal (of which delivery, why) or an accepted over-delivery (why)."""
    if shipment.reverses_id:
        original = shipment.reverses
        return gettext("Reverses %(note)s of %(date)s: %(reason)s") % {
            "note": original.delivery_note,
            "date": f"{original.shipped_on:%Y-%m-%d}",
            "reason": shipment.reason,
        }
    if shipment.over_delivery:
        return gettext("Over-delivery accepted: %(reason)s") % {"reason": shipment.reason}
    return ""


SHIPMENT_LOG = ListSheet(
    "shipment_log",
    [
        Column("shipped_on", _("Shipped on"), "shipped_on", kind="date"),
        Column("delivery_note", _("Delivery note"), "delivery_note", width=16),
        Column("order", _("Order number"), "line.order.number", width=15),
        Column("customer", _("Customer"), "line.order.customer.code", width=10),
        Column("po", _("PO number"), "line.order.po_number", width=14),
        Column("part", _("Part number"), "line.part_number", width=16),
        Column("quantity", _("Quantity"), lambda s: _qty(s.quantity), kind="number"),
        Column("unit", _("Unit"), "line.unit", width=6),
        Column("lot", _("Lot / batch"), "lot", width=14),
        Column("entry", _("Reversal or over-delivery"), _shipment_entry, width=28),
        Column("source", _("Source"), _shipment_source, width=20),
        Column("entered_by", _("Entered by"), lambda s: s.entered_by.signature_name, width=12),
        Column("entered_at", _("Entered at"), "entered_at", kind="datetime"),
        Column("remark", _("Remark"), "remark", width=20),
    ],
    landscape=True,
)


# --- written report on the certified data (4.1.3) ---------------------------------------------------


def discrepancy_letter_pdf(*, order: Order, request=None) -> bytes:
    """The written report to the customer on a requirement that departs from its certified data."""
    # Written in the customer's language.
    with translation.override(order.customer.language):
        context = sheet_context(
            form_key="certified_data_letter",
            request=request,
            record_number=order.number,
            order=order,
            customer=order.customer,
            certificates=list(order.customer.certificates.all()),
            today=timezone.localdate(),
        )
        return render_pdf_bytes("orders/sheets/discrepancy_letter.html", context)
