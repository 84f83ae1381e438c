"""Delay notices (NH-QP14 4.4): planning informs sales in writing; sales negotiates with the customer; the
new date takes effect only with the customer's written confirmation (a letter, or the customer's own
confirmation through a link), then amends each order's committed date, the old one struck through on the
production plan & review sheet with the notice, the date and the signer."""

import io
from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from nhcs.links.models import CustomerLink
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.models import Attachment, Task
from nhcs.workflow.selectors import tasks_for_user
from orders import services
from orders.models import DelayNotice, Order
from tests.sheets.conftest import pdf_text

from .conftest import PO_DATE, fresh, pdf_upload, post_action, reload
from .test_flow import shown_messages
from .test_gm_approval import page_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def due_order(released, make_order):
    """A released order of the customer, committed in ten days."""

    def make(po="PO-DUE", committed=None, **data):
        return released(
            po_number=po, po_date=TODAY - timedelta(days=40), committed=committed or TODAY + timedelta(days=10), **data
        )

    return make


@pytest.fixture
def delays(demo):
    class Delays:
        def write(self, *orders, days=7, reason="Moulding machine down"):
            return services.delay_notice_create(
                user=demo["planner"],
                customer=orders[0].customer,
                reason=reason,
                items=[(o, o.committed_date + timedelta(days=days)) for o in orders],
            )

        def to_negotiating(self, notice):
            notice = wf.transition_record(record=fresh(notice), name="issue", user=demo["planner"])
            return wf.transition_record(
                record=notice, name="negotiate", user=demo["sales"], data={"negotiation": "Agreed by phone"}
            )

    return Delays()


def test_planning_writes_a_notice_for_orders_of_one_customer_over_http(demo, due_order, client_for, customer):
    from nhcs.customers.models import Customer

    a, b = due_order("PO-A"), due_order("PO-B", committed=TODAY + timedelta(days=12))
    stranger = due_order("PO-X", customer=Customer.objects.create(code="T009", name_zh="别家", name_en="Other"))
    planner = client_for(demo["planner"])
    url = reverse("orders:delay_create")
    assert client_for(demo["sales"]).get(url).status_code == 403  # planning writes it (4.4)
    page = planner.get(f"{url}?order={a.pk}").content.decode()
    tree = lxml.html.fromstring(page)
    # The customer's released orders are offered, the one it came from ticked; not another customer's.
    rows = {r.get("data-order"): r for r in tree.xpath("//tr[@class='delay-order']")}
    assert set(rows) == {str(a.pk), str(b.pk)} and str(stranger.pk) not in rows
    assert rows[str(a.pk)].xpath(".//input[@type='checkbox'][@checked]")
    data = {
        "d-reason": "Moulding machine down: housings one week late",
        "o-TOTAL_FORMS": 2,
        "o-INITIAL_FORMS": 2,
        "o-0-order": a.pk,
        "o-0-include": "on",
        "o-0-proposed_date": (TODAY + timedelta(days=17)).isoformat(),
        "o-1-order": b.pk,
        "o-1-include": "on",
        "o-1-proposed_date": "",
    }
    response = planner.post(f"{url}?customer={customer.code}", data)
    assert response.status_code == 400 and not DelayNotice.objects.exists()
    data["o-1-proposed_date"] = (TODAY + timedelta(days=12)).isoformat()  # not later than committed
    response = planner.post(f"{url}?customer={customer.code}", data)
    assert response.status_code == 400
    assert shown_messages(response) == [
        f"Order {b.number} is committed for {(TODAY + timedelta(days=12)).isoformat()}: the proposed date must be later."
    ]
    data["o-1-proposed_date"] = (TODAY + timedelta(days=19)).isoformat()
    response = planner.post(f"{url}?customer={customer.code}", data)
    assert response.status_code == 302
    notice = DelayNotice.objects.get()
    assert notice.number.startswith("YC-") and notice.state == "draft"
    assert [(i.order, i.original_date, i.proposed_date) for i in notice.items.order_by("pk")] == [
        (a, TODAY + timedelta(days=10), TODAY + timedelta(days=17)),
        (b, TODAY + timedelta(days=12), TODAY + timedelta(days=19)),
    ]
    # One notice is for one customer.
    with pytest.raises(Blocked) as refused:
        services.delay_notice_create(
            user=demo["planner"], customer=a.customer, reason="x", items=[(stranger, TODAY + timedelta(days=30))]
        )
    assert refused.value.messages() == [
        f"Order {stranger.number} is not an order of T001: one notice is for one customer."
    ]


