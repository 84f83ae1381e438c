"""The navigation bar: an area appears once its pages exist (its URL name resolves)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Promise
    url_name: str


NAV_ITEMS = [
    NavItem("tasks", _("My tasks"), "workflow:my_tasks"),
    NavItem("customers", _("Customers"), "customers:customer_list"),
    NavItem("orders", _("Orders"), "orders:order_list"),
    NavItem("shipments", _("Shipments"), "orders:shipments"),
    NavItem("changes", _("Change notices"), "orders:change_list"),
    NavItem("delays", _("Delay notices"), "orders:delay_list"),
    NavItem("complaints", _("Complaints"), "complaints:complaint_list"),
    NavItem("feedback", _("After-sales feedback"), "complaints:feedback_list"),
    NavItem("advisories", _("Advisory notices"), "complaints:advisory_list"),
    NavItem("surveys", _("Surveys"), "satisfaction:campaign_list"),
    NavItem("actions", _("Corrective actions"), "capa:action_list"),
    NavItem("property", _("Customer property"), "customer_property:item_list"),
]


def nav_items() -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url})
    return items
