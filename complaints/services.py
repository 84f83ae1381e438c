"""Every write of the complaints area: registering and correcting a complaint, raising its corrective and
preventive actions (the shared nhcs.capa records), its costs, its links to earlier complaints, and the
reply documents kept when Sales replies. Transitions go through the engine (nhcs.workflow.services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs import deliveries
from nhcs.accounts.models import Department, User
from nhcs.capa import services as capa
from nhcs.capa.choices import ActionKind, Trigger
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.calendar import Calendar
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed

from .choices import Category
from .flow import COMPLAINT_FLOW, INVESTIGATION_STATES
from .models import Complaint, ComplaintCost, ComplaintLink

# --- who may do what (the roles are declared in complaints/flow.py) ---------------------------------


def can_register(user: User) -> bool:
    return wf.may(user=user, flow=COMPLAINT_FLOW, ability="register")


def registers_any_category(user: User) -> bool:
    """Sales registers every complaint; Quality the quality complaints only (4.6.1, 4.6.4)."""
    return wf.may(user=user, flow=COMPLAINT_FLOW, ability="register_any_category")


def _investigates(user: User, complaint: Complaint) -> bool:
    """The flow's investigators role ("investigate"): the user, or a manager they deputise for today, is
    named on the complaint. Read from the complaint's investigators as loaded (pages prefetch them), where
    the engine would ask the database each time."""
    if not user.is_authenticated or not user.is_active:
        return False
    named = {u.pk for u in complaint.investigators.all()}
    return bool(named & {user.pk, *(p.pk for p in wf.active_principals(user=user))})


def can_raise_actions(user: User, complaint: Complaint) -> bool:
    """The owner and the investigators, while the complaint is assigned or under investigation."""
    if complaint.state not in INVESTIGATION_STATES:
        return False
    return wf.may(user=user, flow=COMPLAINT_FLOW, ability="raise_action", record=complaint) or _investigates(
        user, complaint
    )


def can_record_costs(user: User, complaint: Complaint) -> bool:
    return not complaint.is_final and wf.may(user=user, flow=COMPLAINT_FLOW, ability="record_costs")


def can_link(user: User, complaint: Complaint) -> bool:
    if complaint.is_final:
        return False
    return wf.may(user=user, flow=COMPLAINT_FLOW, ability="link_repeats", record=complaint) or _investigates(
        user, complaint
    )


def _clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            try:
                label = str(obj._meta.get_field(name).verbose_name)
            except Exception:  # noqa: BLE001 - "__all__"
                label = ""
            problems += [f"{label}: {m}" if label else m for m in messages]
        raise Blocked(problems=problems) from None


# --- registering and correcting -----------------------------------------------------------------------

REGISTRATION_FIELDS = (
    "customer",
    "contact_name",
    "contact_detail",
    "channel",
    "received_at",
    "call_notes",
    "part_number",
    "lot",
    "quantity_delivered",
    "quantity_affected",
    "quantity_returned",
    "rma_number",
    "description",
    "customer_request",
    "category",
    "defect",
    "severity",
    "report_8d_requested",
)


def due_dates(*, customer: Customer, received_at: datetime) -> dict[str, date]:
    """The first-reply and 8D deadlines of the customer's service terms, in working days of the company
    calendar from the day the complaint was received."""
    terms = customer.service_terms
    day = timezone.localtime(received_at).date()
    calendar = Calendar(day)
    return {
        "reply_due_on": calendar.add_working_days(day, terms.complaint_reply_days),
        "report_8d_due_on": calendar.add_working_days(day, terms.report_8d_days),
    }


def delivery_values(delivery: deliveries.Delivery | None) -> dict[str, Any]:
    """What a complaint keeps of the delivery it names: its key and a copy of what identifies it."""
    if delivery is None:
        return {"delivery_key": "", "order_number": "", "delivery_note": "", "shipped_on": None}
    return {
        "delivery_key": delivery.key,
        "order_number": delivery.order_number,
        "delivery_note": delivery.delivery_note,
        "shipped_on": delivery.shipped_on,
        "part_number": delivery.part_number,
        "lot": delivery.lot,
    }


# Correcting a registration without touching the delivery it names (which may since have been reversed).
UNCHANGED = object()


def _registration(*, user: User, data: dict[str, Any], delivery) -> dict[str, Any]:
    """Check and complete the registration data: who registers which category, the delivery of this
    customer, the time of receipt, the deadlines."""
    values = {k: data[k] for k in REGISTRATION_FIELDS if k in data}
    for name in ("contact_name", "contact_detail", "call_notes", "part_number", "lot", "rma_number"):
        if name in values:
            values[name] = (values[name] or "").strip()
    for name in ("description", "customer_request"):
        if name in values:
            values[name] = (values[name] or "").strip()
    problems = []
    category = values.get("category")
    if category and category != Category.QUALITY and not registers_any_category(user):
        problems.append(_("Quality registers quality complaints; any other complaint is registered by Sales."))
    customer = values.get("customer")
    if delivery is None:
        values.update(delivery_values(None))
    elif delivery is not UNCHANGED:
        if customer is None or delivery.customer_id != customer.pk:
            problems.append(_("The delivery chosen was not made to this customer."))
        values.update(delivery_values(delivery))
        if values.get("quantity_delivered") is None:
            values["quantity_delivered"] = delivery.quantity
    received_at = values.get("received_at")
    if received_at is not None and received_at > timezone.now():
        problems.append(_("The complaint cannot have been received in the future."))
    affected, delivered = values.get("quantity_affected"), values.get("quantity_delivered")
    if affected is not None and delivered is not None and affected > delivered:
        problems.append(_("More pieces are affected than were delivered."))
    if problems:
        raise Blocked(problems=problems)
    if customer is not None and received_at is not None:
        values.update(due_dates(customer=customer, received_at=received_at))
    return values


@transaction.atomic
def complaint_register(
    *,
    user: User,
    data: dict[str, Any],
    delivery: deliveries.Delivery | None = None,
    earlier: list[Complaint] | tuple = (),
) -> Complaint:
    """Register a complaint in the customer complaint record (4.6.1), numbered, with the deadlines of the
    customer's service terms, linked to the earlier complaints it repeats."""
    if not can_register(user):
        raise NotAllowed()
    values = _registration(user=user, data=data, delivery=delivery)
    complaint = wf.record_create(model=Complaint, user=user, data=values)
    for other in earlier:
        _link(complaint=complaint, earlier=other, user=user)
    return complaint


