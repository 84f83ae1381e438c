"""A memo that goes draft → submitted → reviewed → approved (→ GM approved when the price changes).

Declared only as a flow: everything else (sign-offs, tasks, history, numbers, files) is the engine's.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action, AttachmentKind
from nhcs.workflow.flow import CREATOR_DEPARTMENT, FieldsFilled, Flow, HasAttachment, Role, Transition
from nhcs.workflow.models import WorkflowRecord


class MemoState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    GM_APPROVED = "gm_approved", _("GM approved")
    CANCELLED = "cancelled", _("Cancelled")


S = MemoState
SALES = Role(department="SALES")
HEAD_OF_RAISER = Role(department=CREATOR_DEPARTMENT, position=Position.HEAD)
VGM = Role(position=Position.VGM)
GM = Role(position=Position.GM)

MEMO_FLOW = Flow(
    key="memo",
    label="Memo",
    states=MemoState,
    initial=S.DRAFT,
    number_pattern="MEMO-{yyyy}-{seq:04}",
    final_states=(S.GM_APPROVED, S.CANCELLED),
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
        Transition("review", S.SUBMITTED, S.REVIEWED, _("Review"), Action.REVIEW, who=(HEAD_OF_RAISER,)),
        Transition(
            "return_to_draft",
            (S.SUBMITTED, S.REVIEWED),
            S.DRAFT,
            _("Return"),
            Action.RETURN,
            who=(HEAD_OF_RAISER, VGM),
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
            "reopen",
            (S.SUBMITTED, S.APPROVED),
            S.DRAFT,
            _("Reopen"),
            Action.REOPEN,
            who=(SALES,),
            separation_of_duties=False,
        ),
    ],
    editors=(SALES,),
    edit_states={S.DRAFT: None, S.SUBMITTED: None, S.APPROVED: "reopen"},
)


class Memo(WorkflowRecord):
    flow = MEMO_FLOW

    title = models.CharField(_("title"), max_length=100, blank=True)
    body = models.TextField(_("body"), blank=True)
    price_changed = models.BooleanField(_("price changes"), default=False)

    class Meta:
        verbose_name = "memo"

    def get_absolute_url(self) -> str:
        return reverse("flowtest:memo_detail", args=[self.pk])

    def record_title(self) -> str:
        return self.title


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
