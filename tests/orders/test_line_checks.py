"""Order lines and BOM rows refuse what cannot be right: a delivery requested before the PO date, a
quantity or price of zero or less. The message sits on the field, the input is kept, nothing is saved."""

from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse

from nhcs.workflow.exceptions import Blocked
from orders import services
from orders.models import Order

from .conftest import PO_DATE, REQUIREMENTS_IDENTIFIED, line, reload

pytestmark = pytest.mark.django_db


def field_errors(response, name: str) -> list[str]:
    """The error messages shown beside the input called `name`, in its table cell."""
    tree = lxml.html.fromstring(response.content.decode())
    cells = tree.xpath(f"//*[@name='{name}']/ancestor::td[1]")
    assert cells, f"no input {name} on the page"
    return [li.text_content().strip() for li in cells[0].xpath(".//ul[contains(@class, 'errorlist')]/li")]


def create_data(customer, **line_fields):
    data = {
        "customer": customer.pk,
        "po_number": "PO-CHECK",
        "po_date": PO_DATE.isoformat(),
        **REQUIREMENTS_IDENTIFIED,
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-0-part_number": "P-1",
        "lines-0-quantity": "10",
        "lines-0-unit": "pcs",
        "lines-0-unit_price": "2.5",
        "lines-0-currency": "CNY",
        "lines-0-requested_date": (PO_DATE + timedelta(days=30)).isoformat(),
    }
    data.update({f"lines-0-{k}": v for k, v in line_fields.items()})
    return data


def test_new_order_refuses_a_delivery_requested_before_the_po_date(demo, client_for, customer):
    client = client_for(demo["sales"])
    early = (PO_DATE - timedelta(days=1)).isoformat()
    response = client.post(reverse("orders:order_create"), create_data(customer, requested_date=early))
    assert response.status_code == 400
    assert field_errors(response, "lines-0-requested_date") == [
        f"The requested delivery date is before the PO date ({PO_DATE.isoformat()})."
    ]
    assert 'value="PO-CHECK"' in response.content.decode() and f'value="{early}"' in response.content.decode()
    assert not Order.objects.filter(po_number="PO-CHECK").exists()
    # The same day as the PO is fine.
    same_day = create_data(customer, requested_date=PO_DATE.isoformat())
    assert client.post(reverse("orders:order_create"), same_day).status_code == 302
    assert Order.objects.get(po_number="PO-CHECK").lines.get().requested_date == PO_DATE


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("quantity", "0", "Enter a quantity greater than zero."),
        ("quantity", "-5", "Enter a quantity greater than zero."),
        ("unit_price", "0", "Enter a unit price greater than zero, or leave it empty."),
        ("unit_price", "-1.20", "Enter a unit price greater than zero, or leave it empty."),
    ],
)
def test_new_order_refuses_zero_or_negative_quantities_and_prices(demo, client_for, customer, field, value, message):
    response = client_for(demo["sales"]).post(reverse("orders:order_create"), create_data(customer, **{field: value}))
    assert response.status_code == 400
    assert field_errors(response, f"lines-0-{field}") == [message]
    assert not Order.objects.filter(po_number="PO-CHECK").exists()


def test_a_line_without_a_price_is_still_accepted(demo, client_for, customer):
    response = client_for(demo["sales"]).post(reverse("orders:order_create"), create_data(customer, unit_price=""))
    assert response.status_code == 302
    assert Order.objects.get(po_number="PO-CHECK").lines.get().unit_price is None


def edit_rows(order, **changes):
    existing = order.lines.get()
    rows = {
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-0-id": existing.pk,
        "lines-0-part_number": existing.part_number,
        "lines-0-quantity": "1000",
        "lines-0-unit": "pcs",
        "lines-0-unit_price": "123.4567",
        "lines-0-currency": "CNY",
        "lines-0-requested_date": existing.requested_date.isoformat(),
        "version": order.version,
    }
    rows.update({f"lines-0-{k}": v for k, v in changes.items()})
    return rows


