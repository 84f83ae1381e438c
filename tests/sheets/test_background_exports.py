"""Long exports in the background (nhcs.sheets.background): the page shows the progress and then offers the
file, to the user who asked only; a killed worker's export is retried; a failed write leaves no file; the
file is deleted after the retention period."""

import io
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from nhcs.customers.models import Customer
from nhcs.sheets import background
from nhcs.sheets.models import ExportFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_customers(settings):
    settings.NHCS_EXPORT_BACKGROUND_ROWS = 5
    Customer.objects.bulk_create([Customer(code=f"BG{i:03}", name_zh=f"客户{i}") for i in range(12)])


def ask(client, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/exports/")
    return ExportFile.objects.get(), response["Location"]


def test_a_long_list_is_made_in_the_background_and_offered_to_whoever_asked(
    demo, client_for, many_customers, run_jobs, django_capture_on_commit_callbacks
):
    sales = client_for(demo["sales"])
    export, page = ask(sales, "/customers/export.xlsx", django_capture_on_commit_callbacks)
    waiting = sales.get(page)
    assert waiting.status_code == 200 and 'id="export-progress"' in waiting.content.decode()
    assert json.loads(sales.get(page + "?format=json").content)["status"] == "queued"
    assert run_jobs() == 1
    status = json.loads(sales.get(page + "?format=json").content)
    assert status["status"] == "done" and status["percent"] == 100 and status["file"]
    export.refresh_from_db()
    assert export.rows_done >= 12 and len(export.token) >= 40
    download = sales.get(status["file"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    codes = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {f"BG{i:03}" for i in range(12)} <= codes
    # Nobody else gets it, not even a manager of the same department.
    other = client_for(demo["sales_head"])
    assert other.get(page).status_code == 404 and other.get(status["file"]).status_code == 404


def test_a_short_list_is_still_answered_at_once(demo, client_for, settings):
    settings.NHCS_EXPORT_BACKGROUND_ROWS = 2000
    response = client_for(demo["sales"]).get("/customers/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_killed_workers_export_is_queued_again_and_made(
    demo, client_for, many_customers, run_jobs, django_capture_on_commit_callbacks
):
    sales = client_for(demo["sales"])
    export, page = ask(sales, "/customers/export.xlsx", django_capture_on_commit_callbacks)
    # The worker took it and was killed: "being made", no progress since.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.RUNNING, attempts=1)
    ExportFile.objects.filter(pk=export.pk).update(updated_at=timezone.now() - timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert sales.get(page).status_code == 200
    assert run_jobs() == 1
    export.refresh_from_db()
    assert export.status == ExportFile.Status.DONE and export.attempts == 2


def test_a_write_that_fails_leaves_no_file(
    demo, client_for, many_customers, run_jobs, django_capture_on_commit_callbacks
):
    sales = client_for(demo["sales"])
    export, page = ask(sales, "/customers/export.xlsx", django_capture_on_commit_callbacks)

    def disk_full(*, out, objects, **kwargs):
        out.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    with mock.patch("nhcs.sheets.export.write_list_xlsx", side_effect=disk_full):
        run_jobs()
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED
    folder = background.file_path(export).parent
    assert not any(folder.glob(f"{export.token}*"))
    assert "failed" in sales.get(page).content.decode().lower() or sales.get(page).status_code == 200


def test_the_file_is_deleted_after_the_retention_period(
    demo, client_for, many_customers, run_jobs, django_capture_on_commit_callbacks
):
    sales = client_for(demo["sales"])
    export, page = ask(sales, "/customers/export.xlsx", django_capture_on_commit_callbacks)
    run_jobs()
    path = background.file_path(export)
    assert path.exists()
    ExportFile.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert sales.get(page).status_code == 404
    assert not path.exists() and not ExportFile.objects.exists()


def test_a_long_orders_record_sheet_is_made_in_the_background(
    demo, client_for, settings, run_jobs, django_capture_on_commit_callbacks
):
    from orders import services
    from tests.orders.conftest import PO_DATE, line

    settings.NHCS_EXPORT_BACKGROUND_RECORD_ROWS = 3
    customer = Customer.objects.create(code="BGO", name_zh="长订单客户")
    order = services.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-LONG", "po_date": PO_DATE},
        lines=[line(part_number=f"P-{i}") for i in range(5)],
    )
    sales = client_for(demo["sales"])
    export, page = ask(sales, f"/orders/{order.pk}/review-sheet.pdf", django_capture_on_commit_callbacks)
    assert run_jobs() == 1
    export.refresh_from_db()
    assert export.status == ExportFile.Status.DONE
    assert background.file_path(export).read_bytes().startswith(b"%PDF")


def test_a_3000_row_list_pdf_is_refused_at_once_pointing_to_excel(demo, client_for):
    """The probe: a 3,000-row list PDF passed gunicorn's timeout (500). Above what renders in about 10 s it is
    refused at once, and the message points to the Excel export."""
    import time

    Customer.objects.bulk_create([Customer(code=f"PDF{i:04}", name_zh=f"客户{i}") for i in range(3000)])
    sales = client_for(demo["sales"])
    sales.cookies["django_language"] = "en"
    started = time.monotonic()
    response = sales.get("/customers/export.pdf")
    assert time.monotonic() - started < 5
    assert response.status_code == 413
    assert "export to Excel" in response.content.decode()
    assert not ExportFile.objects.exists()
