"""Record sheets of the orders area on the shared mechanism (nhcs.sheets):

- 产品需求计划表 (product demand plan): every order line, by month of requested delivery (a list);
- 生产计划及评审明细表 (production plan & review detail sheet): each order with its review opinions,
  sign-offs, replied and re-confirmed dates (a list), and the same for one order with its signature
  boxes (a record sheet, from the order page);
- the written report to the customer on a certified-data discrepancy (NH-QP14 4.1.3), a letter;
- 发货记录表 (shipment log): every delivery per order line, reversing entries included (a list);
- 生产订单/计划表更改通知单 (change notice, 4.3): one notice with its changes, impact opinions and signature
  boxes (a record sheet), and the log of change notices (a list);
- 交期延误通知单 (delay notice, 4.4): one notice with its orders, old and proposed dates and the customer's
  written confirmation (a record sheet), the log of delay notices (a list), and the customer's written
  answer through the link, printed on the letterhead.

The production plan & review sheet of one order prints every value a change or delay notice amended: the
old value struck through beside the new one, with the notice's number, the date and who signed (a real
strike-through in the PDF, a strike-through font in Excel).

Prices (unit price, currency, amount) are columns only users with `orders.view_prices` get, in both
formats.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from types import SimpleNamespace

from django.db.models import BooleanField, F, Func, Prefetch, Q, Value
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font

from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox, choice_label
from nhcs.sheets.export import render_pdf_bytes, sheet_context, write_field_rows
from nhcs.sheets.xlsx_record import LOW_FONT, MONEY_FORMAT, note, section, table_header, table_row
from nhcs.workflow.choices import Action, StepOutcome, TaskKind, TaskStatus
from nhcs.workflow.flow import list_text
from nhcs.workflow.models import SignOff, Task
from nhcs.workflow.selectors import amendments_for

from .choices import ChangeKind, ChangeNoticeState, DelayNoticeState, OrderState, ReviewStep, ShipmentSource
from .models import ChangeNotice, DelayNotice, Order
from .services import can_see_prices

# Excel: what a change or delay notice struck through, as the paper shows it.
STRUCK_FONT = Font(strike=True, color="555555")


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


@lru_cache(maxsize=16)
def _labels(choices_key: str, language: str) -> dict[str, str]:
    """Choice labels in one language, translated once per export rather than once per row."""
    choices = {"outcome": StepOutcome.choices, "action": Action.choices}[choices_key]
    return {value: str(label) for value, label in choices}


def _opinions(order) -> dict:
    """The latest finished opinion per review step, read once per order from the prefetched tasks."""
    found = order.__dict__.get("_nhcs_opinions")
    if found is None:
        found = {}
        for t in order.tasks.all():
            if t.kind == TaskKind.STEP and t.status == TaskStatus.DONE:
                found[t.step] = t
        order.__dict__["_nhcs_opinions"] = found
    return found


def _latest_opinion(order, step: str):
    return _opinions(order).get(step)


def _opinion_text(order, step: str) -> str:
    if isinstance(order, ReviewRow):
        return order.__dict__["_nhcs_opinions"].get(step, "")
    task = _latest_opinion(order, step)
    if task is None:
        return ""
    outcome = _labels("outcome", get_language()).get(task.outcome, task.outcome)
    text = f"{outcome} · {task.completed_by} · {_day(task.completed_at)}"
    return f"{text} · {task.comment}" if task.comment else text


def _signoff_text(order) -> str:
    if isinstance(order, ReviewRow):
        return order.signoff_text
    actions = _labels("action", get_language())
    return "; ".join(
        f"{actions.get(s.action, s.action)} {s.user} {_day(s.signed_at)}" for s in order.signoffs.all() if not s.step
    )


def _lines_text(order) -> str:
    if isinstance(order, ReviewRow):
        return order.lines_text
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
    excel_rows=lambda queryset: review_rows(queryset),
)


class ReviewRow:
    """One order of the review-detail list as the Excel export reads it (review_rows): plain values,
    its lines, opinions and sign-offs already written out."""

    __slots__ = ("__dict__", "number", "customer", "po_number", "po_date", "committed_date", "confirmed_on", "state")

    def __init__(self, row, *, lines_text: str, signoff_text: str, opinions: dict) -> None:
        (
            _pk,
            self.number,
            code,
            self.po_number,
            self.po_date,
            self.committed_date,
            self.confirmed_on,
            self.state,
        ) = row
        self.customer = SimpleNamespace(code=code)
        self.__dict__["lines_text"] = lines_text
        self.__dict__["signoff_text"] = signoff_text
        self.__dict__["_nhcs_opinions"] = opinions


def review_rows(queryset, chunk: int = 2000):
    """The review-detail list's rows for Excel: the orders' values in chunks of 2,000 and, per chunk, their
    lines, finished opinions and sign-offs in one query each (values, no model instances); labels and
    names read once. Same text as the columns make from model instances."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from .models import OrderLine

    language = get_language()
    actions = _labels("action", language)
    outcomes = _labels("outcome", language)
    names = {u.pk: str(u) for u in get_user_model().objects.all()}
    ct = ContentType.objects.get_for_model(Order)
    rows = queryset.prefetch_related(None).values_list(
        "pk", "number", "customer__code", "po_number", "po_date", "committed_date", "confirmed_on", "state"
    )
    batch = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            yield from _review_chunk(batch, ct, OrderLine, names, actions, outcomes)
            batch = []
    if batch:
        yield from _review_chunk(batch, ct, OrderLine, names, actions, outcomes)