def test_line_edit_refuses_a_delivery_before_the_po_date_and_a_zero_quantity(demo, make_order, client_for):
    order = make_order()
    before = order.lines.get().requested_date
    url = reverse("orders:order_lines", args=[order.pk])
    client = client_for(demo["sales"])
    response = client.post(url, edit_rows(order, requested_date=(PO_DATE - timedelta(days=3)).isoformat()))
    assert response.status_code == 400
    assert field_errors(response, "lines-0-requested_date") == [
        f"The requested delivery date is before the PO date ({PO_DATE.isoformat()})."
    ]
    response = client.post(url, edit_rows(order, quantity="0"))
    assert response.status_code == 400
    assert field_errors(response, "lines-0-quantity") == ["Enter a quantity greater than zero."]
    line_now = reload(order).lines.get()
    assert (line_now.requested_date, line_now.quantity) == (before, Decimal("1000"))


def test_a_po_date_moved_past_a_requested_delivery_is_refused_on_the_po_date(demo, make_order, client_for):
    order = make_order(lines=[line(part_number="EARLY-1", requested_date=PO_DATE + timedelta(days=5))])
    form = {
        "customer": order.customer_id,
        "po_number": order.po_number,
        "po_date": (PO_DATE + timedelta(days=10)).isoformat(),
        **REQUIREMENTS_IDENTIFIED,
        "version": order.version,
    }
    response = client_for(demo["sales"]).post(reverse("orders:order_edit", args=[order.pk]), form)
    assert response.status_code == 400
    tree = lxml.html.fromstring(response.content.decode())
    po_date_block = tree.xpath("//input[@name='po_date']/ancestor::div[contains(@class, 'mb-3')][1]")[0]
    day = (PO_DATE + timedelta(days=5)).isoformat()
    assert (
        f"Line EARLY-1 is requested for {day}, before this PO date: change the line first."
        in po_date_block.text_content()
    )
    assert reload(order).po_date == PO_DATE


def test_the_services_refuse_such_lines_too(demo, customer, make_order):
    data = {"customer": customer, "po_number": "PO-SVC", "po_date": PO_DATE, **REQUIREMENTS_IDENTIFIED}
    with pytest.raises(Blocked) as refused:
        services.order_create(
            user=demo["sales"],
            data=data,
            lines=[line(part_number="Z-1", quantity=Decimal("0"), requested_date=PO_DATE - timedelta(days=1))],
        )
    assert refused.value.messages() == [
        "Z-1: enter a quantity greater than zero.",
        f"Z-1: the requested delivery date is before the PO date ({PO_DATE.isoformat()}).",
    ]
    assert not Order.objects.filter(po_number="PO-SVC").exists()
    order = make_order()
    existing = order.lines.get()
    with pytest.raises(Blocked) as refused:
        services.order_lines_save(
            order=order,
            user=demo["sales"],
            rows=[{"id": existing.pk, "unit_price": Decimal("-1")}],
            expected_version=order.version,
        )
    assert refused.value.messages() == ["NH-CN-2040: enter a unit price greater than zero, or leave it empty."]
    assert reload(order).lines.get().unit_price == Decimal("123.4567")


def test_bom_refuses_a_zero_quantity_per_unit(demo, make_order, flow, client_for):
    order = flow.go(flow.go(make_order(), "submit", "sales"), "start_review", "planner")
    url = reverse("orders:order_bom", args=[order.pk])
    client = client_for(demo["engineer"])
    tree = lxml.html.fromstring(client.get(url).content.decode())
    # An empty BOM starts with one empty row, not three; "Add row" adds more (tests/orders/test_browser.py).
    assert len(tree.xpath("//table[@id='bom-formset']/tbody/tr[contains(@class, 'bom-form-row')]")) == 1
    rows = {
        "bom-TOTAL_FORMS": 1,
        "bom-INITIAL_FORMS": 0,
        "bom-0-part_number": "PCB-1",
        "bom-0-quantity_per_unit": "0",
        "bom-0-source": "buy",
        "version": order.version,
    }
    response = client.post(url, rows)
    assert response.status_code == 400
    assert field_errors(response, "bom-0-quantity_per_unit") == ["Enter a quantity greater than zero."]
    assert not reload(order).bom_lines.exists()
