import pytest

from nhcs.customers.models import Customer


@pytest.fixture
def customer(db):
    return Customer.objects.create(code="T001", name_zh="测试客户", name_en="Test customer", email="t@example.com")


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the source language, whatever the catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    def make(user):
        from django.conf import settings

        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def make_order(demo, customer):
    """An order of the test customer, through the orders area's own service."""
    from tests.orders.conftest import PO_DATE, REQUIREMENTS_IDENTIFIED, line

    def make(**data):
        from orders import services

        values = {"customer": customer, "po_number": "PO-7788", "po_date": PO_DATE, **REQUIREMENTS_IDENTIFIED}
        values.update(data)
        return services.order_create(user=demo["sales"], data=values, lines=[line()])

    return make
