"""The flows of the customer property register (NH-QP14 4.8; shared/design/flows.md, "Customer property
item"), declared on the shared workflow.

Item: Sales registers what the customer supplied (4.8.1) and submits it for incoming verification;
Quality verifies it against the acceptance criteria (4.8.4): accepted, the warehouse stores it; failed,
Sales notifies the customer at once (a letter in the customer's language) and records the customer's
disposition — accept as is, repair (then verified again), or return, with the customer's signed receipt.
An item in store moves to production and back, is maintained, returned (signed receipt) or scrapped (only
by the Sales head, only with the customer's written consent). The status is the workflow state (4.8.3):
it changes only by a signed action, never by an edit.

The state follows the movement ledger where the ledger decides it, like the orders follow their
shipments: issuing to production puts an item in use, taking back what was issued puts it back in
storage, consuming the last of it uses it up. These transitions exist only in the moment a movement
makes them true (their conditions read the ledger): they are never offered on a page, never tasks.
Likewise an item becomes lost or damaged only through a reported incident.

Incident (4.8.5): reported [anyone who reads the item] → customer notified [Sales] → settled [Sales head]
{the outcome, and every corrective action raised from it verified}.

Count (periodic stock-take): the warehouse counts a location or a customer's items → the Sales head
resolves the differences; the register is adjusted through the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.capa.flow import ActionsVerified
from nhcs.workflow.choices import Action, AttachmentKind
from nhcs.workflow.flow import CREATOR_DEPARTMENT, Check, DateTask, FieldsFilled, Flow, HasAttachment, Role, Transition

from .actions import (
    DispositionForm,
    MaintenanceForm,
    MaintenanceStartForm,
    NoticeSentForm,
    OutcomeForm,
    RejectionForm,
    RepairDispositionForm,
    ResolutionForm,
    ReturnDispositionForm,
    ReturnForm,
    ScrapForm,
    StoreForm,
    VerificationForm,
)
from .choices import GONE_STATES, REVISED_KINDS, CountState, IncidentKind, IncidentState, ItemState, PropertyKind

S = ItemState
SALES = Role(department="SALES")
SALES_HEAD = Role(department="SALES", position=Position.HEAD)
QA = Role(department="QA")
WH = Role(department="WH")
MFG = Role(department="MFG")
# Heads and above read every item; whoever reads an item may report its loss or damage.
HEADS_AND_ABOVE = (Role(position=Position.HEAD), Role(position=Position.VGM), Role(position=Position.GM))
ANY_READER = (SALES, QA, WH, MFG, *HEADS_AND_ABOVE)
KEEPERS = (WH, MFG)


@dataclass(frozen=True)
class FreshAttachment(HasAttachment):
    """A document of `kind` sent with this action, or added since the record came into its present state:
    a written confirmation kept from an earlier step (a disposition) does not count as the customer's
    consent to scrap, nor as their receipt."""

    def problem(self, record, context):
        if self.kind in context.new_attachment_kinds:
            return None
        if record.attachments.filter(kind=self.kind, uploaded_at__gte=record.state_changed_at).exists():
            return None
        return str(self.message)

    @property
    def message(self):
        return _("Attach first: %(kind)s.") % {"kind": AttachmentKind(self.kind).label}


CONSENT = FreshAttachment(AttachmentKind.WRITTEN_CONFIRMATION)
SIGNED_RECEIPT = FreshAttachment(AttachmentKind.WRITTEN_CONFIRMATION)


# --- what the conditions read (the ledger; the open incidents) ------------------------------------------


def balance(item):
    """The item's quantities from its ledger, read once per loaded item."""
    if "_balance" not in item.__dict__:
        from .selectors import Balance, balance_of

        if "qty_in_store" in item.__dict__:  # the page read it with the item
            item.__dict__["_balance"] = Balance(stock=item.qty_in_store, at_production=item.qty_at_production)
        else:
            item.__dict__["_balance"] = balance_of(item)
    return item.__dict__["_balance"]


def at_production(item) -> bool:
    return balance(item).at_production > 0


def nothing_at_production(item) -> bool:
    return balance(item).at_production == 0


def back_in_store(item) -> bool:
    b = balance(item)
    return b.at_production == 0 and b.stock > 0


