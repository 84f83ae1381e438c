from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The management dashboard, the management review report and the customer dossier: figures that
    the areas contribute through their `<area>/dashboard.py` modules (see nhcs.dashboard.registry)."""

    name = "nhcs.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("dashboard")

    def customer_sections(self, customer, user):
        """The customer's page is the dossier: the areas' sections, each only for its readers."""
        from django.conf import settings

        from nhcs.customers.hooks import CustomerSection

        from .registry import as_of
        from .selectors import dossier

        panels = dossier(customer=customer, user=user)
        seconds = settings.NHCS_DASHBOARD_CACHE_SECONDS
        context = {
            "panels": panels,
            "as_of": as_of(panels) if seconds else None,
            "cache_minutes": f"{seconds / 60:g}",
        }
        return [CustomerSection("dossier", _("Customer dossier"), "dashboard/_dossier.html", context)]