def _day_text(field: str):
    """A moment's day in office time as 'YYYY-MM-DD' text, made by the database."""
    from django.db.models import CharField
    from django.db.models.functions import Cast, TruncDate

    return Cast(TruncDate(field), output_field=CharField())


def _review_chunk(batch, ct, line_model, names, actions, outcomes):
    ids = [r[0] for r in batch]
    lines: dict[int, list[str]] = {}
    for order_id, part, quantity, unit in (
        line_model.objects.filter(_among("order_id", ids))
        .order_by("order", "pk")
        .values_list("order_id", "part_number", "quantity", "unit")
    ):
        lines.setdefault(order_id, []).append(f"{part} × {_qty(quantity)} {unit}")
    opinions: dict[int, dict] = {}
    # The days as text from the database (office time): no moment parsed and formatted per row in Python.
    for object_id, step, outcome, user_id, done_on, comment in (
        Task.objects.filter(_among("object_id", ids), content_type=ct, kind=TaskKind.STEP, status=TaskStatus.DONE)
        .order_by("completed_at", "pk")
        .values_list("object_id", "step", "outcome", "completed_by_id", _day_text("completed_at"), "comment")
    ):
        text = f"{outcomes.get(outcome, outcome)} · {names.get(user_id, 'None')} · {done_on or ''}"
        opinions.setdefault(object_id, {})[step] = f"{text} · {comment}" if comment else text
    signoffs = _signoff_texts(ct, ids, names, actions)
    for row in batch:
        yield ReviewRow(
            row,
            lines_text="; ".join(lines.get(row[0], ())),
            signoff_text=signoffs.get(row[0], ""),
            opinions=opinions.get(row[0], {}),
        )


# Separators of the sign-offs PostgreSQL aggregates per order: control characters no code, id or day holds.
_PART, _FIELD = "\x1e", "\x1f"


def _joins_in_database() -> bool:
    """Whether the database joins each order's sign-offs into one string (PostgreSQL's string_agg)."""
    from django.db import connection

    return connection.vendor == "postgresql"


