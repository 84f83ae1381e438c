"""The complaint flow of NH-QP14 4.6 (see shared/design/flows.md, "Complaint"), on the shared workflow.

Sales registers each complaint in the customer complaint record (Quality registers the quality ones),
with the channel and description, a phone call written up (4.6.1). A quality complaint is organised by
Quality, any other by Sales (4.6.4): the owner — the Quality head or the Sales head, read from the
category, so a corrected category moves the task — names the investigators from the departments
concerned. They record the containment, then the root cause (5-Why, 6M) with the corrective and
preventive actions they raised as shared corrective-action records (4.6.2). Quality verifies that every
action was carried out with its evidence and writes the verification report (4.6.3); Sales replies to the
customer with it; after the agreed period Quality checks the effectiveness and closes — only once every
action's effectiveness is verified — or, not effective, reopens the investigation in a new round.

Sales records the first reply to the customer while the complaint is registered, assigned or under
investigation (one transition per state, each leaving the state as it is; a task until it is done).
Taking back a registration to correct it and withdrawing one registered by mistake are optional actions,
never tasks.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.capa.choices import ActionState
from nhcs.capa.flow import ActionsVerified
from nhcs.workflow.choices import Action
from nhcs.workflow.flow import (
    Check,
    ChildrenIn,
    Due,
    FieldsFilled,
    Flow,
    FromField,
    Requirement,
    Role,
    Transition,
    VGMInCharge,
    list_text,
)

from .actions import (
    AckOnlineForm,
    AckRecordForm,
    AdvisoryCloseForm,
    AdvisorySendForm,
    AssignForm,
    ContainmentForm,
    EffectivenessForm,
    FeedbackCloseForm,
    FirstReplyForm,
    InvestigationForm,
    NoAckForm,
    NotEffectiveForm,
    ReplyForm,
    VerificationForm,
)
from .choices import AckState, AdvisoryState, Category, ComplaintChannel, ComplaintState, FeedbackState

S = ComplaintState
SALES = Role(department="SALES")
QA = Role(department="QA")
SALES_HEAD = Role(department="SALES", position=Position.HEAD)
QA_HEAD = Role(department="QA", position=Position.HEAD)
# 4.6.4: Quality organises the quality complaints, Sales the others.
OWNER = FromField("category", {Category.QUALITY: QA_HEAD}, default=SALES_HEAD, name=_("owner of the complaint"))
INVESTIGATORS = Role(user_field="investigators", name=_("investigators"))

# Where the actions raised from a complaint stand: carried out (with their evidence) or further.
CARRIED_OUT = (ActionState.IMPLEMENTED, ActionState.VERIFIED, ActionState.CLOSED)


# --- gates ------------------------------------------------------------------------------------------


def complaint_actions(complaint) -> list:
    """The corrective and preventive actions raised from the complaint, oldest first; read once per
    loaded complaint (the page and the gates ask)."""
    if "_actions" not in complaint.__dict__:
        from nhcs.capa.selectors import actions_for_source

        complaint.__dict__["_actions"] = actions_for_source(complaint)
    return complaint.__dict__["_actions"]


def phone_written_up(complaint) -> bool:
    return complaint.channel != ComplaintChannel.PHONE or bool((complaint.call_notes or "").strip())


def actions_raised(complaint) -> bool:
    """At least one action (not cancelled) was raised in this investigation: after a reopening, a new one."""
    since = complaint.reopened_at
    return any(
        a.state != ActionState.CANCELLED and (since is None or a.created_at > since)
        for a in complaint_actions(complaint)
    )


# The first reply's form writes the reply onto the complaint before the engine takes the transition, whose
# condition is then read again: while that one reply is being recorded, it still counts as not given.
REPLYING_FIRST = "_replying_first"


def no_first_reply(complaint) -> bool:
    return complaint.first_replied_on is None or bool(complaint.__dict__.get(REPLYING_FIRST))


def first_reply_recorded(*, record, signoff, user, context) -> None:
    # Recorded and signed: from now on no first reply is open (nor a task for one).
    record.__dict__.pop(REPLYING_FIRST, None)


def check_period_over(complaint) -> bool:
    return complaint.effectiveness_check_on is None or complaint.effectiveness_check_on <= timezone.localdate()


class ActionsCarriedOut(Requirement):
    """Every action raised from the complaint was carried out with its evidence (or cancelled); the
    message lists the others with their states."""

    def problem(self, record, context):
        pending = [a for a in complaint_actions(record) if a.state not in (*CARRIED_OUT, ActionState.CANCELLED)]
        if pending:
            return _("Corrective actions not carried out yet: %(actions)s.") % {
                "actions": list_text(f"{a.number} ({a.state_label})" for a in pending)
            }
        return None

    def __eq__(self, other):
        return isinstance(other, ActionsCarriedOut)

    def __hash__(self):
        return hash(ActionsCarriedOut)


class PeriodOver(Requirement):
    """The agreed period before the effectiveness check has passed."""

    def problem(self, record, context):
        if check_period_over(record):
            return None
        return _("The effectiveness is checked after the agreed period, on or after %(date)s.") % {
            "date": record.effectiveness_check_on.isoformat()
        }

    def __eq__(self, other):
        return isinstance(other, PeriodOver)

    def __hash__(self):
        return hash(PeriodOver)


# --- after hooks ------------------------------------------------------------------------------------


def keep_reply_letter(*, record, signoff, user, context) -> None:
    """The reply letter (and the 8D report the customer asked for) as sent, kept with the complaint."""
    from .services import reply_documents_attach

    reply_documents_attach(complaint=record, user=user, replied_on=context.data.get("replied_on", ""))


def _first_reply(name: str, state: str) -> Transition:
    return Transition(
        name,
        state,
        state,
        _("Record the first reply to the customer"),
        Action.CONFIRM,
        who=(SALES,),
        conditions=(no_first_reply,),
        form=FirstReplyForm,
        after=(first_reply_recorded,),
        done_label=_("First reply to the customer"),
        separation_of_duties=False,
        style="info",
    )


FIRST_REPLY_TRANSITIONS = ("first_reply", "first_reply_assigned", "first_reply_investigating")

COMPLAINT_FLOW = Flow(
    key="complaint",
    label=_("Customer complaint"),
    states=ComplaintState,
    initial=S.REGISTERED,
    number_pattern="KS-{yyyy}-{seq:04}",
    final_states=(S.CLOSED, S.WITHDRAWN),
    transitions=[
        # 4.6.4 and 4.6.2: the owner names the investigators.
        Transition(
            "assign",
            S.REGISTERED,
            S.ASSIGNED,
            _("Assign the investigators"),
            Action.ISSUE,
            who=(OWNER,),
            form=AssignForm,
            done_label=_("Investigators assigned"),
            requires=(
                FieldsFilled("channel", "description", "category"),
                Check(phone_written_up, _("A complaint taken by phone is written up first: write up the call.")),
            ),
        ),
        Transition(
            "contain",
            S.ASSIGNED,
            S.INVESTIGATING,
            _("Record the containment"),
            Action.CONFIRM,
            who=(INVESTIGATORS,),
            form=ContainmentForm,
            done_label=_("Containment recorded"),
        ),
        # 4.6.2: the cause, and the actions that correct the defect and prevent its recurrence.
        Transition(
            "submit_investigation",
            S.INVESTIGATING,
            S.VERIFICATION,
            _("Submit the root cause and the actions"),
            Action.SUBMIT,
            who=(INVESTIGATORS,),
            form=InvestigationForm,
            done_label=_("Root cause and actions submitted"),
            requires=(
                Check(actions_raised, _("Raise at least one corrective or preventive action in this investigation.")),
            ),
        ),
        # 4.6.3: Quality verifies the actions were carried out and writes the verification report.
        Transition(
            "verify",
            S.VERIFICATION,
            S.REPLY,
            _("Verify the actions and write the report"),
            Action.VERIFY,
            who=(QA,),
            form=VerificationForm,
            done_label=_("Actions verified, verification report written"),
            requires=(ActionsCarriedOut(),),
        ),
        Transition(
            "reply",
            S.REPLY,
            S.EFFECTIVENESS_CHECK,
            _("Record the reply to the customer"),
            Action.CONFIRM,
            who=(SALES,),
            form=ReplyForm,
            after=(keep_reply_letter,),
            done_label=_("Replied to the customer"),
        ),
        # 4.6.3: after the agreed period Quality checks the effectiveness and records it.
        Transition(
            "close",
            S.EFFECTIVENESS_CHECK,
            S.CLOSED,
            _("Effective: close the complaint"),
            Action.CLOSE,
            who=(QA,),
            form=EffectivenessForm,
            # Checking the effectiveness is a verification: not by whoever registered or last changed it.
            separation_of_duties=True,
            done_label=_("Effectiveness confirmed, complaint closed"),
            requires=(PeriodOver(), ActionsVerified()),
            style="success",
        ),
        Transition(
            "reopen",
            S.EFFECTIVENESS_CHECK,
            S.INVESTIGATING,
            _("Not effective: investigate again"),
            Action.REOPEN,
            who=(QA,),
            form=NotEffectiveForm,
            new_round=True,
            comment_required=False,
            separation_of_duties=True,
            done_label=_("Not effective: investigation reopened"),
            style="warning",
        ),
        _first_reply("first_reply", S.REGISTERED),
        _first_reply("first_reply_assigned", S.ASSIGNED),
        _first_reply("first_reply_investigating", S.INVESTIGATING),
        # Optional actions: offered, never tasks.
        Transition(
            "correct",
            (S.ASSIGNED, S.INVESTIGATING),
            S.REGISTERED,
            _("Take back to correct the registration"),
            Action.REOPEN,
            who=(SALES, QA),
            done_label=_("Taken back to correct the registration"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "withdraw",
            (S.REGISTERED, S.ASSIGNED),
            S.WITHDRAWN,
            _("Withdraw (registered by mistake)"),
            Action.WITHDRAW,
            who=(SALES, QA),
            done_label=_("Withdrawn"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={
        # The owner assigns and the investigators contain within the customer's first-reply deadline;
        # the root cause and actions are due with the 8D report.
        S.REGISTERED: Due(field="reply_due_on"),
        S.ASSIGNED: Due(field="reply_due_on"),
        S.INVESTIGATING: Due(field="report_8d_due_on"),
        # Quality verifies once the last action is due; the effectiveness after the agreed period.
        S.VERIFICATION: Due(field="actions_due_on"),
        S.REPLY: 2,
        S.EFFECTIVENESS_CHECK: Due(field="effectiveness_check_on"),
    },
    editors=(SALES, QA),
    # The registration is corrected freely until the owner signs the assignment; after that a correction
    # takes the complaint back to the owner (a new round).
    edit_states={S.REGISTERED: None, S.ASSIGNED: "correct", S.INVESTIGATING: "correct"},
    readers=(SALES, QA),
    abilities={
        "register": (SALES, QA),
        # Quality registers quality complaints; Sales any complaint.
        "register_any_category": (SALES,),
        # Raise actions from the complaint: the owner and the investigators; mark repeats of earlier
        # complaints: Sales, Quality, the owner and the investigators. The investigators are asked apart,
        # only of those who are none of the others (reading who they are costs a query).
        "raise_action": (OWNER,),
        "link_repeats": (SALES, QA, OWNER),
        "investigate": (INVESTIGATORS,),
        "record_costs": (SALES, QA),
    },
)

# States in which actions are raised from the complaint.
INVESTIGATION_STATES = (S.ASSIGNED, S.INVESTIGATING)


# --- after-sales feedback (NH-QP14 4.5) ---------------------------------------------------------------
#
# Sales or Quality registers what a customer says after delivery (survey comments arrive by themselves);
# it is dealt with — thanked, explained, turned into a complaint or a corrective action — and closed with
# what was done. Withdrawing one entered by mistake is optional, never a task.

F = FeedbackState

FEEDBACK_FLOW = Flow(
    key="feedback",
    label=_("After-sales feedback"),
    states=FeedbackState,
    initial=F.OPEN,
    number_pattern="FK-{yyyy}-{seq:04}",
    final_states=(F.CLOSED, F.WITHDRAWN),
    transitions=[
        Transition(
            "close",
            F.OPEN,
            F.CLOSED,
            _("Dealt with: record what was done"),
            Action.CLOSE,
            who=(SALES, QA),
            form=FeedbackCloseForm,
            separation_of_duties=False,
            done_label=_("Feedback dealt with"),
            style="success",
        ),
        Transition(
            "withdraw",
            F.OPEN,
            F.WITHDRAWN,
            _("Withdraw (entered by mistake)"),
            Action.WITHDRAW,
            who=(SALES, QA),
            done_label=_("Withdrawn"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={F.OPEN: 5},
    editors=(SALES, QA),
    edit_states={F.OPEN: None},
    readers=(SALES, QA),
    abilities={"register": (SALES, QA), "escalate": (SALES, QA)},
)


# --- advisory notices (忠告性通知, NH-QP14 4.5) ------------------------------------------------------------
#
# Quality or Sales drafts the notice; the Quality head reviews it and the deputy GM in charge (of the
# drafting department) approves it; then it is sent to the chosen customers — each an acknowledgement of
# its own (a child record with a link) — and it closes once every customer acknowledged or Sales recorded
# why not.

A = AdvisoryState
K = AckState
DRAFTERS = (SALES, QA)
VGM_IN_CHARGE = VGMInCharge(name=_("deputy GM in charge"))


def acknowledgements_settled(notice) -> bool:
    return not notice.acknowledgements.filter(state=K.SENT).exists()


def refresh_notice_tasks(*, record, signoff, user, context) -> None:
    """An acknowledgement settled: the notice's "close" task appears once the last one is."""
    from nhcs.workflow import services as wf

    wf.tasks_refresh(record=type(record.notice).objects.get(pk=record.notice_id))


