"""Every write of the orders area: orders, lines, BOM, lead times, clarifications, the committed date,
the certified-data report, the shipments (by hand, reversed, imported from the ERP), and the change and
delay notices that amend released orders. Transitions go through the engine."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Min, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.sheets.xlsx_read import WorkbookRefused, first_sheet_rows
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.locking import lock_rows

from .choices import (
    TEXT_KINDS,
    ChangeKind,
    Channel,
    DelayNoticeState,
    MaterialSource,
    OrderState,
    ShipmentSource,
)
from .flow import CHANGE_NOTICE_FLOW, DELAY_NOTICE_FLOW, ORDER_FLOW
from .models import (
    RELEASED_STATES,
    ApprovalRule,
    BomLine,
    ChangeAck,
    ChangeItem,
    ChangeNotice,
    Clarification,
    DelayItem,
    DelayNotice,
    Order,
    OrderLine,
    Shipment,
)

# --- who may do what (the roles are declared in orders/flow.py) ------------------------------------


def can_see_prices(user: User) -> bool:
    return user.is_authenticated and user.has_perm("orders.view_prices")


def can_create_orders(user: User) -> bool:
    return wf.may(user=user, flow=ORDER_FLOW, ability="create")


def can_edit_bom(user: User, order: Order) -> bool:
    return order.state == OrderState.IN_REVIEW and wf.may(user=user, flow=ORDER_FLOW, ability="edit_bom", record=order)


def can_edit_lead_times(user: User, order: Order) -> bool:
    return order.state == OrderState.IN_REVIEW and wf.may(
        user=user, flow=ORDER_FLOW, ability="edit_lead_times", record=order
    )


def can_handle_clarifications(user: User, order: Order) -> bool:
    return not order.is_final and wf.may(user=user, flow=ORDER_FLOW, ability="clarify", record=order)


def can_ship(user: User) -> bool:
    """Records deliveries (the warehouse, Planning & Logistics; deputies included)."""
    return wf.may(user=user, flow=ORDER_FLOW, ability="ship")


def lists_orders(user: User) -> bool:
    """Has the order lists, pages and sheets: the flow's readers and those who act in the review — not
    those whose only part in orders is recording deliveries (the engine opens no list for that)."""
    return wf.can_list_records(user=user, flow=ORDER_FLOW)


def ships_only(user: User) -> bool:
    """Records deliveries but reads no order (the warehouse): no order page, sheet or list for them."""
    return can_ship(user) and not lists_orders(user)


def can_report_discrepancy(user: User, order: Order) -> bool:
    return (
        order.certified_data_discrepancy
        and not order.is_final
        and wf.may(user=user, flow=ORDER_FLOW, ability="report_discrepancy", record=order)
    )


def _touch(order: Order, user: User, expected_version: int | None = None, *, editor: bool = True) -> Order:
    """Lock the order and count a change of its review data: a form showing older data is refused."""
    locked = wf.record_lock(order, expected_version=expected_version)
    return wf.record_touch(locked, user=user, editor=editor)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise Blocked(
            problems=[f"{k}: {'; '.join(v)}" if k != "__all__" else "; ".join(v) for k, v in error.message_dict.items()]
        ) from None


def _check_line(line: OrderLine, po_date: date) -> None:
    """An order line asks for a positive quantity at a positive price (if any), not before the PO date."""
    problems = []
    if line.quantity is not None and line.quantity <= 0:
        problems.append(_("%(part)s: enter a quantity greater than zero.") % {"part": line.part_number})
    if line.unit_price is not None and line.unit_price <= 0:
        problems.append(
            _("%(part)s: enter a unit price greater than zero, or leave it empty.") % {"part": line.part_number}
        )
    if line.requested_date and line.requested_date < po_date:
        problems.append(
            _("%(part)s: the requested delivery date is before the PO date (%(date)s).")
            % {"part": line.part_number, "date": po_date.isoformat()}
        )
    if problems:
        raise Blocked(problems=problems)


# --- orders -----------------------------------------------------------------------------------------


@transaction.atomic
def order_create(*, user: User, data: dict[str, Any], lines: list[dict[str, Any]]) -> Order:
    if not can_create_orders(user):
        raise NotAllowed()
    order = wf.record_create(model=Order, user=user, data=dict(data))
    for row in lines:
        line = OrderLine(order=order, **row)
        _full_clean(line)
        _check_line(line, order.po_date)
        line._history_user = user
        line.save()
    order_first_requested_refresh(order_ids=[order.pk])
    order.refresh_from_db(fields=["first_requested"])
    return order


@transaction.atomic
def order_upsert(
    *, user: User, data: dict[str, Any], lines: list[dict[str, Any]], reason: str = ""
) -> tuple[Order, bool]:
    """Create the order, or bring the one of the same customer and PO number up to date (the ERP may send
    the same order twice): unchanged data changes nothing; changed data goes through the order's edit
    rules (a reason after submission, a new review round). Returns the order and whether it was created."""
    if not can_create_orders(user):
        raise NotAllowed()
    # One upsert per customer at a time: two copies of one batch never create two orders.
    lock_rows(Customer.objects.filter(pk=data["customer"].pk)).get()
    existing = (
        Order.objects.filter(customer=data["customer"], po_number=data["po_number"])
        .exclude(state=OrderState.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if existing is None:
        return order_create(user=user, data=data, lines=lines), True
    if not wf.can_read_record(user=user, record=existing):
        raise NotAllowed(_("An order of this customer with this PO number exists that you may not read."))
    changes = {k: v for k, v in data.items() if getattr(existing, k) != v}
    order = existing
    if changes:
        order = wf.record_update(record=existing, user=user, changes=changes, reason=reason)
    present = list(order.lines.order_by("pk"))
    same = len(present) == len(lines) and all(
        all(getattr(line, k) == v for k, v in row.items()) for line, row in zip(present, lines, strict=True)
    )
    if lines and not same:
        rows = [{"id": line.pk, "delete": True} for line in present]
        rows += [{**row, "id": None, "delete": False} for row in lines]
        order = order_lines_save(order=order, user=user, rows=rows, reason=reason)
    return order, False


def order_first_requested_refresh(*, order_ids) -> None:
    """Store each order's earliest requested line date (Order.first_requested, the list's "requested
    delivery" column and sort): after every write of order lines."""
    earliest = (
        OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(m=Min("requested_date"))
    )
    Order.objects.filter(pk__in=list(order_ids)).update(first_requested=Subquery(earliest.values("m")[:1]))


LINE_FIELDS = ["part_number", "description", "quantity", "unit", "unit_price", "currency", "requested_date"]


@transaction.atomic
def order_lines_save(
    *, order: Order, user: User, rows: list[dict[str, Any]], reason: str = "", expected_version: int | None = None
) -> Order:
    """Add, change and remove order lines in one go, under the order's edit rules: after submission
    each change carries a reason (kept on the line's history as its change mark) and recalls the order
    into a new review round."""
    with wf.record_editing(record=order, user=user, reason=reason, expected_version=expected_version) as locked:
        existing = {line.pk: line for line in locked.lines.all()}
        mark = locked._nhcs_reason
        for row in rows:
            row = dict(row)
            pk = row.pop("id", None)
            delete = row.pop("delete", False)
            line = existing.get(pk) if pk else None
            if pk and line is None:
                raise Blocked(_("An order line was removed meanwhile; reload the page."))
            if delete:
                if line is not None:
                    line._history_user = user
                    line._change_reason = mark
                    line.delete()
                continue
            if line is None:
                line = OrderLine(order=locked)
            elif all(getattr(line, k) == v for k, v in row.items()):
                continue
            for name, value in row.items():
                setattr(line, name, value)
            _full_clean(line)
            _check_line(line, locked.po_date)
            line._history_user = user
            line._change_reason = mark
            line.save()
        if not locked.lines.exists():
            raise Blocked(_("An order needs at least one line."))
        order_first_requested_refresh(order_ids=[locked.pk])
    return Order.objects.get(pk=order.pk)


