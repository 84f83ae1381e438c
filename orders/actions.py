"""What the order review's actions and opinions capture (declared in orders/flow.py), saved with their
sign-offs: the replied delivery date and its justification, Manufacturing's production start."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput
from nhcs.workflow.forms import ActionForm, OpinionForm


class ReplyDateForm(ActionForm):
    """Planning replies the committed delivery date (4.2): not earlier than the PO date plus the longest
    material lead time, unless justified."""

    committed_date = forms.DateField(label=_("committed delivery date"), widget=DateInput())
    justification = forms.CharField(
        label=_("justification (needed when earlier than the lead times allow)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound:
            self.initial.setdefault("committed_date", self.record.committed_date or self.record.earliest_allowed_date())

    def clean(self):
        data = super().clean()
        day = data.get("committed_date")
        justification = (data.get("justification") or "").strip()
        data["justification"] = justification
        if self.record is not None and day is not None:
            if day < self.record.po_date:
                self.add_error("committed_date", _("The committed date is before the PO date."))
            elif day < self.record.earliest_allowed_date() and not justification:
                self.add_error(
                    "justification",
                    _(
                        "The committed date is earlier than the PO date plus the longest material lead time "
                        "(%(date)s): give a justification."
                    )
                    % {"date": self.record.earliest_allowed_date().isoformat()},
                )
        return data

    def apply(self, record) -> None:
        record.committed_date = self.cleaned_data["committed_date"]
        record.committed_justification = self.cleaned_data["justification"]


class ManufacturingOpinionForm(OpinionForm):
    """Manufacturing's opinion, with the day production can start (capacity)."""

    production_start = forms.DateField(
        label=_("production can start on"), required=False, widget=DateInput(), help_text=_("Capacity permitting.")
    )


class ShipmentSignoffForm(ActionForm):
    """What the shipment service signs when the shipments move the order's state: the delivery notes
    that did it. Never offered on the order page (the transitions follow the shipments), only filled by
    orders.services when a delivery is recorded, imported or reversed."""

    delivery_notes = forms.CharField(label=_("delivery notes"), max_length=1000, required=False)


# --- 3.5: the deputy GM's approval of the agreed requirements ------------------------------------------


class VGMApprovalForm(ActionForm):
    """What the deputy GM's approval captures: the rule of the admin that lets it suffice, if one applies
    to the order now (read from the order, not chosen); it is printed on the review sheet."""

    approval_rule = forms.ModelChoiceField(
        label=_("the deputy GM's approval suffices by the rule"),
        queryset=None,
        required=False,
        disabled=True,
        empty_label=_("none: the GM approves too"),
    )

    def __init__(self, *args, **kwargs):
        from .models import ApprovalRule
        from .services import approval_rule_for

        super().__init__(*args, **kwargs)
        field = self.fields["approval_rule"]
        field.queryset = ApprovalRule.objects.all()
        if self.record is not None:
            rule = approval_rule_for(order=self.record)
            field.initial = rule.pk if rule is not None else None
            field.queryset = ApprovalRule.objects.filter(pk=field.initial) if rule else ApprovalRule.objects.none()

    def apply(self, record) -> None:
        record.approval_rule = self.cleaned_data.get("approval_rule")


# --- 4.3: change notices --------------------------------------------------------------------------------


class ImpactForm(OpinionForm):
    """A department's opinion on a change notice, with the change's impact (4.3)."""

    material_bought = forms.DecimalField(
        label=_("material already bought (value, CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    work_in_progress = forms.DecimalField(
        label=_("work in progress (pcs)"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    stock = forms.DecimalField(
        label=_("finished goods in stock (pcs)"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    cost = forms.DecimalField(
        label=_("cost of the change (CNY)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Negative for a saving."),
    )


class RejectionForm(ActionForm):
    """Why planning cannot accept the change (the reason itself goes in the comment)."""

    already_stocked = forms.BooleanField(label=_("goods already stocked"), required=False)
    in_production = forms.BooleanField(label=_("already in production"), required=False)


class NegotiationForm(ActionForm):
    """What sales agreed with the customer (a rejected change notice; a delay notice)."""

    negotiation = forms.CharField(
        label=_("outcome negotiated with the customer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_negotiation(self):
        text = (self.cleaned_data.get("negotiation") or "").strip()
        if not text:
            raise forms.ValidationError(_("Write down what was agreed with the customer."))
        return text

    def apply(self, record) -> None:
        record.negotiation = self.cleaned_data["negotiation"]


# Who acknowledges an issued change notice unless planning chooses otherwise.
DEFAULT_ACK_DEPARTMENTS = ("ENG", "PUR", "RD", "QA", "MFG", "WH")


class IssueForm(ActionForm):
    """The departments concerned, each of which acknowledges receipt of the issued notice."""

    departments = forms.ModelMultipleChoiceField(
        label=_("departments that acknowledge receipt"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from nhcs.accounts.models import Department

        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        field.queryset = Department.objects.filter(is_active=True).order_by("pk")
        if not self.is_bound:
            field.initial = [d.pk for d in field.queryset if d.code in DEFAULT_ACK_DEPARTMENTS]


class CancelByNoticeForm(ActionForm):
    """What the order's cancellation by a change notice signs: the notice's number."""

    notice = forms.CharField(label=_("change notice"), max_length=40)
