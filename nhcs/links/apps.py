from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    """Token links for customers: expiring, single-use, in the customer's language, no login."""

    name = "nhcs.links"
    label = "links"
    verbose_name = _("Customer links")
