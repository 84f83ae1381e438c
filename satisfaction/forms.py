from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department
from nhcs.core.widgets import DateInput
from nhcs.customers.models import Customer

from .choices import AnswerSource, Channel, FollowUpKind
from .defaults import DEFAULT_TICKS
from .models import Campaign


class CampaignCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    period = forms.CharField(label=_("Period surveyed"), max_length=40, help_text=_("e.g. 2026 or 2026 H2"))
    response_deadline = forms.DateField(label=_("Answer by"), required=False, widget=DateInput)

    def clean_response_deadline(self):
        value = self.cleaned_data.get("response_deadline")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The answer deadline is in the past."))
        return value


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "period", "response_deadline", "greeting_zh", "greeting_en"]
        widgets = {
            "response_deadline": DateInput,
            "greeting_zh": forms.Textarea(attrs={"rows": 3}),
            "greeting_en": forms.Textarea(attrs={"rows": 3}),
        }


class AspectForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label_zh = forms.CharField(label=_("Aspect (Chinese)"), max_length=60)
    label_en = forms.CharField(label=_("Aspect (English)"), max_length=80)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=5, decimal_places=2)
    responsible_department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    delete = forms.BooleanField(label=_("Remove"), required=False)


AspectFormSet = forms.formset_factory(AspectForm, extra=1, max_num=20)


class TickPointsForm(forms.Form):
    """Points of each tick, out of 100."""

    def __init__(self, *args, ticks=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, zh, en, default in DEFAULT_TICKS:
            self.fields[key] = forms.IntegerField(label=f"{zh} {en}", min_value=0, max_value=100, initial=default)
        if ticks is not None and not self.is_bound:
            for t in ticks:
                self.initial[t.key] = t.points


class SampleDrawForm(forms.Form):
    share = forms.IntegerField(
        label=_("Share of the other customers (%)"),
        min_value=0,
        max_value=100,
        initial=30,
        help_text=_("Every key account is included; this share of the others is drawn at random."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave empty for a new draw; give a stored seed to repeat a draw."),
    )


class SampleChooseForm(forms.Form):
    customers = forms.ModelMultipleChoiceField(
        label=_("Customers"),
        queryset=Customer.objects.filter(is_active=True).order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Follow-up"), choices=[c for c in FollowUpKind.choices if c[0] != FollowUpKind.REMINDER_EMAIL]
    )
    note = forms.CharField(label=_("What was said or sent"), widget=forms.Textarea(attrs={"rows": 2}))


def tick_fields(form: forms.Form, aspects, ticks, language=None) -> None:
    """One radio row per aspect: field name "aspect_<id>", value the tick id."""
    for a in aspects:
        form.fields[f"aspect_{a.pk}"] = forms.TypedChoiceField(
            label=a.label_for(language),
            choices=[(t.pk, t.label_for(language)) for t in ticks],
            coerce=int,
            widget=forms.RadioSelect,
            required=False,
        )


class PublicAnswerForm(forms.Form):
    """The customer's form; every row is checked by the service so the message names the missing rows."""

    comments = forms.CharField(
        label=_("Your comments and suggestions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    signed_name = forms.CharField(label=_("Your name (signature)"), required=False, max_length=80)

    def __init__(self, *args, aspects=(), ticks=(), language=None, **kwargs):
        super().__init__(*args, **kwargs)
        tick_fields(self, aspects, ticks, language)
        self.aspects = aspects
        self.ticks = ticks

    def ticks_by_aspect(self) -> dict[int, int]:
        return {
            a.pk: self.cleaned_data[f"aspect_{a.pk}"]
            for a in self.aspects
            if self.cleaned_data.get(f"aspect_{a.pk}") not in (None, "")
        }

    def rows(self):
        return [(a, self[f"aspect_{a.pk}"]) for a in self.aspects]


class StaffAnswerForm(PublicAnswerForm):
    source = forms.ChoiceField(
        label=_("Received as"), choices=[c for c in AnswerSource.choices if c[0] != AnswerSource.ONLINE]
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput, initial=timezone.localdate)
    respondent = forms.CharField(label=_("Person interviewed (phone)"), required=False, max_length=80)
    scan = forms.FileField(label=_("Scan of the returned form"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff copy the customer's form: the fields name what is on it, not "your" comments.
        self.fields["comments"].label = _("Customer's comments and suggestions")
        self.fields["signed_name"].label = _("Signed by (name on the form)")
