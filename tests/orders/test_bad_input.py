"""Bad input never answers 500: dates outside 2000–2100 are refused with a message on the field (a PO date
of 9999-12-31 broke the order page for good), in forms and in the services' model validation alike."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from nhcs.core.validators import validate_sane_date
from nhcs.workflow.exceptions import Blocked
from orders import services
from orders.models import Order

from .conftest import line
from .test_line_checks import create_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["9999-12-31", "1900-01-01", "0001-01-01"])
def test_a_po_date_out_of_range_is_refused_on_its_field(demo, client_for, customer, value):
    client = client_for(demo["sales"])
    client.cookies["django_language"] = "en"
    data = create_data(customer)
    data["po_date"] = value
    response = client.post(reverse("orders:order_create"), data)
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2100-12-31." in response.content.decode()
    assert not Order.objects.filter(po_number="PO-CHECK").exists()


def test_a_requested_date_out_of_range_is_refused(demo, client_for, customer):
    client = client_for(demo["sales"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("orders:order_create"), create_data(customer, requested_date="9999-12-31"))
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2100-12-31." in response.content.decode()


def test_the_service_refuses_it_too(demo, customer):
    with pytest.raises((Blocked, ValidationError)):
        services.order_create(
            user=demo["sales"],
            data={"customer": customer, "po_number": "PO-X", "po_date": date(9999, 12, 31)},
            lines=[line()],
        )
    assert not Order.objects.filter(po_number="PO-X").exists()


def test_the_bound_itself():
    validate_sane_date(date(2000, 1, 1))
    validate_sane_date(date(2100, 12, 31))
    validate_sane_date(None)
    with translation.override("en"), pytest.raises(ValidationError):
        validate_sane_date(date(2101, 1, 1))