def send_to_customers(*, record, signoff, user, context) -> None:
    from .services import advisory_acks_create

    advisory_acks_create(notice=record, user=user, customer_ids=context.data.get("customers") or [])


ADVISORY_FLOW = Flow(
    key="advisory",
    label=_("Advisory notice"),
    states=AdvisoryState,
    initial=A.DRAFT,
    number_pattern="ZG-{yyyy}-{seq:04}",
    final_states=(A.CLOSED, A.WITHDRAWN),
    transitions=[
        Transition(
            "submit",
            A.DRAFT,
            A.SUBMITTED,
            _("Submit for review"),
            Action.SUBMIT,
            who=DRAFTERS,
            requires=(FieldsFilled("subject", "reason", "measure", "respond_by"),),
            done_label=_("Drafted"),
        ),
        Transition(
            "review",
            A.SUBMITTED,
            A.REVIEWED,
            _("Review (Quality head)"),
            Action.REVIEW,
            who=(QA_HEAD,),
            done_label=_("Reviewed"),
        ),
        Transition(
            "approve",
            A.REVIEWED,
            A.APPROVED,
            _("Approve (deputy GM in charge)"),
            Action.APPROVE,
            who=(VGM_IN_CHARGE,),
            done_label=_("Approved"),
        ),
        Transition(
            "return_to_draft",
            (A.SUBMITTED, A.REVIEWED),
            A.DRAFT,
            _("Return to the drafter"),
            Action.RETURN,
            who=(QA_HEAD, VGM_IN_CHARGE),
            done_label=_("Returned"),
            style="warning",
        ),
        Transition(
            "send",
            A.APPROVED,
            A.SENT,
            _("Send to the customers"),
            Action.ISSUE,
            who=DRAFTERS,
            form=AdvisorySendForm,
            after=(send_to_customers,),
            separation_of_duties=False,
            done_label=_("Sent to the customers"),
        ),
        Transition(
            "close",
            A.SENT,
            A.CLOSED,
            _("Close: every customer acknowledged or the reason is recorded"),
            Action.CLOSE,
            who=(SALES,),
            conditions=(acknowledgements_settled,),
            requires=(
                ChildrenIn(
                    "acknowledgements",
                    (K.ACKNOWLEDGED, K.NOT_ACKNOWLEDGED),
                    _("Not acknowledged yet: %(children)s."),
                ),
            ),
            form=AdvisoryCloseForm,
            separation_of_duties=False,
            done_label=_("Closed"),
            style="success",
        ),
        # Optional actions: offered, never tasks, never mailed.
        Transition(
            "reopen",
            (A.SUBMITTED, A.REVIEWED, A.APPROVED),
            A.DRAFT,
            _("Take back to change the notice"),
            Action.REOPEN,
            who=DRAFTERS,
            done_label=_("Taken back to change"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "withdraw",
            (A.DRAFT, A.SUBMITTED, A.REVIEWED, A.APPROVED),
            A.WITHDRAWN,
            _("Withdraw the notice"),
            Action.WITHDRAW,
            who=DRAFTERS,
            done_label=_("Withdrawn"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={A.SUBMITTED: 1, A.REVIEWED: 1, A.APPROVED: 1, A.SENT: None},
    editors=DRAFTERS,
    # Signed data changes only by taking the notice back to draft (a new round).
    edit_states={A.DRAFT: None, A.SUBMITTED: "reopen", A.REVIEWED: "reopen", A.APPROVED: "reopen"},
    readers=(SALES, QA),
    abilities={"draft": DRAFTERS, "remind": DRAFTERS},
)


def answered_online(ack) -> bool:
    """The customer answered through their link (the link service marked it used just before)."""
    return ack.link_id is not None and ack.link.used_at is not None


ACK_FLOW = Flow(
    key="advisory_ack",
    label=_("Acknowledgement of an advisory notice"),
    states=AckState,
    initial=K.SENT,
    number_pattern="",
    final_states=(K.ACKNOWLEDGED, K.NOT_ACKNOWLEDGED),
    parent_field="notice",
    transitions=[
        # Sales follows up the customers who have not acknowledged (a task, due with the deadline).
        Transition(
            "acknowledge",
            K.SENT,
            K.ACKNOWLEDGED,
            _("Record the customer's acknowledgement"),
            Action.ACKNOWLEDGE,
            who=(SALES,),
            form=AckRecordForm,
            after=(refresh_notice_tasks,),
            separation_of_duties=False,
            done_label=_("Acknowledgement recorded"),
            style="success",
        ),
        Transition(
            "not_acknowledged",
            K.SENT,
            K.NOT_ACKNOWLEDGED,
            _("Record why the customer does not acknowledge"),
            Action.CLOSE,
            who=(SALES,),
            form=NoAckForm,
            after=(refresh_notice_tasks,),
            separation_of_duties=False,
            done_label=_("Reason for no acknowledgement recorded"),
            style="warning",
        ),
        # The customer's own acknowledgement through the link, signed in the name of whoever sent the
        # notice; it exists only once the link was answered, so it is never offered nor a task.
        Transition(
            "acknowledge_online",
            K.SENT,
            K.ACKNOWLEDGED,
            _("Acknowledged online by the customer"),
            Action.ACKNOWLEDGE,
            who=DRAFTERS,
            conditions=(answered_online,),
            form=AckOnlineForm,
            after=(refresh_notice_tasks,),
            separation_of_duties=False,
            optional=True,
            done_label=_("Acknowledged online by the customer"),
        ),
    ],
    due_days={K.SENT: Due(field="respond_by")},
    readers=(SALES, QA),
)
