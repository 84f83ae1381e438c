"""The register's own pages at /customers/: by code, the old /orders/customers/ addresses, the list's
export, what the areas add (orders), the home warning and the navigation."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nhcs.customers.models import Customer, CustomerCertificate
from tests.sheets.conftest import pdf_text
from tests.sheets.test_exports import header_row, workbook

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_are_named_by_the_customer_code(demo, client_for, customer):
    assert customer.get_absolute_url() == "/customers/T001/"
    assert reverse("customers:customer_edit", args=["T001"]) == "/customers/T001/edit/"
    assert reverse("customers:customer_create") == "/customers/new/"
    assert reverse("customers:customer_import") == "/customers/import/"
    client = client_for(demo["sales"])
    page = client.get("/customers/T001/")
    assert page.status_code == 200 and "测试客户" in page.content.decode()
    assert client.get("/customers/NOPE/").status_code == 404
    assert client.get("/customers/T001/edit/").status_code == 200
    assert client.get("/customers/NOPE/edit/").status_code == 404
    assert Client().get("/customers/T001/").status_code == 302  # login first


def test_renaming_the_code_moves_the_page(demo, client_for, customer):
    client = client_for(demo["sales"])
    data = {
        "code": "T009",
        "name_zh": "测试客户",
        "preferred_channel": "email",
        "language": "zh-hans",
        "is_active": "on",
    }
    response = client.post("/customers/T001/edit/", data)
    assert response.status_code == 302 and response["Location"] == "/customers/T009/"
    customer.refresh_from_db()
    assert customer.code == "T009" and customer.history.count() == 2


@pytest.mark.parametrize("code", ["A/B", "new", "import"])
def test_a_code_must_be_able_to_name_a_page(demo, client_for, code):
    data = {"code": code, "name_zh": "客户", "preferred_channel": "email", "language": "zh-hans", "is_active": "on"}
    response = client_for(demo["sales"]).post("/customers/new/", data)
    assert response.status_code == 400
    assert not Customer.objects.filter(name_zh="客户").exists()


def test_old_addresses_redirect_for_good(demo, client_for, customer):
    client = client_for(demo["qa"])
    for old, new in [
        ("/orders/customers/", "/customers/"),
        ("/orders/customers/?q=T0&is_key_account=on", "/customers/?q=T0&is_key_account=on"),
        ("/orders/customers/new/", "/customers/new/"),
        ("/orders/customers/import/", "/customers/import/"),
        (f"/orders/customers/{customer.pk}/", "/customers/T001/"),
        (f"/orders/customers/{customer.pk}/edit/", "/customers/T001/edit/"),
    ]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new, old
    assert client.get("/orders/customers/999999/").status_code == 404
    # Who the customer behind an id is stays for signed-in users.
    anonymous = Client().get(f"/orders/customers/{customer.pk}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_list_shows_order_counts_in_constant_queries(demo, client_for, make_order):
    client = client_for(demo["sales"])
    make_order()
    make_order(po_number="PO-2")
    page = client.get("/customers/").content.decode()
    assert 'data-count="orders"' in page
    row = page[page.index('data-code="T001"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="d-none d-md-table-cell text-end">2</td>' in row
    few = _count(client, "/customers/")
    Customer.objects.bulk_create([Customer(code=f"Z{i:03}", name_zh=f"客户{i}") for i in range(30)])
    assert _count(client, "/customers/") == few


def test_customer_page_shows_recent_orders_from_the_orders_area(demo, client_for, make_order):
    order = make_order()
    page = client_for(demo["planner"]).get(order.customer.get_absolute_url()).content.decode()
    assert 'id="customer-section-orders"' in page and order.number in page
    # The warehouse reads the register but not orders: the section is not there.
    page = client_for(demo["warehouse"]).get(order.customer.get_absolute_url()).content.decode()
    assert 'id="customer-section-orders"' not in page and order.number not in page


def test_list_export_xlsx_and_pdf_with_the_list_filters(demo, client_for):
    Customer.objects.create(code="S001", name_zh="搜索客户", name_en="=HYPERLINK(1)", is_key_account=True)
    client = client_for(demo["qa"])
    ws = workbook(client.get("/customers/export.xlsx?is_key_account=on")).active
    top, headers = header_row(ws)
    assert "Customer code" in headers and "Preferred channel" in headers
    codes = [r[0] for r in ws.iter_rows(min_row=top + 1, values_only=True)]
    assert codes == ["C001", "C003", "S001"]  # key accounts only, as the list shows them
    s001 = next(r for r in ws.iter_rows(min_row=top + 1) if r[0].value == "S001")
    assert s001[2].value == "=HYPERLINK(1)" and s001[2].data_type == "s"  # text, never a formula
    letterhead = " ".join(str(ws.cell(r, 1).value) for r in range(1, top))
    assert letterhead.startswith(
        "客户一览表 Customer list 东莞市宁浩实业有限公司 Dongguan Ninghao Industrial Co., Ltd."
    )
    pdf = client.get("/customers/export.pdf?q=C00")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert "C001" in text and "C004" in text and "S001" not in text
    assert Client().get("/customers/export.xlsx").status_code == 302


def test_list_page_offers_the_export(demo, client_for):
    page = client_for(demo["qa"]).get("/customers/?q=C").content.decode()
    assert "/customers/export.xlsx?q=C" in page and "/customers/export.pdf?q=C" in page


def test_sales_is_warned_of_certified_data_about_to_expire(demo, client_for):
    c1 = Customer.objects.get(code="C001")
    CustomerCertificate.objects.create(
        customer=c1, certificate="UL", expires_on=timezone.localdate() + timedelta(days=30)
    )
    assert "certified data expiring within 60 days" in client_for(demo["sales"]).get("/").content.decode()
    assert "certified data expiring" not in client_for(demo["qa"]).get("/").content.decode()


def test_navigation_has_customers(demo, client_for):
    from django.conf import settings

    client = client_for(demo["warehouse"])
    page = client.get("/").content.decode()
    assert 'href="/customers/" data-nav="customers">Customers<' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert 'data-nav="customers">客户<' in client.get("/").content.decode()


def test_a_refused_edit_with_a_code_that_has_no_address_shows_the_form_again(demo, client_for):
    """Found by the fuzzer: a code with a "/" made the refused form's page fail (500) naming the customer."""
    from nhcs.customers.models import Customer

    customer = Customer.objects.create(code="FZ1", name_zh="模糊客户")
    response = client_for(demo["sales"]).post(
        f"/customers/{customer.code}/edit/", {"code": "../../etc/passwd", "name_zh": "模糊客户"}
    )
    assert response.status_code == 400
    assert "/customers/FZ1/" in response.content.decode()
    customer.refresh_from_db()
    assert customer.code == "FZ1"