def test_the_new_date_is_refused_without_the_customers_written_confirmation(demo, due_order, delays, client_for):
    order = due_order()
    notice = delays.write(order)
    sales, planner = client_for(demo["sales"]), client_for(demo["planner"])
    assert post_action(sales, notice, "issue").status_code == 403
    assert post_action(planner, notice, "issue").status_code == 302
    assert [t.label for t in tasks_for_user(user=demo["sales"]) if t.record_number == notice.number] == [
        "Record the negotiation with the customer"
    ]
    response = post_action(sales, notice, "negotiate", **{"d-negotiate-negotiation": ""})
    assert response.status_code == 400 and fresh(notice).state == "issued"
    response = post_action(sales, notice, "negotiate", **{"d-negotiate-negotiation": "Customer agrees by phone"})
    assert response.status_code == 302
    # Agreed by phone is not written: the new date is refused, with a clear message, and nothing changes.
    sales = client_for(demo["sales"])
    response = post_action(sales, notice, "confirm")
    assert response.status_code == 400
    assert shown_messages(response) == [
        "The new date takes effect only with the customer's written confirmation: attach the customer's letter "
        "(fax, e-mail, signed scan), or let the customer confirm through the link."
    ]
    assert fresh(notice).state == "negotiating" and reload(order).committed_date == TODAY + timedelta(days=10)
    # A letter of another kind is no confirmation either.
    wf.attachment_add(
        record=fresh(notice), user=demo["sales"], upload=pdf_upload("memo.pdf"), kind=AttachmentKind.OTHER
    )
    assert post_action(sales, notice, "confirm").status_code == 400
    # The customer's letter, attached with the action: the date is applied and signed by sales.
    response = post_action(
        sales,
        notice,
        "confirm",
        **{
            "t-confirm-attachment": pdf_upload("customer-letter.pdf"),
            "t-confirm-attachment_kind": "written_confirmation",
        },
    )
    assert response.status_code == 302
    order = reload(order)
    assert fresh(notice).state == "confirmed" and order.committed_date == TODAY + timedelta(days=17)
    day = TODAY.isoformat()
    text = " ".join(
        lxml.html.fromstring(client_for(demo["planner"]).get(order.get_absolute_url()).content.decode())
        .xpath("//dd[@id='committed-date']")[0]
        .text_content()
        .split()
    )
    assert text.startswith(
        f"{(TODAY + timedelta(days=10)).isoformat()} ({notice.number} · {day} · {demo['sales']}) {(TODAY + timedelta(days=17)).isoformat()}"
    )


