from django import forms
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import User
from nhcs.core.widgets import DateInput

from .choices import AttachmentKind, StepOutcome
from .models import Delegation


class TransitionForm(forms.Form):
    """Comment, and optionally a document, sent with a transition."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=_("Attach a document"), required=False)
    attachment_kind = forms.ChoiceField(
        label=_("Kind of document"), choices=AttachmentKind.choices, required=False, initial=AttachmentKind.OTHER
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class StepForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Opinion"), choices=StepOutcome.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["deputy", "starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
        }

    def __init__(self, *args, principal: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = (
            User.objects.filter(is_active=True).exclude(pk=principal.pk).select_related("department")
        )
