from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from nhcs.workflow.display import register_attachment_purpose

        register_attachment_purpose("order_clarification_answer", _("Answer to clarification: %(question)s"))
        register_attachment_purpose("certified_data_report", _("Written report on the certified data, sent %(date)s"))

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout)

    def home_warnings(self, user) -> list[str]:
        from .selectors import home_warnings

        return home_warnings(user)