def nothing_left(item) -> bool:
    return balance(item).on_hand <= 0


def _new_incident(item, kind) -> bool:
    """An incident of this kind was reported since the item came into its present state."""
    if not item.pk:
        return False
    if "_new_incidents" not in item.__dict__:  # read once for both conditions
        item.__dict__["_new_incidents"] = set(
            item.incidents.filter(state=IncidentState.REPORTED, created_at__gte=item.state_changed_at).values_list(
                "kind", flat=True
            )
        )
    return kind in item.__dict__["_new_incidents"]


def loss_reported(item) -> bool:
    return _new_incident(item, IncidentKind.LOSS)


def damage_reported(item) -> bool:
    return _new_incident(item, IncidentKind.DAMAGE)


def needs_reverification(item) -> bool:
    return bool(item.reverify)


def no_reverification(item) -> bool:
    return not item.reverify


def mold_data_complete(item) -> bool:
    if item.kind != PropertyKind.MOLD:
        return True
    return item.cavity_count is not None and item.shots_at_receipt is not None and item.shot_limit is not None


def revision_given(item) -> bool:
    return item.kind not in REVISED_KINDS or bool(item.revision.strip())


NOTHING_AT_PRODUCTION = Check(
    nothing_at_production, _("Part of it is still at production: record its return from production first.")
)


# --- after hooks (the ledger rows an action writes; the letters it keeps) ----------------------------


def _services():
    from . import services

    return services


def write_receipt(*, record, signoff, user, context) -> None:
    _services().receipt_write(item=record, user=user, signoff=signoff, context=context)


def keep_nonconformity_notice(*, record, signoff, user, context) -> None:
    _services().nonconformity_notice_keep(item=record, user=user, context=context)


def write_location(*, record, signoff, user, context) -> None:
    _services().location_write(item=record, user=user, signoff=signoff, context=context)


def write_found(*, record, signoff, user, context) -> None:
    _services().found_write(item=record, user=user, signoff=signoff, context=context)


def write_maintenance(*, record, signoff, user, context) -> None:
    _services().maintenance_write(item=record, user=user, signoff=signoff, context=context)


def write_return(*, record, signoff, user, context) -> None:
    _services().return_write(item=record, user=user, signoff=signoff, context=context)


def write_scrap(*, record, signoff, user, context) -> None:
    _services().scrap_write(item=record, user=user, signoff=signoff, context=context)


# --- the item ----------------------------------------------------------------------------------------------

IN_HAND = (S.ACCEPTED, S.IN_STORAGE, S.UNDER_MAINTENANCE, S.DAMAGED)


def _follows(name, source, target, label, done_label, condition):
    """A transition the ledger decides (taken by the movement service): never offered, never a task."""
    return Transition(
        name,
        source,
        target,
        label,
        Action.CONFIRM,
        who=KEEPERS,
        conditions=(condition,),
        done_label=done_label,
        separation_of_duties=False,
        comment_required=False,
        optional=True,
    )


def _near_shot_limit(items, today):
    from .selectors import near_shot_limit, with_shot_count

    # Not while it is being maintained, lost, or not yet ours.
    return near_shot_limit(with_shot_count(items)).exclude(state__in=(S.UNDER_MAINTENANCE, S.LOST, S.REGISTERED))


def _obsolete_at_production(items, today):
    from .selectors import with_balance, with_obsolete

    return with_balance(with_obsolete(items)).filter(is_obsolete=True, qty_at_production__gt=0)


