from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Customer complaints and corrective actions (NH-QP14 4.6)."""

    name = "complaints"
    verbose_name = _("Complaints")
