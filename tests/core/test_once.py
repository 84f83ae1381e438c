"""A double-clicked "create" makes one record (nhcs.core.once): the create forms carry a one-time token."""

import re

import pytest
from django.urls import reverse

from nhcs.customers.models import Customer
from orders.models import Order
from satisfaction.models import Campaign
from tests.orders.conftest import customer  # noqa: F401 - the fixture
from tests.orders.test_line_checks import create_data

pytestmark = pytest.mark.django_db


def token_of(response) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


def test_a_double_submitted_order_is_created_once(demo, client_for, customer):  # noqa: F811
    client = client_for(demo["sales"])
    client.cookies["django_language"] = "en"
    data = {**create_data(customer), "_once": token_of(client.get(reverse("orders:order_create")))}
    first = client.post(reverse("orders:order_create"), data)
    second = client.post(reverse("orders:order_create"), data)
    assert first.status_code == 302
    assert second.status_code == 400
    order = Order.objects.get(po_number="PO-CHECK")
    assert f"already sent and its record created: {order.get_absolute_url()}" in second.content.decode()
    assert Order.objects.filter(po_number="PO-CHECK").count() == 1


def test_a_refused_first_attempt_leaves_the_token_usable(demo, client_for, customer):  # noqa: F811
    client = client_for(demo["sales"])
    token = token_of(client.get(reverse("orders:order_create")))
    refused = client.post(reverse("orders:order_create"), {**create_data(customer, quantity="0"), "_once": token})
    assert refused.status_code == 400
    assert client.post(reverse("orders:order_create"), {**create_data(customer), "_once": token}).status_code == 302


def test_a_double_submitted_survey_and_customer_are_created_once(demo, client_for):
    sales = client_for(demo["sales"])
    survey = {"title": "双击调查", "period": "2026", "_once": token_of(sales.get("/surveys/new/"))}
    assert sales.post("/surveys/new/", survey).status_code == 302
    assert sales.post("/surveys/new/", survey).status_code == 400
    assert Campaign.objects.filter(title="双击调查").count() == 1
    new = {"code": "DBL1", "name_zh": "双击客户", "_once": token_of(sales.get("/customers/new/"))}
    for field in ("preferred_channel", "language"):
        found = re.search(
            rf'name="{field}"[^>]*>\s*<option value="([^"]*)"', sales.get("/customers/new/").content.decode()
        )
        if found:
            new[field] = found.group(1)
    first = sales.post("/customers/new/", new)
    assert first.status_code == 302, first.content.decode()[:3000]
    assert sales.post("/customers/new/", {**new, "code": "DBL2"}).status_code == 400
    assert Customer.objects.filter(code__in=["DBL1", "DBL2"]).count() == 1


def test_another_users_token_does_not_count(demo, client_for, customer):  # noqa: F811
    token = token_of(client_for(demo["sales"]).get(reverse("orders:order_create")))
    other = client_for(demo["sales_head"])
    assert other.post(reverse("orders:order_create"), {**create_data(customer), "_once": token}).status_code == 400
    assert not Order.objects.filter(po_number="PO-CHECK").exists()
