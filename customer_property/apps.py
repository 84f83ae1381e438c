from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerPropertyConfig(AppConfig):
    """The customer property register (NH-QP14 4.8)."""

    name = "customer_property"
    verbose_name = _("Customer property")

    def ready(self) -> None:
        from nhcs.workflow.display import register_attachment_purpose

        register_attachment_purpose("property_notice", _("Notice to the customer, sent %(date)s"))

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout)

    def seed_volume(self, volume) -> None:
        from .volume import seed

        seed(volume)
