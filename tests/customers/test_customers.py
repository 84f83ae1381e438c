"""Customers: pages, permissions, contacts and certified data, and the Excel import (all or nothing)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from nhcs.customers.models import Customer

pytestmark = pytest.mark.django_db

HEAD = ["code", "name_zh", "name_en", "email", "preferred_channel", "is_key_account"]


def xlsx(rows, head=HEAD, name="customers.xlsx"):
    wb = Workbook()
    ws = wb.active
    if head:
        ws.append(head)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(
        name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def post_import(client, upload):
    return client.post(reverse("customers:customer_import"), {"file": upload})


def test_import_creates_every_good_row(demo, client_for):
    before = Customer.objects.count()
    response = post_import(
        client_for(demo["sales"]),
        xlsx(
            [
                ["N100", "新客户一", "New One", "a@one.example", "fax", "yes"],
                ["N101", "", "New Two", "", "E-mail", "no"],
            ]
        ),
    )
    assert response.status_code == 302
    assert Customer.objects.count() == before + 2
    one = Customer.objects.get(code="N100")
    assert one.preferred_channel == "fax" and one.is_key_account
    assert one.history.first().history_user == demo["sales"]


def test_import_with_bad_rows_imports_nothing_and_says_why_row_by_row(demo, client_for):
    Customer.objects.create(code="OLD1", name_zh="老客户")
    before = Customer.objects.count()
    response = post_import(
        client_for(demo["sales"]),
        xlsx(
            [
                ["N200", "好客户", "", "ok@good.example", "email", ""],
                ["", "无代码客户", "", "", "", ""],
                ["N201", "甲", "", "", "", ""],
                ["N201", "乙", "", "", "", ""],
                ["N202", "坏邮箱", "", "not-an-email", "", ""],
                ["OLD1", "重复", "", "", "", ""],
                ["N203", "渠道", "", "", "pigeon", ""],
            ]
        ),
    )
    assert response.status_code == 400
    assert Customer.objects.count() == before
    result = response.context["result"]
    refused = {r.row: " ".join(r.problems) for r in result.refused}
    assert set(refused) == {3, 5, 6, 7, 8}
    assert "missing" in refused[3]
    assert "row 4" in refused[5]
    assert "e-mail" in refused[6].lower()
    assert "already exists" in refused[7]
    assert "pigeon" in refused[8]
    page = response.content.decode()
    assert page.count("import-refused") == 5


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("customers.txt", b"code,name\nX,Y\n"), "not an Excel workbook"),
        (SimpleUploadedFile("customers.xlsx", b"this is not a zip"), "cannot be read"),
        (xlsx([], head=None), "empty"),
        (xlsx([]), "no customers"),
        (xlsx([["X1", "名"]], head=["name", "名称"]), "headings"),
    ],
)
def test_import_refuses_files_it_cannot_use(demo, client_for, upload, message):
    before = Customer.objects.count()
    response = post_import(client_for(demo["sales"]), upload)
    assert response.status_code == 400
    assert message in response.context["result"].error
    assert Customer.objects.count() == before


def test_import_form_requires_a_file(demo, client_for):
    response = client_for(demo["sales"]).post(reverse("customers:customer_import"), {})
    assert response.status_code == 400


def test_only_sales_manages_customers(demo, client_for, customer):
    planner = client_for(demo["planner"])  # reads the register, does not keep it
    assert planner.get(reverse("customers:customer_list")).status_code == 200
    assert planner.get(customer.get_absolute_url()).status_code == 200
    assert planner.get(reverse("customers:customer_import")).status_code == 403
    assert post_import(planner, xlsx([["N300", "x", "", "", "", ""]])).status_code == 403
    assert planner.get(reverse("customers:customer_create")).status_code == 403
    assert planner.get(reverse("customers:customer_edit", args=[customer.code])).status_code == 403
    assert planner.post(customer.get_absolute_url(), {"_action": "contact", "contact-name": "X"}).status_code == 403
    assert not Customer.objects.filter(code="N300").exists()


def test_the_register_has_its_readers(demo, client_for, customer):
    # Engineering does not deal with customers: no register, no customer page, no sheet.
    engineer = client_for(demo["engineer"])
    assert engineer.get(reverse("customers:customer_list")).status_code == 404
    assert engineer.get(customer.get_absolute_url()).status_code == 404
    assert engineer.get(reverse("customers:customer_import")).status_code == 404
    for username in ("sales", "planner", "qa", "warehouse", "qa_head", "vgm", "gm"):
        assert client_for(demo[username]).get(customer.get_absolute_url()).status_code == 200, username


def test_customer_create_edit_contacts_and_certificates(demo, client_for):
    client = client_for(demo["sales"])
    data = {
        "code": "K1",
        "name_zh": "客户K",
        "name_en": "",
        "address": "",
        "contact_name": "",
        "phone": "",
        "fax": "",
        "email": "bad",
        "preferred_channel": "email",
        "language": "zh-hans",
        "is_active": "on",
    }
    response = client.post(reverse("customers:customer_create"), data)
    assert response.status_code == 400 and "K1" in response.content.decode()  # input kept
    data["email"] = "k@k.example"
    assert client.post(reverse("customers:customer_create"), data).status_code == 302
    customer = Customer.objects.get(code="K1")
    response = client.post(
        customer.get_absolute_url(),
        {"_action": "contact", "contact-name": "王工", "contact-role": "QE", "contact-email": "w@k.example"},
    )
    assert response.status_code == 302
    response = client.post(
        customer.get_absolute_url(),
        {
            "_action": "certificate",
            "cert-certificate": "UL",
            "cert-standard": "UL 94",
            "cert-scope": "Housings",
            "cert-expires_on": "2027-06-30",
        },
    )
    assert response.status_code == 302
    response = client.post(customer.get_absolute_url(), {"_action": "certificate", "cert-certificate": ""})
    assert response.status_code == 400
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "王工" in page and "UL 94" in page
    assert customer.certificates.count() == 1 and customer.contacts.count() == 1


def test_customer_list_search_and_key_account_filter(demo, client_for):
    Customer.objects.create(code="S001", name_zh="搜索客户", name_en="Findable Ltd", is_key_account=True)
    Customer.objects.create(code="S002", name_zh="其他", name_en="Other Ltd")
    client = client_for(demo["qa"])
    url = reverse("customers:customer_list")

    def codes(query):
        return [c.code for c in client.get(url + query).context["page"].object_list]

    assert codes("?q=findable") == ["S001"]
    assert codes("?q=搜索") == ["S001"]
    assert "S002" not in codes("?is_key_account=on")
    assert "S001" in codes("?is_key_account=on")
