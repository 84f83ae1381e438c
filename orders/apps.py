from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from nhcs import deliveries
        from nhcs.links.registry import LinkPurpose, register
        from nhcs.workflow.display import register_attachment_purpose

        from .deliveries import provider

        # What was delivered, for the areas that read it (complaints, advisory notices) through nhcs.
        deliveries.register(provider)

        register_attachment_purpose("order_clarification_answer", _("Answer to clarification: %(question)s"))
        register_attachment_purpose("certified_data_report", _("Written report on the certified data, sent %(date)s"))
        register_attachment_purpose(
            "delay_link_confirmation", _("Confirmed by %(name)s through the customer link on %(date)s")
        )
        # 4.4: the customer confirms a delay notice's new dates in writing at /c/<token>/.
        register(
            LinkPurpose(
                "delay_confirmation", "c", "orders.views.delay_customer_page", _("Confirmation of new delivery dates")
            )
        )

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout)

    def seed_volume(self, volume) -> None:
        from .volume import seed

        seed(volume)

    def home_warnings(self, user) -> list[str]:
        from .selectors import home_warnings

        return home_warnings(user)

    # What the customer register (nhcs.customers.hooks) shows of the orders.

    def customer_counts(self, customer_ids):
        from nhcs.customers.hooks import CustomerCount

        from .selectors import order_counts_by_customer

        return [CustomerCount("orders", _("Orders"), order_counts_by_customer(customer_ids))]

    def customer_sections(self, customer, user):
        from nhcs.customers.hooks import CustomerSection

        from .selectors import recent_orders_of

        orders = recent_orders_of(customer, user)
        if orders is None:  # not a reader of orders (the warehouse): no section
            return []
        return [CustomerSection("orders", _("Recent orders"), "orders/_customer_orders.html", {"orders": orders})]
