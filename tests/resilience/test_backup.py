"""`manage.py backup` / `restore` round trip on PostgreSQL: the counts, the records' content and the uploaded
files' hashes come back as they were; a changed archive is refused and nothing is touched."""

from __future__ import annotations

import hashlib
import io
import tarfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore round trip"),
]


def snapshot(media: Path) -> dict:
    from customer_property.models import Movement, PropertyItem
    from nhcs.accounts.models import User
    from nhcs.workflow.models import Attachment, SignOff

    return {
        "counts": {m.__name__: m.objects.count() for m in (User, PropertyItem, Movement, SignOff, Attachment)},
        "items": list(
            PropertyItem.objects.order_by("pk").values_list("number", "name", "state", "version", "quantity")
        ),
        "signatures": list(SignOff.objects.order_by("pk").values_list("transition", "content_hash")),
        "files": {
            p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media.rglob("*"))
            if p.is_file()
        },
    }


@pytest.fixture
def recorded(demo, settings, tmp_path):
    from customer_property import services
    from nhcs.customers.models import Customer
    from nhcs.workflow import services as wf

    settings.MEDIA_ROOT = tmp_path / "media"
    customer = Customer.objects.create(code="B001", name_zh="备份客户", name_en="Backup customer", language="zh-hans")
    for n in range(3):
        item = services.item_register(
            user=demo["sales"],
            data={
                "customer": customer,
                "kind": "parts",
                "name": f"端子 T-{n}",
                "quantity": Decimal(10 + n),
                "unit": "pcs",
                "received_on": timezone.localdate() - timedelta(days=1),
                "received_from": "Customer's truck",
            },
        )
        upload = SimpleUploadedFile(f"receipt-{n}.pdf", b"%PDF-1.4\n" + bytes([n]) * 2000 + b"\n%%EOF\n")
        wf.transition_record(
            record=item, name="submit", user=demo["sales"], comment="送检", attachments=[(upload, "other", "")]
        )
    return Path(settings.MEDIA_ROOT)


def test_backup_and_restore_round_trip_and_a_changed_archive_is_refused(recorded, tmp_path):
    from customer_property.models import PropertyItem

    before = snapshot(recorded)
    assert before["counts"]["Attachment"] == 3 and len(before["files"]) == 3
    archive = tmp_path / "nhcs.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    # Life goes on after the backup: a record renamed, a file damaged, another removed.
    PropertyItem.objects.filter(pk=PropertyItem.objects.first().pk).update(name="changed after the backup")
    first, second, *_ = sorted(p for p in recorded.rglob("*") if p.is_file())
    first.write_bytes(b"damaged")
    second.unlink()
    assert snapshot(recorded) != before

    out = io.StringIO()
    call_command("restore", str(archive), interactive=False, stdout=out)
    assert "Restored" in out.getvalue()
    assert snapshot(recorded) == before

    # An archive changed after the backup (one byte of one uploaded file) is refused before anything is touched.
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/") and member.name.endswith(first.name):
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, io.BytesIO(data))
    PropertyItem.objects.filter(pk=PropertyItem.objects.first().pk).update(name="kept: the restore was refused")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tampered), interactive=False, stdout=io.StringIO())
    assert "checksum differs" in str(refused.value) and first.name in str(refused.value)
    assert "nothing was restored" in str(refused.value)
    assert PropertyItem.objects.filter(name="kept: the restore was refused").exists()
    assert snapshot(recorded)["files"] == before["files"]
