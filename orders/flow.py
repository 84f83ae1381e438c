"""The order review flow of NH-QP14 4.1–4.2 (see shared/design/flows.md, "Order review").

Sales identifies the customer's requirements (4.1.1) and submits; Planning & Logistics opens the
technical review, in which Engineering (BOM), Purchasing (lead times), R&D, Quality and Manufacturing
give their opinions; Planning concludes it — or returns the order to sales as soon as one reviewer
rejects — and replies the delivery date; sales confirms it with the customer; the order is released
once every unclear point has the customer's written confirmation (4.1.2) and a departure from the
certified data has its written report (4.1.3). Cancelling and recalling are optional actions, never
tasks; an edit after submission recalls the order into a new review round.

After release the order's state follows its shipments (the warehouse or Planning & Logistics record what
was delivered, per line): released → partly shipped → shipped in full. Those transitions are taken by the
shipment service itself, signed by whoever recorded the delivery, and only when the shipments say so
(their conditions read the shipments): they are never offered on the order page and never tasks. A
reversing entry can take the order back (shipped → partly shipped → released). Every state after
release rests: nobody has a task for a released order.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action, StepOutcome, TaskStatus
from nhcs.workflow.flow import Check, Flow, Role, Step, StepsDone, Transition

from .actions import ManufacturingOpinionForm, ReplyDateForm, ShipmentSignoffForm
from .choices import MaterialSource, OrderState, RequirementItem, RequirementStatus, ReviewStep

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

OPEN_STATES = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.RETURNED, S.DATE_REPLIED, S.DATE_CONFIRMED)
RECALLABLE = (S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.DATE_REPLIED, S.DATE_CONFIRMED)

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
        # 4.1.2–4.1.3: production starts only with every written confirmation and report.
        Transition(
            "release",
            S.DATE_CONFIRMED,
            S.RELEASED,
            _("Release to production"),
            Action.ISSUE,
            who=(SALES, PLAN),
            done_label=_("Released to production"),
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
)

SHIPPING_TRANSITIONS = ("ship_partly", "ship_in_full", "shipments_reversed")