@transaction.atomic
def complaint_correct(
    *,
    complaint: Complaint,
    user: User,
    data: dict[str, Any],
    delivery: Any = UNCHANGED,
    reason: str = "",
    expected_version: int | None = None,
) -> Complaint:
    """Correct the registration under the flow's edit rules: freely while registered; afterwards with a
    reason (the change mark), taking the complaint back to its owner (a new round). A corrected category
    moves the owner's task; a corrected customer or time of receipt, the deadlines."""
    values = _registration(user=user, data=data, delivery=delivery)
    current = Complaint.objects.get(pk=complaint.pk)
    changes = {
        k: v
        for k, v in values.items()
        if Complaint._meta.get_field(k).value_from_object(current) != getattr(v, "pk", v)
    }
    return wf.record_update(
        record=complaint, user=user, changes=changes, reason=reason, expected_version=expected_version
    )


# --- corrective and preventive actions (4.6.2) --------------------------------------------------------


@transaction.atomic
def action_raise(
    *,
    complaint: Complaint,
    user: User,
    kind: str,
    owner_department: Department,
    title: str,
    analysis: str,
    measures: str,
    due_on: date,
    check_on: date,
) -> CorrectiveAction:
    """Raise a corrective or preventive action from the complaint (a shared corrective-action record):
    the owner department's head sets and distributes the measures, the department carries them out with
    the evidence, Quality verifies their effectiveness. Investigators and the owner raise them while the
    complaint is assigned or under investigation."""
    locked = wf.record_lock(complaint)
    if not can_raise_actions(user, locked):
        raise NotAllowed()
    problems = []
    if kind not in ActionKind.values:
        problems.append(_("Choose whether the action is corrective or preventive."))
    for value, message in (
        (title, _("Give the action a title.")),
        (analysis, _("Say which cause the action addresses.")),
        (measures, _("Describe the measures.")),
    ):
        if not (value or "").strip():
            problems.append(message)
    today = timezone.localdate()
    if due_on is None or due_on < today:
        problems.append(_("The measures are due today or later."))
    if check_on is None or (due_on is not None and check_on < due_on):
        problems.append(_("The effectiveness is checked on or after the due date of the measures."))
    if problems:
        raise Blocked(problems=problems)
    return capa.action_raise(
        source=locked,
        user=user,
        owner_department=owner_department,
        trigger=Trigger.COMPLAINT,
        kind=kind,
        title=title,
        analysis=analysis,
        measures=measures,
        due_on=due_on,
        check_on=check_on,
    )


