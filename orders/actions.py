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
