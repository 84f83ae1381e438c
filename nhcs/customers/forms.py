from django import forms
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput

from .models import Customer, CustomerCertificate, CustomerContact


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
            "preferred_channel",
            "language",
            "is_key_account",
            "is_active",
        ]


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
