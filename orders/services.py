"""Every write of the orders area: orders, lines, BOM, lead times, clarifications, the committed date
and the certified-data report. Transitions go through the engine."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.accounts.models import User
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed

from .choices import Channel, MaterialSource, OrderState
from .flow import ORDER_FLOW
from .models import BomLine, Clarification, Order, OrderLine

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
    return order


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
