"""The customer's contacts and certified data in the dossier (nhcs.dashboard.registry): certified data
that expired or expires within EXPIRY_WARNING_DAYS is flagged."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from nhcs.dashboard.registry import Figure, Panel, Row, Table, dossier_section

from .models import CustomerCertificate, CustomerContact
from .services import can_view_customers

EXPIRY_WARNING_DAYS = 60


@dossier_section("customer", order=0)
def customer_dossier(ctx) -> Panel | None:
    if not can_view_customers(ctx.user):
        return None
    customer = ctx.customer
    soon = ctx.today + timedelta(days=EXPIRY_WARNING_DAYS)
    contacts = list(CustomerContact.objects.filter(customer=customer).order_by("pk"))
    certificates = list(CustomerCertificate.objects.filter(customer=customer).order_by("expires_on", "pk"))
    expiring = [c for c in certificates if c.expires_on is not None and c.expires_on <= soon]
    url = reverse("customers:customer_detail", args=[customer.code])
    p = Panel("customer", _("Contacts and certified data"))
    p.figures = [
        Figure(
            "dossier_certificates_expiring",
            _("Certified data expired or expiring within %(days)s days") % {"days": EXPIRY_WARNING_DAYS},
            len(expiring),
            url + "#certificate-table",
            alert=bool(expiring),
        )
    ]
    main = [customer.contact_name, customer.phone, customer.fax, customer.email]
    p.tables.append(
        Table(
            "contacts",
            _("Contacts"),
            [_("Name"), _("Role"), _("Phone"), _("Fax"), _("E-mail")],
            ([Row([main[0], _("Main contact"), *main[1:]])] if any(main) else [])
            + [Row([c.name, c.role, c.phone, c.fax, c.email]) for c in contacts],
            empty=_("No contacts."),
        )
    )
    p.tables.append(
        Table(
            "certificates",
            _("Certified data"),
            [_("Certificate"), _("Number"), _("Standard"), _("Expiry")],
            [Row([c.certificate, c.number, c.standard, c.expires_on], alert=c in expiring) for c in certificates],
            empty=_("No certified data recorded."),
        )
    )
    return p
