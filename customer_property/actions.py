"""What the register's actions capture (declared in customer_property/flow.py), saved with their
sign-offs and, where the register shows it, written onto the record: the incoming verification, the
notice to the customer, the customer's disposition, where the item is stored, maintenance, the return
and the scrapping, and the outcome of a loss or damage."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput
from nhcs.workflow.forms import ActionForm

from .choices import Channel, Disposition, Outcome, VerificationCheck

WRITTEN_CHANNELS = [c for c in Channel.choices if c[0] != Channel.PHONE]


def _not_future(day):
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


class _Dated(ActionForm):
    """Dates default to today and cannot lie in the future."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.date_fields:
            self.fields[name].initial = timezone.localdate
            self.fields[name].widget = DateInput()

    def clean(self):
        data = super().clean()
        for name in self.date_fields:
            if data.get(name) is not None:
                try:
                    _not_future(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data


# --- incoming verification (4.8.4) ---------------------------------------------------------------------


class VerificationForm(_Dated):
    """Quality's incoming verification: what was checked against which criteria, the quantity found and
    the findings; the sign-off is the inspector's."""

    date_fields = ("inspected_on",)

    inspected_on = forms.DateField(label=_("inspected on"))
    checks = forms.MultipleChoiceField(
        label=_("what was checked"), choices=VerificationCheck.choices, widget=forms.CheckboxSelectMultiple
    )
    criteria = forms.CharField(label=_("acceptance criteria applied"), max_length=300)
    quantity_found = forms.DecimalField(label=_("quantity found"), min_value=0, max_digits=12, decimal_places=3)
    findings = forms.CharField(label=_("findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound:
            self.initial.setdefault("criteria", self.record.acceptance_criteria[:300])
            self.initial.setdefault("quantity_found", self.record.quantity)

    def clean(self):
        data = super().clean()
        data["findings"] = (data.get("findings") or "").strip()
        return data

    def apply(self, record) -> None:
        record.nonconformity = ""
        record.reverify = False


class RejectionForm(VerificationForm):
    """A failed verification: the findings say what does not conform (they go to the customer)."""

    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 2}))

    def apply(self, record) -> None:
        record.nonconformity = self.cleaned_data["findings"]
        record.reverify = False


# --- the notice to the customer (4.8.4, 4.8.5) ----------------------------------------------------------


class NoticeSentForm(_Dated):
    """The notice went to the customer: when and how (the letter is kept with the record)."""

    date_fields = ("sent_on",)

    sent_on = forms.DateField(label=_("notice sent on"))
    channel = forms.ChoiceField(label=_("sent by"), choices=WRITTEN_CHANNELS)

    def apply(self, record) -> None:
        record.notice_sent_on = self.cleaned_data["sent_on"]
        record.notice_channel = self.cleaned_data["channel"]


class DispositionForm(_Dated):
    """The customer's disposition of a nonconforming item, as they gave it."""

    disposition = Disposition.ACCEPT_AS_IS
    date_fields = ("decided_on",)

    decided_on = forms.DateField(label=_("customer decided on"))
    customer_reference = forms.CharField(
        label=_("customer's answer (letter, e-mail, reference)"), max_length=200, required=True
    )
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def apply(self, record) -> None:
        record.disposition = self.disposition
        record.disposition_on = self.cleaned_data["decided_on"]


class RepairDispositionForm(DispositionForm):
    disposition = Disposition.REPAIR

    def apply(self, record) -> None:
        super().apply(record)
        record.reverify = True  # repaired, it is verified again