@transaction.atomic
def bom_save(*, order: Order, user: User, rows: list[dict[str, Any]], expected_version: int | None = None) -> Order:
    """Engineering's BOM for the order (part, quantity per unit, make / buy / outsource)."""
    if not can_edit_bom(user, order):
        raise NotAllowed()
    order = _touch(order, user, expected_version, editor=False)
    existing = {b.pk: b for b in order.bom_lines.all()}
    for row in rows:
        row = dict(row)
        pk = row.pop("id", None)
        delete = row.pop("delete", False)
        line = existing.get(pk) if pk else None
        if pk and line is None:
            raise Blocked(_("A BOM line was removed meanwhile; reload the page."))
        if delete:
            if line is not None:
                line._history_user = user
                line.delete()
            continue
        line = line or BomLine(order=order)
        for name, value in row.items():
            setattr(line, name, value)
        if line.source == MaterialSource.MAKE:
            line.lead_time_days = None
        _full_clean(line)
        line._history_user = user
        line.save()
    return order


@transaction.atomic
def lead_times_save(
    *, order: Order, user: User, lead_times: dict[int, tuple[int | None, str]], expected_version: int | None = None
) -> Order:
    """Purchasing's lead time (days) of each bought or outsourced material."""
    if not can_edit_lead_times(user, order):
        raise NotAllowed()
    order = _touch(order, user, expected_version, editor=False)
    lines = {b.pk: b for b in order.bom_lines.exclude(source=MaterialSource.MAKE)}
    for pk, (days, note) in lead_times.items():
        line = lines.get(pk)
        if line is None:
            raise Blocked(_("The BOM changed meanwhile; reload the page."))
        if days is not None and days < 0:
            raise Blocked(_("A lead time cannot be negative."))
        if line.lead_time_days == days and line.lead_time_note == note:
            continue
        line.lead_time_days = days
        line.lead_time_note = note
        line._history_user = user
        line.save()
    return order


@transaction.atomic
def clarification_raise(
    *, order: Order, user: User, topic: str, question: str, channel: str, sent_on: date
) -> Clarification:
    if not can_handle_clarifications(user, order):
        raise NotAllowed()
    order = _touch(order, user)
    clarification = Clarification(
        order=order, topic=topic, question=(question or "").strip(), channel=channel, sent_on=sent_on, created_by=user
    )
    _full_clean(clarification)
    clarification._history_user = user
    clarification.save()
    return clarification


@transaction.atomic
def clarification_answer(
    *, clarification: Clarification, user: User, answer: str, answered_on: date, confirmation: UploadedFile | None
) -> Clarification:
    """Record the customer's answer; the written confirmation is kept as an attachment of the order."""
    order = clarification.order
    if not can_handle_clarifications(user, order):
        raise NotAllowed()
    answer = (answer or "").strip()
    if not answer:
        raise Blocked(_("Write down the customer's answer."))
    if confirmation is None and clarification.confirmation_id is None:
        raise Blocked(_("Attach the customer's written confirmation (fax, signed letter or e-mail)."))
    order = _touch(order, user)
    if confirmation is not None:
        attachment = wf.attachment_add(
            record=order,
            user=user,
            upload=confirmation,
            kind=AttachmentKind.WRITTEN_CONFIRMATION,
            purpose="order_clarification_answer",
            params={"question": clarification.question[:120]},
        )
        clarification.confirmation = attachment
    clarification.answer = answer
    clarification.answered_on = answered_on
    _full_clean(clarification)
    clarification._history_user = user
    clarification.save()
    return clarification


@transaction.atomic
def discrepancy_report_sent(*, order: Order, user: User, sent_on: date, channel: str) -> Order:
    """Record that the written report on the certified-data discrepancy went to the customer (4.1.3);
    the letter as sent is kept with the order."""
    from .sheets import discrepancy_letter_pdf

    if not can_report_discrepancy(user, order):
        raise NotAllowed()
    if channel not in Channel.values or channel == Channel.PHONE:
        raise Blocked(_("A written report goes by e-mail, fax or letter."))
    if sent_on > timezone.localdate():
        raise Blocked(_("The sending date cannot be in the future."))
    locked = _touch(order, user)
    locked.discrepancy_report_sent_on = sent_on
    locked.discrepancy_report_channel = channel
    locked._history_user = user
    locked._change_reason = _("Written report on the certified data sent")
    locked.save(update_fields=["discrepancy_report_sent_on", "discrepancy_report_channel"])
    pdf = discrepancy_letter_pdf(order=locked)
    wf.attachment_add(
        record=locked,
        user=user,
        upload=SimpleUploadedFile(f"{locked.number}-certified-data-report.pdf", pdf, "application/pdf"),
        kind=AttachmentKind.LETTER,
        purpose="certified_data_report",
        params={"date": sent_on.isoformat()},
    )
    return locked


# --- shipments: what was delivered, per order line ----------------------------------------------------
#
# Shipments are facts, appended and never changed or deleted (orders.models.Shipment); a wrong entry is
# corrected by a reversing entry. Recording them is not an edit of the order's signed data: they are rows
# of their own, outside the order's hash, written under the order's row lock only. The order's state then
# follows them through the engine, signed by whoever recorded them.

SHIPPABLE_STATES = (OrderState.RELEASED, OrderState.PARTLY_SHIPPED)
STATE_BY_PROGRESS = {
    OrderState.SHIPPED: "ship_in_full",
    OrderState.PARTLY_SHIPPED: "ship_partly",
    OrderState.RELEASED: "shipments_reversed",
}
QUANTITY_STEP = Decimal("0.001")


@dataclass(frozen=True)
class ShipmentEntry:
    """One line of a delivery note as entered: how much of which order line, its lot, and — beyond the
    ordered quantity — the customer's acceptance of the over-delivery with its reason."""

    line: OrderLine
    quantity: Decimal
    lot: str = ""
    over_delivery: bool = False
    reason: str = ""


@dataclass
class _Pending:
    """A shipment about to be written, with the refusals found for it."""

    line: OrderLine
    order: Order
    shipped_on: date | None
    quantity: Decimal | None
    delivery_note: str
    lot: str = ""
    over_delivery: bool = False
    reason: str = ""
    remark: str = ""
    row: int | None = None  # the file's row, for an import
    problems: list[str] = field(default_factory=list)
    duplicate: bool = False


def quantity_text(value: Decimal) -> str:
    """A quantity as it is written: 8000, not 8000.000."""
    return f"{value.normalize():f}"


def _note_key(note: str) -> str:
    return " ".join(note.split()).upper()


def _line_label(line: OrderLine, order: Order) -> str:
    return f"{order.number} · {line.part_number}"


