"""Record integrity (issue 10): nothing signed is ever deleted by any path, the admin is read-only after
draft with state labels, sign-off hashes are keyed and shown only to auditors who can verify them, and
history speaks the reader's language."""

import hashlib
import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import translation

from nhcs.accounts.choices import AUDITORS_GROUP
from nhcs.workflow import services
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.exceptions import NotAllowed
from nhcs.workflow.models import Attachment, Round, SignedRecordProtected, SignOff, _json_default
from nhcs.workflow.selectors import history_for
from tests.flowtest.models import Memo

from .helpers import advance, new_memo
from .test_engine import confirmation

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers on PostgreSQL")


def signed_memo(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    services.attachment_add(record=memo, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.FAX)
    return memo


@pytest.fixture
def auditor(demo):
    from nhcs.accounts.services import user_create

    user = user_create(username="auditor", password="x-pass-123", department_code="QA", position="staff")
    user.groups.add(Group.objects.get(name=AUDITORS_GROUP))
    return user


# --- nothing signed is deleted ----------------------------------------------------------------------------


def test_a_signed_record_is_never_deleted_by_any_path(demo):
    memo = signed_memo(demo)
    counts = (SignOff.objects.for_record(memo).count(), Attachment.objects.for_record(memo).count())
    with pytest.raises(SignedRecordProtected):
        memo.delete()
    with pytest.raises(SignedRecordProtected):
        Memo.objects.filter(pk=memo.pk).delete()
    with pytest.raises(PermissionError):
        SignOff.objects.for_record(memo).delete()
    with pytest.raises(PermissionError):
        SignOff.objects.for_record(memo).get().delete()
    with pytest.raises(PermissionError):
        SignOff.objects.for_record(memo).update(comment="forged")
    with pytest.raises(SignedRecordProtected):
        Attachment.objects.for_record(memo).delete()
    with pytest.raises(SignedRecordProtected):
        Attachment.objects.for_record(memo).get().delete()
    with pytest.raises(PermissionError):
        Round.objects.for_record(memo).get().delete()
    assert Memo.objects.filter(pk=memo.pk).exists()
    assert (SignOff.objects.for_record(memo).count(), Attachment.objects.for_record(memo).count()) == counts


def test_a_record_left_in_draft_unsigned_may_still_be_deleted(demo):
    memo = new_memo(demo["sales"])
    memo.delete()
    assert not Memo.objects.filter(pk=memo.pk).exists()


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM workflow_signoff WHERE object_id = %s",
        "UPDATE workflow_signoff SET comment = 'forged' WHERE object_id = %s",
        "DELETE FROM workflow_round WHERE object_id = %s",
        "DELETE FROM workflow_attachment WHERE object_id = %s",
    ],
)
def test_the_database_refuses_what_the_models_refuse(demo, sql):
    memo = signed_memo(demo)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [memo.pk])
    assert SignOff.objects.for_record(memo).count() == 1 and Attachment.objects.for_record(memo).count() == 1


def test_the_admin_shows_signed_records_read_only_with_state_labels(demo, client_for):
    from nhcs.customers.models import Customer
    from orders import services as order_services
    from orders.demo import ALL_IDENTIFIED
    from orders.models import Order

    admin = client_for(demo["admin"])
    # A submitted order is read-only in the admin and cannot be deleted there.
    customer = Customer.objects.get(code="C001")
    order = order_services.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-ADM", "po_date": "2026-11-01", **ALL_IDENTIFIED},
        lines=[{"part_number": "P1", "quantity": 5, "unit": "pcs", "requested_date": "2026-12-31"}],
    )
    order = services.transition_record(record=order, name="submit", user=demo["sales"])
    change = admin.get(f"/admin/orders/order/{order.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert 'name="po_number"' not in page  # read-only: no input
    assert str(Order.flow.state_label("submitted")) in page
    assert admin.post(f"/admin/orders/order/{order.pk}/change/", {"po_number": "X"}).status_code == 403
    assert admin.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = admin.get("/admin/orders/order/").content.decode()
    assert 'value="delete_selected"' not in listing
    assert str(Order.flow.state_label("submitted")) in listing and ">submitted<" not in listing
    assert Order.objects.filter(pk=order.pk).exists()
    # A draft nobody signed may still be corrected there.
    draft = order_services.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-DRAFT", "po_date": "2026-11-01", **ALL_IDENTIFIED},
        lines=[{"part_number": "P1", "quantity": 5, "unit": "pcs", "requested_date": "2026-12-31"}],
    )
    assert 'name="po_number"' in admin.get(f"/admin/orders/order/{draft.pk}/change/").content.decode()


# --- keyed hashes, shown to auditors only, verified on demand ---------------------------------------------


