"""Reads of the customer register."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from .models import Customer
from .terms import ServiceTerms

CERTIFICATE_WARNING_DAYS = 60


def customers_list_qs() -> QuerySet[Customer]:
    return Customer.objects.order_by("code")


def customer_detail(code: str) -> Customer:
    """The customer by its code, with contacts and certified data; Customer.DoesNotExist otherwise."""
    return Customer.objects.prefetch_related("contacts", "certificates").get(code=code)


def service_terms_for(customer: Customer) -> ServiceTerms:
    """The service terms the areas follow for this customer (deadlines, warranty, channel, language)."""
    return customer.service_terms


def customers_with_expiring_certificates() -> int:
    today = timezone.localdate()
    return (
        Customer.objects.filter(
            is_active=True,
            certificates__expires_on__gte=today,
            certificates__expires_on__lte=today + timedelta(days=CERTIFICATE_WARNING_DAYS),
        )
        .distinct()
        .count()
    )


def home_warnings(user) -> list[str]:
    """What Sales should chase in the register: certified data about to expire."""
    from .services import can_manage_customers

    if not can_manage_customers(user):  # those who keep the register
        return []
    expiring = customers_with_expiring_certificates()
    if not expiring:
        return []
    return [
        ngettext(
            "%(n)s customer has certified data expiring within 60 days.",
            "%(n)s customers have certified data expiring within 60 days.",
            expiring,
        )
        % {"n": expiring}
    ]
