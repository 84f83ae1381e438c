from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the service: the worker's reaper of lost jobs (db_worker), a storage that says when the disk
    is full, backup and restore."""

    name = "nhcs.ops"
    label = "ops"
    verbose_name = _("Operations")