def test_the_customer_confirms_through_the_link_and_sales_applies_the_dates(demo, due_order, delays, client_for):
    a, b = due_order("PO-A"), due_order("PO-B")
    notice = delays.to_negotiating(delays.write(a, b))
    sales = client_for(demo["sales"])
    assert post_action(sales, notice, "confirm").status_code == 400
    # Only sales gives out the link, and only while negotiating.
    link_url = reverse("orders:delay_link", args=[notice.pk])
    assert client_for(demo["planner"]).post(link_url).status_code == 403
    assert sales.post(link_url).status_code == 302
    link = fresh(notice).link
    assert link.purpose == "delay_confirmation" and link.path == f"/c/{link.token}/"
    assert link.url in sales.get(notice.get_absolute_url()).content.decode()
    assert sales.post(link_url).status_code == 302 and fresh(notice).link == link  # the same link again
    # The customer's page, in the customer's language (Chinese), no login.
    customer_page = Client().get(link.path)
    assert customer_page.status_code == 200
    text = page_text(customer_page)
    assert "PO-A" in text and (TODAY + timedelta(days=17)).isoformat() in text and "确认" in text
    response = Client().post(link.path, {"name": "  "})
    assert response.status_code == 400 and 'id="form-error"' in response.content.decode()
    assert fresh(link).used_at is None
    response = Client().post(link.path, {"name": "张经理"}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200 and 'id="delay-confirmed"' in response.content.decode()
    link = CustomerLink.objects.get(pk=link.pk)
    assert link.answered_name == "张经理" and link.answered_ip == "198.51.100.7"
    # The written answer is printed on the letterhead and kept with the notice as the written confirmation.
    answer = Attachment.objects.for_record(notice).get(kind=AttachmentKind.WRITTEN_CONFIRMATION)
    answer_text = "".join(pdf_text(answer.file.read()).split())
    assert (
        "张经理" in answer_text
        and "198.51.100.7" in answer_text
        and (TODAY + timedelta(days=17)).isoformat() in answer_text
    )
    assert Client().post(link.path, {"name": "again"}).status_code == 410  # used once
    # Sales applies the dates: both orders amended.
    assert post_action(sales, notice, "confirm").status_code == 302
    assert {o.committed_date for o in Order.objects.filter(pk__in=[a.pk, b.pk])} == {TODAY + timedelta(days=17)}


def test_a_link_stops_working_when_the_notice_goes_back_to_planning(demo, due_order, delays, client_for):
    notice = delays.to_negotiating(delays.write(due_order()))
    link = services.delay_link_give(notice=fresh(notice), user=demo["sales"])
    response = post_action(
        client_for(demo["sales"]), notice, "return_to_planning", comment="Customer wants 3 days earlier"
    )
    assert response.status_code == 302 and fresh(notice).state == "draft"
    page = Client().get(link.path)
    assert page.status_code == 410 and 'data-kind="closed"' in page.content.decode()


def test_a_notice_whose_dates_changed_meanwhile_is_refused(demo, due_order, delays):
    order = due_order()
    first = delays.to_negotiating(delays.write(order, days=5))
    second = delays.to_negotiating(delays.write(order, days=9))
    for notice in (first, second):
        wf.attachment_add(
            record=fresh(notice), user=demo["sales"], upload=pdf_upload(), kind=AttachmentKind.WRITTEN_CONFIRMATION
        )
    wf.transition_record(record=fresh(first), name="confirm", user=demo["sales"])
    with pytest.raises(Blocked) as refused:
        wf.transition_record(record=fresh(second), name="confirm", user=demo["sales"])
    committed = (TODAY + timedelta(days=15)).isoformat()
    assert refused.value.messages() == [
        f"Order {order.number} is committed for {committed} now, not {(TODAY + timedelta(days=10)).isoformat()}: "
        "return the notice to planning."
    ]


def _apply(matrix, x, y):
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _struck_on(page) -> list[str]:
    texts, lines, start = [], [], []

    def on_text(text, cm, tm, font, size):
        if text.strip():
            x, y = _apply(cm, tm[4], tm[5])
            texts.append((text.strip(), x, y, size * abs(cm[3] or 1)))

    def on_op(op, args, cm, tm):
        if op == b"m":
            start[:] = [_apply(cm, float(args[0]), float(args[1]))]
        elif op == b"l" and start:
            end = _apply(cm, float(args[0]), float(args[1]))
            if abs(end[1] - start[0][1]) < 0.01:
                lines.append((min(start[0][0], end[0]), max(start[0][0], end[0]), start[0][1]))

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_op)
    return [
        text
        for text, x, y, size in texts
        if any(abs(x1 - x) < 1 and x2 > x + 5 and 0 < abs(y - ly) < size for x1, x2, ly in lines)
    ]


