from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapaConfig(AppConfig):
    """Corrective and preventive actions (NH-QP14 §5, "Corrective and Preventive Action"), one record shared
    by every area: raised from a survey answer, a complaint, after-sales feedback, an advisory notice or a
    property incident, and followed to its verified effectiveness."""

    name = "nhcs.capa"
    label = "capa"
    verbose_name = _("Corrective and preventive actions")