def _shipped_by_line(line_ids) -> dict[int, Decimal]:
    rows = (
        Shipment.objects.filter(line_id__in=line_ids)
        .order_by()
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    return {line_id: total or Decimal(0) for line_id, total in rows}


def _recorded_notes(line_ids) -> dict[tuple[int, str], Shipment]:
    """(line, delivery note) already on record and not reversed in full, with its first entry."""
    entries = Shipment.objects.filter(line_id__in=line_ids).order_by("entered_at", "pk")
    net: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    first: dict[tuple[int, str], Shipment] = {}
    for entry in entries.only("line_id", "delivery_note", "quantity", "entered_at", "source", "source_file"):
        key = (entry.line_id, _note_key(entry.delivery_note))
        net[key] += entry.quantity
        if entry.quantity > 0:
            first.setdefault(key, entry)
    return {key: first[key] for key, total in net.items() if total > 0 and key in first}


def _lock_orders(order_ids) -> dict[int, Order]:
    """The orders' rows locked, in one order (no deadlock between two imports), fresh from the database."""
    return {o.pk: o for o in lock_rows(Order.objects.filter(pk__in=set(order_ids)).order_by("pk"))}


def _check_pending(pending: list[_Pending], *, today: date, imported: bool) -> None:
    """Check every shipment about to be written against the order, the line and what was shipped before
    (including the earlier rows of the same entry); the problems go on each row. A delivery note already
    recorded for the line is a duplicate, and only that is said of it."""
    line_ids = {p.line.pk for p in pending}
    shipped = _shipped_by_line(line_ids)
    recorded = _recorded_notes(line_ids)
    seen: dict[tuple[int, str], int | None] = {}
    customers: dict[str, tuple[int, str]] = {}
    for p in pending:
        order, line = p.order, p.line
        key = (line.pk, _note_key(p.delivery_note))
        earlier = recorded.get(key) if p.delivery_note else None
        if earlier is not None:
            p.duplicate = True
            where = (
                _("imported from %(file)s") % {"file": earlier.source_file}
                if earlier.source == ShipmentSource.ERP
                else _("entered by hand")
            )
            p.problems.append(
                _("Delivery note %(note)s is already recorded for this line (%(when)s, %(where)s): a duplicate.")
                % {
                    "note": p.delivery_note,
                    "when": f"{timezone.localtime(earlier.entered_at):%Y-%m-%d %H:%M}",
                    "where": where,
                }
            )
            continue
        if line.cancelled:
            p.problems.append(
                _("Line %(part)s of order %(number)s was cancelled by a change notice: it is not shipped.")
                % {"part": line.part_number, "number": order.number}
            )
        if order.state not in SHIPPABLE_STATES:
            if order.state == OrderState.SHIPPED:
                p.problems.append(_("Order %(number)s is already shipped in full.") % {"number": order.number})
            else:
                p.problems.append(
                    _("Order %(number)s is not released to production (it is “%(state)s”): it cannot be shipped.")
                    % {"number": order.number, "state": order.state_label}
                )
        if not p.delivery_note:
            p.problems.append(_("The delivery note number is missing."))
        elif len(p.delivery_note) > 40:
            p.problems.append(_("The delivery note number is longer than 40 characters."))
        else:
            if key in seen:
                p.problems.append(
                    _("Delivery note %(note)s is given twice for this line (first in row %(row)s).")
                    % {"note": p.delivery_note, "row": seen[key]}
                    if imported
                    else _("The line is given twice.")
                )
            else:
                seen[key] = p.row
            owner = customers.setdefault(_note_key(p.delivery_note), (order.customer_id, order.customer.code))
            if owner[0] != order.customer_id:
                p.problems.append(
                    _("Delivery note %(note)s also goes to customer %(other)s: a delivery note goes to one customer.")
                    % {"note": p.delivery_note, "other": owner[1]}
                )
        if len(p.lot) > 40:
            p.problems.append(_("The lot number is longer than 40 characters."))
        if p.shipped_on is not None:
            if p.shipped_on < order.po_date:
                p.problems.append(
                    _("The shipped date %(date)s is before the order's PO date %(po_date)s.")
                    % {"date": p.shipped_on.isoformat(), "po_date": order.po_date.isoformat()}
                )
            if p.shipped_on > today:
                p.problems.append(_("The shipped date %(date)s is in the future.") % {"date": p.shipped_on.isoformat()})
        if p.quantity is None:
            continue
        if p.quantity <= 0:
            p.problems.append(_("The quantity must be more than zero."))
            continue
        before = shipped.get(line.pk, Decimal(0))
        after = before + p.quantity
        numbers = {
            "qty": quantity_text(p.quantity),
            "after": quantity_text(after),
            "ordered": quantity_text(line.quantity),
        }
        if after > line.quantity:
            if imported:
                p.problems.append(
                    _(
                        "%(qty)s would bring the line to %(after)s, beyond the ordered %(ordered)s: an over-delivery "
                        "the customer accepted is recorded by hand, with its reason."
                    )
                    % numbers
                )
            elif not p.over_delivery:
                p.problems.append(
                    _(
                        "%(qty)s would bring the line to %(after)s, beyond the ordered %(ordered)s. If the customer "
                        "accepted the over-delivery, tick it and give the reason."
                    )
                    % numbers
                )
            elif not p.reason:
                p.problems.append(_("Give the reason for the over-delivery (the customer's acceptance)."))
        else:
            # Ticked without going beyond the order: there is no over-delivery to keep.
            p.over_delivery = False
            p.reason = ""
        if not p.problems:
            shipped[line.pk] = after


def _write(pending: list[_Pending], *, user: User, source: str, source_file: str = "") -> list[Shipment]:
    now = timezone.now()
    created = Shipment.objects.bulk_create(
        [
            Shipment(
                line=p.line,
                shipped_on=p.shipped_on,
                quantity=p.quantity,
                delivery_note=p.delivery_note,
                lot=p.lot,
                over_delivery=p.over_delivery,
                reason=p.reason,
                remark=p.remark,
                source=source,
                source_file=source_file,
                entered_by=user,
                entered_at=now,
            )
            for p in pending
        ]
    )
    notes: dict[int, list[str]] = defaultdict(list)
    for p in pending:
        if p.delivery_note not in notes[p.order.pk]:
            notes[p.order.pk].append(p.delivery_note)
    for order_id, order_notes in sorted(notes.items()):
        _follow_shipments(order_id=order_id, user=user, notes=order_notes)
    return created


def _follow_shipments(*, order_id: int, user: User, notes: list[str], comment: str = "") -> Order:
    """Move the order to the state its shipments give, through the engine, signed by `user`."""
    order = Order.objects.get(pk=order_id)
    shipped_any, shipped_all = order.shipping_progress()
    target = OrderState.SHIPPED if shipped_all else OrderState.PARTLY_SHIPPED if shipped_any else OrderState.RELEASED
    if order.state == target:
        return order
    text = ", ".join(notes)
    if len(text) > 1000:
        text = text[:999] + "…"
    return wf.transition_record(
        record=order, name=STATE_BY_PROGRESS[target], user=user, comment=comment, data={"delivery_notes": text}
    )


@transaction.atomic
def shipments_record(
    *,
    user: User,
    delivery_note: str,
    shipped_on: date,
    entries: list[ShipmentEntry],
    remark: str = "",
) -> list[Shipment]:
    """Record the lines of one delivery note (送货单) as delivered, all or none.

    Each quantity is positive, the line is not shipped beyond its ordered quantity unless the customer
    accepted the over-delivery (ticked, with its reason), the date lies between the order's PO date and
    today, and the same delivery note is not recorded twice for a line. Each order then moves to
    "partly shipped" or "shipped in full", signed by the user.
    """
    if not can_ship(user):
        raise NotAllowed()
    entries = [e for e in entries if e.quantity is not None]
    if not entries:
        raise Blocked(_("Enter the quantity delivered of at least one line."))
    orders = _lock_orders(e.line.order_id for e in entries)
    lines = {li.pk: li for li in OrderLine.objects.filter(pk__in=[e.line.pk for e in entries])}
    note = (delivery_note or "").strip()
    pending = [
        _Pending(
            line=lines[e.line.pk],
            order=orders[e.line.order_id],
            shipped_on=shipped_on,
            quantity=e.quantity,
            delivery_note=note,
            lot=(e.lot or "").strip(),
            over_delivery=bool(e.over_delivery),
            reason=(e.reason or "").strip(),
            remark=(remark or "").strip()[:255],
        )
        for e in entries
    ]
    _check_pending(pending, today=timezone.localdate(), imported=False)
    problems = []
    for p in pending:
        for problem in p.problems:
            text = f"{_line_label(p.line, p.order)}: {problem}"
            if text not in problems:
                problems.append(text)
    if problems:
        raise Blocked(problems=problems)
    return _write(pending, user=user, source=ShipmentSource.HAND)


@transaction.atomic
def shipments_upsert(
    *,
    user: User,
    delivery_note: str,
    shipped_on: date,
    entries: list[ShipmentEntry],
    remark: str = "",
) -> tuple[list[Shipment], bool]:
    """Record a delivery note once: the lines it already recorded are answered with their entries (the ERP
    may send the same note twice), the others are recorded as by hand. Returns the entries and whether any
    was new."""
    if not can_ship(user):
        raise NotAllowed()
    entries = [e for e in entries if e.quantity is not None]
    recorded = _recorded_notes([e.line.pk for e in entries])
    key = _note_key((delivery_note or "").strip())
    known = [recorded[(e.line.pk, key)] for e in entries if (e.line.pk, key) in recorded]
    new = [e for e in entries if (e.line.pk, key) not in recorded]
    if entries and not new:
        return known, False
    created = shipments_record(
        user=user, delivery_note=delivery_note, shipped_on=shipped_on, entries=new, remark=remark
    )
    return [*known, *created], True


@transaction.atomic
def shipment_reverse(*, user: User, shipment: Shipment, reason: str, quantity: Decimal | None = None) -> Shipment:
    """Correct a wrong entry by a reversing one: a negative quantity (all that is left of the entry by
    default) naming the entry and saying why. Nothing is deleted; the order's state follows."""
    if not can_ship(user):
        raise NotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise Blocked(_("Say why the entry is reversed."))
    if len(reason) > 255:
        raise Blocked(_("Keep the reason to 255 characters."))
    order_id = Shipment.objects.filter(pk=shipment.pk).values_list("line__order_id", flat=True).first()
    if order_id is None:
        raise Blocked(_("This shipment does not exist."))
    _lock_orders([order_id])
    original = Shipment.objects.select_related("line").get(pk=shipment.pk)
    if original.is_reversal:
        raise Blocked(_("A reversing entry is not reversed: record the delivery again instead."))
    left = original.quantity + (original.reversals.aggregate(total=Sum("quantity"))["total"] or Decimal(0))
    if left <= 0:
        raise Blocked(_("This entry is already reversed in full."))
    quantity = left if quantity is None else quantity
    if quantity <= 0 or quantity > left:
        raise Blocked(
            _("Reverse more than zero and at most %(left)s (what is left of the entry).")
            % {"left": quantity_text(left)}
        )
    reversal = Shipment(
        line=original.line,
        shipped_on=original.shipped_on,
        quantity=-quantity,
        delivery_note=original.delivery_note,
        lot=original.lot,
        reverses=original,
        reason=reason,
        source=ShipmentSource.HAND,
        entered_by=user,
    )
    reversal.save()
    _follow_shipments(order_id=order_id, user=user, notes=[original.delivery_note], comment=reason)
    return reversal


# --- import from the ERP's delivery-note export (Excel) ----------------------------------------------

# Column headings accepted in the first row, in Chinese or English (compared without case, "_" as a space).
SHIPMENT_IMPORT_COLUMNS = {
    "order": ["order", "order number", "order no", "order no.", "订单号", "订单编号", "评审单号"],
    "customer": ["customer", "customer code", "客户", "客户代码", "客户编号"],
    "po": ["po", "po number", "po no", "po no.", "customer po", "客户订单号", "采购单号", "po号"],
    "part": ["part", "part number", "part no", "part no.", "料号", "品号", "产品编号", "物料编码"],
    "line": ["line", "line number", "line no", "line no.", "行号", "项次", "序号"],
    "shipped_on": ["shipped on", "shipped date", "ship date", "date", "发货日期", "出货日期", "送货日期"],
    "quantity": ["quantity", "qty", "数量", "发货数量", "出货数量", "送货数量"],
    "delivery_note": ["delivery note", "delivery note number", "delivery note no", "dn", "送货单号", "出货单号"],
    "lot": ["lot", "lot number", "batch", "batch number", "批号", "批次", "批次号"],
}
SHIPMENT_IMPORT_MAX_ROWS = 2000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


@dataclass
class ShipmentImportRow:
    row: int
    order: str = ""
    part: str = ""
    delivery_note: str = ""
    quantity: str = ""
    problems: list[str] = field(default_factory=list)
    duplicate: bool = False


@dataclass
class ShipmentImportResult:
    created: list[Shipment] = field(default_factory=list)
    rows: list[ShipmentImportRow] = field(default_factory=list)
    error: str = ""
    orders: list[Order] = field(default_factory=list)

    @property
    def refused(self) -> list[ShipmentImportRow]:
        return [r for r in self.rows if r.problems]

    @property
    def ok(self) -> bool:
        return not self.error and not self.refused

    @property
    def all_duplicates(self) -> bool:
        """Every row was imported before: the same file came twice."""
        return bool(self.rows) and all(r.duplicate for r in self.rows)

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        if self.all_duplicates:
            return _("Nothing was imported: every row of this file was imported before (same delivery note and line).")
        return _("Nothing was imported: correct the rows listed below and import the file again.")


def _heading(value) -> str:
    return " ".join(_text(value).lower().replace("_", " ").split())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date_cell(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _quantity_cell(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number != number.quantize(QUANTITY_STEP) or abs(number) >= Decimal("1e9"):
        return None
    return number


def _resolve_orders(data_rows: list[dict[str, Any]]) -> tuple[dict[str, Order], dict[tuple[str, str], list[Order]]]:
    numbers = {d["order"] for d in data_rows if d.get("order")}
    pairs = {(d["customer"].upper(), d["po"]) for d in data_rows if not d.get("order") and d.get("customer")}
    by_number = {
        o.number.upper(): o
        for o in Order.objects.filter(number__in=numbers | {n.upper() for n in numbers}).select_related("customer")
    }
    by_po: dict[tuple[str, str], list[Order]] = defaultdict(list)
    if pairs:
        candidates = Order.objects.filter(
            customer__code__in={c for c, _p in pairs} | {c.lower() for c, _p in pairs},
            po_number__in={p for _c, p in pairs},
        ).select_related("customer")
        for o in candidates.order_by("pk"):
            by_po[(o.customer.code.upper(), o.po_number)].append(o)
    return by_number, by_po


def shipments_import(*, user: User, upload: UploadedFile) -> ShipmentImportResult:
    """Import deliveries from the ERP's delivery-note export: the first sheet of an .xlsx file, first row
    the headings (Chinese or English). All or nothing: when any row is refused — including a delivery note
    already recorded for the line (the same file sent twice) — nothing is written and the result says,
    row by row, what was refused and why."""
    if not can_ship(user):
        raise NotAllowed()
    result = ShipmentImportResult()
    name = upload.name or ""
    if not name.lower().endswith(".xlsx"):
        result.error = _("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": name}
        return result
    try:
        rows = first_sheet_rows(upload, max_rows=SHIPMENT_IMPORT_MAX_ROWS)
    except WorkbookRefused as refused:
        result.error = refused.message
        return result
    if not rows:
        result.error = _("The workbook is empty.")
        return result
    headings = [_heading(h) for h in rows[0][1]]
    columns: dict[str, int] = {}
    for key, aliases in SHIPMENT_IMPORT_COLUMNS.items():
        for index, heading in enumerate(headings):
            if heading in aliases:
                columns[key] = index
                break
    missing = [
        label
        for keys, label in (
            (("shipped_on",), "发货日期 / shipped date"),
            (("quantity",), "数量 / quantity"),
            (("delivery_note",), "送货单号 / delivery note"),
            (("part", "line"), "料号 / part number (or 行号 / line)"),
        )
        if not any(k in columns for k in keys)
    ]
    if "order" not in columns and not ("customer" in columns and "po" in columns):
        missing.insert(0, "订单号 / order number (or 客户代码 / customer + 客户订单号 / PO number)")
    if missing:
        result.error = _("The first row must hold the column headings; missing: %(columns)s.") % {
            "columns": "; ".join(missing)
        }
        return result
    if len(rows) == 1:
        result.error = _("The workbook has headings but no deliveries.")
        return result
    if len(rows) > SHIPMENT_IMPORT_MAX_ROWS + 1:
        result.error = _("At most %(n)s rows per file; split the workbook.") % {"n": SHIPMENT_IMPORT_MAX_ROWS}
        return result

    data_rows = []
    for number, values in rows[1:]:
        data = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        texts = {key: _text(value) for key, value in data.items()}
        row = ShipmentImportRow(
            row=number,
            order=texts.get("order") or " ".join(x for x in (texts.get("customer", ""), texts.get("po", "")) if x),
            part=texts.get("part") or (f"#{texts['line']}" if texts.get("line") else ""),
            delivery_note=texts.get("delivery_note", ""),
            quantity=texts.get("quantity", ""),
        )
        result.rows.append(row)
        data_rows.append({**texts, "raw_date": data.get("shipped_on"), "raw_quantity": data.get("quantity")})

    with transaction.atomic():
        by_number, by_po = _resolve_orders(data_rows)
        found: list[Order | None] = []
        for row, data in zip(result.rows, data_rows):
            order = None
            if data.get("order"):
                order = by_number.get(data["order"].upper())
                if order is None:
                    row.problems.append(_("No order numbered %(number)s.") % {"number": data["order"]})
            elif data.get("customer") and data.get("po"):
                matches = by_po.get((data["customer"].upper(), data["po"]), [])
                if not matches:
                    row.problems.append(
                        _("No order of customer %(customer)s with PO number %(po)s.")
                        % {"customer": data["customer"], "po": data["po"]}
                    )
                elif len(matches) > 1:
                    row.problems.append(
                        _(
                            "Several orders of customer %(customer)s have PO number %(po)s (%(numbers)s): give the order number."
                        )
                        % {
                            "customer": data["customer"],
                            "po": data["po"],
                            "numbers": ", ".join(o.number for o in matches),
                        }
                    )
                else:
                    order = matches[0]
            else:
                row.problems.append(_("Give the order number, or the customer and the PO number."))
            found.append(order)
        locked = _lock_orders(o.pk for o in found if o is not None)
        lines_by_order: dict[int, list[OrderLine]] = defaultdict(list)
        for line in OrderLine.objects.filter(order_id__in=locked).order_by("pk"):
            lines_by_order[line.order_id].append(line)

        pending: list[_Pending] = []
        pending_rows: list[ShipmentImportRow] = []
        for row, data, order in zip(result.rows, data_rows, found):
            shipped_on = _date_cell(data["raw_date"]) if data.get("shipped_on") else None
            if not data.get("shipped_on"):
                row.problems.append(_("The shipped date is missing."))
            elif shipped_on is None:
                row.problems.append(_("“%(value)s” is not a date.") % {"value": data["shipped_on"]})
            quantity = _quantity_cell(data["raw_quantity"]) if data.get("quantity") else None
            if not data.get("quantity"):
                row.problems.append(_("The quantity is missing."))
            elif quantity is None:
                row.problems.append(
                    _("“%(value)s” is not a quantity (a number with at most 3 decimals).") % {"value": data["quantity"]}
                )
            if order is None:
                continue
            order = locked[order.pk]
            line = None
            lines = lines_by_order[order.pk]
            if data.get("line"):
                position = data["line"]
                if position.isdigit() and 1 <= int(position) <= len(lines):
                    line = lines[int(position) - 1]
                    if data.get("part") and data["part"].upper() != line.part_number.upper():
                        row.problems.append(
                            _("Line %(line)s of order %(number)s is part %(part)s, not %(given)s.")
                            % {
                                "line": position,
                                "number": order.number,
                                "part": line.part_number,
                                "given": data["part"],
                            }
                        )
                else:
                    row.problems.append(
                        _("Order %(number)s has no line %(line)s (it has %(count)s).")
                        % {"number": order.number, "line": position, "count": len(lines)}
                    )
            elif data.get("part"):
                matches = [li for li in lines if li.part_number.upper() == data["part"].upper()]
                if not matches:
                    row.problems.append(
                        _("Order %(number)s has no line for part %(part)s.")
                        % {"number": order.number, "part": data["part"]}
                    )
                elif len(matches) > 1:
                    row.problems.append(
                        _("Order %(number)s has several lines for part %(part)s: give the line number.")
                        % {"number": order.number, "part": data["part"]}
                    )
                else:
                    line = matches[0]
            else:
                row.problems.append(_("Give the part number or the line number."))
            if line is None:
                continue
            row.order = order.number
            row.part = line.part_number
            pending.append(
                _Pending(
                    line=line,
                    order=order,
                    shipped_on=shipped_on,
                    quantity=quantity,
                    delivery_note=data.get("delivery_note", ""),
                    lot=data.get("lot", ""),
                    row=row.row,
                )
            )
            pending_rows.append(row)
        _check_pending(pending, today=timezone.localdate(), imported=True)
        for p, row in zip(pending, pending_rows):
            row.problems.extend(p.problems)
            row.duplicate = p.duplicate and len(row.problems) == 1
        if result.refused:
            return result
        result.created = _write(pending, user=user, source=ShipmentSource.ERP, source_file=name[:200])
        result.orders = list(Order.objects.filter(pk__in=locked).order_by("number"))
    return result


def shipments_import_summary(result: ShipmentImportResult) -> str:
    count = len(result.created)
    text = ngettext("%(n)s delivery imported.", "%(n)s deliveries imported.", count) % {"n": count}
    states = "; ".join(f"{o.number}: {o.state_label}" for o in result.orders)
    return f"{text} {states}" if states else text


# --- 3.5: the deputy GM's approval that suffices by a rule of the admin ---------------------------------


def approval_rule_for(*, order: Order) -> ApprovalRule | None:
    """The first active rule of the admin that lets the deputy GM's approval of this order suffice."""
    rules = list(ApprovalRule.objects.filter(active=True))
    if not rules:
        return None
    lines = [line for line in order.lines.all() if not line.cancelled]
    parts = {line.part_number for line in lines}
    known = set(
        OrderLine.objects.filter(
            order__customer_id=order.customer_id,
            order__state__in=RELEASED_STATES,
            part_number__in=parts,
            cancelled=False,
        )
        .exclude(order_id=order.pk)
        .values_list("part_number", flat=True)
    )
    for rule in rules:
        if rule.applies_to(order, lines, known):
            return rule
    return None


# --- change notices 生产订单/计划表更改通知单 (4.3) --------------------------------------------------------
#
# Sales writes the changes against the order's values as they are: each item keeps the old value read from
# the order and the new one. When planning issues the approved notice, every old value must still be the
# order's (another notice may have changed it meanwhile) and nothing already shipped may be changed away;
# then the changes amend the order through the engine, each keeping its change mark.

CHANGEABLE_STATES = (OrderState.RELEASED, OrderState.PARTLY_SHIPPED)


@dataclass(frozen=True)
class LineChange:
    """What the customer asks for one order line: new values (None: unchanged), or its cancellation."""

    line_id: int
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    requested_date: date | None = None
    cancel: bool = False


@dataclass
class ChangeRequest:
    """The changes of one notice as entered: per line, lines added, requirements as text, or the order."""

    lines: list[LineChange] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    cancel_order: bool = False


def can_raise_change(user: User, order: Order) -> bool:
    return order.state in CHANGEABLE_STATES and wf.may(user=user, flow=CHANGE_NOTICE_FLOW, ability="create")


def line_labels(order: Order) -> dict[int, str]:
    """ "Line 2 · NH-CN-3060" for each line of the order, numbered as the order page shows them."""
    return {
        line.pk: _("Line %(n)s · %(part)s") % {"n": n, "part": line.part_number}
        for n, line in enumerate(sorted(order.lines.all(), key=lambda li: li.pk), start=1)
    }


def not_changeable_message(order: Order) -> str:
    return _(
        "Order %(number)s is “%(state)s”: only a released or partly shipped order is changed by a change notice."
    ) % {"number": order.number, "state": order.state_label}


def _build_items(order: Order, request: ChangeRequest) -> tuple[list[ChangeItem], list[str]]:
    """The notice's items from what was entered, each old value read from the order; and the refusals."""
    lines = {line.pk: line for line in order.lines.all()}
    labels = line_labels(order)
    shipped = _shipped_by_line(lines)
    items: list[ChangeItem] = []
    problems: list[str] = []
    for change in request.lines:
        line = lines.get(change.line_id)
        if line is None:
            problems.append(_("An order line was changed meanwhile; reload the page."))
            continue
        name = labels[line.pk]
        wanted = [
            (value, current)
            for value, current in (
                (change.quantity, line.quantity),
                (change.unit_price, line.unit_price),
                (change.requested_date, line.requested_date),
            )
            if value is not None and value != current
        ]
        if line.cancelled:
            if wanted or change.cancel:
                problems.append(_("%(line)s is cancelled already.") % {"line": name})
            continue
        done = shipped.get(line.pk, Decimal(0))
        if change.cancel:
            if wanted:
                problems.append(_("%(line)s: cancel the line, or change its values, not both.") % {"line": name})
            elif done > 0:
                problems.append(
                    _("%(line)s: %(qty)s already shipped; change its quantity to %(qty)s instead of cancelling it.")
                    % {"line": name, "qty": quantity_text(done)}
                )
            else:
                items.append(ChangeItem(kind=ChangeKind.CANCEL_LINE, line=line, old_quantity=line.quantity))
            continue
        if change.quantity is not None and change.quantity != line.quantity:
            if change.quantity <= 0:
                problems.append(_("%(line)s: enter a quantity greater than zero, or cancel the line.") % {"line": name})
            elif change.quantity < done:
                problems.append(
                    _("%(line)s: %(qty)s already shipped; the quantity cannot go below it.")
                    % {"line": name, "qty": quantity_text(done)}
                )
            else:
                items.append(
                    ChangeItem(
                        kind=ChangeKind.QUANTITY, line=line, old_quantity=line.quantity, new_quantity=change.quantity
                    )
                )
        if change.unit_price is not None and change.unit_price != line.unit_price:
            if change.unit_price <= 0:
                problems.append(_("%(line)s: enter a unit price greater than zero.") % {"line": name})
            else:
                items.append(
                    ChangeItem(
                        kind=ChangeKind.UNIT_PRICE,
                        line=line,
                        old_unit_price=line.unit_price,
                        new_unit_price=change.unit_price,
                    )
                )
        if change.requested_date is not None and change.requested_date != line.requested_date:
            if change.requested_date < order.po_date:
                problems.append(
                    _("%(line)s: the requested date is before the PO date (%(date)s).")
                    % {"line": name, "date": order.po_date.isoformat()}
                )
            else:
                items.append(
                    ChangeItem(
                        kind=ChangeKind.REQUESTED_DATE,
                        line=line,
                        old_date=line.requested_date,
                        new_date=change.requested_date,
                    )
                )
    for row in request.added:
        part = (row.get("part_number") or "").strip()
        quantity, price, day = row.get("quantity"), row.get("unit_price"), row.get("requested_date")
        line = OrderLine(
            order=order,
            part_number=part,
            description=(row.get("description") or "").strip(),
            quantity=quantity,
            unit=(row.get("unit") or "pcs").strip(),
            unit_price=price,
            currency=row.get("currency") or (next(iter(lines.values())).currency if lines else "CNY"),
            requested_date=day,
        )
        try:
            line.full_clean(exclude=["order"])
            _check_line(line, order.po_date)
        except ValidationError as error:
            problems.extend(f"{part or '—'}: {m}" for m in error.messages)
            continue
        except Blocked as refused:
            problems.extend(refused.messages())
            continue
        items.append(
            ChangeItem(
                kind=ChangeKind.ADD_LINE,
                part_number=line.part_number,
                description=line.description,
                new_quantity=line.quantity,
                unit=line.unit,
                new_unit_price=line.unit_price,
                currency=line.currency,
                new_date=line.requested_date,
            )
        )
    for kind, text in request.texts.items():
        text = (text or "").strip()
        order_field = TEXT_KINDS[ChangeKind(kind)]
        old = getattr(order, order_field) or ""
        if not text or text == old:
            continue
        limit = Order._meta.get_field(order_field).max_length
        if limit and len(text) > limit:
            problems.append(_("%(change)s: at most %(n)s characters.") % {"change": ChangeKind(kind).label, "n": limit})
            continue
        items.append(ChangeItem(kind=kind, old_text=old, new_text=text))
    if request.cancel_order:
        if items:
            problems.append(_("Cancelling the whole order is a notice of its own: remove the other changes."))
        elif any(v > 0 for v in shipped.values()):
            problems.append(
                _(
                    "Part of the order is shipped already: cancel its open lines, or change their quantities to "
                    "what was shipped, instead of cancelling the whole order."
                )
            )
        else:
            items = [ChangeItem(kind=ChangeKind.CANCEL_ORDER)]
    if not items and not problems:
        problems.append(_("Enter at least one change: nothing differs from the order."))
    return items, problems


def _save_items(notice: ChangeNotice, items: list[ChangeItem], user: User, reason: str = "") -> None:
    for item in items:
        item.notice = notice
        item._history_user = user
        if reason:
            item._change_reason = reason
        item.save()


def _price_changed(items: list[ChangeItem]) -> bool:
    return any(item.is_price for item in items)


def _lock_order(order: Order) -> Order:
    return _lock_orders([order.pk])[order.pk]


def _prices_needed(user: User) -> None:
    if not can_see_prices(user):
        raise NotAllowed(_("Writing a change notice needs the permission to see order prices."))


@transaction.atomic
def change_notice_create(
    *,
    order: Order,
    user: User,
    reason: str,
    request: ChangeRequest,
    customer_request_on: date | None = None,
    request_file: UploadedFile | None = None,
) -> ChangeNotice:
    """A new change notice (draft) against a released or partly shipped order, with the customer's
    written request when it is at hand (it must be before the notice is submitted)."""
    if not wf.may(user=user, flow=CHANGE_NOTICE_FLOW, ability="create"):
        raise NotAllowed()
    _prices_needed(user)
    locked = _lock_order(order)
    if locked.state not in CHANGEABLE_STATES:
        raise Blocked(not_changeable_message(locked))
    items, problems = _build_items(locked, request)
    if problems:
        raise Blocked(problems=problems)
    notice = wf.record_create(
        model=ChangeNotice,
        user=user,
        data={
            "order": locked,
            "reason": (reason or "").strip(),
            "customer_request_on": customer_request_on,
            "price_changed": _price_changed(items),
        },
    )
    _save_items(notice, items, user)
    if request_file is not None:
        wf.attachment_add(
            record=notice, user=user, upload=request_file, kind=AttachmentKind.CUSTOMER_REQUEST, description=""
        )
    return notice


@transaction.atomic
def change_notice_save(
    *,
    notice: ChangeNotice,
    user: User,
    reason: str,
    request: ChangeRequest,
    customer_request_on: date | None = None,
    edit_reason: str = "",
    expected_version: int | None = None,
) -> ChangeNotice:
    """Change a notice's reason and changes under its edit rules: after submission an edit needs its
    reason and recalls the notice into a new round."""
    _prices_needed(user)
    with wf.record_editing(record=notice, user=user, reason=edit_reason, expected_version=expected_version) as locked:
        order = _lock_order(locked.order)
        if order.state not in CHANGEABLE_STATES:
            raise Blocked(not_changeable_message(order))
        items, problems = _build_items(order, request)
        if problems:
            raise Blocked(problems=problems)
        mark = locked._nhcs_reason
        locked.reason = (reason or "").strip()
        locked.customer_request_on = customer_request_on
        locked.price_changed = _price_changed(items)
        locked._history_user = user
        locked._change_reason = mark
        locked.save()
        for old in locked.items.all():
            old._history_user = user
            old._change_reason = mark
            old.delete()
        _save_items(locked, items, user, mark)
    return ChangeNotice.objects.get(pk=notice.pk)


def change_notice_problems(*, notice: ChangeNotice) -> list[str]:
    """Why the notice's changes no longer fit the order (read fresh): the order left the released states, a
    value it strikes through changed meanwhile, or something shipped would be changed away."""
    order = Order.objects.get(pk=notice.order_id)
    if order.state not in CHANGEABLE_STATES:
        return [not_changeable_message(order)]
    lines = {line.pk: line for line in order.lines.all()}
    labels = line_labels(order)
    shipped = _shipped_by_line(lines)
    problems = []
    stale = _("%(line)s: the %(what)s is now %(now)s, not %(then)s as the notice says; revise the notice.")
    for item in notice.items.all():
        if item.kind == ChangeKind.CANCEL_ORDER:
            if any(v > 0 for v in shipped.values()):
                problems.append(_("Part of the order is shipped already: it cannot be cancelled as a whole."))
            continue
        if item.kind in TEXT_KINDS:
            if (getattr(order, item.order_field) or "") != item.old_text:
                problems.append(
                    _("The order's “%(field)s” changed meanwhile; revise the notice.")
                    % {"field": Order._meta.get_field(item.order_field).verbose_name}
                )
            continue
        if item.kind == ChangeKind.ADD_LINE:
            continue
        line = lines.get(item.line_id)
        name = labels.get(item.line_id, "")
        if line is None or line.cancelled:
            problems.append(_("%(line)s was cancelled meanwhile; revise the notice.") % {"line": name})
            continue
        done = shipped.get(line.pk, Decimal(0))
        if item.kind in (ChangeKind.QUANTITY, ChangeKind.CANCEL_LINE) and line.quantity != item.old_quantity:
            problems.append(
                stale
                % {
                    "line": name,
                    "what": _("quantity"),
                    "now": quantity_text(line.quantity),
                    "then": quantity_text(item.old_quantity),
                }
            )
        elif item.kind == ChangeKind.QUANTITY and item.new_quantity < done:
            problems.append(
                _("%(line)s: %(qty)s already shipped; the quantity cannot go below it.")
                % {"line": name, "qty": quantity_text(done)}
            )
        elif item.kind == ChangeKind.CANCEL_LINE and done > 0:
            problems.append(
                _("%(line)s: %(qty)s already shipped; change its quantity to %(qty)s instead of cancelling it.")
                % {"line": name, "qty": quantity_text(done)}
            )
        elif item.kind == ChangeKind.UNIT_PRICE and line.unit_price != item.old_unit_price:
            problems.append(
                stale
                % {
                    "line": name,
                    "what": _("unit price"),
                    "now": _price_text(line.unit_price),
                    "then": _price_text(item.old_unit_price),
                }
            )
        elif item.kind == ChangeKind.REQUESTED_DATE and line.requested_date != item.old_date:
            problems.append(
                stale
                % {
                    "line": name,
                    "what": _("requested date"),
                    "now": line.requested_date.isoformat(),
                    "then": item.old_date.isoformat(),
                }
            )
    return problems


def _price_text(value: Decimal | None) -> str:
    return "—" if value is None else quantity_text(value)


def _amendments(items: list[ChangeItem]) -> list:
    changes: list = []
    for item in items:
        if item.kind == ChangeKind.QUANTITY:
            changes.append(wf.Amend("quantity", item.new_quantity, row=item.line, relation="lines"))
        elif item.kind == ChangeKind.UNIT_PRICE:
            changes.append(wf.Amend("unit_price", item.new_unit_price, row=item.line, relation="lines"))
        elif item.kind == ChangeKind.REQUESTED_DATE:
            changes.append(wf.Amend("requested_date", item.new_date, row=item.line, relation="lines"))
        elif item.kind == ChangeKind.CANCEL_LINE:
            changes.append(wf.Amend("cancelled", True, row=item.line, relation="lines"))
        elif item.kind == ChangeKind.ADD_LINE:
            values = {
                "part_number": item.part_number,
                "description": item.description,
                "quantity": item.new_quantity,
                "unit": item.unit or "pcs",
                "unit_price": item.new_unit_price,
                "currency": item.currency,
                "requested_date": item.new_date,
            }
            changes.append(wf.AddRow("lines", values))
        elif item.kind in TEXT_KINDS:
            changes.append(wf.Amend(item.order_field, item.new_text))
    return changes


def change_notice_apply(*, notice: ChangeNotice, user: User, departments: list[int]) -> Order:
    """Apply an issued notice to its order at once (called by the notice's "issue" transition): the
    changes amend the order through the engine, each value keeping its change mark with the notice's
    number, date and signer; a notice that cancels the whole order cancels it through the engine; the
    order's shipping state follows changed quantities. Then each department concerned gets its
    acknowledgement to give."""
    problems = change_notice_problems(notice=notice)
    if problems:
        raise Blocked(problems=problems)
    items = list(notice.items.select_related("line"))
    order = _lock_order(notice.order)
    if any(item.kind == ChangeKind.CANCEL_ORDER for item in items):
        order = wf.transition_record(
            record=order, name="cancel_by_notice", user=user, comment=notice.number, data={"notice": notice.number}
        )
    else:
        wf.record_amend(target=order, changes=_amendments(items), by_record=notice, user=user)
        order_first_requested_refresh(order_ids=[order.pk])
        if any(item.kind in (ChangeKind.QUANTITY, ChangeKind.CANCEL_LINE, ChangeKind.ADD_LINE) for item in items):
            order = _follow_shipments(order_id=order.pk, user=user, notes=[], comment=notice.number)
    for department_id in departments:
        wf.record_create(model=ChangeAck, user=user, data={"notice": notice, "department_id": department_id})
    return order


# --- delay notices (4.4) ---------------------------------------------------------------------------------

DELAY_LINK = "delay_confirmation"
DELAY_LINK_DAYS = 14


def can_raise_delay(user: User) -> bool:
    return wf.may(user=user, flow=DELAY_NOTICE_FLOW, ability="create")


def delay_candidates(customer) -> list[Order]:
    """The customer's orders a delay notice may postpone: released or partly shipped, with a committed date."""
    return list(
        Order.objects.filter(customer=customer, state__in=CHANGEABLE_STATES, committed_date__isnull=False).order_by(
            "committed_date", "number"
        )
    )


def _delay_items(customer, items: list[tuple[Order, date]]) -> tuple[list[DelayItem], list[str]]:
    problems: list[str] = []
    out: list[DelayItem] = []
    seen: set[int] = set()
    orders = _lock_orders(order.pk for order, _day in items)
    for order, proposed in items:
        order = orders[order.pk]
        if order.pk in seen:
            continue
        seen.add(order.pk)
        if order.customer_id != customer.pk:
            problems.append(
                _("Order %(number)s is not an order of %(customer)s: one notice is for one customer.")
                % {"number": order.number, "customer": customer.code}
            )
        elif order.state not in CHANGEABLE_STATES or order.committed_date is None:
            problems.append(
                _("Order %(number)s is “%(state)s”: only a released, not fully shipped order is delayed.")
                % {"number": order.number, "state": order.state_label}
            )
        elif proposed is None:
            problems.append(_("Order %(number)s: give the proposed date.") % {"number": order.number})
        elif proposed <= order.committed_date:
            problems.append(
                _("Order %(number)s is committed for %(date)s: the proposed date must be later.")
                % {"number": order.number, "date": order.committed_date.isoformat()}
            )
        else:
            out.append(DelayItem(order=order, original_date=order.committed_date, proposed_date=proposed))
    if not out and not problems:
        problems.append(_("Choose at least one order and its proposed date."))
    return out, problems


def _save_delay_items(notice: DelayNotice, items: list[DelayItem], user: User, reason: str = "") -> None:
    for item in items:
        item.notice = notice
        item._history_user = user
        if reason:
            item._change_reason = reason
        item.save()


@transaction.atomic
def delay_notice_create(*, user: User, customer, reason: str, items: list[tuple[Order, date]]) -> DelayNotice:
    """Planning's written notice to sales that orders of one customer cannot be delivered on their
    committed dates, with the proposed ones (a draft until issued)."""
    if not can_raise_delay(user):
        raise NotAllowed()
    rows, problems = _delay_items(customer, items)
    if problems:
        raise Blocked(problems=problems)
    notice = wf.record_create(
        model=DelayNotice, user=user, data={"customer": customer, "reason": (reason or "").strip()}
    )
    _save_delay_items(notice, rows, user)
    return notice


@transaction.atomic
def delay_notice_save(
    *,
    notice: DelayNotice,
    user: User,
    reason: str,
    items: list[tuple[Order, date]],
    expected_version: int | None = None,
) -> DelayNotice:
    with wf.record_editing(record=notice, user=user, expected_version=expected_version) as locked:
        rows, problems = _delay_items(locked.customer, items)
        if problems:
            raise Blocked(problems=problems)
        locked.reason = (reason or "").strip()
        locked._history_user = user
        locked._change_reason = locked._nhcs_reason
        locked.save()
        for old in locked.items.all():
            old._history_user = user
            old.delete()
        _save_delay_items(locked, rows, user)
    return DelayNotice.objects.get(pk=notice.pk)


def delay_notice_problems(*, notice: DelayNotice) -> list[str]:
    """Why the notice's dates no longer fit its orders: an order left the released states, or its committed
    date changed meanwhile."""
    problems = []
    for item in notice.items.select_related("order"):
        order = item.order
        if order.state not in CHANGEABLE_STATES:
            problems.append(
                _("Order %(number)s is “%(state)s” now: return the notice to planning.")
                % {"number": order.number, "state": order.state_label}
            )
        elif order.committed_date != item.original_date:
            problems.append(
                _("Order %(number)s is committed for %(now)s now, not %(then)s: return the notice to planning.")
                % {
                    "number": order.number,
                    "now": order.committed_date.isoformat() if order.committed_date else "—",
                    "then": item.original_date.isoformat(),
                }
            )
    return problems


def delay_notice_apply(*, notice: DelayNotice, user: User) -> None:
    """The customer confirmed in writing: each order's committed date becomes the proposed one, the old
    one struck through with the notice's number, the date and the signer (called by "confirm")."""
    problems = delay_notice_problems(notice=notice)
    if problems:
        raise Blocked(problems=problems)
    for item in notice.items.select_related("order").order_by("pk"):
        wf.record_amend(
            target=item.order, changes=[wf.Amend("committed_date", item.proposed_date)], by_record=notice, user=user
        )


def delay_confirmation_attachment(*, notice: DelayNotice):
    """The customer's written confirmation kept with the notice in its current round (a letter attached,
    or the written answer printed when the customer confirmed through the link), or None."""
    from nhcs.workflow.models import Attachment

    attachments = Attachment.objects.for_record(notice).filter(kind=AttachmentKind.WRITTEN_CONFIRMATION)
    current = wf.round_current(notice)
    if current is not None:
        attachments = attachments.filter(uploaded_at__gte=current.started_at)
    return attachments.order_by("-seq").first()


@transaction.atomic
def delay_link_give(*, notice: DelayNotice, user: User, days: int = DELAY_LINK_DAYS):
    """A link for the customer to confirm the proposed dates (nhcs.links), valid `days` days; the one
    given out before is returned while it can still be answered."""
    from datetime import timedelta

    from nhcs.links import services as links

    if not wf.may(user=user, flow=DELAY_NOTICE_FLOW, ability="send_link", record=notice):
        raise NotAllowed()
    locked = wf.record_lock(notice)
    if locked.state != DelayNoticeState.NEGOTIATING:
        raise Blocked(_("The customer confirms once sales has recorded the negotiation with the customer."))
    current = locked.link
    if current is not None and current.used_at is None and not current.is_expired:
        return current
    link = links.link_create(
        purpose=DELAY_LINK,
        customer=locked.customer,
        target=locked,
        expires_at=timezone.now() + timedelta(days=days),
        user=user,
    )
    DelayNotice.objects.filter(pk=locked.pk).update(link=link)
    return link


@transaction.atomic
def delay_customer_confirm(*, token: str, name: str, ip: str | None, user_agent: str = "") -> DelayNotice:
    """The customer confirms the proposed dates through the link by typing their name: their written
    confirmation, printed on the letterhead and kept with the notice. Sales then applies the dates."""
    from nhcs.links import services as links
    from nhcs.links.exceptions import LinkClosed

    from .sheets import delay_answer_pdf

    link = links.link_for_use(token=token, purpose=DELAY_LINK, for_update=True)
    notice = DelayNotice.objects.filter(link=link).first()
    if notice is None:
        raise LinkClosed(link)
    notice = wf.record_lock(notice)
    if (
        notice.state != DelayNoticeState.NEGOTIATING
        or notice.link_id != link.pk
        or delay_notice_problems(notice=notice)
    ):
        raise LinkClosed(link)
    name = " ".join((name or "").split())
    if not name:
        raise Blocked(_("Type your name to confirm the new delivery dates."))
    used = links.link_use(link=link, name=name, ip=ip, user_agent=user_agent)
    pdf = delay_answer_pdf(notice=notice, link=used)
    wf.attachment_add(
        record=notice,
        user=used.created_by,
        upload=SimpleUploadedFile(f"{notice.number}-customer-confirmation.pdf", pdf, "application/pdf"),
        kind=AttachmentKind.WRITTEN_CONFIRMATION,
        purpose="delay_link_confirmation",
        params={"name": used.answered_name, "date": f"{timezone.localtime(used.used_at):%Y-%m-%d %H:%M}"},
    )
    return notice
