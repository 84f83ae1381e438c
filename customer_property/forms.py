from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department
from nhcs.core.widgets import DateInput
from nhcs.customers.models import Customer

from .choices import HAND_KINDS, MovementKind, PropertyKind
from .models import Incident, Location, PropertyItem


class ItemForm(forms.ModelForm):
    """The register's data of an item, as Sales registers it (4.8.1). Its status and location are not
    here: they change only by actions."""

    class Meta:
        model = PropertyItem
        fields = [
            "customer",
            "kind",
            "name",
            "customer_asset_number",
            "quantity",
            "unit",
            "received_on",
            "received_from",
            "acceptance_criteria",
            "storage_requirements",
            "cavity_count",
            "shots_at_receipt",
            "shot_limit",
            "revision",
            "supersedes",
            "remarks",
        ]
        widgets = {
            "received_on": DateInput(),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 2}),
            "storage_requirements": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True)
        self.fields["supersedes"].queryset = PropertyItem.objects.filter(
            kind__in=(PropertyKind.DRAWING, PropertyKind.FILM)
        ).select_related("customer")
        self.fields["supersedes"].label_from_instance = lambda i: f"{i.number} {i.name} ({i.revision})"

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind != PropertyKind.MOLD:
            for name in ("cavity_count", "shots_at_receipt", "shot_limit"):
                if data.get(name) is not None:
                    self.add_error(name, _("Only a mold has cavities, shots and a shot limit."))
        if kind not in (PropertyKind.DRAWING, PropertyKind.FILM) and data.get("supersedes") is not None:
            self.add_error("supersedes", _("Only drawings and film supersede an earlier revision."))
        if received_on := data.get("received_on"):
            if received_on > timezone.localdate():
                self.add_error("received_on", _("The date cannot be in the future."))
        return data


class MovementForm(forms.Form):
    """A movement posted by hand: what, how much, against which order, where."""

    kind = forms.ChoiceField(label=_("movement"), choices=[(k, MovementKind(k).label) for k in HAND_KINDS])
    quantity = forms.DecimalField(label=_("quantity"), required=False, min_value=0, max_digits=12, decimal_places=3)
    moved_on = forms.DateField(label=_("date"), widget=DateInput(), initial=timezone.localdate)
    order_number = forms.CharField(label=_("order number"), max_length=40, required=False)
    place = forms.CharField(label=_("line / machine / where"), max_length=100, required=False)
    shots = forms.IntegerField(label=_("shots"), required=False, min_value=1)
    location = forms.ModelChoiceField(label=_("location"), queryset=Location.objects.none(), required=False)
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, MovementKind(k).label) for k in kinds]
        self.fields["location"].queryset = Location.objects.filter(is_active=True)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["kind", "occurred_on", "found_how", "description", "extent", "quantity"]
        widgets = {
            "occurred_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
            "extent": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "occurred_on" in self.fields:
            self.fields["occurred_on"].initial = timezone.localdate

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ActionRaiseForm(forms.Form):
    title = forms.CharField(label=_("what the action is to prevent"), max_length=200)
    owner_department = forms.ModelChoiceField(label=_("owner department"), queryset=Department.objects.all())


class CountStartForm(forms.Form):
    location = forms.ModelChoiceField(label=_("location"), queryset=Location.objects.none(), required=False)
    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.none(), required=False)
    counted_on = forms.DateField(label=_("counted on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if not data.get("location") and not data.get("customer"):
            raise forms.ValidationError(_("Choose a location or a customer to count."))
        return data
