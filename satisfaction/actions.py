"""What the improvement items' actions capture (declared in satisfaction/flow.py), saved with their
sign-offs: the departments the measures go to, what the customer was told."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department
from nhcs.core.widgets import DateInput
from nhcs.workflow.forms import ActionForm

from .choices import InformChannel


class DistributionForm(ActionForm):
    """4.7.4: the improvement measures are distributed to the departments concerned."""

    departments = forms.ModelMultipleChoiceField(
        label=_("distributed to"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and self.record.pk and not self.is_bound:
            self.initial.setdefault("departments", [self.record.responsible_department_id])

    def apply(self, record) -> None:
        record.distributed_to.set(self.cleaned_data["departments"])


class CustomerInformedForm(ActionForm):
    """4.7.4: sales feeds the measures back to the customer."""

    informed_on = forms.DateField(label=_("informed on"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("informed by"), choices=InformChannel.choices)
    feedback = forms.CharField(
        label=_("feedback to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the customer was told."),
    )

    def clean_informed_on(self):
        day = self.cleaned_data["informed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def apply(self, record) -> None:
        record.customer_feedback = self.cleaned_data["feedback"].strip()
        record.save(update_fields=["customer_feedback"])
