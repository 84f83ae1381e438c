"""The worked example of the shared workflow: every declaration a new area needs, on a small memo.

A memo goes draft → submitted → reviewed → approved (→ GM approved when the price changes) → issued to
departments, each of which acknowledges it (child records) → closed. Declared only as flows: sign-offs,
rounds, tasks, history, numbers, files, readers and sheets are the engine's. What each part shows:

- rounds: `return_to_draft` and `reopen` go back to the first state, so the next submission is a new
  round; the sheets' signature boxes come from the current round;
- optional actions: `reopen` and `withdraw` are offered, never tasks, never mailed;
- an action that carries data: `issue` (the departments to acknowledge, captured with the sign-off
  and used to raise the child records), `review` (a rating and a remark);
- a review step with a form: the `impact` step (material bought, work in progress, stock, cost);
- roles from a field with a fallback: `review` is for the Quality head when the category is
  "quality", else the head of the raising department — and a department with no head hands the task
  up the hierarchy (deputy GM in charge, then GM);
- the deputy GM in charge of the raising department approves (`VGMInCharge`);
- due dates: working days of the company calendar, a state that rests (`issued`: None), a due date
  from a field (`approved`: the memo's effective date);
- a date-raised task: an approved memo whose effective date has passed reminds Sales to issue it;
- child records: `MemoAck` per department, numbered within the memo (MEMO-2026-0001/2), read by whoever
  reads the memo; `close` requires every acknowledgement in — and every corrective action raised from the
  memo (nhcs.capa, a generic source rather than a child) verified: `ActionsVerified()`;
- amendments: an approved `MemoChange` amends an issued memo's text and its lines (quantity and price
  of a line, a line added), each old value kept struck through with the change's number;
- readers: Sales, Quality and heads and above read memos; everyone else gets 404.
"""

from django import forms
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.accounts.models import Department
from nhcs.capa.flow import ActionsVerified
from nhcs.workflow.choices import Action, AttachmentKind
from nhcs.workflow.flow import (
    CREATOR_DEPARTMENT,
    Amendable,
    ChildrenIn,
    DateTask,
    Due,
    FieldsFilled,
    Flow,
    FromField,
    HasAttachment,
    Role,
    Step,
    Transition,
    VGMInCharge,
)
from nhcs.workflow.forms import ActionForm, OpinionForm
from nhcs.workflow.models import WorkflowRecord


class MemoState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    GM_APPROVED = "gm_approved", _("GM approved")
    ISSUED = "issued", _("Issued")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class MemoCategory(models.TextChoices):
    GENERAL = "general", _("General")
    QUALITY = "quality", _("Quality")


S = MemoState
SALES = Role(department="SALES")
QA = Role(department="QA")
HEAD_OF_RAISER = Role(department=CREATOR_DEPARTMENT, position=Position.HEAD)
QA_HEAD = Role(department="QA", position=Position.HEAD)
# Role from a field: a quality memo is reviewed by the Quality head, any other by the raiser's head.
REVIEWER = FromField("category", {MemoCategory.QUALITY: QA_HEAD}, default=HEAD_OF_RAISER, name=_("reviewer"))
VGM = VGMInCharge()
GM = Role(position=Position.GM)


# --- what the actions capture ----------------------------------------------------------------------


class ReviewForm(ActionForm):
    rating = forms.ChoiceField(
        label=_("Rating"), required=False, choices=[("", "—"), ("ok", _("Fine")), ("fix", _("Fine after small fixes"))]
    )
    remark = forms.CharField(label=_("Remark"), required=False)


class IssueForm(ActionForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments to acknowledge"), queryset=Department.objects.all(), widget=forms.CheckboxSelectMultiple
    )


class ImpactForm(OpinionForm):
    material_bought = forms.DecimalField(label=_("Material already bought"), required=False, min_value=0)
    work_in_progress = forms.DecimalField(label=_("Work in progress"), required=False, min_value=0)
    stock = forms.DecimalField(label=_("Finished goods in stock"), required=False, min_value=0)
    cost = forms.DecimalField(label=_("Cost of the change"), required=False)


