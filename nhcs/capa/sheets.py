"""Record sheets of the corrective actions, declared on nhcs.sheets:

- 纠正预防措施记录表 (the action's record, NH-QP14-10): what raised it, the analysis of the cause, the
  measures and their dates, the distribution, the feedback to the customer, the effectiveness — with
  the signature boxes of the current round (earlier rounds printed apart);
- 纠正预防措施一览表 (the log, NH-QP14-11): the actions as listed, with the list's filters.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox, choice_label
from nhcs.workflow.choices import Action

from .choices import ActionKind, ActionState, Trigger


def _distributed(action) -> str:
    from nhcs.workflow.flow import list_text

    return list_text(str(d) for d in action.distributed_to.all())


CAPA_LOG = ListSheet(
    "capa_log",
    [
        Column("number", _("Number"), "number", width=16),
        Column("kind", _("Kind"), choice_label("kind", ActionKind.choices), width=12),
        Column("raised_from", _("Raised from"), "source_kind_label", width=12),
        Column("source", _("Source number"), "source_number", width=18),
        Column("source_label", _("Source"), "source_label", width=24),
        Column("trigger", _("Raised for"), choice_label("trigger", Trigger.choices), width=18),
        Column("title", _("Title"), "display_title", width=24),
        Column("score", _("Score"), "score", kind="number", width=8),
        Column("owner", _("Owner department"), "owner_department.display_name", width=14),
        Column("due_on", _("Measures due on"), "due_on", kind="date"),
        Column("check_on", _("Effectiveness checked on or after"), "check_on", kind="date"),
        Column("state", _("State"), choice_label("state", ActionState.choices), width=16),
        Column("raised", _("Raised on"), "created_at", kind="date"),
    ],
    landscape=True,
)


CAPA_RECORD = RecordSheet(
    "capa_record",
    "capa/sheets/action.html",
    signature_boxes=[
        SignatureBox(
            _("Measures set (owner department head)"), actions=(Action.SUBMIT,), transitions=("set_measures",)
        ),
        SignatureBox(_("Distributed"), actions=(Action.ISSUE,), transitions=("distribute",)),
        SignatureBox(_("Customer informed (Sales)"), actions=(Action.CONFIRM,), transitions=("inform_customer",)),
        SignatureBox(_("Carried out (owner department)"), actions=(Action.CONFIRM,), transitions=("implement",)),
        SignatureBox(_("Effectiveness verified (Quality)"), actions=(Action.VERIFY,), transitions=("verify",)),
        SignatureBox(_("Closed"), actions=(Action.CLOSE,), transitions=("close",)),
    ],
    fields=[
        Column("kind", _("Kind"), "get_kind_display"),
        Column("title", _("Title"), "display_title"),
        Column(
            "source", _("Raised from"), lambda a: f"{a.source_kind_label} {a.source_number} {a.source_label}".strip()
        ),
        Column("trigger", _("Raised for"), "get_trigger_display"),
        Column("score", _("Score"), "score", kind="number"),
        Column("owner_department", _("Owner department"), "owner_department.display_name"),
        Column("analysis", _("Analysis of the cause"), "analysis"),
        Column("measures", _("Measures"), "measures"),
        Column("due_on", _("Measures due on"), "due_on", kind="date"),
        Column("check_on", _("Effectiveness checked on or after"), "check_on", kind="date"),
        Column("distributed_to", _("Distributed to"), _distributed),
        Column("customer_feedback", _("Feedback to the customer"), "customer_feedback"),
        Column("effectiveness", _("Effectiveness"), "effectiveness"),
        Column("verified_on", _("Effectiveness verified on"), "verified_on", kind="date"),
        Column("state", _("State"), "state_label"),
    ],
)