def struck_texts(data: bytes) -> list[str]:
    """Texts of a PDF with a line drawn through them: a stroked horizontal line starting where the text starts,
    between its baseline and its top (how WeasyPrint draws text-decoration: line-through)."""
    from pypdf import PdfReader

    return [text for page in PdfReader(io.BytesIO(data)).pages for text in _struck_on(page)]


def test_the_plan_sheet_strikes_the_old_date_through_beside_the_reconfirmed_one(demo, due_order, delays, client_for):
    order = due_order()
    notice = delays.to_negotiating(delays.write(order))
    wf.attachment_add(
        record=fresh(notice), user=demo["sales"], upload=pdf_upload(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    wf.transition_record(record=fresh(notice), name="confirm", user=demo["sales"])
    old, new = (TODAY + timedelta(days=10)).isoformat(), (TODAY + timedelta(days=17)).isoformat()
    client = client_for(demo["qa"])
    pdf = client.get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "pdf"})).content
    text = " ".join(pdf_text(pdf).split())
    # pdftotext still reads both dates, the old one first, then the notice, the date and who signed.
    assert f"{old} {new} ({notice.number} · {TODAY.isoformat()} · {demo['sales']})" in text
    assert old in struck_texts(pdf) and new not in struck_texts(pdf)
    # Excel: the old date in a strike-through font beside the re-confirmed one, the notice and the signer.
    xlsx = client.get(reverse("orders:order_review_sheet", kwargs={"pk": order.pk, "fmt": "xlsx"}))
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = [[c for c in row] for row in ws.iter_rows()]
    row = next(r for r in rows if r[2].value == notice.number)
    assert (f"{row[0].value:%Y-%m-%d}", f"{row[1].value:%Y-%m-%d}", row[3].value) == (old, new, str(demo["sales"]))
    assert row[0].font.strike and not row[1].font.strike


