"""The customer register as a list sheet (Excel and PDF) on the shared mechanism (nhcs.sheets)."""

from django.utils.translation import gettext_lazy as _

from nhcs.sheets.declarations import Column, ListSheet, choice_label

from .choices import Channel, CustomerLanguage

CUSTOMER_LIST = ListSheet(
    "customer_list",
    [
        Column("code", _("Customer code"), "code", width=10),
        Column("name_zh", _("Name (Chinese)"), "name_zh", width=26),
        Column("name_en", _("Name (English)"), "name_en", width=30),
        Column("address", _("Address"), "address", width=30),
        Column("contact", _("Contact person"), "contact_name", width=12),
        Column("phone", _("Phone"), "phone", width=14),
        Column("fax", _("Fax"), "fax", width=14),
        Column("email", _("E-mail"), "email", width=24),
        Column("channel", _("Preferred channel"), choice_label("preferred_channel", Channel.choices), width=10),
        Column("language", _("Language"), choice_label("language", CustomerLanguage.choices), width=8),
        Column("key_account", _("Key account"), "is_key_account", kind="bool"),
        Column("active", _("Active"), "is_active", kind="bool"),
        Column("warranty", _("Warranty (months)"), "warranty_months", kind="number", width=10),
        Column("reply_days", _("First reply (working days)"), "complaint_reply_days", kind="number", width=10),
        Column("report_8d_days", _("8D report (working days)"), "report_8d_days", kind="number", width=10),
        Column("agreement", _("Contract or written agreement"), "service_agreement", width=24),
    ],
    landscape=True,
)
