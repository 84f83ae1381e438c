"""The order review flow of NH-QP14 4.1–4.2 (see shared/design/flows.md, "Order review")."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action, StepOutcome, TaskStatus
from nhcs.workflow.flow import Check, Flow, Role, Step, StepsDone, Transition

from .choices import MaterialSource, OrderState, RequirementItem, RequirementStatus, ReviewStep

S = OrderState
SALES = Role(department="SALES")
SALES_HEAD = Role(department="SALES", position=Position.HEAD)
PLAN = Role(department="PLAN")

REVIEW_STEPS = [
    Step(ReviewStep.BOM.value, ReviewStep.BOM.label, who=Role(department="ENG")),
    Step(ReviewStep.LEAD_TIMES.value, ReviewStep.LEAD_TIMES.label, who=Role(department="PUR")),
    Step(ReviewStep.RD.value, ReviewStep.RD.label, who=Role(department="RD")),
    Step(ReviewStep.QA.value, ReviewStep.QA.label, who=Role(department="QA")),
    Step(ReviewStep.MFG.value, ReviewStep.MFG.label, who=Role(department="MFG")),
]


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


def current_round_steps(order):
    from nhcs.workflow.choices import TaskKind
    from nhcs.workflow.models import Task

    tasks = Task.objects.for_record(order).filter(kind=TaskKind.STEP).exclude(status=TaskStatus.CANCELLED)
    if order.review_started_at:
        tasks = tasks.filter(created_at__gte=order.review_started_at)
    return tasks


def review_rejected(order) -> bool:
    return current_round_steps(order).filter(status=TaskStatus.DONE, outcome=StepOutcome.REJECT).exists()


def review_not_rejected(order) -> bool:
    return not review_rejected(order)


def bom_present(order) -> bool:
    return order.bom_lines.exists()


def lead_times_given(order) -> bool:
    return not order.bom_lines.exclude(source=MaterialSource.MAKE).filter(lead_time_days=None).exists()


def committed_date_given(order) -> bool:
    return order.committed_date is not None


def committed_date_meets_lead_times(order) -> bool:
    if order.committed_date is None:
        return True  # reported by committed_date_given
    return order.committed_date >= order.earliest_allowed_date() or bool(order.committed_justification.strip())


def clarifications_confirmed(order) -> bool:
    return (
        not order.clarifications.filter(answer="").exists()
        and not order.clarifications.filter(confirmation=None).exists()
    )


def discrepancy_reported(order) -> bool:
    return not order.certified_data_discrepancy or order.discrepancy_report_sent_on is not None


# --- after hooks ------------------------------------------------------------------------------------


def open_review(*, record, signoff, user, context) -> None:
    from nhcs.workflow import services

    # Opinions of an earlier round stay on record but no longer count: the round starts now.
    record.review_started_at = timezone.now()
    record.save(update_fields=["review_started_at"])
    services.steps_open(record=record, keys=[s.key for s in REVIEW_STEPS])


def note_confirmation(*, record, signoff, user, context) -> None:
    record.confirmed_on = timezone.localdate()
    record.save(update_fields=["confirmed_on"])


def clear_committed_date(*, record, signoff, user, context) -> None:
    # The customer did not accept the date: planning replies a new one, the refused one stays in history.
    record.confirmed_on = None
    record.save(update_fields=["confirmed_on"])


OPEN_STATES = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.RETURNED, S.DATE_REPLIED, S.DATE_CONFIRMED)

ORDER_FLOW = Flow(
    key="order",
    label=_("Order review"),
    states=OrderState,
    initial=S.DRAFT,
    number_pattern="DD-{yyyy}-{seq:04}",
    final_states=(S.RELEASED, S.CANCELLED),
    steps=REVIEW_STEPS,
    transitions=[
        Transition(
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            _("Submit for review"),
            Action.SUBMIT,
            who=(SALES,),
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
        Transition(
            "start_review",
            S.SUBMITTED,
            S.IN_REVIEW,
            _("Open the technical review"),
            Action.ISSUE,
            who=(PLAN,),
            after=(open_review,),
        ),
        Transition(
            "complete_review",
            S.IN_REVIEW,
            S.REVIEWED,
            _("Conclude the review"),
            Action.REVIEW,
            who=(PLAN,),
            conditions=(review_not_rejected,),
            requires=(
                StepsDone(),
                Check(bom_present, _("Engineering has not entered the BOM.")),
                Check(
                    lead_times_given,
                    _("Purchasing has not given the lead time of every bought or outsourced material."),
                ),
            ),
        ),
        Transition(
            "return_to_sales",
            S.IN_REVIEW,
            S.RETURNED,
            _("Return to sales (rejected in review)"),
            Action.RETURN,
            who=(PLAN,),
            conditions=(review_rejected,),
            requires=(StepsDone(),),
            style="warning",
        ),
        Transition(
            "rework",
            S.RETURNED,
            S.DRAFT,
            _("Take back to draft for rework"),
            Action.ACKNOWLEDGE,
            who=(SALES,),
            separation_of_duties=False,
        ),
        Transition(
            "reply_date",
            S.REVIEWED,
            S.DATE_REPLIED,
            _("Reply the delivery date"),
            Action.CONFIRM,
            who=(PLAN,),
            requires=(
                Check(committed_date_given, _("Enter the committed delivery date.")),
                Check(
                    committed_date_meets_lead_times,
                    _(
                        "The committed date is earlier than the PO date plus the longest material lead time: give a justification."
                    ),
                ),
            ),
        ),
        Transition(
            "confirm_date",
            S.DATE_REPLIED,
            S.DATE_CONFIRMED,
            _("Customer accepted the date"),
            Action.CONFIRM,
            who=(SALES,),
            after=(note_confirmation,),
        ),
        Transition(
            "date_not_accepted",
            S.DATE_REPLIED,
            S.REVIEWED,
            _("Customer did not accept the date"),
            Action.RETURN,
            who=(SALES,),
            separation_of_duties=False,
            after=(clear_committed_date,),
            style="warning",
        ),
        Transition(
            "release",
            S.DATE_CONFIRMED,
            S.RELEASED,
            _("Release to production"),
            Action.ISSUE,
            who=(SALES, PLAN),
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
        Transition(
            "cancel",
            OPEN_STATES,
            S.CANCELLED,
            _("Cancel the order"),
            Action.CANCEL,
            who=(SALES_HEAD,),
            separation_of_duties=False,
            style="danger",
        ),
    ],
    due_days={S.SUBMITTED: 2, S.IN_REVIEW: 3, S.REVIEWED: 2, S.DATE_REPLIED: 3},
    editors=(SALES,),
    # Order data is changed by sales before the review starts; later changes are change notices (4.3).
    edit_states={S.DRAFT: None, S.SUBMITTED: None, S.RETURNED: None},
)