def test_an_overdue_delivery_is_flagged_and_raised_to_the_planning_head_until_a_new_date_is_confirmed(
    demo, due_order, delays, client_for
):
    late = due_order("PO-LATE", committed=TODAY - timedelta(days=2))
    due_order("PO-FINE")
    planner = client_for(demo["planner"])
    url = reverse("orders:order_list") + "?overdue_delivery=on"
    tree = lxml.html.fromstring(planner.get(url).content.decode())
    assert [r.get("data-number") for r in tree.xpath("//tr[@data-number]")] == [late.number]
    wf.date_tasks_refresh()
    task = Task.objects.for_record(late).get(kind="date")
    assert task.label == "Delivery overdue without a confirmed new date: issue a delay notice (4.4)"
    assert [t.record_number for t in tasks_for_user(user=demo["planning_head"]) if t.kind == "date"] == [late.number]
    assert not [t for t in tasks_for_user(user=demo["planner"]) if t.kind == "date"]
    # A delay notice under way: the order stays flagged, with its pending new date shown.
    notice = delays.to_negotiating(delays.write(late, days=12))
    pending = reverse("orders:order_list") + "?delay_pending=on"
    assert late.number in planner.get(pending).content.decode()
    wf.date_tasks_refresh()
    assert Task.objects.for_record(late).get(kind="date").status == "open"
    # The customer confirmed the new date in writing: no longer overdue, and the task is cleared.
    wf.attachment_add(
        record=fresh(notice), user=demo["sales"], upload=pdf_upload(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    wf.transition_record(record=fresh(notice), name="confirm", user=demo["sales"])
    assert late.number not in planner.get(url).content.decode()
    assert late.number not in planner.get(pending).content.decode()
    wf.date_tasks_refresh()
    assert Task.objects.for_record(late).get(kind="date").status == "done"


def test_delay_sheets_lists_and_filters(demo, due_order, delays, client_for):
    from .test_lists_prices_sheets import _rows

    a = delays.write(due_order("PO-A"))
    b = delays.to_negotiating(delays.write(due_order("PO-B")))
    sales = client_for(demo["sales"])
    url = reverse("orders:delay_list")

    def numbers(query):
        tree = lxml.html.fromstring(sales.get(url + query).content.decode())
        return [r.get("data-number") for r in tree.xpath("//tr[@data-number]")]

    assert numbers("") == [b.number, a.number]
    assert numbers("?state=negotiating") == [b.number]
    assert numbers("?order=PO-A") == [a.number]
    assert numbers("?mine=on") == [b.number]  # sales is to apply b's dates
    assert numbers("?ordering=number") == [a.number, b.number]
    log = [
        str(v)
        for row in _rows(sales.get(reverse("orders:delay_list_export", args=["xlsx"]) + "?state=negotiating"))
        for v in row
        if v
    ]
    assert b.number in log and a.number not in log
    sheet = sales.get(reverse("orders:delay_sheet", kwargs={"pk": b.pk, "fmt": "pdf"}))
    text = " ".join(pdf_text(sheet.content).split())
    assert b.number in text and "NH-QP14-17" in text and "Agreed by phone" in text
    cells = [
        str(v)
        for row in _rows(sales.get(reverse("orders:delay_sheet", kwargs={"pk": b.pk, "fmt": "xlsx"})))
        for v in row
        if v
    ]
    assert "Not yet confirmed by the customer in writing." in cells
    # Readers: sales and planning; the warehouse reads none, engineering neither.
    assert client_for(demo["engineer"]).get(b.get_absolute_url()).status_code == 404
    assert client_for(demo["warehouse"]).get(url).status_code == 404


def test_the_delay_page_issues_a_constant_small_number_of_queries(demo, due_order, delays, client_for):
    from .test_change_notices import _count

    small = delays.to_negotiating(delays.write(due_order("PO-1")))
    big = delays.to_negotiating(delays.write(*[due_order(f"PO-B{i}") for i in range(4)]))
    for notice in (small, big):
        services.delay_link_give(notice=fresh(notice), user=demo["sales"])
    client = client_for(demo["sales"])
    few, _ = _count(client, small.get_absolute_url())
    many, sql = _count(client, big.get_absolute_url())
    assert few == many and many <= 20, sql


def test_only_a_released_order_not_shipped_in_full_is_delayed(demo, make_order, flow, delays):
    order = flow.to_reviewed(make_order())
    with pytest.raises(Blocked):
        services.delay_notice_create(
            user=demo["planner"], customer=order.customer, reason="x", items=[(order, PO_DATE)]
        )
    with pytest.raises(NotAllowed):
        services.delay_notice_create(user=demo["sales"], customer=order.customer, reason="x", items=[(order, PO_DATE)])
    assert not Decimal(DelayNotice.objects.count())


def test_planning_edits_its_draft_notice(demo, due_order, delays, client_for):
    a, b = due_order("PO-A"), due_order("PO-B")
    notice = delays.write(a)
    edit = reverse("orders:delay_edit", args=[notice.pk])
    assert client_for(demo["sales"]).get(edit).status_code == 403
    planner = client_for(demo["planner"])
    tree = lxml.html.fromstring(planner.get(edit).content.decode())
    rows = {r.get("data-order"): r for r in tree.xpath("//tr[@class='delay-order']")}
    assert set(rows) == {str(a.pk), str(b.pk)}
    data = {
        "version": notice.version,
        "d-reason": "Both orders wait for the housings",
        "o-TOTAL_FORMS": 2,
        "o-INITIAL_FORMS": 2,
        "o-0-order": a.pk,
        "o-0-include": "on",
        "o-0-proposed_date": (TODAY + timedelta(days=20)).isoformat(),
        "o-1-order": b.pk,
        "o-1-include": "on",
        "o-1-proposed_date": (TODAY + timedelta(days=21)).isoformat(),
    }
    assert planner.post(edit, data).status_code == 302
    notice = fresh(notice)
    assert notice.reason == "Both orders wait for the housings"
    assert [i.proposed_date for i in notice.items.order_by("order__po_number")] == [
        TODAY + timedelta(days=20),
        TODAY + timedelta(days=21),
    ]
    # Once issued it is planning's no more to edit: the customer's answer is awaited on what was sent.
    delays.to_negotiating(notice)
    assert planner.get(edit).status_code == 403
