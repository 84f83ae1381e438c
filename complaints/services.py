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

from .choices import AckState, AdvisoryState, Category, ComplaintChannel, FeedbackSource, FeedbackState, Sentiment
from .flow import ADVISORY_FLOW, COMPLAINT_FLOW, FEEDBACK_FLOW, INVESTIGATION_STATES
from .models import AdvisoryAck, AdvisoryNotice, Complaint, ComplaintCost, ComplaintLink, Feedback

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


# --- after-sales feedback (NH-QP14 4.5) ---------------------------------------------------------------

FEEDBACK_FIELDS = (
    "customer",
    "contact_name",
    "contact_detail",
    "source",
    "received_at",
    "order_number",
    "part_number",
    "lot",
    "sentiment",
    "text",
)


def can_register_feedback(user: User) -> bool:
    return wf.may(user=user, flow=FEEDBACK_FLOW, ability="register")


def can_escalate(user: User, feedback: Feedback) -> bool:
    """Turn an open feedback into a complaint or a corrective action: Sales and Quality."""
    return feedback.state == FeedbackState.OPEN and wf.may(user=user, flow=FEEDBACK_FLOW, ability="escalate")


def _feedback_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in FEEDBACK_FIELDS if k in data}
    for name in ("contact_name", "contact_detail", "order_number", "part_number", "lot", "text"):
        if name in values:
            values[name] = (values[name] or "").strip()
    received_at = values.get("received_at")
    if received_at is not None and received_at > timezone.now():
        raise Blocked(_("The feedback cannot have been received in the future."))
    return values


@transaction.atomic
def feedback_register(*, user: User, data: dict[str, Any], attachments: list | tuple = ()) -> Feedback:
    """Register what a customer said after delivery in the feedback register, numbered FK-yyyy-nnnn,
    with the material that came with it (`attachments`: uploaded files)."""
    if not can_register_feedback(user):
        raise NotAllowed()
    feedback = wf.record_create(model=Feedback, user=user, data=_feedback_values(data))
    for upload in attachments:
        wf.attachment_add(record=feedback, user=user, upload=upload, kind=AttachmentKind.OTHER)
    return feedback


def feedback_from_opinion(opinion) -> Feedback | None:
    """The receiver of nhcs.customers.opinions (connected in complaints/apps.py): a customer's opinion
    another area received (a survey answer's comment) enters the feedback register — once per origin."""
    from django.db import IntegrityError

    text = (opinion.text or "").strip()
    if not text or Feedback.objects.filter(origin_key=opinion.key).exists():
        return None
    user = User.objects.get(pk=opinion.user_id)
    received_at = timezone.make_aware(datetime.combine(opinion.received_on, datetime.min.time()).replace(hour=12))
    data = {
        "customer_id": opinion.customer_id,
        "contact_name": (opinion.contact_name or "")[:60],
        "source": opinion.source if opinion.source in FeedbackSource.values else FeedbackSource.SURVEY,
        "received_at": min(received_at, timezone.now()),
        "sentiment": opinion.sentiment if opinion.sentiment in Sentiment.values else Sentiment.NEUTRAL,
        "text": text,
        "origin_key": opinion.key[:60],
        "origin_reference": (opinion.reference or "")[:60],
        "origin_url": (opinion.url or "")[:200],
    }
    try:
        with transaction.atomic():
            return wf.record_create(model=Feedback, user=user, data=data)
    except IntegrityError:  # the same opinion, passed on twice at once
        return None


SOURCE_CHANNEL = {
    FeedbackSource.VISIT: ComplaintChannel.VISIT,
    FeedbackSource.PHONE: ComplaintChannel.PHONE,
    FeedbackSource.EMAIL: ComplaintChannel.EMAIL,
}


