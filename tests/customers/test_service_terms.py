"""Each customer's service terms (NH-QP14 4.5): defaults, one object for the areas, shown and edited on
the customer's pages, imported from the workbook, exported with the list."""

from datetime import date

import pytest

from nhcs.customers import selectors
from nhcs.customers.models import Customer
from nhcs.customers.terms import ServiceTerms
from tests.sheets.test_exports import header_row, workbook

from .test_customers import post_import, xlsx

pytestmark = pytest.mark.django_db

FORM = {
    "code": "K7",
    "name_zh": "条款客户",
    "preferred_channel": "fax",
    "language": "en",
    "is_active": "on",
    "warranty_months": "24",
    "complaint_reply_days": "2",
    "report_8d_days": "15",
    "service_agreement": "Quality agreement QA-2025-03",
}


def test_a_new_customer_has_the_house_terms(customer):
    terms = customer.service_terms
    assert terms == ServiceTerms(
        warranty_months=12, complaint_reply_days=1, report_8d_days=10, channel="email", language="zh-hans"
    )
    assert terms.is_default and selectors.service_terms_for(customer) == terms
    assert terms.channel_label == "E-mail" and terms.language_label == "Chinese"


def test_warranty_end_counts_calendar_months():
    terms = ServiceTerms(warranty_months=13, complaint_reply_days=1, report_8d_days=10, channel="email", language="en")
    assert terms.warranty_ends(date(2026, 1, 31)) == date(2027, 2, 28)
    assert terms.warranty_ends(date(2027, 1, 15)) == date(2028, 2, 15)
    assert terms.warranty_ends(date(2026, 12, 1)) == date(2028, 1, 1)


def test_terms_are_edited_on_the_form_and_shown_on_the_page(demo, client_for):
    client = client_for(demo["sales"])
    form = client.get("/customers/new/").content.decode()
    assert 'id="service-terms"' in form and 'name="report_8d_days"' in form and 'value="10"' in form
    assert client.post("/customers/new/", FORM).status_code == 302
    terms = Customer.objects.get(code="K7").service_terms
    assert (terms.warranty_months, terms.complaint_reply_days, terms.report_8d_days) == (24, 2, 15)
    assert (terms.channel, terms.language, terms.agreement) == ("fax", "en", "Quality agreement QA-2025-03")
    assert not terms.is_default
    page = client.get("/customers/K7/").content.decode()
    block = page[page.index('id="service-terms"') :]
    assert "24 months" in block and "within 2 working days" in block and "within 15 working days" in block
    assert "Quality agreement QA-2025-03" in block and "Fax · English" in block


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"report_8d_days": "1", "complaint_reply_days": "3"}, "report_8d_days"),
        ({"complaint_reply_days": "0"}, "complaint_reply_days"),
        ({"warranty_months": "-1"}, "warranty_months"),
        ({"warranty_months": "zwölf"}, "warranty_months"),
    ],
)
def test_impossible_terms_are_refused_with_the_input_kept(demo, client_for, changes, field):
    response = client_for(demo["sales"]).post("/customers/new/", {**FORM, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Quality agreement QA-2025-03" in response.content.decode()
    assert not Customer.objects.filter(code="K7").exists()


def test_terms_columns_are_optional_in_the_import(demo, client_for):
    head = ["客户代码", "中文名称", "保修期（月）", "首次回复（工作日）", "8D报告（工作日）", "合同/协议"]
    response = post_import(
        client_for(demo["sales"]),
        xlsx([["T100", "甲", 18, 3, 20, "质量协议 2025"], ["T101", "乙", None, None, None, None]], head=head),
    )
    assert response.status_code == 302
    one, two = Customer.objects.get(code="T100"), Customer.objects.get(code="T101")
    assert (one.warranty_months, one.complaint_reply_days, one.report_8d_days) == (18, 3, 20)
    assert one.service_agreement == "质量协议 2025"
    assert two.service_terms.is_default
    # Without the columns at all, the defaults too (the workbook of before still imports).
    assert post_import(client_for(demo["sales"]), xlsx([["T102", "丙"]], head=["code", "name_zh"])).status_code == 302
    assert Customer.objects.get(code="T102").service_terms.is_default


def test_bad_terms_in_the_import_refuse_the_row(demo, client_for):
    head = ["code", "name_zh", "warranty_months", "complaint_reply_days", "report_8d_days"]
    response = post_import(
        client_for(demo["sales"]),
        xlsx([["T200", "甲", "one year", 1, 10], ["T201", "乙", 12, 5, 2], ["T202", "丙", 12, 1, 10]], head=head),
    )
    assert response.status_code == 400
    refused = {r.row: " ".join(r.problems) for r in response.context["result"].refused}
    assert set(refused) == {2, 3}
    assert "one year" in refused[2] and "whole number" in refused[2]
    assert "8D report" in refused[3]
    assert not Customer.objects.filter(code__startswith="T20").exists()


def test_terms_are_in_the_exported_list(demo, client_for):
    Customer.objects.filter(code="C003").update(warranty_months=36, report_8d_days=8, service_agreement="Rahmenvertrag")
    ws = workbook(client_for(demo["qa"]).get("/customers/export.xlsx?q=C003")).active
    top, headers = header_row(ws)
    row = dict(zip(headers, next(ws.iter_rows(min_row=top + 1, values_only=True))))
    assert row["Warranty (months)"] == 36 and row["8D report (working days)"] == 8
    assert row["First reply (working days)"] == 1 and row["Contract or written agreement"] == "Rahmenvertrag"


def test_an_empty_term_on_the_form_takes_the_house_default(demo, client_for):
    client = client_for(demo["sales"])
    response = client.post("/customers/new/", {**FORM, "warranty_months": "", "report_8d_days": ""})
    assert response.status_code == 302
    terms = Customer.objects.get(code="K7").service_terms
    assert (terms.warranty_months, terms.complaint_reply_days, terms.report_8d_days) == (12, 2, 10)