class _AnyOf(Func):
    """`field = ANY(array)` (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def _among(field: str, ids: list[int]):
    """field IN ids; on PostgreSQL as `= ANY(array)`, one parameter rather than 2,000 (building and
    splitting a query of 2,000 placeholders, three per chunk, was ~2 s of 100,000 rows)."""
    if not _joins_in_database():
        return Q(**{f"{field}__in": ids})
    return _AnyOf(F(field), Value(list(ids)))


def _signoff_texts(ct, ids, names, actions) -> dict[int, str]:
    """Each order's sign-offs column (not those of a review step), in signing order. On PostgreSQL the
    database joins each order's sign-offs into one string of codes, user ids and days (one row per order,
    not ~12); the labels and names are still put in here, in the reader's language. Elsewhere (SQLite) one
    row per sign-off."""
    signoffs = SignOff.objects.filter(_among("object_id", ids), content_type=ct, step="")
    if not _joins_in_database():
        found: dict[int, list[str]] = {}
        for object_id, action, user_id, signed_on in signoffs.order_by("signed_at", "pk").values_list(
            "object_id", "action", "user_id", _day_text("signed_at")
        ):
            found.setdefault(object_id, []).append(f"{actions.get(action, action)} {names.get(user_id)} {signed_on}")
        return {object_id: "; ".join(texts) for object_id, texts in found.items()}

    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    part = Concat(
        "action",
        Value(_FIELD),
        Cast("user_id", output_field=CharField()),
        Value(_FIELD),
        _day_text("signed_at"),
        output_field=CharField(),
    )
    texts = {}
    for object_id, joined in (
        signoffs.order_by()
        .values("object_id")
        .annotate(joined=StringAgg(part, delimiter=_PART, order_by=("signed_at", "pk")))
        .values_list("object_id", "joined")
    ):
        out = []
        for item in joined.split(_PART):
            action, user_id, signed_on = item.split(_FIELD)
            out.append(f"{actions.get(action, action)} {names.get(int(user_id))} {signed_on}")
        texts[object_id] = "; ".join(out)
    return texts


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


def _mark_note(mark) -> str:
    """A change mark's source: the notice's number, the date and who signed."""
    return f"{mark.number} · {timezone.localtime(mark.when):%Y-%m-%d} · {mark.user}"


def _day_value(value):
    """A date as amended values store it (ISO text) as a date, for Excel."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return value


def order_review_context(*, order: Order, user) -> dict:
    """What the order's record sheet prints besides its fields: lines (with what change notices amended),
    requirements, BOM, opinions, the approval of the agreed requirements (3.5) and the delivery dates
    re-confirmed with the customer (4.4)."""
    from nhcs.workflow.selectors import signoffs_for

    from .selectors import approval_summary

    amended = amendments_for(record=order)
    show_prices = may_see_prices(user)
    lines = list(order.lines.all())
    for line in lines:
        line.marks = {
            name: amended.get(("lines", line.pk, name), [])
            for name in ("quantity", "unit_price", "requested_date", "cancelled")
            if show_prices or name != "unit_price"
        }
        line.added_by = amended.get(("lines", line.pk, ""), [])
    field_marks = {name: values for (relation, _row, name), values in amended.items() if not relation and name}
    return {
        "lines": lines,
        "committed_marks": field_marks.get("committed_date", []),
        # What notices amended on the order itself (dates, requirement notes, remarks), by field.
        "field_marks": field_marks,
        "approval": approval_summary(order, signoffs_for(record=order)),
        "bom": list(order.bom_lines.all()),
        "requirements": order.requirement_rows(),
        "clarifications": list(order.clarifications.select_related("confirmation")),
        "show_prices": show_prices,
        "lead_time_summary": order.lead_time_summary(),
    }


def order_review_xlsx(*, ws, record, context, request=None) -> None:
    """The Excel body of one order's review sheet, as its PDF (orders/sheets/order_review.html) prints it;
    the signature boxes follow (added by nhcs.sheets)."""
    write_field_rows(ws, context["fields"])

    section(ws, gettext("Requirement identification (4.1.1)"))
    for item, _value, label, details in context["requirements"]:
        marks = context["field_marks"].get(f"req_{item.value}_note", [])
        changed = "; ".join(f"{mark_value(m.old)} → {mark_value(m.new)} ({_mark_note(m)})" for m in marks)
        table_row(ws, [str(item.label), str(label or "—"), details or None, changed or None])

    if context["approval"]:
        note(ws, context["approval"])
    if context["committed_marks"]:
        section(ws, gettext("Delivery date re-confirmed with the customer (4.4)"))
        table_header(
            ws,
            gettext("Earlier date"),
            gettext("Re-confirmed date"),
            gettext("Notice"),
            gettext("Signed by"),
            gettext("Date"),
        )
        for mark in context["committed_marks"]:
            table_row(
                ws,
                [
                    _day_value(mark.old),
                    _day_value(mark.new),
                    mark.number,
                    str(mark.user),
                    timezone.localtime(mark.when).date(),
                ],
                fonts={1: STRUCK_FONT},
            )

    section(ws, gettext("Order lines"))
    columns = [gettext("Part number"), gettext("Description"), gettext("Quantity"), gettext("Unit")]
    if context["show_prices"]:
        columns += [gettext("Unit price"), gettext("Currency"), gettext("Amount")]
    table_header(ws, *columns, gettext("Requested delivery"), gettext("Changed by notices (old values struck through)"))
    for line in context["lines"]:
        values = [line.part_number, line.description or None, _qty(line.quantity), line.unit]
        formats = {}
        if context["show_prices"]:
            values += [line.unit_price, line.currency, line.amount]
            formats = {7: MONEY_FORMAT}
        changes = _line_changes_text(line)
        row = table_row(ws, [*values, line.requested_date, changes or None], formats=formats)
        if line.cancelled:
            for column in range(1, len(values) + 2):
                ws.cell(row, column).font = STRUCK_FONT

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