def test_the_signoff_hash_is_keyed_so_hidden_data_cannot_be_guessed_from_it(demo):
    memo = signed_memo(demo)
    signoff = SignOff.objects.for_record(memo).get()
    payload = json.dumps(memo.content_for_hash(), sort_keys=True, default=_json_default, ensure_ascii=False)
    assert signoff.hash_kind == "hmac-sha256"
    assert signoff.content_hash == memo.content_hash()
    assert signoff.content_hash != hashlib.sha256(payload.encode()).hexdigest()


def test_hashes_are_shown_only_to_auditors_who_can_verify_the_signatures(demo, client_for, auditor):
    memo = signed_memo(demo)
    signoff = SignOff.objects.for_record(memo).get()
    prefix = signoff.content_hash[:16]
    page = client_for(demo["sales_head"]).get(memo.get_absolute_url()).content.decode()
    assert prefix not in page and 'id="verify-form"' not in page
    response = client_for(demo["sales_head"]).post(memo.get_absolute_url(), {"_action": "verify"})
    assert response.status_code == 403
    client = client_for(auditor)
    page = client.get(memo.get_absolute_url()).content.decode()
    assert prefix in page and 'id="verify-form"' in page
    response = client.post(memo.get_absolute_url(), {"_action": "verify"}, follow=True)
    assert "记录与最后一次签核时一致" in response.content.decode()
    # Someone changes the data behind the engine's back: the check says so, and shows what changed.
    Memo.objects.filter(pk=memo.pk).update(body="Changed behind the engine's back")
    page = client.post(memo.get_absolute_url(), {"_action": "verify"}, follow=True).content.decode()
    assert "记录在最后一次签核后被改动过" in page


def test_only_auditors_verify(demo):
    memo = signed_memo(demo)
    with pytest.raises(NotAllowed):
        services.signatures_verify(record=memo, user=demo["sales_head"])


# --- separation of duties through deputies ----------------------------------------------------------------


def test_nobody_judges_their_own_record_through_a_deputy(demo):
    from django.utils import timezone

    today = timezone.localdate()
    # The deputy GM's deputy (someone of the general management office) wrote this memo: may not approve it
    # on the deputy GM's behalf.
    services.delegation_create(principal=demo["vgm"], deputy=demo["admin"], starts_on=today, ends_on=today)
    memo = advance(new_memo(demo["admin"], category="quality"), ("submit", demo["sales"]), ("review", demo["qa_head"]))
    services.attachment_add(
        record=memo, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    with pytest.raises(NotAllowed):
        advance(memo, ("approve", demo["admin"]))
    # Nor does the deputy approve what the deputy GM wrote.
    own = advance(new_memo(demo["vgm"], category="quality"), ("submit", demo["sales"]), ("review", demo["qa_head"]))
    services.attachment_add(
        record=own, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    with pytest.raises(NotAllowed):
        advance(own, ("approve", demo["admin"]))
    # Someone else's memo: the deputy approves on the deputy GM's behalf.
    other = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    services.attachment_add(
        record=other, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    other = advance(other, ("approve", demo["admin"]))
    assert SignOff.objects.for_record(other).last().on_behalf_of == demo["vgm"]


def test_a_deputy_must_be_able_to_hold_the_position(demo):
    from datetime import date

    from nhcs.workflow.exceptions import Blocked

    today = date.today()
    with pytest.raises(Blocked):  # Sales may not stand in for the Quality head
        services.delegation_create(principal=demo["qa_head"], deputy=demo["sales"], starts_on=today, ends_on=today)
    services.delegation_create(principal=demo["qa_head"], deputy=demo["qa"], starts_on=today, ends_on=today)
    services.delegation_create(principal=demo["sales_head"], deputy=demo["vgm"], starts_on=today, ends_on=today)


# --- history in the reader's language ---------------------------------------------------------------------


def test_history_and_attachments_speak_the_readers_language(demo):
    memo = signed_memo(demo)
    services.transition_record(
        record=memo,
        name="review",
        user=demo["sales_head"],
        attachments=[(confirmation(), AttachmentKind.OTHER, "")],
    )
    memo = Memo.objects.get(pk=memo.pk)
    attachment = Attachment.objects.for_record(memo).last()
    with translation.override("en"):
        reasons = [e.reason for e in history_for(record=memo)]
        assert reasons[:3] == ["Reviewed", "Submit", "Created"]
        assert attachment.description_text == "Sent with “Review”"
    with translation.override("zh-hans"):
        reasons = [e.reason for e in history_for(record=memo)]
        assert reasons[1:3] == ["提交", "创建"] and reasons[0] != "Reviewed"
        assert attachment.description_text == "随“审核”提交"
    # What is stored is a code, not a sentence in whoever acted's language.
    stored = set(memo.history.values_list("history_change_reason", flat=True))
    assert {"@t:submit", "@t:review", "@created"} <= stored
