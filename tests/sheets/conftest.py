import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nhcs.workflow import services
from nhcs.workflow.choices import AttachmentKind
from tests.flowtest.models import Memo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_text(data: bytes) -> str:
    """Text of a PDF, with poppler's layout when available (it keeps boxes' text together)."""
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font of every page, read with pypdf."""
    from pypdf import PdfReader

    result = []
    for page in PdfReader(BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptors = []
            if "/FontDescriptor" in font:
                descriptors.append(font["/FontDescriptor"].get_object())
            for descendant in font.get("/DescendantFonts", []):
                descendant = descendant.get_object()
                if "/FontDescriptor" in descendant:
                    descriptors.append(descendant["/FontDescriptor"].get_object())
            embedded = any(any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors)
            result.append((str(font.get("/BaseFont")), embedded))
    return result


def write_artifact(name: str, data: bytes) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(data)
    return path


@pytest.fixture
def signed_memo(demo):
    """A memo through submit, review, approve and GM approval, with a change made after submission."""
    sales, head = demo["sales"], demo["sales_head"]
    sales.display_name = "王小明"
    sales.save()
    head.display_name = "李经理"
    head.save()
    memo = services.record_create(
        model=Memo, user=sales, data={"title": "2027 价格表", "body": "一月起新价格。", "price_changed": True}
    )
    memo = services.transition_record(record=memo, name="submit", user=sales, comment="ok")
    # A change after submission recalls the memo into a new round; it is resubmitted.
    memo = services.record_update(record=memo, user=sales, changes={"title": "2027 新价格表"}, reason="客户要求")
    memo = services.transition_record(record=memo, name="submit", user=sales, comment="ok")
    memo = services.transition_record(record=memo, name="review", user=head, comment="ok")
    services.attachment_add(
        record=memo,
        user=sales,
        kind=AttachmentKind.WRITTEN_CONFIRMATION,
        upload=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
    )
    memo = services.transition_record(record=memo, name="approve", user=demo["vgm"], comment="ok")
    memo = services.transition_record(record=memo, name="gm_approve", user=demo["gm"], comment="ok")
    return Memo.objects.get(pk=memo.pk)
