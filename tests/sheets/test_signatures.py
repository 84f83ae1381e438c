"""Signature boxes: which sign-off fills which box, deputies, custom Excel builders."""

import datetime
from io import BytesIO
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from nhcs.sheets.declarations import RecordSheet, SignatureBox
from nhcs.sheets.export import export_record, fill_signature_boxes
from nhcs.workflow import services
from nhcs.workflow.choices import Action, AttachmentKind

from .conftest import PDF, pdf_text
from .test_exports import make_memos


def so(action, transition="", step="", pk=1):
    return SimpleNamespace(action=action, transition=transition, step=step, pk=pk)


def test_box_matching_rules():
    submit = SignatureBox("编制", actions=(Action.SUBMIT,))
    by_transition = SignatureBox("批准", transitions=("vgm_approve",))
    both = SignatureBox("审核", actions=(Action.REVIEW,), transitions=("head_review", "review"))
    step = SignatureBox("品质意见", step="qa")
    assert submit.matches(so("submit", "submit")) and not submit.matches(so("approve", "approve"))
    assert by_transition.matches(so("approve", "vgm_approve")) and not by_transition.matches(
        so("approve", "gm_approve")
    )
    assert both.matches(so("review", "review")) and not both.matches(so("return", "review"))
    assert step.matches(so("review", "", "qa")) and not step.matches(so("review", "", "pur"))
    # A step's sign-off never fills a box declared by action.
    assert not SignatureBox("审核", actions=(Action.REVIEW,)).matches(so("review", "", "qa"))


def test_deputy_signs_on_behalf_of_the_manager(demo, client_for):
    gm, vgm = demo["gm"], demo["vgm"]
    today = timezone.localdate()
    services.delegation_create(principal=gm, deputy=demo["admin"], starts_on=today, ends_on=today)
    memo = make_memos(demo["sales"], 1, price_changed=True)[0]
    memo = services.transition_record(record=memo, name="submit", user=demo["sales"], comment="ok")
    memo = services.transition_record(record=memo, name="review", user=demo["sales_head"], comment="ok")
    services.attachment_add(
        record=memo,
        user=demo["sales"],
        kind=AttachmentKind.WRITTEN_CONFIRMATION,
        upload=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
    )
    memo = services.transition_record(record=memo, name="approve", user=vgm, comment="ok")
    memo = services.transition_record(record=memo, name="gm_approve", user=demo["admin"], comment="ok")
    from tests.flowtest.sheets import MEMO_RECORD

    gm_box = fill_signature_boxes(record=memo, boxes=MEMO_RECORD.signature_boxes)[3]
    assert gm_box.signature.name == demo["admin"].signature_name
    assert gm_box.signature.on_behalf_of == gm.signature_name
    text = pdf_text(client_for(demo["qa"]).get(f"/flowtest/memos/{memo.pk}/sheet.pdf").content)
    assert gm.signature_name in text and demo["admin"].signature_name in text


def test_many_lists_every_matching_signature(demo):
    memo = make_memos(demo["sales"], 1)[0]
    memo = services.transition_record(record=memo, name="submit", user=demo["sales"], comment="ok")
    memo = services.transition_record(record=memo, name="reopen", user=demo["sales"], comment="again")
    memo = services.transition_record(record=memo, name="submit", user=demo["sales"], comment="ok")
    boxes = fill_signature_boxes(
        record=memo, boxes=[SignatureBox("all", actions=(Action.SUBMIT, Action.REOPEN), many=True)]
    )
    # The reopening starts a new round: only the second submission counts.
    assert len(boxes[0].signatures) == 1


def test_custom_xlsx_builder_writes_the_body(demo):
    def builder(*, ws, record, context, request):
        ws.append(["订单号", record.number])
        ws.append(["日期", datetime.date(2026, 11, 25)])

    sheet = RecordSheet(
        "change_notice",
        "flowtest/sheets/memo.html",
        xlsx_builder=builder,
        signature_boxes=[SignatureBox("编制 Prepared")],
    )
    memo = make_memos(demo["sales"], 1)[0]
    services.transition_record(record=memo, name="submit", user=demo["sales"], comment="ok")
    request = RequestFactory().get("/")
    request.user = demo["qa"]
    response = export_record(request=request, sheet=sheet, record=memo, fmt="xlsx", filename="自定义")
    assert "filename*=utf-8''%E8%87%AA%E5%AE%9A%E4%B9%89.xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert any(r[:2] == ("订单号", memo.number) and not any(r[2:]) for r in rows)
    assert any(r[0] == "日期" and r[1] == datetime.datetime(2026, 11, 25) for r in rows)
    assert any(r[0] == "编制 Prepared" and r[1] == demo["sales"].signature_name for r in rows)


def test_a_record_sheet_of_a_plain_model_prints_without_marks_or_signatures(demo):
    from nhcs.accounts.models import Department

    sheet = RecordSheet("customer_property_register", "sheets/pdf/record.html")
    request = RequestFactory().get("/")
    request.user = demo["qa"]
    department = Department.objects.get(code="QA")
    text = pdf_text(export_record(request=request, sheet=sheet, record=department, fmt="pdf", filename="d").content)
    assert "顾客财产登记表" in text and "品质部" in text
