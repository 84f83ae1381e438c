from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """No table: the holder of the dashboard's permission (department heads and above, by migration)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can see the management dashboard and the management review report"))]
        verbose_name = _("dashboard")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