def raise_acknowledgements(*, record, signoff, user, context) -> None:
    from nhcs.workflow import services

    for pk in context.data["departments"]:
        services.record_create(model=MemoAck, user=user, data={"memo": record, "department_id": pk})


MEMO_FLOW = Flow(
    key="memo",
    label="Memo",
    states=MemoState,
    initial=S.DRAFT,
    number_pattern="MEMO-{yyyy}-{seq:04}",
    final_states=(S.CLOSED, S.CANCELLED),
    steps=[Step("impact", _("Impact of the memo"), who=Role(department="PUR"), form=ImpactForm)],
    transitions=[
        Transition(
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            _("Submit"),
            Action.SUBMIT,
            who=(SALES,),
            requires=(FieldsFilled("title", "body"),),
        ),
        Transition(
            "review",
            S.SUBMITTED,
            S.REVIEWED,
            _("Review"),
            Action.REVIEW,
            who=(REVIEWER,),
            form=ReviewForm,
            done_label=_("Reviewed"),
        ),
        Transition(
            "return_to_draft",
            (S.SUBMITTED, S.REVIEWED),
            S.DRAFT,
            _("Return"),
            Action.RETURN,
            who=(REVIEWER, VGM),
            style="warning",
        ),
        Transition(
            "approve",
            S.REVIEWED,
            S.APPROVED,
            _("Approve"),
            Action.APPROVE,
            who=(VGM,),
            requires=(HasAttachment(AttachmentKind.WRITTEN_CONFIRMATION),),
        ),
        Transition("reject", S.REVIEWED, S.CANCELLED, _("Reject"), Action.REJECT, who=(VGM,), style="danger"),
        Transition(
            "gm_approve",
            S.APPROVED,
            S.GM_APPROVED,
            _("GM approve"),
            Action.APPROVE,
            who=(GM,),
            conditions=(lambda memo: memo.price_changed,),
        ),
        Transition(
            "issue",
            (S.APPROVED, S.GM_APPROVED),
            S.ISSUED,
            _("Issue to the departments"),
            Action.ISSUE,
            who=(SALES,),
            conditions=(lambda memo: memo.state == S.GM_APPROVED or not memo.price_changed,),
            form=IssueForm,
            after=(raise_acknowledgements,),
            done_label=_("Issued"),
        ),
        Transition(
            "close",
            S.ISSUED,
            S.CLOSED,
            _("Close"),
            Action.CLOSE,
            who=(SALES,),
            # Every acknowledgement in, and every corrective action raised from the memo verified.
            requires=(ChildrenIn("acknowledgements", ("acknowledged",)), ActionsVerified()),
        ),
        # Optional actions: offered to those who may take them, never tasks.
        Transition(
            "reopen",
            (S.SUBMITTED, S.APPROVED),
            S.DRAFT,
            _("Reopen"),
            Action.REOPEN,
            who=(SALES,),
            separation_of_duties=False,
            optional=True,
        ),
        Transition(
            "withdraw",
            (S.DRAFT, S.SUBMITTED, S.REVIEWED),
            S.CANCELLED,
            _("Withdraw"),
            Action.WITHDRAW,
            who=(SALES,),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={S.SUBMITTED: 2, S.APPROVED: Due(field="effective_on"), S.ISSUED: None},
    editors=(SALES,),
    edit_states={S.DRAFT: None, S.SUBMITTED: "reopen", S.APPROVED: "reopen"},
    readers=(SALES, QA),
    date_tasks=[
        DateTask(
            "effective",
            _("The memo takes effect: issue it"),
            who=SALES,
            records=lambda memos, today: memos.filter(state=S.APPROVED, effective_on__lte=today),
        )
    ],
    amendable=Amendable(
        by={"memo_change": ("approved",)},
        fields=("body", "effective_on"),
        rows={"lines": ("quantity", "price")},
        add_rows=("lines",),
    ),
)


class Memo(WorkflowRecord):
    flow = MEMO_FLOW

    title = models.CharField(_("title"), max_length=100, blank=True)
    body = models.TextField(_("body"), blank=True)
    price_changed = models.BooleanField(_("price changes"), default=False)
    category = models.CharField(_("category"), max_length=10, choices=MemoCategory.choices, default="general")
    effective_on = models.DateField(_("takes effect on"), null=True, blank=True)

    class Meta:
        verbose_name = "memo"

    def get_absolute_url(self) -> str:
        return reverse("flowtest:memo_detail", args=[self.pk])

    def record_title(self) -> str:
        return self.title

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        data["lines"] = list(self.lines.order_by("pk").values("item", "quantity", "price")) if self.pk else []
        return data


class MemoLine(models.Model):
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="lines")
    item = models.CharField(_("item"), max_length=60)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.item


# --- child records: one acknowledgement per department ---------------------------------------------


class AckState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


ACK_FLOW = Flow(
    key="memo_ack",
    label="Memo acknowledgement",
    states=AckState,
    initial=AckState.SENT,
    number_pattern="",
    final_states=(AckState.ACKNOWLEDGED,),
    parent_field="memo",
    transitions=[
        Transition(
            "acknowledge",
            AckState.SENT,
            AckState.ACKNOWLEDGED,
            _("Acknowledge receipt"),
            Action.ACKNOWLEDGE,
            who=(Role(department_field="department"),),
            separation_of_duties=False,
        )
    ],
    due_days={AckState.SENT: 2},
    # Sales, and the department that acknowledges (its own acknowledgement, before and after).
    readers=(SALES, Role(department_field="department")),
)


class MemoAck(WorkflowRecord):
    flow = ACK_FLOW

    memo = models.ForeignKey(Memo, on_delete=models.PROTECT, related_name="acknowledgements")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")

    def get_absolute_url(self) -> str:
        return reverse("flowtest:ack_detail", args=[self.pk])


# --- an amending record -----------------------------------------------------------------------------


class ChangeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


def apply_change(*, record, signoff, user, context) -> None:
    from nhcs.workflow import services

    changes: list = []
    if record.new_body:
        changes.append(services.Amend("body", record.new_body))
    for line_change in record.line_changes.select_related("line"):
        if line_change.line_id is None:
            changes.append(
                services.AddRow(
                    "lines",
                    {"item": line_change.item, "quantity": line_change.quantity, "price": line_change.price},
                )
            )
            continue
        if line_change.quantity is not None:
            changes.append(services.Amend("quantity", line_change.quantity, row=line_change.line))
        if line_change.price is not None:
            changes.append(services.Amend("price", line_change.price, row=line_change.line))
    services.record_amend(target=record.memo, changes=changes, by_record=record, user=user)


MEMO_CHANGE_FLOW = Flow(
    key="memo_change",
    label="Memo change",
    states=ChangeState,
    initial=ChangeState.DRAFT,
    number_pattern="MC-{yyyy}-{seq:04}",
    final_states=(ChangeState.APPROVED,),
    transitions=[
        Transition(
            "approve",
            ChangeState.DRAFT,
            ChangeState.APPROVED,
            _("Approve the change"),
            Action.APPROVE,
            who=(VGM,),
            after=(apply_change,),
        )
    ],
    editors=(SALES,),
    edit_states={ChangeState.DRAFT: None},
    readers=(SALES,),
)


class MemoChange(WorkflowRecord):
    flow = MEMO_CHANGE_FLOW

    memo = models.ForeignKey(Memo, on_delete=models.PROTECT, related_name="changes")
    new_body = models.TextField(_("new text"), blank=True)

    def get_absolute_url(self) -> str:
        return reverse("flowtest:memo_detail", args=[self.memo_id])


class MemoLineChange(models.Model):
    change = models.ForeignKey(MemoChange, on_delete=models.CASCADE, related_name="line_changes")
    line = models.ForeignKey(MemoLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    item = models.CharField(max_length=60, blank=True)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return self.item or str(self.line_id)


class DateConfirmation(models.Model):
    """A customer confirms a proposed date by typing their name behind a token link (nhcs.links): the
    shape the delay notice of NH-QP14 4.4 takes on the same service. Test-only."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=100)
    proposed_date = models.DateField()
    confirmed_date = models.DateField(null=True, blank=True)
    link = models.OneToOneField("links.CustomerLink", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return self.subject