def _line_changes_text(line) -> str:
    """What notices changed on a line, as one line of text: "quantity: 1000 → 1500 (BG-2026-0001 · …)"."""
    parts = []
    for mark in line.added_by:
        parts.append(gettext("added (%(note)s)") % {"note": _mark_note(mark)})
    for name, marks in line.marks.items():
        for mark in marks:
            if name == "cancelled":
                parts.append(gettext("cancelled (%(note)s)") % {"note": _mark_note(mark)})
            else:
                parts.append(f"{mark.label}: {mark_value(mark.old)} → {mark_value(mark.new)} ({_mark_note(mark)})")
    return "; ".join(parts)


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
        SignatureBox(_("Deputy GM: requirements approved"), actions=(Action.APPROVE,), transitions=("vgm_approve",)),
        SignatureBox(_("GM: requirements approved"), actions=(Action.APPROVE,), transitions=("gm_approve",)),
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


def mark_value(value) -> str:
    """An amended value as written: 1500, not 1500.000 (amended values are stored as text)."""
    from decimal import Decimal, InvalidOperation

    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if number.is_finite():
            return f"{number.normalize():f}"
    return "" if value is None else str(value)


# --- 生产订单/计划表更改通知单: the change notice (4.3) and its log --------------------------------------------


def _notice_prices(user) -> bool:
    return may_see_prices(user)


def change_notice_context(*, notice: ChangeNotice, user) -> dict:
    """What a change notice's sheet prints besides its fields: the changes (prices only for those who may
    see them), the impact opinions of the current round with their figures, the acknowledgements."""
    from nhcs.workflow.selectors import current_round_signoffs, signoffs_for

    from .selectors import change_rows

    show_prices = may_see_prices(user)
    signoffs = list(signoffs_for(record=notice))
    opinions = [s for s in current_round_signoffs(record=notice, signoffs=signoffs) if s.step]
    costs = [s.data.get("cost") for s in opinions if s.data.get("cost") not in (None, "")]
    return {
        "rows": change_rows(notice, show_prices=show_prices),
        "opinions": [
            {
                "label": str(notice.flow.step_label(s.step)),
                "who": s.user.signature_name,
                "outcome": s.get_outcome_display(),
                "comment": s.comment,
                "data": s.data_rows,
                "date": timezone.localtime(s.signed_at).date(),
            }
            for s in opinions
        ],
        "cost_total": sum(mark_value_decimal(c) for c in costs) if costs else None,
        "acknowledgements": list(notice.acknowledgements.select_related("department").order_by("pk")),
        "show_prices": show_prices,
    }


def mark_value_decimal(value):
    from decimal import Decimal

    return Decimal(str(value))