class ReturnForm(_Dated):
    """The item goes back to the customer, who signs for it (the signed receipt is attached)."""

    date_fields = ("returned_on",)

    returned_on = forms.DateField(label=_("returned on"))
    document_number = forms.CharField(label=_("delivery / return note number"), max_length=40)
    signed_by = forms.CharField(label=_("receipt signed by (customer)"), max_length=60)
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class ReturnDispositionForm(ReturnForm):
    """The customer chose to have a nonconforming item back: their decision and the return, together."""

    date_fields = ("returned_on", "decided_on")

    decided_on = forms.DateField(label=_("customer decided on"))
    customer_reference = forms.CharField(label=_("customer's answer (letter, e-mail, reference)"), max_length=200)

    def apply(self, record) -> None:
        record.disposition = Disposition.RETURN
        record.disposition_on = self.cleaned_data["decided_on"]


class ScrapForm(_Dated):
    """Scrapping, only with the customer's written consent attached."""

    date_fields = ("scrapped_on",)

    scrapped_on = forms.DateField(label=_("scrapped on"))
    method = forms.CharField(label=_("how it was scrapped"), max_length=200)
    consent_reference = forms.CharField(label=_("customer's written consent (reference)"), max_length=200)


# --- where it is kept and its maintenance ---------------------------------------------------------------


def _location_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("storage location"), queryset=None, **kwargs)


class StoreForm(ActionForm):
    """Where the item is put (the location is moved, never typed over)."""

    location = _location_field()
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = apps.get_model("customer_property", "Location").objects.filter(
            is_active=True
        )


class MaintenanceStartForm(ActionForm):
    reason = forms.CharField(label=_("what needs maintenance"), max_length=300)
    place = forms.CharField(label=_("where (tool room, supplier)"), max_length=100)


class MaintenanceForm(_Dated):
    """The maintenance record: what was done, by whom; for a mold, a new shot limit agreed in writing."""

    date_fields = ("done_on",)

    done_on = forms.DateField(label=_("done on"))
    work_done = forms.CharField(label=_("work done"), widget=forms.Textarea(attrs={"rows": 2}))
    done_by = forms.CharField(label=_("done by"), max_length=100)
    new_shot_limit = forms.IntegerField(
        label=_("new shot limit (agreed with the customer in writing)"), required=False, min_value=1
    )

    def clean(self):
        data = super().clean()
        limit = data.get("new_shot_limit")
        if limit is not None and self.record is not None:
            from .choices import PropertyKind

            if self.record.kind != PropertyKind.MOLD:
                self.add_error("new_shot_limit", _("Only a mold has a shot limit."))
        return data

    def apply(self, record) -> None:
        if self.cleaned_data.get("new_shot_limit"):
            record.shot_limit = self.cleaned_data["new_shot_limit"]


# --- loss or damage (4.8.5) ---------------------------------------------------------------------------


class OutcomeForm(_Dated):
    """What was negotiated with the customer."""

    date_fields = ("agreed_on",)

    outcome = forms.ChoiceField(label=_("outcome"), choices=[("", "—"), *Outcome.choices])
    agreed_on = forms.DateField(label=_("agreed on"))
    amount = forms.DecimalField(label=_("compensation amount"), required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("currency"), required=False, max_length=3)
    details = forms.CharField(label=_("what was agreed"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.COMPENSATION and data.get("amount") is None:
            self.add_error("amount", _("Give the amount of the compensation."))
        data["currency"] = (data.get("currency") or "").strip().upper()
        return data

    def apply(self, record) -> None:
        record.outcome = self.cleaned_data["outcome"]
        record.outcome_on = self.cleaned_data["agreed_on"]
        record.outcome_details = self.cleaned_data["details"]
        record.compensation = self.cleaned_data.get("amount")
        record.currency = self.cleaned_data.get("currency") or ""


# --- the periodic count ---------------------------------------------------------------------------------


class ResolutionForm(ActionForm):
    """How the differences of a count are resolved: the register is adjusted to what was counted."""

    resolution = forms.CharField(
        label=_("resolution of the differences"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        data["resolution"] = (data.get("resolution") or "").strip()
        if self.record is not None and self.record.has_differences() and not data["resolution"]:
            self.add_error("resolution", _("Say how the differences are resolved (and whether the customer is told)."))
        return data
