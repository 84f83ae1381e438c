from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerPropertyConfig(AppConfig):
    """The customer property register (NH-QP14 4.8)."""

    name = "customer_property"
    verbose_name = _("Customer property")
