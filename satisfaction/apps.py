from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    """Customer satisfaction surveys (NH-QP14 4.7)."""

    name = "satisfaction"
    verbose_name = _("Customer satisfaction")