def change_notice_xlsx(*, ws, record, context, request=None) -> None:
    """The Excel body of a change notice, as its PDF (orders/sheets/change_notice.html) prints it."""
    write_field_rows(ws, context["fields"])
    section(ws, gettext("Changes"))
    table_header(ws, gettext("Change"), gettext("Line / item"), gettext("Old value"), gettext("New value"))
    for row in context["rows"]:
        table_row(ws, [row.kind_label, row.subject or None, row.old, row.new], fonts={3: STRUCK_FONT})
    section(ws, gettext("Impact opinions"))
    table_header(ws, gettext("Step"), gettext("Opinion"), gettext("Impact"), gettext("Comment"), gettext("Date"))
    for o in context["opinions"]:
        impact = "; ".join(f"{label}: {value}" for label, value in o["data"])
        table_row(ws, [o["label"], f"{o['outcome']} · {o['who']}", impact or None, o["comment"] or None, o["date"]])
    if context["cost_total"] is not None:
        note(ws, gettext("Stated cost of the change: %(cost)s CNY") % {"cost": f"{context['cost_total']:,.2f}"})
    if context["acknowledgements"]:
        section(ws, gettext("Acknowledgements of receipt"))
        table_header(ws, gettext("Department"), gettext("State"), gettext("Number"))
        for ack in context["acknowledgements"]:
            table_row(ws, [str(ack.department), ack.state_label, ack.number])


def _notice_customer(notice) -> str:
    return str(notice.order.customer)


CHANGE_NOTICE = RecordSheet(
    "change_notice",
    "orders/sheets/change_notice.html",
    signature_boxes=[
        SignatureBox(_("Sales: written"), transitions=("submit",)),
        SignatureBox(_("R&D: impact"), step="rd"),
        SignatureBox(_("Purchasing: impact"), step="pur"),
        SignatureBox(_("Quality: impact"), step="qa"),
        SignatureBox(
            _("Planning: review concluded"), actions=(Action.REVIEW, Action.REJECT), transitions=("accept", "reject")
        ),
        SignatureBox(_("Department head: reviewed"), actions=(Action.REVIEW,), transitions=("head_review",)),
        SignatureBox(_("Deputy GM: approved"), actions=(Action.APPROVE,), transitions=("vgm_approve",)),
        SignatureBox(_("GM: price change approved"), actions=(Action.APPROVE,), transitions=("gm_approve",)),
        SignatureBox(_("Planning: issued"), actions=(Action.ISSUE,), transitions=("issue",)),
    ],
    fields=[
        Column("order", _("Order number"), "order.number"),
        Column("customer", _("Customer"), _notice_customer),
        Column("po", _("customer PO number"), "order.po_number"),
        Column("state", _("State"), choice_label("state", ChangeNoticeState.choices)),
        Column("reason", _("reason for the change"), "reason"),
        Column("customer_request_on", _("customer's written request dated"), "customer_request_on", kind="date"),
        Column("price_changed", _("a price changes"), "price_changed", kind="bool", visible=_notice_prices),
        Column("negotiation", _("outcome negotiated with the customer"), "negotiation"),
        Column("created_at", _("Written on"), "created_at", kind="date"),
    ],
    xlsx_builder=change_notice_xlsx,
    landscape=True,
)


def _kinds(notice, *, prices: bool) -> str:
    kinds = [item.get_kind_display() for item in notice.items.all() if prices or item.kind != ChangeKind.UNIT_PRICE]
    return list_text(dict.fromkeys(kinds))


def _no_prices(user) -> bool:
    return not may_see_prices(user)


CHANGE_LOG = ListSheet(
    "change_notice_log",
    [
        Column("number", _("Notice number"), "number", width=14),
        Column("written", _("Written on"), "created_at", kind="date"),
        Column("order", _("Order number"), "order.number", width=14),
        Column("customer", _("Customer"), "order.customer.code", width=10),
        Column("po", _("PO number"), "order.po_number", width=14),
        Column("changes", _("Changes"), lambda n: _kinds(n, prices=True), width=30, visible=may_see_prices),
        Column("changes_seen", _("Changes"), lambda n: _kinds(n, prices=False), width=30, visible=_no_prices),
        Column("price_changed", _("A price changes"), "price_changed", kind="bool", visible=may_see_prices),
        Column("reason", _("Reason"), "reason", width=30),
        Column("state", _("State"), choice_label("state", ChangeNoticeState.choices), width=16),
        Column("author", _("Written by"), "created_by.signature_name", width=12),
    ],
    landscape=True,
)


# --- 交期延误通知单: the delay notice (4.4), its log, the customer's written answer -------------------------


