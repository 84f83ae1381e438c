"""The order review flow of NH-QP14 4.1–4.2 (see shared/design/flows.md, "Order review").

Sales identifies the customer's requirements (4.1.1) and submits; Planning & Logistics opens the
technical review, in which Engineering (BOM), Purchasing (lead times), R&D, Quality and Manufacturing
give their opinions; Planning concludes it — or returns the order to sales as soon as one reviewer
rejects — and replies the delivery date; sales confirms it with the customer; the order is released
once every unclear point has the customer's written confirmation (4.1.2) and a departure from the
certified data has its written report (4.1.3) and the agreed requirements are approved (3.5): by the
deputy GM in charge of the raising department, then by the GM — unless a rule kept in the admin
(orders.models.ApprovalRule, e.g. a repeat order of existing products below a value) lets the deputy GM's
approval suffice; the rule applied is captured with the deputy GM's approval and printed on the review
sheet. Cancelling and recalling are optional actions, never tasks; an edit after submission recalls the
order into a new review round.

After release the order's state follows its shipments (the warehouse or Planning & Logistics record what
was delivered, per line): released → partly shipped → shipped in full. Those transitions are taken by the
shipment service itself, signed by whoever recorded the delivery, and only when the shipments say so
(their conditions read the shipments): they are never offered on the order page and never tasks. A
reversing entry can take the order back (shipped → partly shipped → released). Every state after
release rests: nobody has a task for a released order — except the daily date job's: an order whose
committed date passed without full shipment and without a confirmed new date is raised to the planning
head.

After release the order changes only through change notices (4.3) and delay notices (4.4), declared
below: an issued change notice and a delay notice confirmed by the customer amend the order through the
engine (`Amendable`), each changed value keeping its change mark; a change notice cancelling the whole
order moves it to "cancelled" through the engine. Their acknowledgements per department are child
records of the change notice.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action, AttachmentKind, StepOutcome, TaskStatus
from nhcs.workflow.flow import (
    CREATOR_DEPARTMENT,
    Amendable,
    Check,
    DateTask,
    FieldsFilled,
    Flow,
    HasAttachment,
    Requirement,
    Role,
    Step,
    StepsDone,
    Transition,
    VGMInCharge,
)

from .actions import (
    CancelByNoticeForm,
    ImpactForm,
    IssueForm,
    ManufacturingOpinionForm,
    NegotiationForm,
    RejectionForm,
    ReplyDateForm,
    ShipmentSignoffForm,
    VGMApprovalForm,
)
from .choices import (
    AckState,
    ChangeKind,
    ChangeNoticeState,
    DelayNoticeState,
    MaterialSource,
    OrderState,
    RequirementItem,
    RequirementStatus,
    ReviewStep,
)

S = OrderState
SALES = Role(department="SALES")
SALES_HEAD = Role(department="SALES", position=Position.HEAD)
PLAN = Role(department="PLAN")
ENG = Role(department="ENG")
PUR = Role(department="PUR")
RD = Role(department="RD")
QA = Role(department="QA")
MFG = Role(department="MFG")
WH = Role(department="WH")
PLAN_HEAD = Role(department="PLAN", position=Position.HEAD)
# 3.5 and 4.3: the deputy general manager in charge of the raising department, and the general manager.
VGM_IN_CHARGE = VGMInCharge()
GM = Role(position=Position.GM)
HEAD_OF_RAISER = Role(department=CREATOR_DEPARTMENT, position=Position.HEAD, name=_("head of the raising department"))
# Who records what was delivered: the warehouse (仓库), and Planning & Logistics.
SHIPPERS = (WH, PLAN)


# --- gates ------------------------------------------------------------------------------------------


def requirements_all_set(order) -> bool:
    return all(getattr(order, f"req_{item.value}") for item in RequirementItem)


def unclear_items_raised(order) -> bool:
    """Every item marked "needs clarification" has a question to the customer."""
    unclear = {
        item.value for item in RequirementItem if getattr(order, f"req_{item.value}") == RequirementStatus.CLARIFY
    }
    raised = set(order.clarifications.values_list("topic", flat=True))
    return unclear <= raised


def has_lines(order) -> bool:
    return order.lines.exists()


def review_rejected(order) -> bool:
    """A reviewer of the current round rejected the order.

    Read once per loaded order (two transitions ask): every service works on a freshly locked order.
    """
    from nhcs.workflow.selectors import current_opinions

    if "_review_rejected" not in order.__dict__:
        order.__dict__["_review_rejected"] = (
            current_opinions(record=order).filter(status=TaskStatus.DONE, outcome=StepOutcome.REJECT).exists()
        )
    return order.__dict__["_review_rejected"]


def review_not_rejected(order) -> bool:
    return not review_rejected(order)


def bom_present(order) -> bool:
    # Read through .all(): the order page prefetches the BOM, so these checks cost no query there.
    return any(True for _line in order.bom_lines.all())


def lead_times_given(order) -> bool:
    return not any(b.source != MaterialSource.MAKE and b.lead_time_days is None for b in order.bom_lines.all())


def clarifications_confirmed(order) -> bool:
    return (
        not order.clarifications.filter(answer="").exists()
        and not order.clarifications.filter(confirmation=None).exists()
    )


def discrepancy_reported(order) -> bool:
    return not order.certified_data_discrepancy or order.discrepancy_report_sent_on is not None


# Read from the shipments (through the order's prefetched lines and shipments on the order page).


def partly_shipped_now(order) -> bool:
    shipped_any, shipped_all = order.shipping_progress()
    return shipped_any and not shipped_all


def shipped_in_full_now(order) -> bool:
    return order.shipping_progress()[1]


def nothing_shipped_now(order) -> bool:
    return not order.shipping_progress()[0]


# 3.5: the deputy GM's approval suffices when a rule of the admin applied when the deputy GM approved.


def vgm_suffices(order) -> bool:
    return order.approval_rule_id is not None


def gm_must_approve(order) -> bool:
    return order.approval_rule_id is None


def approved_for_release(order) -> bool:
    return order.state == S.APPROVED or (order.state == S.VGM_APPROVED and vgm_suffices(order))


def cancelled_by_notice(order) -> bool:
    """An issued change notice cancels the whole order (4.3): the order follows it, at once. Read from the
    notices the order page read already (orders.selectors.order_notices), else from the database."""
    issued = (ChangeNoticeState.ISSUED, ChangeNoticeState.CLOSED)
    notices = order.__dict__.get("_notices")
    if notices is not None:
        return any(n.kind == "change" and n.cancels_order and n.state in issued for n in notices)
    return order.change_notices.filter(state__in=issued, items__kind=ChangeKind.CANCEL_ORDER).exists()


def delivery_overdue_orders(orders, today):
    """Orders whose committed date passed without being shipped in full and without a confirmed new date:
    a delay confirmed by the customer (4.4) replaces the committed date, so it is the one compared."""
    return orders.filter(state__in=(S.RELEASED, S.PARTLY_SHIPPED), committed_date__lt=today)


# --- after hooks ------------------------------------------------------------------------------------


def open_review(*, record, signoff, user, context) -> None:
    from nhcs.workflow import services

    services.steps_open(record=record, keys=[s.key for s in REVIEW_STEPS])


def note_confirmation(*, record, signoff, user, context) -> None:
    from django.utils import timezone

    record.confirmed_on = timezone.localdate()
    record.save(update_fields=["confirmed_on"])


def clear_confirmation(*, record, signoff, user, context) -> None:
    # The customer did not accept the date: planning replies a new one; the refused one stays on the
    # sign-off that replied it.
    record.confirmed_on = None
    record.save(update_fields=["confirmed_on"])


BOM_MISSING = _("Engineering has not entered the BOM.")
LEAD_TIMES_MISSING = _("Purchasing has not given the lead time of every bought or outsourced material.")

REVIEW_STEPS = [
    Step(
        ReviewStep.BOM.value,
        ReviewStep.BOM.label,
        who=ENG,
        requires=(Check(bom_present, _("Enter the BOM first: the opinion is given on it.")),),
    ),
    Step(
        ReviewStep.LEAD_TIMES.value,
        ReviewStep.LEAD_TIMES.label,
        who=PUR,
        requires=(
            Check(bom_present, BOM_MISSING),
            Check(lead_times_given, _("Enter the lead time of every bought or outsourced material first.")),
        ),
    ),
    Step(ReviewStep.RD.value, ReviewStep.RD.label, who=RD),
    Step(ReviewStep.QA.value, ReviewStep.QA.label, who=QA),
    Step(ReviewStep.MFG.value, ReviewStep.MFG.label, who=MFG, form=ManufacturingOpinionForm),
]

OPEN_STATES = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.REVIEWED,
    S.RETURNED,
    S.DATE_REPLIED,
    S.DATE_CONFIRMED,
    S.VGM_APPROVED,
    S.APPROVED,
)
RECALLABLE = (S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.DATE_REPLIED, S.DATE_CONFIRMED, S.VGM_APPROVED, S.APPROVED)

ORDER_FLOW = Flow(
    key="order",
    label=_("Order review"),
    states=OrderState,
    initial=S.DRAFT,
    number_pattern="DD-{yyyy}-{seq:04}",
    # The review ends with the release: what follows records deliveries, not approvals (no files to
    # add, no clarification to raise, no cancelling). A reversing entry may still move the state back.
    final_states=(S.RELEASED, S.PARTLY_SHIPPED, S.SHIPPED, S.CANCELLED),
    steps=REVIEW_STEPS,
    transitions=[
        # 4.1.1: sales identifies every requirement before the order is confirmed.
        Transition(
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            _("Submit for review"),
            Action.SUBMIT,
            who=(SALES,),
            done_label=_("Requirements identified, submitted for review"),
            requires=(
                Check(has_lines, _("Add at least one order line.")),
                Check(
                    requirements_all_set,
                    _("Set every requirement item: identified, not applicable or needs clarification."),
                ),
                Check(
                    unclear_items_raised,
                    _("Raise a clarification to the customer for every item that needs clarification."),
                ),
            ),
        ),
        # 4.2: Planning & Logistics organises the technical review.
        Transition(
            "start_review",
            S.SUBMITTED,
            S.IN_REVIEW,
            _("Open the technical review"),
            Action.ISSUE,
            who=(PLAN,),
            done_label=_("Opened the technical review"),
            after=(open_review,),
        ),
        Transition(
            "complete_review",
            S.IN_REVIEW,
            S.REVIEWED,
            _("Conclude the review"),
            Action.REVIEW,
            who=(PLAN,),
            done_label=_("Concluded the technical review"),
            conditions=(review_not_rejected,),
            requires=(
                StepsDone(),
                Check(bom_present, BOM_MISSING),
                Check(lead_times_given, LEAD_TIMES_MISSING),
            ),
        ),
        # A rejection returns the order at once, with the reason; the other open opinions are dropped.
        Transition(
            "return_to_sales",
            S.IN_REVIEW,
            S.RETURNED,
            _("Return to sales (rejected in review)"),
            Action.RETURN,
            who=(PLAN,),
            done_label=_("Returned to sales after a rejection"),
            conditions=(review_rejected,),
            style="warning",
        ),
        Transition(
            "rework",
            S.RETURNED,
            S.DRAFT,
            _("Take back to draft for rework"),
            Action.ACKNOWLEDGE,
            who=(SALES,),
            done_label=_("Taken back to draft for rework"),
            separation_of_duties=False,
            comment_required=False,
        ),
        # 4.2: the delivery date replied to sales, captured with the action.
        Transition(
            "reply_date",
            S.REVIEWED,
            S.DATE_REPLIED,
            _("Reply the delivery date"),
            Action.CONFIRM,
            who=(PLAN,),
            form=ReplyDateForm,
            done_label=_("Replied the delivery date"),
        ),
        Transition(
            "confirm_date",
            S.DATE_REPLIED,
            S.DATE_CONFIRMED,
            _("Customer accepted the date"),
            Action.CONFIRM,
            who=(SALES,),
            done_label=_("Customer accepted the date"),
            after=(note_confirmation,),
        ),
        Transition(
            "date_not_accepted",
            S.DATE_REPLIED,
            S.REVIEWED,
            _("Customer did not accept the date"),
            Action.RETURN,
            who=(SALES,),
            done_label=_("Customer did not accept the date"),
            separation_of_duties=False,
            after=(clear_confirmation,),
            style="warning",
        ),
        # 3.5: the deputy GM in charge, then the GM approve the requirements agreed with the customer; a
        # rule of the admin may let the deputy GM's approval suffice (captured with it).
        Transition(
            "vgm_approve",
            S.DATE_CONFIRMED,
            S.VGM_APPROVED,
            _("Approve the agreed requirements (deputy GM)"),
            Action.APPROVE,
            who=(VGM_IN_CHARGE,),
            form=VGMApprovalForm,
            done_label=_("Approved by the deputy GM"),
        ),
        Transition(
            "vgm_return",
            S.DATE_CONFIRMED,
            S.RETURNED,
            _("Return to sales (not approved)"),
            Action.RETURN,
            who=(VGM_IN_CHARGE,),
            done_label=_("Returned to sales by the deputy GM"),
            style="warning",
        ),
        Transition(
            "gm_approve",
            S.VGM_APPROVED,
            S.APPROVED,
            _("Approve the agreed requirements (GM)"),
            Action.APPROVE,
            who=(GM,),
            conditions=(gm_must_approve,),
            done_label=_("Approved by the GM"),
        ),
        Transition(
            "gm_return",
            S.VGM_APPROVED,
            S.RETURNED,
            _("Return to sales (not approved)"),
            Action.RETURN,
            who=(GM,),
            conditions=(gm_must_approve,),
            done_label=_("Returned to sales by the GM"),
            style="warning",
        ),
        # 4.1.2–4.1.3: production starts only with every written confirmation and report.
        Transition(
            "release",
            (S.VGM_APPROVED, S.APPROVED),
            S.RELEASED,
            _("Release to production"),
            Action.ISSUE,
            who=(SALES, PLAN),
            done_label=_("Released to production"),
            conditions=(approved_for_release,),
            requires=(
                Check(
                    clarifications_confirmed,
                    _("Every clarification needs the customer's answer with the written confirmation attached."),
                ),
                Check(
                    discrepancy_reported,
                    _("The order departs from the certified data: send the written report to the customer first."),
                ),
            ),
            style="success",
        ),
        # After release the state follows the shipments: the shipment service takes these, signed by
        # whoever recorded the delivery, with the delivery notes that did it. Their conditions read the
        # shipments, so they exist only in the moment a delivery (or its reversal) moved the order: never
        # offered on a page, never a task, never refused by the order's signatures.
        Transition(
            "ship_partly",
            (S.RELEASED, S.SHIPPED),
            S.PARTLY_SHIPPED,
            _("Partly shipped"),
            Action.CONFIRM,
            who=SHIPPERS,
            conditions=(partly_shipped_now,),
            form=ShipmentSignoffForm,
            done_label=_("Partly shipped"),
            separation_of_duties=False,
            comment_required=False,
            optional=True,
        ),
        Transition(
            "ship_in_full",
            (S.RELEASED, S.PARTLY_SHIPPED),
            S.SHIPPED,
            _("Shipped in full"),
            Action.CONFIRM,
            who=SHIPPERS,
            conditions=(shipped_in_full_now,),
            form=ShipmentSignoffForm,
            done_label=_("Shipped in full"),
            separation_of_duties=False,
            comment_required=False,
            optional=True,
        ),
        Transition(
            "shipments_reversed",
            (S.PARTLY_SHIPPED, S.SHIPPED),
            S.RELEASED,
            _("Nothing shipped after a reversal"),
            Action.CONFIRM,
            who=SHIPPERS,
            conditions=(nothing_shipped_now,),
            form=ShipmentSignoffForm,
            done_label=_("Shipments reversed: nothing shipped"),
            separation_of_duties=False,
            comment_required=False,
            optional=True,
        ),
        # A change notice cancelling the whole order (4.3): taken by the change-notice service when Planning
        # issues it, signed by the issuer with the notice's number; it exists only in that moment.
        Transition(
            "cancel_by_notice",
            S.RELEASED,
            S.CANCELLED,
            _("Cancelled by a change notice"),
            Action.CANCEL,
            who=(PLAN,),
            conditions=(cancelled_by_notice,),
            form=CancelByNoticeForm,
            done_label=_("Cancelled by a change notice"),
            separation_of_duties=False,
            comment_required=False,
            optional=True,
        ),
        # Optional actions: offered, never tasks.
        Transition(
            "recall",
            RECALLABLE,
            S.DRAFT,
            _("Recall to draft to change it"),
            Action.RECALL,
            who=(SALES,),
            done_label=_("Recalled to draft"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "cancel",
            OPEN_STATES,
            S.CANCELLED,
            _("Cancel the order"),
            Action.CANCEL,
            who=(SALES_HEAD,),
            done_label=_("Cancelled"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={
        S.SUBMITTED: 2,
        S.IN_REVIEW: 3,
        S.REVIEWED: 2,
        S.DATE_REPLIED: 3,
        S.DATE_CONFIRMED: 2,
        S.VGM_APPROVED: 2,
        S.APPROVED: 2,
        # After release the order rests: deliveries are facts recorded when they happen.
        S.RELEASED: None,
        S.PARTLY_SHIPPED: None,
        S.SHIPPED: None,
    },
    editors=(SALES,),
    # Order data is changed by sales in draft; after submission a change recalls the order into a new
    # review round, and after release changes are change notices (4.3).
    edit_states={S.DRAFT: None, S.SUBMITTED: "recall", S.RETURNED: "rework"},
    readers=(SALES, PLAN, ENG, PUR, RD, QA, MFG),
    abilities={
        "create": (SALES,),
        "edit_bom": (ENG,),
        "edit_lead_times": (PUR,),
        "clarify": (SALES,),
        "report_discrepancy": (SALES,),
        # Record deliveries (by hand or from the ERP's delivery-note export) and reverse wrong ones.
        "ship": SHIPPERS,
    },
    date_tasks=[
        # 4.4: a delivery that did not happen on the confirmed date and has no new date confirmed by the
        # customer: the planning head sees it every day until it is shipped or re-confirmed.
        DateTask(
            "delivery_overdue",
            _("Delivery overdue without a confirmed new date: issue a delay notice (4.4)"),
            who=PLAN_HEAD,
            records=delivery_overdue_orders,
        )
    ],
    # After release an order changes only by an issued change notice or a delay notice the customer
    # confirmed in writing; nothing signed is deleted (a line is cancelled by its flag).
    amendable=Amendable(
        by={"change_notice": (ChangeNoticeState.ISSUED,), "delay_notice": (DelayNoticeState.CONFIRMED,)},
        fields=("committed_date", "req_methods_note", "req_materials_note", "req_special_note", "remarks"),
        rows={"lines": ("quantity", "unit_price", "requested_date", "cancelled")},
        add_rows=("lines",),
    ),
)

SHIPPING_TRANSITIONS = ("ship_partly", "ship_in_full", "shipments_reversed")


# --- change notices 生产订单/计划表更改通知单 (NH-QP14 4.3) -------------------------------------------------
#
# Sales writes down what the customer asks to change on a released (or partly shipped) order, with the
# customer's written request, and submits it to Planning & Logistics, which opens the technical review:
# R&D, Purchasing and Quality each state the impact (material already bought, work in progress, finished
# goods in stock, cost). Planning concludes: rejected (goods already stocked or in production), the notice
# goes back to sales, who records what was negotiated with the customer and revises it (a new round) or
# withdraws it; accepted, the head of the raising department reviews it, the deputy GM in charge approves
# it and — only when a price changes — the GM. Planning then issues it: the changes are applied to the
# order at once (orders.services.change_notice_apply) and each department concerned acknowledges receipt
# in a child record of its own, so a slow department never holds the order back.

C = ChangeNoticeState


def notice_has_items(notice) -> bool:
    return notice.items.exists()


def impact_rejected(notice) -> bool:
    """A department rejected the change in the current round (read once per loaded notice)."""
    from nhcs.workflow.selectors import current_opinions

    if "_impact_rejected" not in notice.__dict__:
        notice.__dict__["_impact_rejected"] = (
            current_opinions(record=notice).filter(status=TaskStatus.DONE, outcome=StepOutcome.REJECT).exists()
        )
    return notice.__dict__["_impact_rejected"]


def impact_not_rejected(notice) -> bool:
    return not impact_rejected(notice)


def price_changes(notice) -> bool:
    return notice.price_changed


def may_issue(notice) -> bool:
    """A notice that changes a price is issued only after the GM approved it."""
    return notice.state == C.GM_APPROVED or not notice.price_changed


def all_acknowledged(notice) -> bool:
    return not notice.acknowledgements.exclude(state=AckState.ACKNOWLEDGED).exists()


class ChangesApply(Requirement):
    """The notice's changes still fit the order: nobody changed what they strike through meanwhile, and
    nothing already shipped is changed away (the reasons are listed)."""

    def problem(self, record, context):
        from .services import change_notice_problems

        problems = change_notice_problems(notice=record)
        return " ".join(problems) if problems else None


def open_impact_review(*, record, signoff, user, context) -> None:
    from nhcs.workflow import services

    services.steps_open(record=record, keys=[s.key for s in IMPACT_STEPS])


def refresh_notice_tasks(*, record, signoff, user, context) -> None:
    """An acknowledgement came in: the last one gives planning the task of closing the notice."""
    from nhcs.workflow import services

    services.tasks_refresh(record=record.notice)


def apply_change_notice(*, record, signoff, user, context) -> None:
    from .services import change_notice_apply

    change_notice_apply(notice=record, user=user, departments=context.data.get("departments") or [])


IMPACT_STEPS = [
    Step("rd", _("R&D: impact of the change"), who=RD, form=ImpactForm),
    Step("pur", _("Purchasing: impact of the change"), who=PUR, form=ImpactForm),
    Step("qa", _("Quality: impact of the change"), who=QA, form=ImpactForm),
]

# Who reads change notices: whoever reads orders; a department that acknowledges one reads its own
# acknowledgement (and, through it, the changes).
ORDER_READERS = (SALES, PLAN, ENG, PUR, RD, QA, MFG)

CHANGE_NOTICE_FLOW = Flow(
    key="change_notice",
    label=_("Change notice"),
    states=ChangeNoticeState,
    initial=C.DRAFT,
    number_pattern="BG-{yyyy}-{seq:04}",
    final_states=(C.CLOSED, C.WITHDRAWN),
    steps=IMPACT_STEPS,
    transitions=[
        Transition(
            "submit",
            C.DRAFT,
            C.SUBMITTED,
            _("Submit to planning"),
            Action.SUBMIT,
            who=(SALES,),
            done_label=_("Submitted to planning"),
            requires=(
                FieldsFilled("reason"),
                Check(notice_has_items, _("Enter at least one change.")),
                HasAttachment(AttachmentKind.CUSTOMER_REQUEST),
            ),
        ),
        Transition(
            "start_review",
            C.SUBMITTED,
            C.UNDER_REVIEW,
            _("Open the technical review"),
            Action.ISSUE,
            who=(PLAN,),
            done_label=_("Opened the technical review"),
            after=(open_impact_review,),
        ),
        Transition(
            "accept",
            C.UNDER_REVIEW,
            C.ACCEPTED,
            _("Accept the change"),
            Action.REVIEW,
            who=(PLAN,),
            conditions=(impact_not_rejected,),
            requires=(StepsDone(),),
            done_label=_("Accepted the change"),
            style="success",
        ),
        # Goods already stocked or in production and the change cannot be accepted: back to sales.
        Transition(
            "reject",
            C.UNDER_REVIEW,
            C.REJECTED,
            _("Reject: return to sales"),
            Action.REJECT,
            who=(PLAN,),
            requires=(StepsDone(),),
            form=RejectionForm,
            done_label=_("Rejected the change"),
            style="danger",
        ),
        Transition(
            "record_negotiation",
            C.REJECTED,
            C.NEGOTIATED,
            _("Record the outcome negotiated with the customer"),
            Action.CONFIRM,
            who=(SALES,),
            form=NegotiationForm,
            done_label=_("Recorded the negotiation with the customer"),
            separation_of_duties=False,
        ),
        Transition(
            "revise",
            C.NEGOTIATED,
            C.DRAFT,
            _("Revise the notice to resubmit it"),
            Action.REOPEN,
            who=(SALES,),
            done_label=_("Taken back to draft to revise"),
            comment_required=False,
            separation_of_duties=False,
        ),
        Transition(
            "head_review",
            C.ACCEPTED,
            C.HEAD_REVIEWED,
            _("Review (department head)"),
            Action.REVIEW,
            who=(HEAD_OF_RAISER,),
            done_label=_("Reviewed by the department head"),
        ),
        Transition(
            "head_return",
            C.ACCEPTED,
            C.DRAFT,
            _("Return to sales with the reason"),
            Action.RETURN,
            who=(HEAD_OF_RAISER,),
            done_label=_("Returned by the department head"),
            style="warning",
        ),
        Transition(
            "vgm_approve",
            C.HEAD_REVIEWED,
            C.VGM_APPROVED,
            _("Approve (deputy GM)"),
            Action.APPROVE,
            who=(VGM_IN_CHARGE,),
            done_label=_("Approved by the deputy GM"),
            style="success",
        ),
        Transition(
            "vgm_return",
            C.HEAD_REVIEWED,
            C.DRAFT,
            _("Return to sales with the reason"),
            Action.RETURN,
            who=(VGM_IN_CHARGE,),
            done_label=_("Returned by the deputy GM"),
            style="warning",
        ),
        # A change of price needs the general manager's approval; without one this step does not exist.
        Transition(
            "gm_approve",
            C.VGM_APPROVED,
            C.GM_APPROVED,
            _("Approve the price change (GM)"),
            Action.APPROVE,
            who=(GM,),
            conditions=(price_changes,),
            done_label=_("Approved by the GM"),
            style="success",
        ),
        Transition(
            "gm_return",
            C.VGM_APPROVED,
            C.DRAFT,
            _("Return to sales with the reason"),
            Action.RETURN,
            who=(GM,),
            conditions=(price_changes,),
            done_label=_("Returned by the GM"),
            style="warning",
        ),
        Transition(
            "issue",
            (C.VGM_APPROVED, C.GM_APPROVED),
            C.ISSUED,
            _("Issue to the departments and change the order"),
            Action.ISSUE,
            who=(PLAN,),
            conditions=(may_issue,),
            requires=(ChangesApply(),),
            form=IssueForm,
            after=(apply_change_notice,),
            done_label=_("Issued: the order is changed"),
        ),
        Transition(
            "close",
            C.ISSUED,
            C.CLOSED,
            _("Close: every department acknowledged"),
            Action.CLOSE,
            who=(PLAN,),
            conditions=(all_acknowledged,),
            done_label=_("Closed"),
        ),
        # Optional actions: offered, never tasks.
        Transition(
            "recall",
            (C.SUBMITTED, C.UNDER_REVIEW),
            C.DRAFT,
            _("Recall to draft to change it"),
            Action.RECALL,
            who=(SALES,),
            done_label=_("Recalled to draft"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "withdraw",
            (C.DRAFT, C.SUBMITTED, C.NEGOTIATED),
            C.WITHDRAWN,
            _("Withdraw the notice"),
            Action.WITHDRAW,
            who=(SALES,),
            done_label=_("Withdrawn"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={
        C.SUBMITTED: 1,
        C.UNDER_REVIEW: 3,
        C.REJECTED: 3,
        C.NEGOTIATED: 2,
        C.ACCEPTED: 1,
        C.HEAD_REVIEWED: 1,
        C.VGM_APPROVED: 1,
        C.GM_APPROVED: 1,
        # Issued: the order is changed; the acknowledgements carry their own due dates.
        C.ISSUED: None,
    },
    editors=(SALES,),
    edit_states={C.DRAFT: None, C.SUBMITTED: "recall"},
    readers=ORDER_READERS,
    abilities={"create": (SALES,)},
)


# Each department concerned acknowledges receipt of an issued change notice: a child record of its own.
CHANGE_ACK_FLOW = Flow(
    key="change_ack",
    label=_("Acknowledgement of a change notice"),
    states=AckState,
    initial=AckState.SENT,
    number_pattern="",
    final_states=(AckState.ACKNOWLEDGED,),
    parent_field="notice",
    transitions=[
        Transition(
            "acknowledge",
            AckState.SENT,
            AckState.ACKNOWLEDGED,
            _("Acknowledge receipt"),
            Action.ACKNOWLEDGE,
            who=(Role(department_field="department"),),
            done_label=_("Receipt acknowledged"),
            separation_of_duties=False,
            after=(refresh_notice_tasks,),
        )
    ],
    due_days={AckState.SENT: 2},
    # Whoever reads the notice; the department that acknowledges reads its own acknowledgement.
    readers=(Role(department_field="department"),),
)


# --- delay notices (NH-QP14 4.4) ------------------------------------------------------------------------
#
# When something threatens the delivery, Planning & Logistics informs sales in writing: one notice for one
# or several orders of the same customer, with the reason, each committed date and the proposed one. Sales
# negotiates with the customer and records it; the new dates take effect only with the customer's written
# confirmation — a letter attached, or the customer's own confirmation through a link (nhcs.links) — and
# then amend each order's committed date, the old one kept struck through with the notice's number, the
# date and who signed.

D = DelayNoticeState


class CustomerConfirmed(HasAttachment):
    """The customer's written confirmation, attached in the notice's current round: a letter (fax,
    e-mail, scan) or the written answer printed when the customer confirmed through the link."""

    def __init__(self):
        super().__init__(AttachmentKind.WRITTEN_CONFIRMATION)

    def problem(self, record, context):
        from .services import delay_confirmation_attachment

        if self.kind in context.new_attachment_kinds or delay_confirmation_attachment(notice=record) is not None:
            return None
        return str(
            _(
                "The new date takes effect only with the customer's written confirmation: attach the customer's "
                "letter (fax, e-mail, signed scan), or let the customer confirm through the link."
            )
        )


class DelayApplies(Requirement):
    """Each order still has the committed date the notice strikes through and is still to be delivered."""

    def problem(self, record, context):
        from .services import delay_notice_problems

        problems = delay_notice_problems(notice=record)
        return " ".join(problems) if problems else None


def apply_delay(*, record, signoff, user, context) -> None:
    from .services import delay_notice_apply

    delay_notice_apply(notice=record, user=user)


DELAY_NOTICE_FLOW = Flow(
    key="delay_notice",
    label=_("Delay notice"),
    states=DelayNoticeState,
    initial=D.DRAFT,
    number_pattern="YC-{yyyy}-{seq:04}",
    final_states=(D.CONFIRMED, D.WITHDRAWN),
    transitions=[
        Transition(
            "issue",
            D.DRAFT,
            D.ISSUED,
            _("Issue to sales in writing"),
            Action.ISSUE,
            who=(PLAN,),
            requires=(FieldsFilled("reason"), Check(notice_has_items, _("Add at least one order."))),
            done_label=_("Issued to sales"),
        ),
        Transition(
            "negotiate",
            D.ISSUED,
            D.NEGOTIATING,
            _("Record the negotiation with the customer"),
            Action.CONFIRM,
            who=(SALES,),
            form=NegotiationForm,
            done_label=_("Recorded the negotiation with the customer"),
            separation_of_duties=False,
        ),
        # 4.4: any postponed shipment needs the customer's permission, confirmed in writing; sales strikes
        # the old date through, records the re-confirmed one and signs.
        Transition(
            "confirm",
            D.NEGOTIATING,
            D.CONFIRMED,
            _("Apply the dates the customer confirmed in writing"),
            Action.CONFIRM,
            who=(SALES,),
            requires=(CustomerConfirmed(), DelayApplies()),
            after=(apply_delay,),
            done_label=_("Re-confirmed dates applied to the orders"),
            separation_of_duties=False,
            style="success",
        ),
        # Optional actions: offered, never tasks.
        Transition(
            "return_to_planning",
            (D.ISSUED, D.NEGOTIATING),
            D.DRAFT,
            _("Return to planning (the customer wants other dates)"),
            Action.RETURN,
            who=(SALES,),
            done_label=_("Returned to planning"),
            separation_of_duties=False,
            optional=True,
            style="warning",
        ),
        Transition(
            "withdraw",
            (D.DRAFT, D.ISSUED, D.NEGOTIATING),
            D.WITHDRAWN,
            _("Withdraw the notice"),
            Action.WITHDRAW,
            who=(PLAN,),
            done_label=_("Withdrawn"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={D.ISSUED: 1, D.NEGOTIATING: 5},
    editors=(PLAN,),
    edit_states={D.DRAFT: None},
    readers=(SALES, PLAN),
    abilities={"create": (PLAN,), "send_link": (SALES,)},
)