@transaction.atomic
def feedback_to_complaint(*, feedback: Feedback, user: User, category: str, severity: str = "") -> Complaint:
    """Register the feedback as a complaint (4.6.1): the complaint carries the feedback's customer,
    contact, time, order, product, lot, text and material and names the feedback it came from; the
    feedback is then dealt with (closed with the complaint's number)."""
    locked = wf.record_lock(feedback)
    if not can_escalate(user, locked) or not can_register(user):
        raise NotAllowed()
    if Complaint.objects.filter(from_feedback=locked).exists():
        raise Blocked(_("A complaint was raised from this feedback already."))
    channel = SOURCE_CHANNEL.get(locked.source, ComplaintChannel.OTHER)
    data = {
        "customer": locked.customer,
        "contact_name": locked.contact_name,
        "contact_detail": locked.contact_detail,
        "channel": channel,
        "received_at": locked.received_at,
        # A phone call was written up when the feedback was taken.
        "call_notes": locked.text if channel == ComplaintChannel.PHONE else "",
        "part_number": locked.part_number,
        "lot": locked.lot,
        "description": locked.text,
        "category": category,
        "severity": severity or "major",
    }
    values = _registration(user=user, data=data, delivery=None)
    values["order_number"] = locked.order_number
    values["from_feedback"] = locked
    complaint = wf.record_create(model=Complaint, user=user, data=values)
    for attachment in locked.attachments.order_by("seq"):
        with attachment.file.open("rb") as handle:
            upload = SimpleUploadedFile(attachment.original_name, handle.read(), attachment.mime_type)
        wf.attachment_add(
            record=complaint, user=user, upload=upload, kind=attachment.kind, description=attachment.description
        )
    wf.transition_record(
        record=locked,
        name="close",
        user=user,
        data={"outcome": _("Registered as complaint %(number)s.") % {"number": complaint.number}},
    )
    return complaint


@transaction.atomic
def feedback_action_raise(
    *,
    feedback: Feedback,
    user: User,
    owner_department: Department,
    kind: str,
    title: str,
    measures: str = "",
    due_on: date,
    check_on: date | None = None,
) -> CorrectiveAction:
    """Raise a corrective or preventive action for a department from the feedback (nhcs.capa): the
    department's head sets the measures, Quality verifies them, Sales tells the customer."""
    locked = wf.record_lock(feedback)
    if not can_escalate(user, locked):
        raise NotAllowed()
    problems = []
    if kind not in ActionKind.values:
        problems.append(_("Choose whether the action is corrective or preventive."))
    if not (title or "").strip():
        problems.append(_("Give the action a title."))
    if due_on is None or due_on < timezone.localdate():
        problems.append(_("The measures are due today or later."))
    if problems:
        raise Blocked(problems=problems)
    return capa.action_raise(
        source=locked,
        user=user,
        owner_department=owner_department,
        trigger=Trigger.FEEDBACK,
        kind=kind,
        title=title,
        analysis=locked.text,
        measures=measures,
        due_on=due_on,
        check_on=check_on or due_on,
    )


# --- advisory notices (忠告性通知, NH-QP14 4.5) -------------------------------------------------------------

ADVISORY_FIELDS = (
    "subject",
    "reason",
    "parts",
    "lots",
    "measure",
    "instructions",
    "respond_by",
    "shipped_from",
    "shipped_to",
)
ADVISORY_LINK = "advisory_ack"
# A customer's link stays valid this many days after the notice's deadline (late acknowledgements count).
LINK_DAYS_AFTER_DEADLINE = 30


def can_draft_advisory(user: User) -> bool:
    return wf.may(user=user, flow=ADVISORY_FLOW, ability="draft")


def can_remind(user: User, notice: AdvisoryNotice) -> bool:
    return notice.state == AdvisoryState.SENT and wf.may(user=user, flow=ADVISORY_FLOW, ability="remind")


def _advisory_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in ADVISORY_FIELDS if k in data}
    for name in ("subject", "reason", "parts", "lots", "instructions"):
        if name in values:
            values[name] = (values[name] or "").strip()
    start, end = values.get("shipped_from"), values.get("shipped_to")
    if start and end and start > end:
        raise Blocked(_("The shipping period ends before it starts."))
    return values


@transaction.atomic
def advisory_create(*, user: User, data: dict[str, Any]) -> AdvisoryNotice:
    """Draft an advisory notice, numbered ZG-yyyy-nnnn (Quality or Sales)."""
    if not can_draft_advisory(user):
        raise NotAllowed()
    return wf.record_create(model=AdvisoryNotice, user=user, data=_advisory_values(data))


@transaction.atomic
def advisory_update(
    *, notice: AdvisoryNotice, user: User, data: dict[str, Any], reason: str = "", expected_version=None
) -> AdvisoryNotice:
    """Change the notice: freely as a draft; once submitted, with a reason, taking it back to draft."""
    values = _advisory_values(data)
    current = AdvisoryNotice.objects.get(pk=notice.pk)
    changes = {k: v for k, v in values.items() if getattr(current, k) != v}
    return wf.record_update(record=notice, user=user, changes=changes, reason=reason, expected_version=expected_version)


def _link_expiry(notice: AdvisoryNotice) -> datetime:
    from datetime import timedelta

    from nhcs.workflow.calendar import end_of_day

    last = max(notice.respond_by + timedelta(days=LINK_DAYS_AFTER_DEADLINE), timezone.localdate() + timedelta(days=7))
    return end_of_day(last)


