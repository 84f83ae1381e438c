"""Lists (filters, search, sorting, constant queries), who sees prices, and the two record sheets."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from nhcs.customers.models import Customer
from orders import services
from orders.models import Order

from .conftest import PO_DATE, line, pdf_upload, reload

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
    assert client.get(url).content.decode().count('class="order-row') == Order.objects.count() == 13


def test_order_list_filters_search_and_sorting(demo, make_order, flow, client_for, customer):
    other = Customer.objects.create(code="T002", name_zh="另一个客户")
    a = make_order(po_number="PO-AAA")
    b = make_order(
        po_number="PO-BBB",
        customer=other,
        po_date=PO_DATE - timedelta(days=30),
        lines=[line(requested_date=PO_DATE + timedelta(days=90))],
    )
    c = flow.to_reviewed(make_order(po_number="PO-CCC"))
    c = flow.reply(c, PO_DATE + timedelta(days=30))
    client = client_for(demo["qa"])
    url = reverse("orders:order_list")

    mine = {a.number, b.number, c.number}

    def numbers(query):
        response = client.get(url + query)
        assert response.status_code == 200
        # Only this test's orders, whatever else the database holds.
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
    "username, sees",
    [
        ("sales", True),
        ("planner", True),
        ("qa_head", True),
        ("vgm", True),
        ("gm", True),
        ("engineer", False),
        ("qa", False),
        ("buyer", False),
        ("warehouse", None),
    ],
)
def test_prices_only_for_sales_planning_and_heads(demo, make_order, client_for, username, sees):
    order = make_order()
    client = client_for(demo[username])
    if sees is None:  # not a reader of orders at all: no page, no sheet
        assert client.get(order.get_absolute_url()).status_code == 404
        assert client.get(reverse("orders:demand_plan_export", args=["xlsx"])).status_code == 404
        return
    page = client.get(order.get_absolute_url()).content.decode()
    assert (PRICE in page) is sees
    response = client.get(reverse("orders:demand_plan_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(v.startswith(PRICE) for v in values) is sees
    assert ("Unit price" in values) is sees  # the client reads English (tests/orders/conftest.py)


def _rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_demand_plan_lists_lines_by_delivery_month_with_the_list_filters(demo, make_order, client_for):
    make_order(
        lines=[
            line(part_number="JAN", requested_date=PO_DATE.replace(year=2027, month=1, day=15)),
            line(part_number="DEC", requested_date=PO_DATE.replace(month=12, day=5)),
        ]
    )
    make_order(po_number="PO-OTHER", lines=[line(part_number="OTHER")])
    client = client_for(demo["sales"])
    response = client.get(reverse("orders:demand_plan_export", args=["xlsx"]) + "?q=PO-7788")
    assert response.status_code == 200
    rows = _rows(response)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Delivery month")
    data = [r for r in rows[header + 1 :] if r and r[0]]
    assert [(r[0], r[4]) for r in data] == [("2026-12", "DEC"), ("2027-01", "JAN")]
    assert any("PO-7788" in str(v) for r in rows[:header] for v in r if v)  # the filters print in the header
    pdf = client.get(reverse("orders:demand_plan_export", args=["pdf"]) + "?q=PO-7788")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    refused = client.get(reverse("orders:demand_plan_export", args=["xlsx"]) + "?po_date_after=not-a-date")
    assert refused.status_code == 400


def test_review_detail_sheet_holds_opinions_signoffs_and_dates(demo, make_order, flow, client_for):
    order = flow.to_date_confirmed(make_order(po_number="PO-SHEET"))
    client = client_for(demo["qa"])
    response = client.get(reverse("orders:review_export", args=["xlsx"]) + "?q=PO-SHEET")
    assert response.status_code == 200
    rows = _rows(response)
    row = next(r for r in rows if r and r[0] == order.number)
    text = " ".join(str(v) for v in row if v is not None)
    order = reload(order)
    assert str(demo["engineer"]) in text and str(demo["mfg"]) in text
    assert order.committed_date.isoformat() in text and order.confirmed_on.isoformat() in text
    assert str(demo["planner"]) in text  # sign-offs
    pdf = client.get(reverse("orders:review_export", args=["pdf"]) + "?q=PO-SHEET")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_review_detail_export_queries_do_not_grow_with_rows(demo, make_order, flow, client_for):
    client = client_for(demo["planner"])
    url = reverse("orders:review_export", args=["xlsx"])
    flow.to_reviewed(make_order())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    few = count()
    for i in range(4):
        flow.to_reviewed(make_order(po_number=f"PO-R{i}"))
    assert count() == few


def test_order_review_record_sheet_with_signature_boxes_and_prices_by_permission(demo, make_order, flow, client_for):
    order = flow.to_date_confirmed(make_order())
    url = reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"})
    for username, sees in (("sales", True), ("engineer", False)):
        response = client_for(demo[username]).get(url)
        assert response.status_code == 200
        text = " ".join(str(v) for r in _rows(response) for v in r if v is not None)
        assert ("123.4567" in text) is sees
        assert str(demo["buyer"]) in text and "PCB-1" in text
    pdf = client_for(demo["qa"]).get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_sheets_need_login_and_a_known_format(demo, client, client_for, make_order):
    url = reverse("orders:demand_plan_export", args=["xlsx"])
    assert client.get(url).status_code == 302
    assert client_for(demo["sales"]).get("/orders/sheets/demand-plan.csv").status_code == 404
    order = make_order()
    url = reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"})
    assert client.get(url).status_code == 302


def test_prices_hidden_in_the_lines_form_of_users_without_the_permission(demo, make_order):
    from orders.forms import OrderLineFormSet

    formset = OrderLineFormSet(prefix="lines", show_prices=False)
    assert "unit_price" not in formset.forms[0].fields
    assert services.can_see_prices(demo["sales"]) and not services.can_see_prices(demo["rd"])


def _count_with_sql(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("stage", ["draft", "in_review", "released"])
def test_order_page_issues_a_constant_small_number_of_queries(demo, make_order, flow, client_for, stage):
    """Draft, in review with every opinion open, released: at most 20 queries, whatever the order holds."""

    def build(n, po):
        order = make_order(po_number=po, lines=[line(part_number=f"P{i}") for i in range(n)], req_special="clarify")
        for i in range(n):
            services.clarification_raise(
                order=order, user=demo["sales"], topic="special", question=f"Q{i}?", channel="fax", sent_on=PO_DATE
            )
        if stage == "draft":
            return order
        if stage == "in_review":
            return flow.to_in_review(order)
        for c in order.clarifications.all():
            services.clarification_answer(
                clarification=c, user=demo["sales"], answer="ok", answered_on=PO_DATE, confirmation=pdf_upload()
            )
        return flow.to_released(reload(order))

    client = client_for(demo["planner"])
    small, _ = _count_with_sql(client, build(1, "PO-S").get_absolute_url())
    big, sql = _count_with_sql(client, build(5, "PO-B").get_absolute_url())
    assert big == small, sql
    assert big <= 20, sql


@pytest.mark.parametrize("in_database", [True, False])
def test_review_detail_rows_for_excel_say_what_the_model_columns_say(
    demo, make_order, flow, client_for, monkeypatch, in_database
):
    """review_rows (the Excel path: sign-offs joined by PostgreSQL, or one row per sign-off elsewhere) writes
    exactly what the columns make from model instances: sign-offs of several rounds, opinions with comments,
    both languages; user text starting with "=" stays text in the workbook."""
    from django.db import connection
    from django.utils import translation

    from orders import sheets

    if in_database and connection.vendor != "postgresql":
        pytest.skip("string_agg is PostgreSQL's")
    monkeypatch.setattr(sheets, "_joins_in_database", lambda: in_database)
    rejected = flow.opinions(flow.to_in_review(make_order(po_number="=1+2")), outcomes={"qa": "reject"})
    rejected = flow.go(rejected, "return_to_sales", "planner", comment='=HYPERLINK("http://x","y")')
    rejected = flow.go(rejected, "rework", "sales")
    rejected = flow.go(flow.go(rejected, "submit", "sales", comment="=A1"), "start_review", "planner")
    rejected = flow.go(flow.opinions(rejected, outcomes={"qa": "reject"}), "return_to_sales", "planner")
    flow.to_date_confirmed(make_order(po_number="PO-DONE", lines=[line(), line(part_number="B")]))
    make_order(po_number="PO-NONE")  # no sign-off, no opinion
    base = Order.objects.select_related("customer")
    columns = sheets.REVIEW_DETAIL.columns
    assert {"signoffs", "lines"} <= {c.key for c in columns}
    signoffs = [c.key for c in columns].index("signoffs")
    by_language = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            old = [[c.value(o) for c in columns] for o in sheets.review_queryset(base)]
            new = [[c.value(r) for c in columns] for r in sheets.review_rows(base.order_by("number"), chunk=2)]
        assert new == old and len(old) == 3
        assert all(row[signoffs] for row in old[:2]) and not old[2][signoffs]
        by_language[language] = old
    first = by_language["en"][0][signoffs]
    assert first.count("Submit ") == 2 and "Return " in first  # two rounds, in English
    assert by_language["zh-hans"][0][signoffs] != first
    assert "=1+2" in by_language["en"][0]
    client = client_for(demo["planner"])
    response = client.get(reverse("orders:review_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(c.value == "=1+2" for c in cells)
    assert all(c.data_type == "s" for c in cells if c.value.startswith("="))
