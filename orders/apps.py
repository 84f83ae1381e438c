from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout)

    def home_warnings(self, user) -> list[str]:
        from .selectors import home_warnings

        return home_warnings(user)
