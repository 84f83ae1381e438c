"""Shared data of the API tests: the demo personas, one customer, one order and one complaint made through
the services, JSON clients for a persona (session) and by token."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from nhcs.customers.models import Customer
from orders import services as order_services

PO_DATE = date(2026, 11, 2)
REQUIREMENTS = {f"req_{k}": "identified" for k in ("cost", "materials", "methods", "special", "services", "statutory")}


def order_line(**kw):
    data = {
        "part_number": "NH-CN-2040",
        "description": "Connector 4P",
        "quantity": Decimal("1000"),
        "unit": "pcs",
        "unit_price": Decimal("1.5"),
        "currency": "CNY",
        "requested_date": PO_DATE + timedelta(days=40),
    }
    data.update(kw)
    return data


class JsonClient:
    """A client that sends and reads JSON, logged in as a persona or carrying a token."""

    def __init__(self, user=None, token=None):
        self.client = Client(HTTP_AUTHORIZATION=f"Token {token}") if token else Client()
        if user is not None:
            self.client.force_login(user)

    def get(self, url, **params):
        return self.client.get(url, params)

    def post(self, url, data=None):
        return self.client.post(url, data or {}, content_type="application/json")

    def patch(self, url, data=None):
        return self.client.patch(url, data or {}, content_type="application/json")


@pytest.fixture(autouse=True)
def _no_throttle_carry_over():
    cache.clear()
    yield


@pytest.fixture
def api(demo):
    """api("sales") → a JSON client logged in as that persona."""
    return lambda username: JsonClient(demo[username])


@pytest.fixture
def customer(db):
    return Customer.objects.create(code="T001", name_zh="测试客户", name_en="Test customer", email="t@example.com")


@pytest.fixture
def order(demo, customer):
    return order_services.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-7788", "po_date": PO_DATE, **REQUIREMENTS},
        lines=[order_line()],
    )


@pytest.fixture
def complaint(demo, customer):
    from complaints import services

    return services.complaint_register(
        user=demo["sales"],
        data={
            "customer": customer,
            "channel": "email",
            "received_at": timezone.now() - timedelta(hours=1),
            "description": "Delivered late",
            "category": "delivery",
            "severity": "major",
        },
    )
