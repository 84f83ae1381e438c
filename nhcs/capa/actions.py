"""What the actions of a corrective action capture (declared in flow.py), saved with their sign-offs:
the departments the measures go to, what the customer was told, the effectiveness found."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department
from nhcs.core.widgets import DateInput
from nhcs.workflow.forms import ActionForm

from .choices import InformChannel


def _not_in_future(day):
    if day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


class DistributionForm(ActionForm):
    """4.7.4: the measures are distributed to the departments concerned."""

    departments = forms.ModelMultipleChoiceField(
        label=_("distributed to"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and self.record.pk and not self.is_bound:
            self.initial.setdefault("departments", [self.record.owner_department_id])

    def apply(self, record) -> None:
        record.distributed_to.set(self.cleaned_data["departments"])


class CustomerInformedForm(ActionForm):
    """4.7.4: Sales feeds the measures back to the customer whose opinion raised them."""

    informed_on = forms.DateField(label=_("informed on"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("informed by"), choices=InformChannel.choices)
    feedback = forms.CharField(
        label=_("feedback to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the customer was told."),
    )

    def clean_informed_on(self):
        return _not_in_future(self.cleaned_data["informed_on"])

    def apply(self, record) -> None:
        record.customer_feedback = self.cleaned_data["feedback"].strip()


class VerificationForm(ActionForm):
    """4.7.5 / §5: Quality checks the measures worked, and says what it found."""

    checked_on = forms.DateField(label=_("checked on"), widget=DateInput(), initial=timezone.localdate)
    effectiveness = forms.CharField(
        label=_("effectiveness"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked and found, e.g. three lots delivered without damage."),
    )

    def clean_checked_on(self):
        return _not_in_future(self.cleaned_data["checked_on"])

    def apply(self, record) -> None:
        record.effectiveness = self.cleaned_data["effectiveness"].strip()
        record.verified_on = self.cleaned_data["checked_on"]


class NotEffectiveForm(ActionForm):
    """The measures did not work: what was found; the owner department sets new measures."""

    checked_on = forms.DateField(label=_("checked on"), widget=DateInput(), initial=timezone.localdate)
    findings = forms.CharField(
        label=_("why the measures were not effective"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_checked_on(self):
        return _not_in_future(self.cleaned_data["checked_on"])
