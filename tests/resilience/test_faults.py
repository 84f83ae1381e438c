"""Faults inside one process: a full disk while saving an upload or writing an export, a mail server that
refuses, and the reaper of jobs whose worker died (nhcs.ops.reaper). The pages answer in the user's
language (Chinese first) and nothing the user typed or the database held is lost."""

from __future__ import annotations

import errno
import io
import socket
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from customer_property import services
from customer_property.models import PropertyItem
from nhcs.customers.models import Customer
from nhcs.ops import reaper
from nhcs.ops.storage import StorageFull
from nhcs.sheets.background import disk_full_reason
from nhcs.workflow.models import Attachment, SignOff

FULL = OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def item(demo):
    customer = Customer.objects.create(code="F001", name_zh="故障客户", name_en="Fault customer", language="zh-hans")
    return services.item_register(
        user=demo["sales"],
        data={
            "customer": customer,
            "kind": "parts",
            "name": "Terminal T-20",
            "quantity": Decimal(10),
            "unit": "pcs",
            "received_on": timezone.localdate() - timedelta(days=1),
            "received_from": "Customer's truck",
        },
    )


def chinese(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


def test_a_full_disk_while_saving_an_upload_refuses_in_chinese_and_keeps_the_input(
    demo, client_for, item, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(demo["sales"])
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=FULL):
        response = client.post(
            item.get_absolute_url(),
            {
                "_action": "transition",
                "transition_name": "submit",
                "t-submit-version": item.version,
                "t-submit-transition": "submit",
                "t-submit-comment": "送货单已核对，请检验",
                "t-submit-attachment": upload,
                "t-submit-attachment_kind": "other",
            },
        )
    assert response.status_code == 400
    html = response.content.decode()
    message = chinese(StorageFull.default_message)
    with translation.override("en"):
        assert message != str(StorageFull.default_message)
    assert message in html
    assert "送货单已核对，请检验" in html  # what was typed is on the page again
    fresh = PropertyItem.objects.get(pk=item.pk)
    assert (fresh.state, fresh.version) == (item.state, item.version)
    assert not SignOff.objects.for_record(item).filter(transition="submit").exists()
    assert not Attachment.objects.exists() and not any(Path(tmp_path).rglob("*.pdf"))


class FullDiskFile(io.FileIO):
    """A file on a disk that fills up at the first write."""

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_writing_a_background_export_says_so_in_chinese(
    demo, client_for, item, settings, tmp_path, run_jobs, django_capture_on_commit_callbacks
):
    from nhcs.sheets.models import ExportFile

    settings.MEDIA_ROOT = tmp_path
    settings.NHCS_EXPORT_BACKGROUND_ROWS = 0
    client = client_for(demo["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/property/register.xlsx")
    assert response.status_code == 302
    with mock.patch("nhcs.sheets.background.open", FullDiskFile, create=True):
        run_jobs()
    export = ExportFile.objects.get()
    message = chinese(disk_full_reason())
    assert (export.status, export.error) == ("failed", message)
    assert not list((Path(tmp_path) / "exports").iterdir())  # no partial file left behind
    page = client.get(response.url).content.decode()
    assert message in page


def test_a_refusing_mail_server_never_fails_the_action_and_the_mail_waits_for_a_retry(
    demo, client_for, item, settings, run_jobs, django_capture_on_commit_callbacks
):
    from nhcs.mail.models import Mail

    with socket.socket() as s:  # a port where nobody listens: the server refuses the connection
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    client = client_for(demo["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            item.get_absolute_url(),
            {
                "_action": "transition",
                "transition_name": "submit",
                "t-submit-version": item.version,
                "t-submit-transition": "submit",
                "t-submit-comment": "请检验",
            },
        )
    assert response.status_code == 302
    run_jobs()
    assert PropertyItem.objects.get(pk=item.pk).state != item.state  # the action went through
    mails = list(Mail.objects.all())
    assert mails and all(m.status == "queued" and m.attempts == 1 and m.last_error for m in mails)
    page = client.get(item.get_absolute_url()).content.decode()
    with translation.override("zh-hans"):
        from nhcs.mail.choices import MailStatus

        assert str(MailStatus.QUEUED.label) in page


# --- the reaper of jobs left RUNNING by a dead worker -------------------------------------------------------


def _running_job(*, starts: int, minutes_ago: float = 30):
    from django_tasks_db.models import DBTaskResult

    from nhcs.mail.tasks import send_mail

    result = send_mail.enqueue(mail_id=0, attempt=0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[f"dead-{i}" for i in range(starts)],
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_the_reaper_queues_lost_jobs_again_and_fails_them_after_the_last_start(db, settings):
    settings.NHCS_JOB_REAP_SECONDS = 600
    settings.NHCS_JOB_MAX_STARTS = 3
    lost_once = _running_job(starts=1)
    lost_thrice = _running_job(starts=3)
    recent = _running_job(starts=1, minutes_ago=1)
    assert reaper.reap() == (1, 1)
    lost_once.refresh_from_db()
    lost_thrice.refresh_from_db()
    recent.refresh_from_db()
    assert lost_once.status == "READY" and lost_once.run_after <= timezone.now()
    assert lost_thrice.status == "FAILED" and lost_thrice.exception_class_path == reaper.LOST_ERROR
    assert "3 starts" in lost_thrice.traceback and "NHCS_JOB_MAX_STARTS" in lost_thrice.traceback
    assert recent.status == "RUNNING"  # not yet NHCS_JOB_REAP_SECONDS old


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="live workers are told by PostgreSQL's advisory locks")
def test_the_reaper_never_takes_the_job_of_a_live_worker(db, settings):
    settings.NHCS_JOB_REAP_SECONDS = 1
    job = _running_job(starts=1)
    alive = reaper.Liveness(job.worker_ids[-1])
    alive.hold()
    try:
        assert reaper.reap() == (0, 0)
    finally:
        alive.release()
    assert reaper.reap() == (1, 0)
