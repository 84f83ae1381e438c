from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput
from nhcs.customers.models import Customer

from .choices import ChangeKind, Channel, RequirementItem
from .models import BomLine, Clarification, Order, OrderLine

REQUIREMENT_FORM_FIELDS = []
for _item in RequirementItem:
    REQUIREMENT_FORM_FIELDS += [f"req_{_item.value}", f"req_{_item.value}_note"]


class OrderForm(forms.ModelForm):
    """The order header and the requirement identification of 4.1.1."""

    class Meta:
        model = Order
        fields = [
            "customer",
            "po_number",
            "po_date",
            *REQUIREMENT_FORM_FIELDS,
            "certified_data_discrepancy",
            "discrepancy_description",
            "remarks",
        ]
        widgets = {
            "po_date": DateInput(),
            "discrepancy_description": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            **{f"req_{i.value}": forms.RadioSelect for i in RequirementItem},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True)
        for item in RequirementItem:
            field = self.fields[f"req_{item.value}"]
            field.choices = [c for c in field.choices if c[0]]
            field.required = False

    def clean(self):
        data = super().clean()
        if data.get("certified_data_discrepancy") and not (data.get("discrepancy_description") or "").strip():
            self.add_error("discrepancy_description", _("Describe how the order departs from the certified data."))
        po_date = data.get("po_date")
        if po_date and self.instance.pk:
            # Moving the PO date of an order with lines: no line may then be requested before it.
            early = self.instance.lines.filter(requested_date__lt=po_date).order_by("requested_date").first()
            if early is not None:
                self.add_error(
                    "po_date",
                    _("Line %(part)s is requested for %(date)s, before this PO date: change the line first.")
                    % {"part": early.part_number, "date": early.requested_date.isoformat()},
                )
        return data


def _positive(value, message):
    if value is not None and value <= 0:
        raise forms.ValidationError(message)
    return value