def advisory_acks_create(*, notice: AdvisoryNotice, user: User, customer_ids: list[int]) -> list[AdvisoryAck]:
    """Called by the "send" transition (the notice locked): one acknowledgement per customer, each with
    its link, and the notice mailed to those with an e-mail address, in their language."""
    from nhcs.links import services as links

    acks = []
    expires_at = _link_expiry(notice)
    for customer in Customer.objects.filter(pk__in=customer_ids).order_by("code"):
        ack = wf.record_create(
            model=AdvisoryAck,
            user=user,
            data={"notice": notice, "customer": customer, "respond_by": notice.respond_by},
        )
        link = links.link_create(purpose=ADVISORY_LINK, customer=customer, target=ack, expires_at=expires_at, user=user)
        AdvisoryAck.objects.filter(pk=ack.pk).update(link=link)
        ack.link = link
        acks.append(ack)
    mail_advisory(acks=acks, reminder=False)
    return acks


def mail_advisory(*, acks: list[AdvisoryAck], reminder: bool) -> int:
    """Queue for each customer (with an e-mail address) the notice and their link, in their language."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from nhcs.mail.choices import MailKind
    from nhcs.mail.services import mail_queue

    queued = 0
    for ack in acks:
        customer = ack.customer
        if not customer.email or ack.link is None:
            continue
        with translation.override(customer.language or "zh-hans"):
            context = {
                "ack": ack,
                "notice": ack.notice,
                "customer": customer,
                "url": ack.link.url,
                "reminder": reminder,
            }
            subject = render_to_string("complaints/email/advisory_subject.txt", context).strip()
            body = render_to_string("complaints/email/advisory_body.txt", context)
        kind = MailKind.ADVISORY_REMINDER if reminder else MailKind.ADVISORY_NOTICE
        queued += len(mail_queue(to=[customer.email], subject=subject, body=body, kind=kind, about=ack))
    return queued


@transaction.atomic
def advisory_remind(*, notice: AdvisoryNotice, user: User) -> int:
    """Mail the notice again to the customers who have not acknowledged yet (Sales' follow-up)."""
    locked = wf.record_lock(notice)
    if not can_remind(user, locked):
        raise NotAllowed()
    waiting = list(locked.acknowledgements.filter(state=AckState.SENT).select_related("customer", "link", "notice"))
    return mail_advisory(acks=waiting, reminder=True)


@transaction.atomic
def advisory_acknowledge_online(
    *, token: str, name: str, reply: str = "", ip: str | None, user_agent: str = ""
) -> AdvisoryAck:
    """The customer acknowledges the notice through their link by typing their name: once, before the
    link expires. The link keeps the name, time and address; the acknowledgement is signed in the name of
    whoever sent the notice, and the customer's written answer is printed and attached to it."""
    from nhcs.links import services as links
    from nhcs.links.exceptions import LinkClosed
    from nhcs.links.sheets import written_answer_pdf

    link = links.link_for_use(token=token, purpose=ADVISORY_LINK, for_update=True)
    ack = AdvisoryAck.objects.filter(link=link).select_related("notice").first()
    if ack is None or ack.notice.state != AdvisoryState.SENT:
        raise LinkClosed(link)
    ack = wf.record_lock(ack)
    if ack.state != AckState.SENT:
        raise LinkClosed(link)
    name = " ".join((name or "").split())
    if not name:
        raise Blocked(_("Type your name to acknowledge the notice."))
    used = links.link_use(link=link, name=name, ip=ip, user_agent=user_agent)
    ack = wf.transition_record(
        record=ack,
        name="acknowledge_online",
        user=used.created_by,
        data={"acknowledged_by": used.answered_name, "reply": (reply or "").strip()},
    )
    lines = [(str(_("Advisory notice")), f"{ack.notice.number} {ack.notice.subject}")]
    if ack.reply:
        lines.append((str(_("customer's reply")), ack.reply))
    pdf = written_answer_pdf(
        link=used, form_key="advisory_letter", record_number=ack.number, heading=str(_("Acknowledgement")), lines=lines
    )
    wf.attachment_add(
        record=ack,
        user=used.created_by,
        upload=SimpleUploadedFile(f"{ack.number.replace('/', '-')}-acknowledgement.pdf", pdf, "application/pdf"),
        kind=AttachmentKind.WRITTEN_CONFIRMATION,
        purpose="advisory_online_ack",
        params={"name": used.answered_name, "date": f"{timezone.localtime(used.used_at):%Y-%m-%d %H:%M}"},
    )
    return ack
