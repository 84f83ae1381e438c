from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import User
from nhcs.core.widgets import DateInput

from .choices import AttachmentKind, StepOutcome
from .models import Delegation


def json_value(value: Any) -> Any:
    """A cleaned form value as stored with a sign-off: ids for records, ISO text for dates."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        return [json_value(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class ActionForm(forms.Form):
    """Data captured with a transition or a review step (a reply date, distribution departments, an
    impact opinion …): validated by the engine, saved with the sign-off, printed with it.

    `self.record` is the record acted on (None when the form is only read for its labels). Override
    `apply(record)` to write the captured values onto the record before it is signed (e.g. the
    committed date); the values are then part of what the sign-off's hash covers.
    """

    def __init__(self, *args, record=None, **kwargs):
        self.record = record
        super().__init__(*args, **kwargs)

    def apply(self, record) -> None:
        """Write the captured values onto the record; by default they live on the sign-off only."""

    def signoff_data(self) -> dict[str, Any]:
        return {name: json_value(value) for name, value in self.cleaned_data.items()}


class OpinionForm(ActionForm):
    """A review step's opinion: an outcome (nothing preselected) and a comment. Steps whose opinion
    carries more (material already bought, cost …) subclass it and add fields."""

    outcome = forms.ChoiceField(label=_("Opinion"), choices=StepOutcome.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, outcomes: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [c for c in StepOutcome.choices if outcomes is None or c[0] in outcomes]
        self.fields["outcome"].choices = [("", _("— choose —")), *choices]

    def signoff_data(self) -> dict[str, Any]:
        data = super().signoff_data()
        data.pop("outcome", None)
        data.pop("comment", None)
        return data


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