class OrderLineForm(forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OrderLine
        fields = ["part_number", "description", "quantity", "unit", "unit_price", "currency", "requested_date"]
        widgets = {"requested_date": DateInput()}

    def __init__(self, *args, show_prices=True, po_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.po_date = po_date
        if not show_prices:
            del self.fields["unit_price"]

    def clean_quantity(self):
        return _positive(self.cleaned_data.get("quantity"), _("Enter a quantity greater than zero."))

    def clean_unit_price(self):
        return _positive(
            self.cleaned_data.get("unit_price"), _("Enter a unit price greater than zero, or leave it empty.")
        )

    def clean(self):
        data = super().clean()
        day = data.get("requested_date")
        if self.po_date and day and day < self.po_date:
            self.add_error(
                "requested_date",
                _("The requested delivery date is before the PO date (%(date)s).") % {"date": self.po_date.isoformat()},
            )
        return data


def _compact(form) -> None:
    """Row forms are drawn as table cells, without crispy: give the inputs Bootstrap's small style."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput) or isinstance(widget, forms.HiddenInput):
            continue
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs["class"] = css
        # No <label> in a table cell: the column's name, for screen readers.
        widget.attrs["aria-label"] = str(field.label)


class BaseRowFormSet(forms.BaseFormSet):
    """Rows of a table form (order lines, BOM): added and removed in the page (static/js/formset.js adds
    rows from the formset's empty form); a blank row is offered only when there is none yet."""

    def __init__(self, *args, show_prices=True, po_date=None, **kwargs):
        self.show_prices = show_prices
        self.po_date = po_date
        super().__init__(*args, **kwargs)
        self.extra = 0 if self.initial else 1

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.form is OrderLineForm:
            kwargs["show_prices"] = self.show_prices
            kwargs["po_date"] = self.po_date
        return kwargs

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _compact(form)

    def rows(self) -> list[dict]:
        """The filled rows as service input: fields, the line id, and whether to delete it."""
        result = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            data = dict(form.cleaned_data)
            delete = data.pop("DELETE", False)
            pk = data.pop("id", None)
            if not pk and delete:
                continue
            result.append({**data, "id": pk, "delete": delete})
        return result


OrderLineFormSet = forms.formset_factory(OrderLineForm, formset=BaseRowFormSet, can_delete=True)


def line_initial(lines, show_prices=True) -> list[dict]:
    fields = ["part_number", "description", "quantity", "unit", "unit_price", "currency", "requested_date"]
    if not show_prices:
        fields.remove("unit_price")
    return [{"id": line.pk, **{f: getattr(line, f) for f in fields}} for line in lines]


class BomLineForm(forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BomLine
        fields = ["part_number", "description", "quantity_per_unit", "source"]

    def clean_quantity_per_unit(self):
        return _positive(self.cleaned_data.get("quantity_per_unit"), _("Enter a quantity greater than zero."))


BomLineFormSet = forms.formset_factory(BomLineForm, formset=BaseRowFormSet, can_delete=True)


def bom_initial(lines) -> list[dict]:
    return [
        {
            "id": b.pk,
            "part_number": b.part_number,
            "description": b.description,
            "quantity_per_unit": b.quantity_per_unit,
            "source": b.source,
        }
        for b in lines
    ]


class LeadTimeForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    lead_time_days = forms.IntegerField(label=_("lead time (days)"), min_value=0, max_value=3650, required=False)
    lead_time_note = forms.CharField(label=_("supplier / lead-time note"), max_length=200, required=False)


class BaseLeadTimeFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        _compact(form)


LeadTimeFormSet = forms.formset_factory(LeadTimeForm, formset=BaseLeadTimeFormSet, extra=0)


class ClarificationForm(forms.ModelForm):
    class Meta:
        model = Clarification
        fields = ["topic", "question", "channel", "sent_on"]
        widgets = {"sent_on": DateInput(), "question": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(label=_("customer's answer"), widget=forms.Textarea(attrs={"rows": 2}))
    answered_on = forms.DateField(label=_("answered on"), widget=DateInput(), initial=timezone.localdate)
    confirmation = forms.FileField(label=_("written confirmation (fax, letter, e-mail)"), required=False)


class DiscrepancySentForm(forms.Form):
    sent_on = forms.DateField(label=_("sent on"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("sent by"), choices=[c for c in Channel.choices if c[0] != Channel.PHONE])


# --- shipments ------------------------------------------------------------------------------------------


class DeliveryForm(forms.Form):
    """The head of a delivery note (送货单): its number, the day the goods left, a remark."""

    delivery_note = forms.CharField(label=_("delivery note number (送货单号)"), max_length=40)
    shipped_on = forms.DateField(label=_("shipped on"), widget=DateInput(), initial=timezone.localdate)
    remark = forms.CharField(label=_("remark"), max_length=255, required=False)


class ShipmentLineForm(forms.Form):
    """One order line of the delivery note: the quantity delivered (empty: not on this note)."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(
        label=_("quantity delivered"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"), required=False
    )
    lot = forms.CharField(label=_("lot / batch number"), max_length=40, required=False)
    over_delivery = forms.BooleanField(label=_("over-delivery accepted by the customer"), required=False)
    reason = forms.CharField(label=_("reason for the over-delivery"), max_length=255, required=False)


class BaseShipmentLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        _compact(form)

    def entries(self) -> list[dict]:
        """The rows with a quantity, as posted (line id, quantity, lot, over-delivery, reason)."""
        return [f.cleaned_data for f in self.forms if f.cleaned_data and f.cleaned_data.get("quantity") is not None]

    def line_ids(self) -> list[int]:
        """The lines the posted rows are for, in their order (to draw the rows again)."""
        ids = []
        for form in self.forms:
            value = str(form["line"].value() or "")
            if value.isascii() and value.isdigit():
                ids.append(int(value))
        return ids


ShipmentLineFormSet = forms.formset_factory(
    ShipmentLineForm, formset=BaseShipmentLineFormSet, extra=0, max_num=200, absolute_max=200, validate_max=True
)


class ShipmentReverseForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("quantity to reverse"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        required=False,
        help_text=_("Empty: all of the entry."),
    )
    reason = forms.CharField(label=_("reason for the reversal"), max_length=255)


class ShipmentImportForm(forms.Form):
    file = forms.FileField(label=_("ERP delivery-note export (.xlsx)"))


# --- change notices (4.3) ---------------------------------------------------------------------------------


class ChangeNoticeForm(forms.Form):
    """A change notice's head, the requirements changed as text, and the cancellation of the whole order.

    The text fields start with the order's current text: what is left as it is does not change."""

    reason = forms.CharField(
        label=_("reason for the change (as the customer gave it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    customer_request_on = forms.DateField(
        label=_("customer's written request dated"), widget=DateInput(), required=False
    )
    specification = forms.CharField(
        label=ChangeKind.SPECIFICATION.label, max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    material = forms.CharField(
        label=ChangeKind.MATERIAL.label, max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    packaging = forms.CharField(
        label=ChangeKind.PACKAGING.label, max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    other = forms.CharField(
        label=ChangeKind.OTHER.label, max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    cancel_order = forms.BooleanField(label=_("the customer cancels the whole order"), required=False)

    TEXT_FIELDS = ("specification", "material", "packaging", "other")

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.TEXT_FIELDS}


class ChangeRequestFileForm(forms.Form):
    request_file = forms.FileField(label=_("customer's written request (fax, e-mail, letter)"), required=False)


class LineChangeForm(forms.Form):
    """One order line of a change notice: its new values (prefilled with the current ones), or cancelled."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("new quantity"), max_digits=12, decimal_places=3, required=False)
    unit_price = forms.DecimalField(label=_("new unit price"), max_digits=12, decimal_places=4, required=False)
    requested_date = forms.DateField(label=_("new requested date"), widget=DateInput(), required=False)
    cancel = forms.BooleanField(
        label=_("cancel the line"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, show_prices=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_prices:
            del self.fields["unit_price"]


class BaseLineChangeFormSet(forms.BaseFormSet):
    def __init__(self, *args, show_prices=True, **kwargs):
        self.show_prices = show_prices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "show_prices": self.show_prices}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _compact(form)


LineChangeFormSet = forms.formset_factory(
    LineChangeForm, formset=BaseLineChangeFormSet, extra=0, max_num=500, absolute_max=500, validate_max=True
)


def _plain(value):
    """A number as it is written in a form: 12000, not 12000.000."""
    return None if value is None else Decimal(f"{value.normalize():f}")


def line_change_initial(lines, items=()) -> list[dict]:
    """Each line's values as they would be after the notice: the order's, or the notice's new ones."""
    rows = {
        line.pk: {
            "line": line.pk,
            "quantity": _plain(line.quantity),
            "unit_price": _plain(line.unit_price),
            "requested_date": line.requested_date,
            "cancel": False,
        }
        for line in lines
    }
    for item in items:
        row = rows.get(item.line_id)
        if row is None:
            continue
        if item.kind == ChangeKind.QUANTITY:
            row["quantity"] = _plain(item.new_quantity)
        elif item.kind == ChangeKind.UNIT_PRICE:
            row["unit_price"] = _plain(item.new_unit_price)
        elif item.kind == ChangeKind.REQUESTED_DATE:
            row["requested_date"] = item.new_date
        elif item.kind == ChangeKind.CANCEL_LINE:
            row["cancel"] = True
    return list(rows.values())


def added_line_initial(items) -> list[dict]:
    return [
        {
            "part_number": item.part_number,
            "description": item.description,
            "quantity": item.new_quantity,
            "unit": item.unit,
            "unit_price": item.new_unit_price,
            "currency": item.currency,
            "requested_date": item.new_date,
        }
        for item in items
        if item.kind == ChangeKind.ADD_LINE
    ]


# --- delay notices (4.4) ----------------------------------------------------------------------------------


class DelayCustomerForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True), to_field_name="code"
    )


class DelayNoticeForm(forms.Form):
    reason = forms.CharField(
        label=_("reason the dates cannot be met"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DelayOrderForm(forms.Form):
    """One of the customer's orders: delayed by this notice (ticked) to the proposed date."""

    order = forms.IntegerField(widget=forms.HiddenInput)
    include = forms.BooleanField(label=_("delayed"), required=False)
    proposed_date = forms.DateField(label=_("proposed date"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if data.get("include") and not data.get("proposed_date"):
            self.add_error("proposed_date", _("Give the proposed date."))
        return data


class BaseDelayOrderFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        _compact(form)

    def chosen(self) -> list[tuple[int, object]]:
        return [
            (f.cleaned_data["order"], f.cleaned_data.get("proposed_date"))
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("include")
        ]


DelayOrderFormSet = forms.formset_factory(
    DelayOrderForm, formset=BaseDelayOrderFormSet, extra=0, max_num=500, absolute_max=500, validate_max=True
)
