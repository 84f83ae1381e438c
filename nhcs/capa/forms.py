from django import forms
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput

from .models import CorrectiveAction


class ActionForm(forms.ModelForm):
    """The owner department's analysis and measures, with their dates. The departments the measures go
    to, what the customer was told and the effectiveness are captured with their actions, not typed here."""

    class Meta:
        model = CorrectiveAction
        fields = ["kind", "title", "owner_department", "analysis", "measures", "due_on", "check_on"]
        widgets = {
            "analysis": forms.Textarea(attrs={"rows": 4}),
            "measures": forms.Textarea(attrs={"rows": 4}),
            "due_on": DateInput,
            "check_on": DateInput,
        }

    def clean(self):
        data = super().clean()
        due_on, check_on = data.get("due_on"), data.get("check_on")
        if due_on and check_on and check_on < due_on:
            self.add_error("check_on", _("The effectiveness check cannot come before the measures are due."))
        return data