# --- costs -------------------------------------------------------------------------------------------


@transaction.atomic
def cost_add(
    *, complaint: Complaint, user: User, kind: str, amount: Decimal, incurred_on: date, note: str = ""
) -> ComplaintCost:
    """A cost of the complaint (rework, replacement, freight, credit …), written under the complaint's
    row lock; not part of its signed data."""
    locked = wf.record_lock(complaint)
    if not can_record_costs(user, locked):
        raise NotAllowed()
    if incurred_on is not None and incurred_on > timezone.localdate():
        raise Blocked(_("The date of a cost cannot be in the future."))
    cost = ComplaintCost(
        complaint=locked, kind=kind, amount=amount, incurred_on=incurred_on, note=(note or "").strip(), entered_by=user
    )
    _clean(cost)
    cost._history_user = user
    cost.save()
    return cost


@transaction.atomic
def cost_remove(*, cost: ComplaintCost, user: User) -> None:
    """Take back a cost entered by mistake (its history keeps it)."""
    locked = wf.record_lock(cost.complaint)
    if not can_record_costs(user, locked):
        raise NotAllowed()
    cost._history_user = user
    cost.delete()


# --- recurrence ----------------------------------------------------------------------------------------


def _link(*, complaint: Complaint, earlier: Complaint, user: User) -> ComplaintLink:
    if earlier.pk == complaint.pk:
        raise Blocked(_("A complaint does not repeat itself."))
    if earlier.received_at > complaint.received_at:
        raise Blocked(
            _("Only an earlier complaint can be repeated: %(number)s came later.") % {"number": earlier.number}
        )
    if not wf.can_read_record(user=user, record=earlier):
        raise NotAllowed()
    link, _created = ComplaintLink.objects.get_or_create(
        complaint=complaint, earlier=earlier, defaults={"linked_by": user}
    )
    return link


@transaction.atomic
def link_add(*, complaint: Complaint, earlier: Complaint, user: User) -> ComplaintLink:
    """Mark the complaint as a repeat of an earlier one."""
    locked = wf.record_lock(complaint)
    if not can_link(user, locked):
        raise NotAllowed()
    return _link(complaint=locked, earlier=earlier, user=user)


@transaction.atomic
def link_remove(*, link: ComplaintLink, user: User) -> None:
    locked = wf.record_lock(link.complaint)
    if not can_link(user, locked):
        raise NotAllowed()
    link._history_user = user
    link.delete()


# --- the reply documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyDocument:
    purpose: str
    kind: str
    filename: str
    data: bytes


def reply_documents_attach(*, complaint: Complaint, user: User, replied_on: str = "") -> list:
    """Keep the reply letter as sent (and the 8D report, when the customer asked for one) with the
    complaint, numbered like any other material. Called by the "reply" transition, the complaint locked."""
    from .sheets import reply_letter_pdf, report_8d_pdf

    documents = [
        ReplyDocument(
            "complaint_reply_letter",
            AttachmentKind.LETTER,
            f"{complaint.number}-reply.pdf",
            reply_letter_pdf(complaint),
        )
    ]
    if complaint.report_8d_requested:
        documents.append(
            ReplyDocument(
                "complaint_8d_report", AttachmentKind.REPORT, f"{complaint.number}-8D.pdf", report_8d_pdf(complaint)
            )
        )
    return [
        wf.attachment_add(
            record=complaint,
            user=user,
            upload=SimpleUploadedFile(doc.filename, doc.data, "application/pdf"),
            kind=doc.kind,
            purpose=doc.purpose,
            params={"date": replied_on},
        )
        for doc in documents
    ]
