from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nhcs.core"
    label = "core"
    verbose_name = _("NHCS")

    def ready(self):
        # Every date typed anywhere lies between 2000 and 2100 (nhcs/core/validators.py).
        from .validators import install_default_validators

        install_default_validators()
