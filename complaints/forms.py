"""Forms of the complaints area: the registration (with the delivery picked from the shipments through
nhcs.deliveries, and the earlier complaints it repeats), an action raised from the complaint, a cost."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs import deliveries
from nhcs.accounts.models import Department
from nhcs.capa.choices import ActionKind
from nhcs.core.widgets import DateInput
from nhcs.customers.models import Customer

from .choices import Category, CostKind, Severity
from .models import AdvisoryNotice, Complaint, ComplaintCost, DefectType, Feedback
from .services import UNCHANGED

DELIVERY_CHOICES_LIMIT = 30


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker; its value is ISO whatever the user's language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DefectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ComplaintForm(forms.ModelForm):
    """The customer complaint record as registered (4.6.1). `find` narrows the customer's deliveries the
    `delivery` list offers (the page's "look up" button re-shows the form with them); the chosen delivery's
    order number, part and lot are copied onto the complaint."""

    find = forms.CharField(
        label=_("find the delivery"),
        required=False,
        max_length=60,
        help_text=_("Order, PO, part, lot or delivery note; then press “Look up”."),
    )
    # Any key nhcs.deliveries knows is checked in clean_delivery; the list offers the customer's.
    delivery = forms.CharField(label=_("delivery complained about"), required=False, widget=forms.Select)

    class Meta:
        model = Complaint
        fields = [
            "customer",
            "contact_name",
            "contact_detail",
            "channel",
            "received_at",
            "call_notes",
            "part_number",
            "lot",
            "quantity_delivered",
            "quantity_affected",
            "quantity_returned",
            "rma_number",
            "category",
            "defect",
            "severity",
            "description",
            "customer_request",
            "report_8d_requested",
        ]
        widgets = {
            "received_at": DateTimeLocalInput(),
            "call_notes": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "customer_request": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"defect": DefectChoiceField}

    def __init__(self, *args, quality_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Active customers and defects, and those the complaint already names (retired since).
        self.fields["customer"].queryset = Customer.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.customer_id if self.instance.pk else None)
        )
        self.fields["defect"].queryset = DefectType.objects.filter(Q(is_active=True) | Q(pk=self.instance.defect_id))
        for name in ("quantity_delivered", "quantity_affected", "quantity_returned"):
            self.fields[name].validators.append(MinValueValidator(Decimal(0)))
            self.fields[name].widget.attrs["min"] = "0"
        if quality_only:
            # Quality registers the quality complaints (4.6.4); Sales every other.
            self.fields["category"].choices = [c for c in Category.choices if c[0] == Category.QUALITY]
            self.fields["category"].initial = Category.QUALITY
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        self.fields["delivery"].widget.choices = self._delivery_choices()

    # --- the delivery ---------------------------------------------------------------------------------

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return (self.data.get(self.add_prefix(name)) or "").strip()
        value = self.initial.get(name, getattr(self.instance, name, "") if self.instance.pk else "")
        return str(getattr(value, "pk", value) or "")

    def chosen_customer(self) -> Customer | None:
        pk = self._raw("customer")
        if not pk and self.instance.pk:
            return self.instance.customer
        return Customer.objects.filter(pk=pk).first() if pk.isascii() and pk.isdigit() else None

    def _delivery_choices(self) -> list[tuple[str, str]]:
        customer = self.chosen_customer()
        choices: list[tuple[str, str]] = [("", _("— none (not delivered through NHCS) —"))]
        current = self.instance.delivery_key if self.instance.pk else ""
        if current:
            label = " · ".join(
                x for x in (self.instance.order_number, self.instance.part_number, self.instance.lot) if x
            )
            choices.append((current, label or current))
        if customer is not None:
            found = deliveries.search(customer=customer, text=self._raw("find"), limit=DELIVERY_CHOICES_LIMIT)
            choices += [(d.key, str(d)) for d in found if d.key != current]
        posted = self._raw("delivery")
        if posted and posted not in {k for k, _label in choices}:
            delivery = deliveries.get(posted)
            if delivery is not None:
                choices.append((delivery.key, str(delivery)))
        return choices

    def clean_delivery(self):
        key = self.cleaned_data.get("delivery") or ""
        if not key:
            return None
        delivery = deliveries.get(key)
        if delivery is None:
            if self.instance.pk and key == self.instance.delivery_key:
                return UNCHANGED  # reversed since it was picked: the complaint keeps its copy
            raise forms.ValidationError(_("This delivery is not on record (any more): look it up again."))
        return delivery

    def clean(self):
        data = super().clean()
        delivery = data.get("delivery")
        customer = data.get("customer")
        if delivery not in (None, UNCHANGED) and customer is not None and delivery.customer_id != customer.pk:
            self.add_error("delivery", _("The delivery chosen was not made to this customer."))
        if data.get("channel") == "phone" and not (data.get("call_notes") or "").strip():
            self.add_error("call_notes", _("A complaint taken by phone is written up here by whoever took the call."))
        received = data.get("received_at")
        if received is not None and received > timezone.now():
            self.add_error("received_at", _("The complaint cannot have been received in the future."))
        return data

    def lookup_values(self) -> dict:
        """What the earlier complaints are looked up by, as typed (the form need not be valid yet): the
        customer, the product, the category, and the time of receipt (earlier ones only)."""
        part = self._raw("part_number")
        key = self._raw("delivery")
        if key:
            delivery = deliveries.get(key)
            if delivery is not None:
                part = delivery.part_number
        received = self.fields["received_at"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("received_at")
        )
        try:
            before = self.fields["received_at"].clean(received) if self.is_bound else None
        except forms.ValidationError:
            before = None
        return {
            "customer": self.chosen_customer(),
            "part_number": part,
            "category": self._raw("category"),
            "before": before,
        }

    def registration_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class EarlierComplaintsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.number


class ActionRaiseForm(forms.Form):
    """A corrective or preventive action raised from the complaint (4.6.2), for a department to carry
    out: what it addresses, the measures, their due date and when their effectiveness is checked."""

    kind = forms.ChoiceField(label=_("kind"), choices=ActionKind.choices)
    owner_department = forms.ModelChoiceField(
        label=_("owner department"), queryset=Department.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("title"), max_length=200)
    analysis = forms.CharField(
        label=_("cause addressed"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("From the 5-Why.")
    )
    measures = forms.CharField(label=_("measures"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("measures due on"), widget=DateInput())
    check_on = forms.DateField(label=_("effectiveness checked on or after"), widget=DateInput())

    def clean(self):
        data = super().clean()
        for name in ("title", "analysis", "measures"):
            if name in data:
                data[name] = data[name].strip()
        due_on, check_on = data.get("due_on"), data.get("check_on")
        if due_on is not None and due_on < timezone.localdate():
            self.add_error("due_on", _("The measures are due today or later."))
        if due_on is not None and check_on is not None and check_on < due_on:
            self.add_error("check_on", _("The effectiveness is checked on or after the due date of the measures."))
        return data


class CostForm(forms.ModelForm):
    class Meta:
        model = ComplaintCost
        fields = ["kind", "amount", "incurred_on", "note"]
        widgets = {"incurred_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0.01")))
        self.fields["amount"].widget.attrs["min"] = "0.01"
        self.fields["kind"].choices = CostKind.choices

    def clean_incurred_on(self):
        day = self.cleaned_data["incurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of a cost cannot be in the future."))
        return day


# --- after-sales feedback and advisory notices (4.5) ----------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the material that came with a feedback)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class FeedbackForm(forms.ModelForm):
    """What a customer said after delivery, with the material that came with it."""

    attachments = MultipleFileField(label=_("attachments"), required=False)

    class Meta:
        model = Feedback
        fields = [
            "customer",
            "contact_name",
            "contact_detail",
            "source",
            "received_at",
            "order_number",
            "part_number",
            "lot",
            "sentiment",
            "text",
        ]
        widgets = {"received_at": DateTimeLocalInput(), "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("code")
        if self.instance.pk:
            del self.fields["attachments"]

    def registration_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "attachments"}


class FeedbackComplaintForm(forms.Form):
    """Register the feedback as a complaint: what the complaint is about (who owns it follows)."""

    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.MAJOR)


class FeedbackActionForm(forms.Form):
    """A corrective or preventive action for a department, raised from the feedback."""

    kind = forms.ChoiceField(label=_("kind"), choices=ActionKind.choices)
    owner_department = forms.ModelChoiceField(
        label=_("owner department"), queryset=Department.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("title"), max_length=200)
    measures = forms.CharField(label=_("measures"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("measures due on"), widget=DateInput())


class AdvisoryForm(forms.ModelForm):
    """The advisory notice as drafted: subject, what was found, the affected products and lots, what the
    customers must do and by when, and the shipping period the customers are drawn from."""

    class Meta:
        model = AdvisoryNotice
        fields = [
            "subject",
            "reason",
            "parts",
            "lots",
            "measure",
            "instructions",
            "respond_by",
            "shipped_from",
            "shipped_to",
        ]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "parts": forms.Textarea(attrs={"rows": 2}),
            "lots": forms.Textarea(attrs={"rows": 2}),
            "instructions": forms.Textarea(attrs={"rows": 3}),
            "respond_by": DateInput(),
            "shipped_from": DateInput(),
            "shipped_to": DateInput(),
        }
