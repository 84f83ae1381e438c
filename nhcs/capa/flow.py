"""The flow of a corrective or preventive action (NH-QP14 4.6.2–4.6.3, 4.7.4–4.7.5 and §5 "Corrective and
Preventive Action"), declared on the shared workflow, and the requirement a source's flow uses to wait
for its actions.

The head of the owner department analyses the cause and sets the measures with their due date and the
date their effectiveness is checked, then distributes them to the departments concerned; where the
action was raised from a customer's opinion (a survey answer), Sales tells the customer of the measures;
the owner department carries them out and attaches the evidence; Quality verifies their effectiveness —
not effective, the owner department sets new measures in a new round —; the head of the raising
department closes the action.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action, AttachmentKind
from nhcs.workflow.flow import (
    CREATOR_DEPARTMENT,
    Check,
    Due,
    FieldsFilled,
    Flow,
    HasAttachment,
    Requirement,
    Role,
    Transition,
    list_text,
)

from .actions import CustomerInformedForm, DistributionForm, NotEffectiveForm, VerificationForm
from .choices import SETTLED_STATES, ActionState

S = ActionState

SALES = Role(department="SALES")
QA = Role(department="QA")
QA_HEAD = Role(department="QA", position=Position.HEAD)
# The department named on the action, and its head; a department without a head hands the head's tasks
# up the hierarchy (deputy GM in charge, GM). Correcting the owner department moves the tasks.
OWNER_HEAD = Role(department_field="owner_department", position=Position.HEAD, name=_("head of the owner department"))
OWNER_DEPARTMENT = Role(department_field="owner_department", name=_("owner department"))
RAISING_DEPARTMENT = Role(department=CREATOR_DEPARTMENT, name=_("raising department"))


class RaisingHead(Role):
    """The head of the department that raised the action (Sales for a survey answer); Quality's head when
    it was raised by someone without a department."""

    def candidates(self, record, directory):
        return super().candidates(record, directory) or [("QA", Position.HEAD, None)]


RAISING_HEAD = RaisingHead(
    department=CREATOR_DEPARTMENT, position=Position.HEAD, name=_("head of the raising department")
)


def _customer_feedback(action) -> bool:
    return bool(action.customer_feedback_required)


def _check_after_due(action) -> bool:
    return action.check_on is None or action.due_on is None or action.check_on >= action.due_on


def _may_implement(action) -> bool:
    # Where the customer is to be told of the measures, Sales tells them before they are carried out.
    return action.state == S.CUSTOMER_INFORMED or not action.customer_feedback_required


def _due_not_past(action) -> bool:
    return action.due_on is None or action.due_on >= timezone.localdate()


CAPA_FLOW = Flow(
    key="corrective_action",
    label=_("Corrective / preventive action"),
    states=ActionState,
    initial=S.OPEN,
    number_pattern="CA-{yyyy}-{seq:04}",
    final_states=(S.CLOSED, S.CANCELLED),
    transitions=[
        Transition(
            "set_measures",
            S.OPEN,
            S.MEASURES_SET,
            _("Set the measures"),
            Action.SUBMIT,
            who=(OWNER_HEAD,),
            done_label=_("Measures set"),
            requires=(
                FieldsFilled("analysis", "measures", "due_on", "check_on"),
                Check(_due_not_past, _("The due date of the measures is in the past: set a new one.")),
                Check(_check_after_due, _("The effectiveness check cannot come before the measures are due.")),
            ),
        ),
        # 4.7.4: the departments the measures go to are captured with the action.
        Transition(
            "distribute",
            S.MEASURES_SET,
            S.DISTRIBUTED,
            _("Distribute to the departments"),
            Action.ISSUE,
            who=(OWNER_HEAD,),
            form=DistributionForm,
            done_label=_("Measures distributed"),
        ),
        # 4.7.4: feed back to the customer whose opinion raised the action, with what they were told.
        Transition(
            "inform_customer",
            S.DISTRIBUTED,
            S.CUSTOMER_INFORMED,
            _("Customer informed"),
            Action.CONFIRM,
            who=(SALES,),
            conditions=(_customer_feedback,),
            form=CustomerInformedForm,
            done_label=_("Customer informed of the measures"),
        ),
        # 4.7.5: the department taking the measures carries them out, with the evidence.
        Transition(
            "implement",
            (S.DISTRIBUTED, S.CUSTOMER_INFORMED),
            S.IMPLEMENTED,
            _("Measures carried out"),
            Action.CONFIRM,
            who=(OWNER_DEPARTMENT,),
            conditions=(_may_implement,),
            requires=(HasAttachment(AttachmentKind.EVIDENCE),),
            done_label=_("Measures carried out"),
        ),
        Transition(
            "verify",
            S.IMPLEMENTED,
            S.VERIFIED,
            _("Verify effectiveness"),
            Action.VERIFY,
            who=(QA,),
            form=VerificationForm,
            done_label=_("Effectiveness verified"),
        ),
        # Not effective: back to the owner department for new measures, in a new round of signatures.
        Transition(
            "not_effective",
            S.IMPLEMENTED,
            S.OPEN,
            _("Not effective: new measures"),
            Action.VERIFY,
            who=(QA,),
            form=NotEffectiveForm,
            done_label=_("Found not effective"),
            style="warning",
        ),
        Transition(
            "close",
            S.VERIFIED,
            S.CLOSED,
            _("Close"),
            Action.CLOSE,
            who=(RAISING_HEAD,),
        ),
        Transition(
            "revise",
            S.MEASURES_SET,
            S.OPEN,
            _("Take back to revise the measures"),
            Action.REOPEN,
            who=(OWNER_HEAD, RAISING_HEAD),
            done_label=_("Taken back to revise the measures"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "cancel",
            (S.OPEN, S.MEASURES_SET, S.DISTRIBUTED, S.CUSTOMER_INFORMED),
            S.CANCELLED,
            _("Cancel the action"),
            Action.CANCEL,
            who=(QA_HEAD, RAISING_HEAD),
            done_label=_("Action cancelled"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={
        S.OPEN: 10,
        S.MEASURES_SET: 3,
        # The measures fall due on the action's due date, their effectiveness on its check date.
        S.DISTRIBUTED: Due(field="due_on"),
        S.CUSTOMER_INFORMED: Due(field="due_on"),
        S.IMPLEMENTED: Due(field="check_on"),
        S.VERIFIED: 5,
    },
    editors=(OWNER_HEAD, RAISING_DEPARTMENT, QA_HEAD),
    # The analysis and measures are written while the action is open; once the head signed them they
    # change only by taking the action back (a new round of signatures).
    edit_states={S.OPEN: None, S.MEASURES_SET: "revise"},
    # Besides these, whoever reads the action's source reads it (CorrectiveAction.parent_record).
    readers=(SALES, QA, OWNER_DEPARTMENT),
)


class ActionsVerified(Requirement):
    """A source's flow waits for its corrective actions: put `ActionsVerified()` in the `requires` of the
    transition that closes the source. It holds when every action raised from the record is verified (or
    closed, or cancelled); otherwise the message lists the others' numbers and states."""

    def problem(self, record, context):
        from .selectors import actions_for_source

        pending = [a for a in actions_for_source(record) if a.state not in SETTLED_STATES]
        if pending:
            return _("Corrective actions not verified yet: %(actions)s.") % {
                "actions": list_text(f"{a.number} ({a.state_label})" for a in pending)
            }
        return None

    def __eq__(self, other):
        return isinstance(other, ActionsVerified)

    def __hash__(self):
        return hash(ActionsVerified)
