from django import forms
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput

from .models import Customer, CustomerCertificate, CustomerContact

# The service terms (NH-QP14 4.5), shown apart on the form.
TERMS_FIELDS = [
    "preferred_channel",
    "language",
    "warranty_months",
    "complaint_reply_days",
    "report_8d_days",
    "service_agreement",
]
NUMBER_TERMS = ["warranty_months", "complaint_reply_days", "report_8d_days"]


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name_zh",
            "name_en",
            "address",
            "contact_name",
            "phone",
            "fax",
            "email",
            "is_key_account",
            "is_active",
            *TERMS_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty deadline or warranty means the house default, as in the import.
        for name in NUMBER_TERMS:
            field = self.fields[name]
            field.required = False
            default = Customer._meta.get_field(name).default
            field.help_text = _("Empty: the house default (%(n)s).") % {"n": default}

    def _number_or_default(self, name):
        value = self.cleaned_data.get(name)
        return Customer._meta.get_field(name).default if value is None else value

    def clean_warranty_months(self):
        return self._number_or_default("warranty_months")

    def clean_complaint_reply_days(self):
        return self._number_or_default("complaint_reply_days")

    def clean_report_8d_days(self):
        return self._number_or_default("report_8d_days")

    def register_fields(self):
        return [self[name] for name in self.fields if name not in TERMS_FIELDS]

    def terms_fields(self):
        return [self[name] for name in TERMS_FIELDS]


class ContactForm(forms.ModelForm):
    class Meta:
        model = CustomerContact
        fields = ["name", "role", "phone", "fax", "email"]


class CertificateForm(forms.ModelForm):
    class Meta:
        model = CustomerCertificate
        fields = ["certificate", "number", "standard", "scope", "expires_on"]
        widgets = {"expires_on": DateInput()}


class CustomerImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
