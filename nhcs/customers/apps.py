from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """The customer register shared by every area of NH-QP14."""

    name = "nhcs.customers"
    label = "customers"
    verbose_name = _("Customers")

    def home_warnings(self, user) -> list[str]:
        from .selectors import home_warnings

        return home_warnings(user)

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout)

    def seed_volume(self, volume) -> None:
        from .volume import seed

        seed(volume)
