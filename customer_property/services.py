"""Every write of the customer property register: registering, the movement ledger (with the state that
follows it), production runs of molds, the rows and letters the register's actions leave, incidents of
loss or damage, counts. Transitions go through the engine; rows are written under the item's row lock
(nhcs.workflow.services.record_lock), so two movements posted at once never take stock below zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.accounts.models import Department, User
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.locking import lock_rows

from .choices import (
    HAND_KINDS,
    PRODUCTION_EFFECT,
    QUANTITY_KINDS,
    STOCK_EFFECT,
    IncidentKind,
    ItemState,
    MovementKind,
)
from .flow import COUNT_FLOW, ITEM_FLOW
from .models import Incident, Location, Movement, PropertyItem, StockCount, StockCountLine
from .selectors import Balance, balance_of, register_qs, with_obsolete

M = MovementKind
S = ItemState

# --- who may do what (the roles are declared in customer_property/flow.py) --------------------------


def can_register(user: User) -> bool:
    return wf.may(user=user, flow=ITEM_FLOW, ability="register")


def can_move(user: User) -> bool:
    return wf.may(user=user, flow=ITEM_FLOW, ability="move")


def can_count(user: User) -> bool:
    return wf.may(user=user, flow=ITEM_FLOW, ability="count")


def can_raise_action(user: User) -> bool:
    return wf.may(user=user, flow=ITEM_FLOW, ability="raise_action")


def quantity_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- registering -------------------------------------------------------------------------------------


@transaction.atomic
def item_register(*, user: User, data: dict[str, Any]) -> PropertyItem:
    """Register what a customer supplied (4.8.1, 顾客财产登记表); Sales submits it for verification next."""
    if not can_register(user):
        raise NotAllowed()
    return wf.record_create(model=PropertyItem, user=user, data=dict(data))


# --- the movement ledger -----------------------------------------------------------------------------

# In which states each movement may be posted by hand.
HAND_STATES = {
    M.ISSUED: (S.IN_STORAGE, S.IN_USE),
    M.RETURNED_FROM_PRODUCTION: (S.IN_USE, S.DAMAGED, S.UNDER_MAINTENANCE),
    M.CONSUMED: (S.IN_USE,),
    M.SCRAPPED_IN_PRODUCTION: (S.IN_USE,),
    M.SHOTS: (S.IN_USE, S.IN_STORAGE),
    M.MOVED: (S.ACCEPTED, S.IN_STORAGE, S.IN_USE, S.UNDER_MAINTENANCE, S.DAMAGED, S.NONCONFORMING, S.CUSTOMER_NOTIFIED),
}


def hand_kinds_for(item: PropertyItem) -> list[str]:
    """The movements that may be posted by hand on the item in its present state."""
    kinds = [k for k in HAND_KINDS if item.state in HAND_STATES[k]]
    if not item.is_mold:
        kinds = [k for k in kinds if k != M.SHOTS]
    return kinds


@dataclass(frozen=True)
class MovementEntry:
    kind: str
    quantity: Decimal | None = None
    moved_on: date | None = None
    order_number: str = ""
    place: str = ""
    location: Location | None = None
    shots: int | None = None
    reason: str = ""
    reference: str = ""


def _after(balance: Balance, kind: str, quantity: Decimal) -> Balance:
    return Balance(
        stock=balance.stock + STOCK_EFFECT.get(kind, 0) * quantity,
        at_production=balance.at_production + PRODUCTION_EFFECT.get(kind, 0) * quantity,
        shots=balance.shots,
    )


def _check_entry(item: PropertyItem, entry: MovementEntry, balance: Balance, today: date) -> list[str]:
    problems = []
    kind = entry.kind
    if entry.moved_on is None:
        problems.append(_("Give the date."))
    elif entry.moved_on > today:
        problems.append(_("The date cannot be in the future."))
    elif item.received_on and entry.moved_on < item.received_on:
        problems.append(_("The date is before the item was received."))
    if kind in STOCK_EFFECT or kind in PRODUCTION_EFFECT:
        quantity = entry.quantity
        if quantity is None or quantity <= 0:
            problems.append(_("The quantity must be more than zero."))
        else:
            after = _after(balance, kind, quantity)
            if after.stock < 0:
                problems.append(
                    _("Only %(left)s %(unit)s are in store: %(qty)s cannot be taken out.")
                    % {"left": quantity_text(balance.stock), "unit": item.unit, "qty": quantity_text(quantity)}
                )
            if after.at_production < 0:
                problems.append(
                    _("Only %(left)s %(unit)s are at production: %(qty)s cannot come back from it or be used there.")
                    % {"left": quantity_text(balance.at_production), "unit": item.unit, "qty": quantity_text(quantity)}
                )
    if kind == M.ISSUED and getattr(item, "is_obsolete", False):
        newer = item.superseded_by.exclude(state__in=(S.REGISTERED, S.PENDING_VERIFICATION)).first()
        problems.append(
            _("Revision %(rev)s is superseded by %(number)s (revision %(new)s): issue that one.")
            % {"rev": item.revision, "number": newer.number if newer else "—", "new": newer.revision if newer else "—"}
        )
    if kind == M.SCRAPPED_IN_PRODUCTION and not entry.reason.strip():
        problems.append(_("Say why it was scrapped."))
    if kind == M.SHOTS:
        if not entry.shots or entry.shots <= 0:
            problems.append(_("Give the shots of the production run."))
        if not item.is_mold:
            problems.append(_("Only a mold records shots."))
    if kind == M.MOVED and entry.location is None:
        problems.append(_("Choose the location."))
    if len(entry.order_number) > 40:
        problems.append(_("The order number is longer than 40 characters."))
    return problems


def _write(item: PropertyItem, entry: MovementEntry, *, user: User, signoff=None, attachment=None) -> Movement:
    movement = Movement(
        item=item,
        kind=entry.kind,
        moved_on=entry.moved_on or timezone.localdate(),
        # A move, a run's shots or a maintenance moves no quantity, whatever the form held.
        quantity=(entry.quantity or Decimal(0)) if entry.kind in QUANTITY_KINDS else Decimal(0),
        shots=entry.shots if entry.kind == M.SHOTS else None,
        order_number=(entry.order_number or "").strip(),
        place=(entry.place or "").strip()[:100],
        location=entry.location,
        reason=(entry.reason or "").strip()[:255],
        reference=(entry.reference or "").strip()[:60],
        signoff=signoff,
        attachment=attachment,
        entered_by=user,
    )
    movement.save()
    return movement


FOLLOW = (
    # (state, transition) in the order they are tried: the ledger's conditions decide which one applies.
    (S.IN_STORAGE, "put_in_use"),
    (S.IN_USE, "back_in_storage"),
    (S.IN_USE, "use_up"),
)


def _follow_ledger(*, item_id: int, user: User) -> PropertyItem:
    """Move the item to the state its ledger gives, through the engine, signed by `user`."""
    from django_fsm import can_proceed

    item = PropertyItem.objects.get(pk=item_id)
    for state, name in FOLLOW:
        if item.state == state and can_proceed(getattr(item, name)):
            return wf.transition_record(record=item, name=name, user=user)
    return item


@transaction.atomic
def movement_post(*, item: PropertyItem, user: User, entry: MovementEntry) -> Movement:
    """Post one movement by hand (issue, return from production, consume, scrap in production, a
    production run's shots, a move to another location).

    The item's row is locked first, so two movements posted at once are checked one after the other; a
    movement that would take the quantity in store or at production below zero is refused and nothing
    changes. The item's state then follows the ledger (in use, back in storage, used up)."""
    if not can_move(user):
        raise NotAllowed()
    locked = wf.record_lock(item)
    if not wf.can_read_record(user=user, record=locked):
        raise NotAllowed()
    if entry.kind not in HAND_KINDS:
        raise NotAllowed()
    if locked.state not in HAND_STATES[entry.kind]:
        raise Blocked(
            _("An item that is “%(state)s” cannot be “%(movement)s”.")
            % {"state": locked.state_label, "movement": M(entry.kind).label}
        )
    checked = with_obsolete(PropertyItem.objects.filter(pk=locked.pk)).get()
    problems = _check_entry(checked, entry, balance_of(locked), timezone.localdate())
    if problems:
        raise Blocked(problems=problems)
    movement = _write(locked, entry, user=user)
    _follow_ledger(item_id=locked.pk, user=user)
    return movement


# --- rows and letters the register's actions leave (called by the flow's after hooks) -------------------


def receipt_write(*, item: PropertyItem, user: User, signoff, context) -> None:
    """Verified: the quantity Quality found is received into the ledger (once; a repaired item verified
    again was received before)."""
    if item.movements.filter(kind=M.RECEIVED).exists():
        return
    quantity = Decimal(str(context.data.get("quantity_found") or 0))
    if quantity <= 0:
        return
    day = date.fromisoformat(context.data["inspected_on"]) if context.data.get("inspected_on") else None
    _write(
        item,
        MovementEntry(kind=M.RECEIVED, quantity=quantity, moved_on=day, reference=item.received_from[:60]),
        user=user,
        signoff=signoff,
    )


def _location(context) -> Location | None:
    pk = context.data.get("location")
    return Location.objects.filter(pk=pk).first() if pk else None


def location_write(*, item: PropertyItem, user: User, signoff, context) -> None:
    _write(
        item,
        MovementEntry(kind=M.MOVED, location=_location(context), reason=context.data.get("note") or ""),
        user=user,
        signoff=signoff,
    )


def found_write(*, item: PropertyItem, user: User, signoff, context) -> None:
    """Found again: what was out at production is back in store, at the location given."""
    balance = balance_of(item)
    if balance.at_production > 0:
        _write(
            item,
            MovementEntry(kind=M.RETURNED_FROM_PRODUCTION, quantity=balance.at_production, reason=_("Found again")),
            user=user,
            signoff=signoff,
        )
    location_write(item=item, user=user, signoff=signoff, context=context)


def maintenance_write(*, item: PropertyItem, user: User, signoff, context) -> None:
    data = context.data
    _write(
        item,
        MovementEntry(
            kind=M.MAINTENANCE,
            moved_on=date.fromisoformat(data["done_on"]) if data.get("done_on") else None,
            place=data.get("done_by") or "",
            reason=(data.get("work_done") or "")[:255],
        ),
        user=user,
        signoff=signoff,
    )


def _last_attachment(item: PropertyItem):
    from nhcs.workflow.models import Attachment

    return Attachment.objects.for_record(item).order_by("-seq").first()


def return_write(*, item: PropertyItem, user: User, signoff, context) -> None:
    """Returned: what is left in store goes out of the ledger, with the customer's signed receipt."""
    balance = balance_of(item)
    if balance.stock <= 0:
        return
    data = context.data
    _write(
        item,
        MovementEntry(
            kind=M.RETURNED_TO_CUSTOMER,
            quantity=balance.stock,
            moved_on=date.fromisoformat(data["returned_on"]) if data.get("returned_on") else None,
            reference=(data.get("document_number") or "")[:60],
            reason=data.get("note") or "",
        ),
        user=user,
        signoff=signoff,
        attachment=_last_attachment(item),
    )


def scrap_write(*, item: PropertyItem, user: User, signoff, context) -> None:
    balance = balance_of(item)
    if balance.stock <= 0:
        return
    data = context.data
    _write(
        item,
        MovementEntry(
            kind=M.SCRAPPED,
            quantity=balance.stock,
            moved_on=date.fromisoformat(data["scrapped_on"]) if data.get("scrapped_on") else None,
            reason=(data.get("method") or "")[:255],
            reference=(data.get("consent_reference") or "")[:60],
        ),
        user=user,
        signoff=signoff,
        attachment=_last_attachment(item),
    )


def _keep_letter(*, record, user: User, pdf: bytes, name: str, sent_on: str) -> None:
    wf.attachment_add(
        record=record,
        user=user,
        upload=SimpleUploadedFile(name, pdf, "application/pdf"),
        kind=AttachmentKind.LETTER,
        purpose="property_notice",
        params={"date": sent_on},
    )


def nonconformity_notice_keep(*, item: PropertyItem, user: User, context) -> None:
    """The notice of the nonconformity, as sent, is kept with the item."""
    from .sheets import nonconformity_letter_pdf

    pdf = nonconformity_letter_pdf(item=item)
    _keep_letter(record=item, user=user, pdf=pdf, name=f"{item.number}-notice.pdf", sent_on=context.data["sent_on"])


def incident_notice_keep(*, incident: Incident, user: User) -> None:
    from .sheets import incident_letter_pdf

    pdf = incident_letter_pdf(incident=incident)
    _keep_letter(
        record=incident,
        user=user,
        pdf=pdf,
        name=f"{incident.number.replace('/', '-')}-notice.pdf",
        sent_on=incident.notice_sent_on.isoformat() if incident.notice_sent_on else "",
    )


# --- loss or damage ----------------------------------------------------------------------------------------

INCIDENT_FIELDS = ("kind", "occurred_on", "found_how", "description", "extent", "quantity")


@transaction.atomic
def incident_report(*, item: PropertyItem, user: User, data: dict[str, Any]) -> Incident:
    """Report a loss or damage (4.8.5): anyone who reads the item may; the item becomes lost or damaged
    at once, signed by the reporter, and Sales has the task to notify the customer."""
    locked = wf.record_lock(item)
    if not wf.can_read_record(user=user, record=locked):
        raise NotAllowed()
    kind = data.get("kind")
    name = "report_lost" if kind == IncidentKind.LOSS else "report_damaged"
    transition = ITEM_FLOW.transition(name)
    already = kind == IncidentKind.DAMAGE and locked.state == S.DAMAGED
    if locked.state not in transition.sources and not already:
        raise Blocked(
            _("An item that is “%(state)s” cannot be reported %(what)s.")
            % {"state": locked.state_label, "what": IncidentKind(kind).label.lower() if kind else ""}
        )
    quantity = data.get("quantity")
    if quantity is not None and quantity > locked.quantity and quantity > balance_of(locked).on_hand:
        raise Blocked(_("More is reported than the item holds."))
    values = {k: data.get(k) for k in INCIDENT_FIELDS}
    incident = wf.record_create(model=Incident, user=user, data={"item": locked, **values})
    if not already:
        wf.transition_record(record=locked, name=name, user=user, comment=incident.number)
    return incident


@transaction.atomic
def incident_action_raise(*, incident: Incident, user: User, owner_department: Department, title: str):
    """A corrective action raised from the incident (nhcs.capa), owned by the department that acts."""
    from nhcs.capa import services as capa
    from nhcs.capa.choices import Trigger

    if not can_raise_action(user) or not wf.can_read_record(user=user, record=incident):
        raise NotAllowed()
    if incident.is_final:
        raise Blocked(_("The incident is settled."))
    title = (title or "").strip()
    if not title:
        raise Blocked(_("Say what the action is to prevent."))
    return capa.action_raise(
        source=incident, user=user, owner_department=owner_department, trigger=Trigger.INCIDENT, title=title
    )


# --- the periodic count --------------------------------------------------------------------------------

COUNTED_STATES = (
    S.ACCEPTED,
    S.IN_STORAGE,
    S.IN_USE,
    S.UNDER_MAINTENANCE,
    S.DAMAGED,
    S.NONCONFORMING,
    S.CUSTOMER_NOTIFIED,
)


@transaction.atomic
def count_start(*, user: User, location: Location | None, customer, counted_on: date, note: str = "") -> StockCount:
    """Start a count of a location's or a customer's items: each with the quantity in store now."""
    if not can_count(user):
        raise NotAllowed()
    if location is None and customer is None:
        raise Blocked(_("Choose a location or a customer to count."))
    items = register_qs().filter(state__in=COUNTED_STATES)
    if location is not None:
        items = items.filter(current_location_id=location.pk)
    if customer is not None:
        items = items.filter(customer=customer)
    items = list(items.order_by("number"))
    if not items:
        raise Blocked(_("No item to count there."))
    count = wf.record_create(
        model=StockCount,
        user=user,
        data={"location": location, "customer": customer, "counted_on": counted_on, "note": (note or "").strip()},
    )
    StockCountLine.objects.bulk_create(
        [StockCountLine(count=count, item=item, expected=item.qty_in_store) for item in items]
    )
    return count


@transaction.atomic
def count_enter(
    *, count: StockCount, user: User, counts: dict[int, tuple[Decimal | None, str]], expected_version: int | None = None
) -> StockCount:
    """The warehouse enters what it counted (while counting)."""
    with wf.record_editing(record=count, user=user, expected_version=expected_version) as locked:
        lines = {line.pk: line for line in locked.lines.all()}
        for pk, (counted, note) in counts.items():
            line = lines.get(pk)
            if line is None:
                raise Blocked(_("The count changed meanwhile; reload the page."))
            if counted is not None and counted < 0:
                raise Blocked(_("A counted quantity cannot be negative."))
            line.counted = counted
            line.note = (note or "").strip()[:200]
            line.save(update_fields=["counted", "note"])
    return StockCount.objects.get(pk=count.pk)


def count_adjust(*, count: StockCount, user: User) -> None:
    """Resolved: each difference adjusts the item's stock through the ledger (under its row lock)."""
    lines = [line for line in count.lines.select_related("item").order_by("item_id") if line.difference]
    if not lines:
        return
    locked = {
        i.pk: i for i in lock_rows(PropertyItem.objects.filter(pk__in=[li.item_id for li in lines]).order_by("pk"))
    }
    problems = []
    for line in lines:
        item = locked[line.item_id]
        balance = balance_of(item)
        if balance.stock + line.difference < 0:
            problems.append(
                _("%(number)s: only %(left)s in store now, the difference %(diff)s cannot be applied; count again.")
                % {
                    "number": item.number,
                    "left": quantity_text(balance.stock),
                    "diff": quantity_text(line.difference),
                }
            )
            continue
        _write(
            item,
            MovementEntry(
                kind=M.ADJUSTED,
                quantity=line.difference,
                moved_on=count.counted_on,
                reason=_("Count %(number)s") % {"number": count.number},
                reference=count.number,
            ),
            user=user,
        )
    if problems:
        raise Blocked(problems=problems)


__all__ = [
    "COUNT_FLOW",
    "MovementEntry",
    "count_enter",
    "count_start",
    "incident_report",
    "item_register",
    "movement_post",
]