ITEM_FLOW = Flow(
    key="customer_property",
    label=_("Customer property"),
    states=ItemState,
    initial=S.REGISTERED,
    number_pattern="CP-{yyyy}-{seq:04}",
    final_states=GONE_STATES,
    transitions=[
        Transition(
            "submit",
            S.REGISTERED,
            S.PENDING_VERIFICATION,
            _("Submit for incoming verification"),
            Action.SUBMIT,
            who=(SALES,),
            done_label=_("Registered, submitted for incoming verification"),
            requires=(
                FieldsFilled("name", "received_on", "received_from"),
                Check(mold_data_complete, _("A mold needs its cavity count, shot count at receipt and shot limit.")),
                Check(revision_given, _("Drawings and film need their revision.")),
            ),
        ),
        # 4.8.4: Quality verifies against the acceptance criteria; the sign-off is the inspector's.
        Transition(
            "accept",
            S.PENDING_VERIFICATION,
            S.ACCEPTED,
            _("Verified: accept"),
            Action.VERIFY,
            who=(QA,),
            form=VerificationForm,
            after=(write_receipt,),
            done_label=_("Verified and accepted"),
            style="success",
        ),
        Transition(
            "reject",
            S.PENDING_VERIFICATION,
            S.NONCONFORMING,
            _("Verified: nonconforming"),
            Action.VERIFY,
            who=(QA,),
            form=RejectionForm,
            after=(write_receipt,),
            done_label=_("Verified: nonconforming"),
            style="danger",
        ),
        # Failed: the customer is told at once, in writing, and decides.
        Transition(
            "notify_customer",
            S.NONCONFORMING,
            S.CUSTOMER_NOTIFIED,
            _("Notify the customer"),
            Action.ISSUE,
            who=(SALES,),
            form=NoticeSentForm,
            after=(keep_nonconformity_notice,),
            done_label=_("Customer notified of the nonconformity"),
            style="warning",
        ),
        Transition(
            "accept_as_is",
            S.CUSTOMER_NOTIFIED,
            S.ACCEPTED,
            _("Customer accepts as is"),
            Action.CONFIRM,
            who=(SALES,),
            form=DispositionForm,
            done_label=_("Disposition: accepted as is"),
        ),
        Transition(
            "repair",
            S.CUSTOMER_NOTIFIED,
            S.UNDER_MAINTENANCE,
            _("Customer wants it repaired"),
            Action.CONFIRM,
            who=(SALES,),
            form=RepairDispositionForm,
            done_label=_("Disposition: repair"),
        ),
        Transition(
            "return_nonconforming",
            S.CUSTOMER_NOTIFIED,
            S.RETURNED,
            _("Customer takes it back: returned"),
            Action.CONFIRM,
            who=(SALES,),
            form=ReturnDispositionForm,
            requires=(SIGNED_RECEIPT,),
            after=(write_return,),
            done_label=_("Disposition: returned to the customer"),
        ),
        Transition(
            "store",
            S.ACCEPTED,
            S.IN_STORAGE,
            _("Put in storage"),
            Action.CONFIRM,
            who=(WH,),
            form=StoreForm,
            after=(write_location,),
            done_label=_("Put in storage"),
            style="success",
        ),
        # The ledger decides these (see the module docstring).
        _follows("put_in_use", S.IN_STORAGE, S.IN_USE, _("In use"), _("Issued to production: in use"), at_production),
        _follows(
            "back_in_storage",
            S.IN_USE,
            S.IN_STORAGE,
            _("Back in storage"),
            _("Back from production: in storage"),
            back_in_store,
        ),
        _follows("use_up", S.IN_USE, S.USED_UP, _("Used up"), _("Used up in production"), nothing_left),
        # Maintenance: sent by the warehouse or manufacturing; finished, it goes back (or is verified again
        # when it was a repair the customer asked for).
        Transition(
            "send_to_maintenance",
            (S.IN_STORAGE, S.IN_USE, S.DAMAGED),
            S.UNDER_MAINTENANCE,
            _("Send to maintenance"),
            Action.ISSUE,
            who=KEEPERS,
            form=MaintenanceStartForm,
            done_label=_("Sent to maintenance"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "maintenance_done",
            S.UNDER_MAINTENANCE,
            S.IN_STORAGE,
            _("Maintenance done: back in storage"),
            Action.CONFIRM,
            who=KEEPERS,
            conditions=(no_reverification, nothing_at_production),
            form=MaintenanceForm,
            after=(write_maintenance,),
            done_label=_("Maintenance done: back in storage"),
        ),
        Transition(
            "maintenance_done_in_use",
            S.UNDER_MAINTENANCE,
            S.IN_USE,
            _("Maintenance done: back in use"),
            Action.CONFIRM,
            who=KEEPERS,
            conditions=(no_reverification, at_production),
            form=MaintenanceForm,
            after=(write_maintenance,),
            done_label=_("Maintenance done: back in use"),
        ),
        Transition(
            "repaired",
            S.UNDER_MAINTENANCE,
            S.PENDING_VERIFICATION,
            _("Repaired: verify again"),
            Action.CONFIRM,
            who=KEEPERS,
            conditions=(needs_reverification,),
            form=MaintenanceForm,
            after=(write_maintenance,),
            done_label=_("Repaired, back to incoming verification"),
        ),
        Transition(
            "return_to_customer",
            (S.ACCEPTED, S.IN_STORAGE, S.UNDER_MAINTENANCE, S.DAMAGED),
            S.RETURNED,
            _("Return to the customer"),
            Action.CONFIRM,
            who=(SALES, WH),
            form=ReturnForm,
            requires=(SIGNED_RECEIPT, NOTHING_AT_PRODUCTION),
            after=(write_return,),
            done_label=_("Returned to the customer"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "scrap",
            (S.ACCEPTED, S.IN_STORAGE, S.UNDER_MAINTENANCE, S.DAMAGED, S.LOST, S.CUSTOMER_NOTIFIED),
            S.SCRAPPED,
            _("Scrap (customer's written consent)"),
            Action.APPROVE,
            who=(SALES_HEAD,),
            form=ScrapForm,
            requires=(CONSENT, NOTHING_AT_PRODUCTION),
            after=(write_scrap,),
            done_label=_("Scrapped with the customer's written consent"),
            optional=True,
            style="danger",
        ),
        # Loss or damage: the incident service takes these right after reporting the incident.
        Transition(
            "report_lost",
            (S.ACCEPTED, S.IN_STORAGE, S.IN_USE, S.UNDER_MAINTENANCE, S.DAMAGED),
            S.LOST,
            _("Lost"),
            Action.CONFIRM,
            who=ANY_READER,
            conditions=(loss_reported,),
            done_label=_("Reported lost"),
            separation_of_duties=False,
            comment_required=False,
            optional=True,
        ),
        Transition(
            "report_damaged",
            (S.ACCEPTED, S.IN_STORAGE, S.IN_USE, S.UNDER_MAINTENANCE),
            S.DAMAGED,
            _("Damaged"),
            Action.CONFIRM,
            who=ANY_READER,
            conditions=(damage_reported,),
            done_label=_("Reported damaged"),
            separation_of_duties=False,
            comment_required=False,
            optional=True,
        ),
        Transition(
            "found",
            S.LOST,
            S.IN_STORAGE,
            _("Found again: put in storage"),
            Action.CONFIRM,
            who=(WH,),
            form=StoreForm,
            after=(write_found,),
            done_label=_("Found again, put in storage"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        Transition(
            "damage_cleared",
            S.DAMAGED,
            S.IN_STORAGE,
            _("Fit for use again: put in storage"),
            Action.CONFIRM,
            who=(WH,),
            form=StoreForm,
            requires=(NOTHING_AT_PRODUCTION,),
            after=(write_location,),
            done_label=_("Fit for use again, put in storage"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
        # Before Quality verified it, Sales may take the registration back to correct it.
        Transition(
            "recall",
            S.PENDING_VERIFICATION,
            S.REGISTERED,
            _("Recall to correct the registration"),
            Action.RECALL,
            who=(SALES,),
            done_label=_("Recalled to correct the registration"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
    ],
    due_days={
        S.REGISTERED: 1,
        S.PENDING_VERIFICATION: 2,
        S.ACCEPTED: 1,
        S.NONCONFORMING: 1,  # "reported to the customer at once"
        S.CUSTOMER_NOTIFIED: 10,
        S.IN_STORAGE: None,
        S.IN_USE: None,
        S.UNDER_MAINTENANCE: None,
        S.LOST: None,
        S.DAMAGED: None,
    },
    editors=(SALES,),
    # The registration is Sales' while it is a draft; once submitted, a correction recalls it first.
    edit_states={S.REGISTERED: None, S.PENDING_VERIFICATION: "recall"},
    readers=(SALES, QA, WH, MFG),
    abilities={
        "register": (SALES,),
        # Issue to production and back, consumption, scrap in production, production runs, moves.
        "move": KEEPERS,
        "count": (WH,),
        "raise_action": (SALES_HEAD, QA),
    },
    date_tasks=[
        DateTask(
            "shot_limit",
            _("Mold at nine tenths of its shot limit: agree maintenance or replacement with the customer"),
            who=SALES,
            records=_near_shot_limit,
            due_days=5,
        ),
        DateTask(
            "obsolete_at_production",
            _("A superseded revision is still at production: take it back"),
            who=WH,
            records=_obsolete_at_production,
            due_days=1,
        ),
    ],
)


# --- loss or damage ------------------------------------------------------------------------------------

INCIDENT_FLOW = Flow(
    key="customer_property_incident",
    label=_("Loss or damage of customer property"),
    states=IncidentState,
    initial=IncidentState.REPORTED,
    number_pattern="",
    final_states=(IncidentState.SETTLED,),
    parent_field="item",
    transitions=[
        Transition(
            "notify_customer",
            IncidentState.REPORTED,
            IncidentState.CUSTOMER_NOTIFIED,
            _("Notify the customer"),
            Action.ISSUE,
            who=(SALES,),
            form=NoticeSentForm,
            after=(lambda **kw: _services().incident_notice_keep(incident=kw["record"], user=kw["user"]),),
            done_label=_("Customer notified of the loss or damage"),
            style="warning",
        ),
        Transition(
            "settle",
            IncidentState.CUSTOMER_NOTIFIED,
            IncidentState.SETTLED,
            _("Record the outcome agreed with the customer"),
            Action.APPROVE,
            who=(SALES_HEAD,),
            form=OutcomeForm,
            requires=(ActionsVerified(),),
            done_label=_("Settled with the customer"),
            style="success",
        ),
    ],
    # "The customer is told at once."
    due_days={IncidentState.REPORTED: 1, IncidentState.CUSTOMER_NOTIFIED: 10},
    # Whoever reported it (their department) corrects the report until the customer is told.
    editors=(Role(department=CREATOR_DEPARTMENT),),
    edit_states={IncidentState.REPORTED: None},
    readers=(SALES, QA, WH, MFG),
)


# --- the periodic count ---------------------------------------------------------------------------------


def all_counted(count) -> bool:
    return not count.lines.filter(counted=None).exists()


def has_lines(count) -> bool:
    return count.lines.exists()


COUNT_FLOW = Flow(
    key="customer_property_count",
    label=_("Customer property count"),
    states=CountState,
    initial=CountState.DRAFT,
    number_pattern="CPC-{yyyy}-{seq:04}",
    final_states=(CountState.CLOSED, CountState.CANCELLED),
    transitions=[
        Transition(
            "submit",
            CountState.DRAFT,
            CountState.COUNTED,
            _("Submit the count"),
            Action.SUBMIT,
            who=(WH,),
            requires=(
                Check(has_lines, _("Nothing to count in this scope.")),
                Check(all_counted, _("Enter the counted quantity of every item.")),
            ),
            done_label=_("Counted and submitted"),
        ),
        Transition(
            "resolve",
            CountState.COUNTED,
            CountState.CLOSED,
            _("Resolve and close"),
            Action.APPROVE,
            who=(SALES_HEAD,),
            form=ResolutionForm,
            after=(lambda **kw: _services().count_adjust(count=kw["record"], user=kw["user"]),),
            done_label=_("Differences resolved, register adjusted"),
            style="success",
        ),
        Transition(
            "recount",
            CountState.COUNTED,
            CountState.DRAFT,
            _("Count again"),
            Action.RETURN,
            who=(SALES_HEAD, WH),
            done_label=_("Sent back to be counted again"),
            separation_of_duties=False,
            optional=True,
            style="warning",
        ),
        Transition(
            "cancel",
            CountState.DRAFT,
            CountState.CANCELLED,
            _("Cancel the count"),
            Action.CANCEL,
            who=(WH,),
            done_label=_("Cancelled"),
            separation_of_duties=False,
            optional=True,
            style="danger",
        ),
    ],
    due_days={CountState.DRAFT: 5, CountState.COUNTED: 3},
    # The department that started the count (the warehouse) enters what it counted.
    editors=(Role(department=CREATOR_DEPARTMENT),),
    edit_states={CountState.DRAFT: None},
    readers=(SALES, WH, QA),
)