def delay_notice_context(*, notice: DelayNotice) -> dict:
    from nhcs.links.selectors import written_answer

    from .services import delay_confirmation_attachment

    return {
        "items": list(notice.items.all()),
        "confirmation": delay_confirmation_attachment(notice=notice),
        "link_answer": written_answer(notice.link) if notice.link_id else None,
    }


def delay_notice_xlsx(*, ws, record, context, request=None) -> None:
    write_field_rows(ws, context["fields"])
    section(ws, gettext("Orders"))
    table_header(ws, gettext("Order number"), gettext("PO number"), gettext("Committed date"), gettext("Proposed date"))
    confirmed = record.state == DelayNoticeState.CONFIRMED
    for item in context["items"]:
        table_row(
            ws,
            [item.order.number, item.order.po_number, item.original_date, item.proposed_date],
            fonts={3: STRUCK_FONT} if confirmed else None,
        )
    section(ws, gettext("The customer's written confirmation"))
    note(ws, _confirmation_text(context))


def _confirmation_text(context) -> str:
    answer = context["link_answer"]
    attachment = context["confirmation"]
    if answer is not None:
        return gettext("Confirmed through the customer link by %(name)s on %(when)s (IP %(ip)s).") % {
            "name": answer.name,
            "when": f"{answer.answered_at:%Y-%m-%d %H:%M}",
            "ip": answer.ip or "—",
        }
    if attachment is not None:
        return gettext("Attached as no. %(seq)s: %(name)s") % {"seq": attachment.seq, "name": attachment.original_name}
    return gettext("Not yet confirmed by the customer in writing.")


DELAY_NOTICE = RecordSheet(
    "delay_notice",
    "orders/sheets/delay_notice.html",
    signature_boxes=[
        SignatureBox(_("Planning: issued in writing"), actions=(Action.ISSUE,), transitions=("issue",)),
        SignatureBox(_("Sales: negotiated with the customer"), actions=(Action.CONFIRM,), transitions=("negotiate",)),
        SignatureBox(_("Sales: re-confirmed dates applied"), actions=(Action.CONFIRM,), transitions=("confirm",)),
    ],
    fields=[
        Column("customer", _("Customer"), lambda n: str(n.customer)),
        Column("state", _("State"), choice_label("state", DelayNoticeState.choices)),
        Column("reason", _("reason the dates cannot be met"), "reason"),
        Column("negotiation", _("negotiation with the customer"), "negotiation"),
        Column("created_at", _("Written on"), "created_at", kind="date"),
    ],
    xlsx_builder=delay_notice_xlsx,
    landscape=True,
)


def _delay_dates(notice) -> str:
    return "; ".join(
        f"{item.order.number}: {item.original_date:%Y-%m-%d} → {item.proposed_date:%Y-%m-%d}"
        for item in notice.items.all()
    )


DELAY_LOG = ListSheet(
    "delay_notice_log",
    [
        Column("number", _("Notice number"), "number", width=14),
        Column("written", _("Written on"), "created_at", kind="date"),
        Column("customer", _("Customer"), "customer.code", width=10),
        Column("dates", _("Orders: committed → proposed date"), _delay_dates, width=40),
        Column("reason", _("Reason"), "reason", width=30),
        Column("state", _("State"), choice_label("state", DelayNoticeState.choices), width=18),
        Column("author", _("Written by"), "created_by.signature_name", width=12),
    ],
    landscape=True,
)


def delay_answer_pdf(*, notice: DelayNotice, link) -> bytes:
    """The customer's confirmation through the link, printed on the letterhead in the customer's language:
    kept with the notice as the written confirmation."""
    from nhcs.links.sheets import written_answer_pdf

    with translation.override(link.language):
        lines = [
            (
                gettext("Order %(number)s (PO %(po)s)") % {"number": item.order.number, "po": item.order.po_number},
                gettext("%(old)s → new date %(new)s")
                % {"old": f"{item.original_date:%Y-%m-%d}", "new": f"{item.proposed_date:%Y-%m-%d}"},
            )
            for item in notice.items.select_related("order").order_by("pk")
        ]
        return written_answer_pdf(
            link=link,
            form_key="delay_notice",
            record_number=notice.number,
            heading=gettext("New delivery dates confirmed by the customer"),
            lines=lines,
        )
