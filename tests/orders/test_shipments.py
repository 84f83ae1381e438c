"""Shipments: what was delivered per order line, by the warehouse (or Planning), by hand or from the ERP's
delivery-note export; the order's state follows them, signed by whoever recorded them."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.workflow.choices import TaskStatus
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.models import Attachment, SignOff, Task
from nhcs.workflow.selectors import history_for
from orders import services
from orders.models import Order, Shipment

from .conftest import line, pdf_upload, reload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PO = TODAY - timedelta(days=60)
COMMITTED = PO + timedelta(days=30)  # passed: TODAY - 30
SHIPMENTS = reverse("orders:shipments")
LOG = reverse("orders:shipment_log")
IMPORT = reverse("orders:shipment_import")


@pytest.fixture
def released(make_order, flow, demo):
    """A released order (PO date 60 days ago, committed 30 days after it) with the given lines."""

    def make(lines=None, po_number="PO-SHIP", committed=COMMITTED, po_date=PO, **data):
        lines = lines or [
            line(part_number="A-100", quantity=Decimal("100"), requested_date=committed),
            line(part_number="B-200", quantity=Decimal("50"), requested_date=committed),
        ]
        order = make_order(po_number=po_number, po_date=po_date, lines=lines, **data)
        return flow.to_released(order, committed)

    return make


def lines_of(order):
    return list(reload(order).lines.order_by("pk"))


def post_delivery(client, rows, note="DN-001", shipped_on=TODAY, remark="", query=""):
    """The shipments page's form: one delivery note, its lines (line, quantity, lot, over-delivery, reason)."""
    data = {
        "dn-delivery_note": note,
        "dn-shipped_on": shipped_on.isoformat(),
        "dn-remark": remark,
        "ship-TOTAL_FORMS": len(rows),
        "ship-INITIAL_FORMS": len(rows),
        "ship-MIN_NUM_FORMS": 0,
        "ship-MAX_NUM_FORMS": 200,
    }
    for i, row in enumerate(rows):
        data[f"ship-{i}-line"] = row["line"].pk
        data[f"ship-{i}-quantity"] = "" if row.get("quantity") is None else str(row["quantity"])
        data[f"ship-{i}-lot"] = row.get("lot", "")
        if row.get("over_delivery"):
            data[f"ship-{i}-over_delivery"] = "on"
        data[f"ship-{i}-reason"] = row.get("reason", "")
    return client.post(SHIPMENTS + query, data)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def shipping_signoffs(order):
    return list(
        SignOff.objects.for_record(order)
        .filter(transition__in=["ship_partly", "ship_in_full", "shipments_reversed"])
        .order_by("signed_at", "pk")
    )


def record(user, order_line, quantity, note="DN-X", shipped_on=TODAY, **kw):
    return services.shipments_record(
        user=user,
        delivery_note=note,
        shipped_on=shipped_on,
        entries=[services.ShipmentEntry(line=order_line, quantity=Decimal(quantity), **kw)],
    )


# --- recording by hand, over HTTP ----------------------------------------------------------------------


