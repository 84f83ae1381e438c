"""Lists (filters, search, sorting, constant queries), who sees prices, and the two record sheets."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from orders import services
from orders.models import Customer, Order

from .conftest import PO_DATE, line, reload

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_order_list_queries_do_not_grow_with_rows(demo, make_order, client_for):
    client = client_for(demo["planner"])
    url = reverse("orders:order_list") + "?ordering=-requested"
    make_order(lines=[line(), line(part_number="B")])
    few = _count(client, url)
    for i in range(12):
        make_order(po_number=f"PO-{i}", lines=[line(), line(part_number=f"X{i}")])
    many = _count(client, url)
    assert many == few
    # seed_demo (the demo fixture) adds its own demo orders.
    assert client.get(url).content.decode().count('class="order-row') == Order.objects.count() > 13


def test_customer_list_queries_do_not_grow_with_rows(demo, client_for):
    client = client_for(demo["sales"])
    url = reverse("orders:customer_list")
    few = _count(client, url)
    Customer.objects.bulk_create([Customer(code=f"Z{i:03}", name_zh=f"客户{i}") for i in range(30)])
    assert _count(client, url) == few


def test_order_list_filters_search_and_sorting(demo, make_order, flow, client_for, customer):
    other = Customer.objects.create(code="T002", name_zh="另一个客户")
    a = make_order(po_number="PO-AAA")
    b = make_order(po_number="PO-BBB", customer=other, po_date=PO_DATE - timedelta(days=30),
                   lines=[line(requested_date=PO_DATE + timedelta(days=90))])
    c = flow.to_reviewed(make_order(po_number="PO-CCC"))
    c = services.order_reply_date(order=c, user=demo["planner"], committed_date=PO_DATE + timedelta(days=30))
    client = client_for(demo["qa"])
    url = reverse("orders:order_list")

    mine = {a.number, b.number, c.number}

    def numbers(query):
        response = client.get(url + query)
        assert response.status_code == 200
        # Only this test's orders: seed_demo (the demo fixture) adds demo orders of its own.
        return [o.number for o in response.context["page"].object_list if o.number in mine]

    assert numbers("?q=BBB") == [b.number]
    assert numbers(f"?q={a.number}") == [a.number]
    assert set(numbers(f"?customer={other.pk}")) == {b.number}
    assert numbers("?state=date_replied") == [c.number]
    assert numbers("?awaiting_customer=on") == [c.number]
    assert set(numbers(f"?po_date_after={PO_DATE.isoformat()}")) == {a.number, c.number}
    assert numbers(f"?requested_after={(PO_DATE + timedelta(days=60)).isoformat()}") == [b.number]
    assert numbers("?ordering=po_date")[0] == b.number
    assert numbers("?overdue=on") == []
    assert client.get(url + "?po_date_after=not-a-date").status_code == 200


def test_overdue_review_filter(demo, make_order, flow, client_for):
    from django.utils import timezone

    from nhcs.workflow.models import Task

    order = flow.go(make_order(), "submit", "sales")
    Task.objects.for_record(order).update(due_at=timezone.now() - timedelta(days=1))
    response = client_for(demo["planner"]).get(reverse("orders:order_list") + "?overdue=on")
    assert [o.number for o in response.context["page"].object_list] == [order.number]


PRICE = "123.4567"


@pytest.mark.parametrize(
    "username, sees", [("sales", True), ("planner", True), ("qa_head", True), ("vgm", True), ("gm", True),
                       ("engineer", False), ("qa", False), ("buyer", False), ("warehouse", False)],
)
def test_prices_only_for_sales_planning_and_heads(demo, make_order, client_for, username, sees):
    order = make_order()
    client = client_for(demo[username])
    page = client.get(order.get_absolute_url()).content.decode()
    assert (PRICE in page) is sees
    response = client.get(reverse("orders:order_sheet", args=["demand-plan", "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(v.startswith(PRICE) for v in values) is sees
    assert ("Unit price" in values or "单价" in values) is sees


def test_demand_plan_groups_lines_by_delivery_month(demo, make_order, client_for):
    make_order(lines=[line(part_number="JAN", requested_date=PO_DATE.replace(year=2027, month=1, day=15)),
                      line(part_number="DEC", requested_date=PO_DATE.replace(month=12, day=5))])
    response = client_for(demo["sales"]).get(reverse("orders:order_sheet", args=["demand-plan", "xlsx"]) + "?q=PO-7788")
    rows = [[c for c in row if c is not None] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[0] == ["产品需求计划表"]
    flat = [" ".join(map(str, r)) for r in rows]
    dec = next(i for i, r in enumerate(flat) if "2026-12" in r and "NH" not in r and "DEC" not in r)
    jan = next(i for i, r in enumerate(flat) if "2027-01" in r and "JAN" not in r)
    assert dec < next(i for i, r in enumerate(flat) if "DEC" in r) < jan < next(i for i, r in enumerate(flat) if "JAN" in r)


def test_review_detail_sheet_holds_opinions_signoffs_and_dates(demo, make_order, flow, client_for):
    order = flow.to_date_confirmed(make_order(po_number="PO-SHEET"))
    client = client_for(demo["qa"])
    response = client.get(reverse("orders:order_sheet", args=["review-detail", "xlsx"]) + "?q=PO-SHEET")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "生产计划及评审明细表"
    row = next(r for r in rows if r[0] == order.number)
    text = " ".join(str(v) for v in row if v is not None)
    order = reload(order)
    assert str(demo["engineer"]) in text and str(demo["mfg"]) in text
    assert order.committed_date.isoformat() in text and order.confirmed_on.isoformat() in text
    assert str(demo["planner"]) in text  # sign-offs
    pdf = client.get(reverse("orders:order_sheet", args=["review-detail", "pdf"]) + "?q=PO-SHEET")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pdf = client.get(reverse("orders:order_sheet", args=["demand-plan", "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_sheets_need_login_and_a_known_sheet(demo, client, client_for):
    url = reverse("orders:order_sheet", args=["demand-plan", "xlsx"])
    assert client.get(url).status_code == 302
    assert client_for(demo["sales"]).get(reverse("orders:order_sheet", args=["other", "xlsx"])).status_code == 403


def test_prices_hidden_in_the_lines_form_of_users_without_the_permission(demo, make_order):
    from orders.forms import OrderLineFormSet

    formset = OrderLineFormSet(prefix="lines", show_prices=False)
    assert "unit_price" not in formset.forms[0].fields
    assert services.can_see_prices(demo["sales"]) and not services.can_see_prices(demo["rd"])