def test_warehouse_ships_two_lines_then_the_rest_and_signs_each_state(demo, released, client_for):
    order = released()
    a, b = lines_of(order)
    client = client_for(demo["warehouse"])
    page = client.get(SHIPMENTS).content.decode()
    assert f'data-line="{a.pk}"' in page and f'data-line="{b.pk}"' in page and "PO-SHIP" in page

    response = post_delivery(
        client,
        [{"line": a, "quantity": 60, "lot": "L-1"}, {"line": b, "quantity": 20, "lot": "L-2"}],
        note="DN-001",
        shipped_on=TODAY - timedelta(days=35),
    )
    assert response.status_code == 302, messages_of(response)
    order = reload(order)
    assert order.state == "partly_shipped"
    assert sorted(Shipment.objects.values_list("line__part_number", "quantity", "lot", "delivery_note")) == [
        ("A-100", Decimal("60"), "L-1", "DN-001"),
        ("B-200", Decimal("20"), "L-2", "DN-001"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Delivery note DN-001 recorded: 2 lines." in page and f"{order.number}: Partly shipped" in page

    response = post_delivery(
        client,
        [{"line": a, "quantity": 40}, {"line": b, "quantity": 30}],
        note="DN-002",
        shipped_on=TODAY - timedelta(days=31),
    )
    assert response.status_code == 302, messages_of(response)
    order = reload(order)
    assert order.state == "shipped" and order.is_final
    signed = shipping_signoffs(order)
    assert [(s.transition, s.user, s.data["delivery_notes"]) for s in signed] == [
        ("ship_partly", demo["warehouse"], "DN-001"),
        ("ship_in_full", demo["warehouse"], "DN-002"),
    ]
    # The order's history says when it was shipped; nobody has a task for it.
    assert "Shipped in full" in [entry.reason for entry in history_for(record=order)]
    assert not Task.objects.for_record(order).filter(status=TaskStatus.OPEN).exists()
    # Nothing is left to deliver of it.
    assert f'data-order="{order.number}"' not in client.get(SHIPMENTS).content.decode()
    # Its readers see the shipments per line on the order page, shipped in full and on time.
    page = client_for(demo["planner"]).get(order.get_absolute_url()).content.decode()
    assert 'id="shipment-lines"' in page and "DN-001" in page and "DN-002" in page
    assert 'data-on-time="yes"' in page
    assert f'id="fully-shipped-on">{(TODAY - timedelta(days=31)).isoformat()}<' in page


def test_nobody_has_a_task_for_a_released_or_partly_shipped_order_and_no_shipping_action_is_offered(
    demo, released, client_for
):
    order = released()
    assert not Task.objects.for_record(order).filter(status=TaskStatus.OPEN).exists()
    record(demo["warehouse"], lines_of(order)[0], 10)
    order = reload(order)
    assert order.state == "partly_shipped"
    assert not Task.objects.for_record(order).filter(status=TaskStatus.OPEN).exists()
    page = client_for(demo["planner"]).get(order.get_absolute_url()).content.decode()
    assert 'data-transition="ship_' not in page and 'data-transition="cancel"' not in page


def test_over_delivery_needs_the_tick_and_the_reason(demo, released, client_for):
    order = released()
    a, _b = lines_of(order)
    client = client_for(demo["warehouse"])

    response = post_delivery(client, [{"line": a, "quantity": 102, "lot": "L-9"}], note="DN-OVER")
    assert response.status_code == 400
    assert "102 would bring the line to 102, beyond the ordered 100" in messages_of(response)
    assert 'value="DN-OVER"' in response.content.decode() and 'value="102' in response.content.decode()

    response = post_delivery(client, [{"line": a, "quantity": 102, "over_delivery": True}], note="DN-OVER")
    assert response.status_code == 400
    assert "Give the reason for the over-delivery" in messages_of(response)
    assert not Shipment.objects.exists() and reload(order).state == "released"

    response = post_delivery(
        client,
        [{"line": a, "quantity": 102, "over_delivery": True, "reason": "客户邮件同意多交2只"}],
        note="DN-OVER",
    )
    assert response.status_code == 302, messages_of(response)
    entry = Shipment.objects.get()
    assert entry.over_delivery and entry.reason == "客户邮件同意多交2只"
    assert reload(order).state == "partly_shipped"  # B-200 is still open


def test_dates_quantities_and_duplicates_are_checked(demo, released):
    order = released()
    a, b = lines_of(order)
    wh = demo["warehouse"]
    with pytest.raises(Blocked) as refused:
        record(wh, a, 10, shipped_on=PO - timedelta(days=1))
    assert "before the order's PO date" in " ".join(refused.value.messages())
    with pytest.raises(Blocked) as refused:
        record(wh, a, 10, shipped_on=TODAY + timedelta(days=1))
    assert "in the future" in " ".join(refused.value.messages())
    with pytest.raises(Blocked):
        record(wh, a, 0)
    with pytest.raises(Blocked):
        record(wh, a, 10, note=" ")
    record(wh, a, 10, note="DN-7")
    with pytest.raises(Blocked) as refused:
        record(wh, a, 5, note="dn-7")  # the same delivery note for the same line: a duplicate
    assert "already recorded for this line" in " ".join(refused.value.messages())
    record(wh, b, 5, note="DN-7")  # another line of the same note is fine
    assert Shipment.objects.count() == 2


def test_a_reversing_entry_corrects_a_wrong_one_and_nothing_is_deleted(demo, released, client_for):
    order = released(lines=[line(part_number="A-100", quantity=Decimal("100"))])
    (a,) = lines_of(order)
    client = client_for(demo["warehouse"])
    # Typed 100 instead of 10: the order looks shipped in full.
    assert post_delivery(client, [{"line": a, "quantity": 100}], note="DN-100").status_code == 302
    assert reload(order).state == "shipped"
    wrong = Shipment.objects.get()

    url = reverse("orders:shipment_reverse", args=[wrong.pk])
    refused = client.post(url, {"rev-quantity": "95", "rev-reason": ""})
    assert refused.status_code == 400 and Shipment.objects.count() == 1
    response = client.post(url, {"rev-quantity": "90", "rev-reason": "录入错误：实发10只", "next": LOG + "?order=PO"})
    assert response.status_code == 302 and response["Location"] == LOG + "?order=PO"
    reversal = Shipment.objects.exclude(pk=wrong.pk).get()
    assert (reversal.quantity, reversal.reverses, reversal.reason) == (Decimal("-90"), wrong, "录入错误：实发10只")
    assert reversal.delivery_note == "DN-100" and reversal.shipped_on == wrong.shipped_on
    order = reload(order)
    assert order.state == "partly_shipped"
    last = shipping_signoffs(order)[-1]
    assert (last.transition, last.user, last.comment) == ("ship_partly", demo["warehouse"], "录入错误：实发10只")
    # Both entries stay, the log says what the reversal corrects.
    page = client.get(LOG).content.decode()
    assert page.count('class="shipment-row') == 2 and "Reverses DN-100" in page
    # A reversal is not reversed; more than is left of the entry is refused.
    assert client.post(reverse("orders:shipment_reverse", args=[reversal.pk]), {"rev-reason": "x"}).status_code == 400
    assert client.post(url, {"rev-quantity": "11", "rev-reason": "x"}).status_code == 400
    # The rest reversed: nothing shipped any more, the order is released again.
    assert client.post(url, {"rev-reason": "送货单作废"}).status_code == 302
    assert reload(order).state == "released"
    assert shipping_signoffs(order)[-1].transition == "shipments_reversed"
    assert Shipment.objects.count() == 3


def test_shipments_are_never_changed_or_deleted(demo, released):
    order = released()
    (entry,) = record(demo["warehouse"], lines_of(order)[0], 10)
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        Shipment.objects.all().delete()
    with pytest.raises(PermissionError):
        Shipment.objects.update(quantity=1)
    entry.quantity = Decimal("11")
    with pytest.raises(PermissionError):
        entry.save()
    assert Shipment.objects.get().quantity == Decimal("10")


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_a_shipment(demo, released):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    from django.db import IntegrityError, transaction

    order = released()
    record(demo["warehouse"], lines_of(order)[0], 10)
    for sql in ("UPDATE orders_shipment SET quantity = 1", "DELETE FROM orders_shipment"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Shipment.objects.get().quantity == Decimal("10")


def test_only_released_orders_are_shipped(demo, make_order, flow):
    draft = make_order()
    with pytest.raises(Blocked) as refused:
        record(demo["warehouse"], draft.lines.get(), 1, shipped_on=draft.po_date)
    assert "is not released to production" in " ".join(refused.value.messages())


# --- who ------------------------------------------------------------------------------------------------


def test_warehouse_reads_no_order_but_has_its_shipments_pages(demo, released, client_for):
    order = released()
    client = client_for(demo["warehouse"])
    assert client.get(order.get_absolute_url()).status_code == 404
    assert client.get(reverse("orders:order_review_sheet", args=[order.pk, "pdf"])).status_code == 404
    assert client.get(reverse("orders:order_list")).status_code == 404
    assert client.get(reverse("orders:demand_plan_export", args=["xlsx"])).status_code == 404
    page = client.get(SHIPMENTS).content.decode()
    assert 'id="delivery-form"' in page and order.number in page and "PO-SHIP" in page
    assert order.get_absolute_url() not in page
    assert client.get(IMPORT).status_code == 200
    # Signing the order's shipping does not open the order to the warehouse.
    record(demo["warehouse"], lines_of(order)[0], 10)
    assert client.get(order.get_absolute_url()).status_code == 404
    assert client.get(reverse("orders:order_list")).status_code == 404
    log = client.get(LOG).content.decode()
    assert order.number in log and order.get_absolute_url() not in log


def test_warehouse_cannot_download_the_customer_confirmation_of_an_order_it_shipped(demo, released, client_for):
    order = released()
    from nhcs.workflow import services as wf

    attachment = wf.attachment_add(record=order, user=demo["sales"], upload=pdf_upload(), kind="written_confirmation")
    record(demo["warehouse"], lines_of(order)[0], 10)
    response = client_for(demo["warehouse"]).get(reverse("workflow:attachment_download", args=[attachment.pk]))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_planning_ships_too_engineering_reads_but_cannot_record(demo, released, client_for):
    order = released()
    a, _b = lines_of(order)
    planner = client_for(demo["planner"])
    assert post_delivery(planner, [{"line": a, "quantity": 5}], note="DN-PLAN").status_code == 302
    engineer = client_for(demo["engineer"])
    page = engineer.get(SHIPMENTS)
    assert page.status_code == 200 and 'id="delivery-form"' not in page.content.decode()
    assert post_delivery(engineer, [{"line": a, "quantity": 5}], note="DN-ENG").status_code == 403
    assert engineer.get(IMPORT).status_code == 403
    entry = Shipment.objects.get()
    assert engineer.post(reverse("orders:shipment_reverse", args=[entry.pk]), {"rev-reason": "x"}).status_code == 403
    assert engineer.get(LOG).status_code == 200
    with pytest.raises(NotAllowed):
        record(demo["engineer"], a, 5, note="DN-ENG")
    assert Shipment.objects.count() == 1
    # Someone with no part in orders at all gets 404.
    outsider = User.objects.create_user(username="outsider", password="x")
    client = client_for(outsider)
    assert client.get(SHIPMENTS).status_code == 404 and client.get(LOG).status_code == 404


# --- import from the ERP ---------------------------------------------------------------------------------


def workbook(rows, headings=("订单号", "料号", "发货日期", "数量", "送货单号", "批号"), name="erp.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(list(headings))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def import_file(client, upload):
    upload.seek(0)
    return client.post(IMPORT, {"file": upload})


@pytest.fixture
def two_orders(released, customer):
    a = released(po_number="PO-IMP-A")
    b = released(po_number="PO-IMP-B", lines=[line(part_number="C-300", quantity=Decimal("30"))])
    return a, b


def erp_rows(a, b):
    day = TODAY - timedelta(days=33)
    return [
        (a.number, "A-100", day, 100, "DN-E1", "L-A"),
        (a.number, "B-200", day, 10, "DN-E1", "L-B"),
        (b.number, "C-300", day.isoformat(), "30", "DN-E2", ""),
    ]


def test_import_from_the_erp_marks_orders_partly_shipped_and_shipped(demo, client_for, two_orders):
    a, b = two_orders
    client = client_for(demo["warehouse"])
    response = import_file(client, workbook(erp_rows(a, b), name="ERP-送货单-1126.xlsx"))
    assert response.status_code == 302 and response["Location"] == LOG
    assert (reload(a).state, reload(b).state) == ("partly_shipped", "shipped")
    assert Shipment.objects.count() == 3
    assert set(Shipment.objects.values_list("source", "source_file", "entered_by")) == {
        ("erp", "ERP-送货单-1126.xlsx", demo["warehouse"].pk)
    }
    assert [s.user for s in shipping_signoffs(b)] == [demo["warehouse"]]
    page = client.get(LOG).content.decode()
    assert "3 deliveries imported." in page and f"{b.number}: Shipped in full" in page


def test_import_by_customer_and_po_number_with_english_headings_and_a_line_number(demo, client_for, two_orders):
    a, _b = two_orders
    rows = [("T001", "PO-IMP-A", 2, TODAY - timedelta(days=1), 50, "DN-E3", "L-9")]
    upload = workbook(
        rows, headings=("Customer code", "PO number", "Line", "Shipped date", "Qty", "Delivery note", "Lot")
    )
    response = import_file(client_for(demo["planner"]), upload)
    assert response.status_code == 302, messages_of(response)
    assert Shipment.objects.get().line.part_number == "B-200"
    assert reload(a).state == "partly_shipped"


def test_one_bad_row_imports_nothing_and_says_which_and_why(demo, client_for, two_orders):
    a, b = two_orders
    rows = erp_rows(a, b)
    rows[1] = (a.number, "B-200", TODAY - timedelta(days=33), 51, "DN-E1", "L-B")  # 51 of 50
    rows.append((a.number, "Z-999", TODAY, 1, "DN-E1", ""))
    rows.append((b.number, "C-300", TODAY + timedelta(days=3), 1, "DN-E9", ""))
    response = import_file(client_for(demo["warehouse"]), workbook(rows))
    assert response.status_code == 400
    assert not Shipment.objects.exists()
    assert (reload(a).state, reload(b).state) == ("released", "released")
    page = response.content.decode()
    assert "Nothing was imported: correct the rows listed below" in page
    assert page.count("import-refused") == 3 and page.count("import-ok") == 2
    assert 'data-row="3"' in page and "beyond the ordered 50" in page
    assert "has no line for part Z-999" in page
    assert "is in the future" in page


def test_the_same_file_twice_imports_nothing_the_second_time(demo, client_for, two_orders):
    a, b = two_orders
    client = client_for(demo["warehouse"])
    upload = workbook(erp_rows(a, b))
    assert import_file(client, upload).status_code == 302
    signed = SignOff.objects.count()
    response = import_file(client, upload)
    assert response.status_code == 400
    assert "every row of this file was imported before" in messages_of(response)
    assert response.content.decode().count("Duplicate") == 3
    assert Shipment.objects.count() == 3 and SignOff.objects.count() == signed


def test_a_delivery_note_given_twice_for_a_line_in_one_file_is_refused(demo, client_for, two_orders):
    a, b = two_orders
    rows = erp_rows(a, b) + [(a.number, "A-100", TODAY, 1, "DN-E1", "")]
    response = import_file(client_for(demo["warehouse"]), workbook(rows))
    assert response.status_code == 400 and "given twice for this line (first in row 2)" in response.content.decode()
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("erp.csv", b"a,b\n1,2\n"), "is not an Excel workbook (.xlsx)"),
        (SimpleUploadedFile("erp.xlsx", b"this is not a workbook at all"), "cannot be read as an Excel workbook"),
        (SimpleUploadedFile("erp.xlsx", b"PK\x03\x04" + b"\x00" * 100), "cannot be read as an Excel workbook"),
        (workbook([], headings=()), "The workbook is empty."),
        (workbook([("x", "y")], headings=("foo", "bar")), "The first row must hold the column headings"),
        (workbook([]), "headings but no deliveries"),
    ],
    ids=["csv", "garbage", "broken-zip", "empty", "no-headings", "no-rows"],
)
def test_malformed_files_get_a_clear_message(demo, client_for, upload, message):
    response = import_file(client_for(demo["warehouse"]), upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Shipment.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(demo, client_for):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    response = import_file(client_for(demo["warehouse"]), SimpleUploadedFile("erp.xlsx", buffer.getvalue()))
    assert response.status_code == 400 and "cannot be read as an Excel workbook" in response.content.decode()


def test_too_many_rows_are_refused(demo, client_for, two_orders, monkeypatch):
    a, b = two_orders
    monkeypatch.setattr(services, "SHIPMENT_IMPORT_MAX_ROWS", 2)
    response = import_file(client_for(demo["warehouse"]), workbook(erp_rows(a, b)))
    assert response.status_code == 400 and "At most 2 rows per file" in response.content.decode()


# --- on time ---------------------------------------------------------------------------------------------


def test_on_time_is_judged_against_the_committed_date(demo, released):
    wh = demo["warehouse"]
    on_time = released(po_number="PO-ON-TIME")
    a, b = lines_of(on_time)
    record(wh, a, 100, note="DN-1", shipped_on=COMMITTED - timedelta(days=3))
    record(wh, b, 50, note="DN-2", shipped_on=COMMITTED)
    delivery = Order.objects.get(pk=on_time.pk).delivery()
    assert delivery.complete and delivery.fully_shipped_on == COMMITTED and delivery.on_time is True
    assert not delivery.overdue

    late = released(po_number="PO-LATE")
    a, b = lines_of(late)
    record(wh, a, 100, note="DN-3", shipped_on=COMMITTED - timedelta(days=1))
    record(wh, b, 50, note="DN-4", shipped_on=COMMITTED + timedelta(days=2))
    delivery = Order.objects.get(pk=late.pk).delivery()
    assert delivery.fully_shipped_on == COMMITTED + timedelta(days=2) and delivery.on_time is False
    assert [on for _line, on in delivery.line_rows()] == [True, False]

    # Completed by mistake on time, corrected by a reversal, completed late: late.
    corrected = released(po_number="PO-CORR", lines=[line(part_number="A-100", quantity=Decimal("10"))])
    (a,) = lines_of(corrected)
    (wrong,) = record(wh, a, 10, note="DN-5", shipped_on=COMMITTED - timedelta(days=5))
    services.shipment_reverse(user=wh, shipment=wrong, quantity=Decimal("4"), reason="实发6只")
    record(wh, a, 4, note="DN-6", shipped_on=COMMITTED + timedelta(days=1))
    delivery = Order.objects.get(pk=corrected.pk).delivery()
    assert delivery.fully_shipped_on == COMMITTED + timedelta(days=1) and delivery.on_time is False
    assert reload(corrected).state == "shipped"

    # The committed date passed, not shipped in full: overdue and not on time.
    overdue = released(po_number="PO-OVERDUE")
    record(wh, lines_of(overdue)[0], 10, note="DN-7")
    delivery = Order.objects.get(pk=overdue.pk).delivery()
    assert delivery.overdue and delivery.on_time is False and delivery.fully_shipped_on is None

    # Not due yet, partly shipped: cannot be told yet.
    future = released(po_number="PO-FUTURE", committed=TODAY + timedelta(days=10), po_date=TODAY - timedelta(days=30))
    record(wh, lines_of(future)[0], 10, note="DN-8")
    delivery = Order.objects.get(pk=future.pk).delivery()
    assert delivery.on_time is None and not delivery.overdue


def test_overdue_delivery_filter_on_the_order_list(demo, released, client_for):
    wh = demo["warehouse"]
    overdue = released(po_number="PO-LATE-1")
    partly_overdue = released(po_number="PO-LATE-2")
    record(wh, lines_of(partly_overdue)[0], 10)
    shipped = released(po_number="PO-DONE", lines=[line(part_number="A-100", quantity=Decimal("5"))])
    record(wh, lines_of(shipped)[0], 5)
    not_due = released(po_number="PO-NOT-DUE", committed=TODAY + timedelta(days=5), po_date=TODAY - timedelta(days=30))
    client = client_for(demo["sales"])
    response = client.get(reverse("orders:order_list") + "?overdue_delivery=on")
    numbers = {o.number for o in response.context["page"].object_list}
    assert numbers == {overdue.number, partly_overdue.number}
    assert shipped.number not in numbers and not_due.number not in numbers
    assert response.content.decode().count("delivery-overdue") == 2
    assert client.get(reverse("orders:order_list")).context["page"].paginator.count == 4
    # The order page says it too.
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert 'id="delivery-overdue"' in page


# --- pages and sheets --------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_shipments_page_and_log_issue_a_constant_number_of_queries(demo, released, client_for):
    client = client_for(demo["warehouse"])
    first = released(po_number="PO-Q-0")
    record(demo["warehouse"], lines_of(first)[0], 1, note="DN-Q-0")
    few = (_count(client, SHIPMENTS), _count(client, LOG))
    for i in range(1, 6):
        Customer.objects.create(code=f"Q{i:03}", name_zh=f"客户{i}")
        order = released(po_number=f"PO-Q-{i}")
        for j, order_line in enumerate(lines_of(order)):
            record(demo["warehouse"], order_line, 1, note=f"DN-Q-{i}-{j}")
    many = (_count(client, SHIPMENTS), _count(client, LOG))
    assert many == few
    assert client.get(LOG).content.decode().count('class="shipment-row') == 11


def test_order_page_with_shipments_keeps_its_query_budget(demo, released, client_for):
    def build(n, po):
        order = released(po_number=po, lines=[line(part_number=f"P{i}", quantity=Decimal(10)) for i in range(n)])
        for order_line in lines_of(order):
            record(demo["warehouse"], order_line, 4, note=f"{po}-1")
            record(demo["warehouse"], order_line, 3, note=f"{po}-2")
        return reload(order)

    client = client_for(demo["planner"])
    small = _count(client, build(1, "PO-S").get_absolute_url())
    big = _count(client, build(5, "PO-B").get_absolute_url())
    assert big == small and big <= 20


def test_shipment_log_sheet_in_excel_and_pdf_with_the_filters(demo, released, client_for):
    order = released()
    a, b = lines_of(order)
    record(demo["warehouse"], a, 7, note="DN-SHEET", lot="L-7")
    record(demo["warehouse"], b, 3, note="=HYPERLINK(1)")
    client = client_for(demo["warehouse"])
    response = client.get(reverse("orders:shipment_log_export", args=["xlsx"]) + "?delivery_note=SHEET")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    text = [str(v) for r in rows for v in r if v is not None]
    assert "发货记录表" in text[0] and any("NH-QP14-09" in v for v in text)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Shipped on")
    data = [r for r in rows[header + 1 :] if r and r[0]]
    assert len(data) == 1 and data[0][1] == "DN-SHEET" and data[0][6] == 7 and data[0][8] == "L-7"
    everything = client.get(reverse("orders:shipment_log_export", args=["xlsx"]))
    cells = [c for r in load_workbook(io.BytesIO(b"".join(everything.streaming_content))).active.iter_rows() for c in r]
    assert any(c.value == "=HYPERLINK(1)" and c.data_type == "s" for c in cells)
    pdf = client.get(reverse("orders:shipment_log_export", args=["pdf"]) + "?delivery_note=SHEET")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("orders:shipment_log_export", args=["xlsx"]) + "?shipped_after=x").status_code == 400
    outsider = client_for(User.objects.create_user(username="outsider", password="x"))
    assert outsider.get(reverse("orders:shipment_log_export", args=["xlsx"])).status_code == 404


def test_shipments_page_filters(demo, released, client_for, customer):
    other = Customer.objects.create(code="T002", name_zh="另一个客户")
    mine = released(po_number="PO-F-1")
    theirs = released(
        po_number="PO-F-2",
        customer=other,
        committed=TODAY + timedelta(days=20),
        po_date=TODAY - timedelta(days=10),
    )
    client = client_for(demo["warehouse"])

    def orders(query):
        response = client.get(SHIPMENTS + query)
        assert response.status_code == 200
        return {line.order.number for line, _form in response.context["rows"]}

    assert orders("") == {mine.number, theirs.number}
    assert orders(f"?customer={other.pk}") == {theirs.number}
    assert orders("?order=F-1") == {mine.number}
    assert orders("?part=b-2") == {mine.number, theirs.number}
    assert orders(f"?due_before={TODAY.isoformat()}") == {mine.number}
