import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nhcs.workflow import services
from nhcs.workflow.choices import Action, AttachmentKind, TaskStatus
from nhcs.workflow.exceptions import Blocked, NotAllowed, StaleRecord
from nhcs.workflow.models import SignOff, Task
from nhcs.workflow.selectors import history_for, tasks_for_user

from .helpers import advance, new_memo

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def confirmation():
    return SimpleUploadedFile("confirm.pdf", PDF, content_type="application/pdf")


def test_record_starts_in_draft_numbered_with_a_task_for_its_department(demo):
    memo = new_memo(demo["sales"])
    assert memo.state == "draft"
    assert memo.number.startswith("MEMO-") and memo.number.endswith("-0001")
    assert any(t.object_id == memo.pk for t in tasks_for_user(user=demo["sales"]))
    assert not any(t.object_id == memo.pk for t in tasks_for_user(user=demo["qa"]))


def test_state_cannot_be_set_directly(demo):
    memo = new_memo(demo["sales"])
    with pytest.raises(AttributeError):
        memo.state = "approved"


def test_full_path_writes_one_signoff_per_transition_with_hash(demo):
    memo = new_memo(demo["sales"], price_changed=True)
    memo = advance(memo, ("submit", demo["sales"]), ("review", demo["sales_head"]))
    services.attachment_add(
        record=memo, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    memo = advance(memo, ("approve", demo["vgm"]), ("gm_approve", demo["gm"]))
    assert memo.state == "gm_approved"
    signoffs = list(SignOff.objects.for_record(memo))
    assert [s.action for s in signoffs] == [Action.SUBMIT, Action.REVIEW, Action.APPROVE, Action.APPROVE]
    assert [s.user.username for s in signoffs] == ["sales", "sales_head", "vgm", "gm"]
    assert signoffs[1].department_name == "营销部" and signoffs[1].position == "head"
    assert all(len(s.content_hash) == 64 for s in signoffs)
    # Issued to one department, acknowledged, closed: nothing is left waiting on a closed record.
    qa = demo["qa"].department
    memo = services.transition_record(record=memo, name="issue", user=demo["sales"], data={"departments": [qa.pk]})
    ack = memo.acknowledgements.get()
    services.transition_record(record=ack, name="acknowledge", user=demo["qa"])
    memo = advance(memo, ("close", demo["sales"]))
    assert memo.state == "closed"
    assert not Task.objects.for_record(memo).open().exists()


def test_gm_approval_exists_only_when_the_price_changes(demo):
    memo = new_memo(demo["sales"], price_changed=False)
    memo = advance(memo, ("submit", demo["sales"]), ("review", demo["sales_head"]))
    services.attachment_add(
        record=memo, user=demo["sales"], upload=confirmation(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    memo = advance(memo, ("approve", demo["vgm"]))
    assert services.transition_options(record=memo, user=demo["gm"]) == []
    with pytest.raises(NotAllowed):
        advance(memo, ("gm_approve", demo["gm"]))


def test_requirements_block_with_messages(demo):
    memo = new_memo(demo["sales"], body="")
    with pytest.raises(Blocked) as exc:
        advance(memo, ("submit", demo["sales"]))
    assert "body" in " ".join(exc.value.problems)
    memo.refresh_from_db()
    assert memo.state == "draft"
    assert not SignOff.objects.for_record(memo).exists()


def test_attachment_requirement_and_upload_with_the_transition(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    with pytest.raises(Blocked):
        advance(memo, ("approve", demo["vgm"]))
    memo = services.transition_record(
        record=memo,
        name="approve",
        user=demo["vgm"],
        attachments=[(confirmation(), AttachmentKind.WRITTEN_CONFIRMATION, "fax of 3 May")],
    )
    assert memo.state == "approved"
    assert memo.attachments.get().seq == 1


def test_rejecting_needs_a_reason(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    with pytest.raises(Blocked):
        services.transition_record(record=memo, name="reject", user=demo["vgm"], comment="  ")
    memo = services.transition_record(record=memo, name="reject", user=demo["vgm"], comment="Price too low")
    assert memo.state == "cancelled"
    assert SignOff.objects.for_record(memo).last().comment == "Price too low"


def test_separation_of_duties_creator_and_last_editor(demo):
    # A sales head who wrote the memo may not review it.
    memo = new_memo(demo["sales_head"])
    memo = advance(memo, ("submit", demo["sales_head"]))
    with pytest.raises(NotAllowed):
        advance(memo, ("review", demo["sales_head"]))
    assert "review" not in [o.name for o in services.transition_options(record=memo, user=demo["sales_head"])]
    # ... nor may one who last changed it.
    memo2 = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    memo2 = services.record_update(record=memo2, user=demo["sales_head"], changes={"body": "x"}, reason="typo")
    assert memo2.state == "draft"  # the change recalled it: a new round
    memo2 = advance(memo2, ("submit", demo["sales"]))
    with pytest.raises(NotAllowed):
        advance(memo2, ("review", demo["sales_head"]))


def test_change_marks_need_a_reason_after_draft_and_show_field_diffs(demo):
    memo = new_memo(demo["sales"])
    memo = services.record_update(record=memo, user=demo["sales"], changes={"title": "Draft title"})
    memo = advance(memo, ("submit", demo["sales"]))
    with pytest.raises(Blocked):
        services.record_update(record=memo, user=demo["sales"], changes={"title": "New"}, reason="")
    memo = services.record_update(record=memo, user=demo["sales"], changes={"title": "New"}, reason="Customer fax 12")
    entry = next(e for e in history_for(record=memo) if any(c.field == "title" for c in e.changes))
    assert entry.reason == "Customer fax 12"
    assert entry.user == demo["sales"]
    title_label = str(memo._meta.get_field("title").verbose_name)
    assert [(c.label, c.old, c.new) for c in entry.changes] == [(title_label, "Draft title", "New")]


def test_change_to_an_approved_record_reopens_it(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    memo = services.transition_record(
        record=memo,
        name="approve",
        user=demo["vgm"],
        attachments=[(confirmation(), AttachmentKind.WRITTEN_CONFIRMATION, "")],
    )
    memo = services.record_update(record=memo, user=demo["sales"], changes={"body": "changed"}, reason="Customer asked")
    assert memo.state == "draft"
    last = SignOff.objects.for_record(memo).last()
    assert last.action == Action.REOPEN and last.comment == "Customer asked"


def test_change_refused_in_a_state_the_flow_locks(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    with pytest.raises(NotAllowed):
        services.record_update(record=memo, user=demo["sales"], changes={"body": "x"}, reason="late")


def test_stale_version_is_refused(demo):
    memo = new_memo(demo["sales"])
    old_version = memo.version
    services.record_update(record=memo, user=demo["sales"], changes={"title": "A"})
    with pytest.raises(StaleRecord):
        services.record_update(record=memo, user=demo["sales"], changes={"title": "B"}, expected_version=old_version)
    with pytest.raises(StaleRecord):
        services.transition_record(record=memo, name="submit", user=demo["sales"], expected_version=old_version)


def test_tasks_move_with_the_state(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    open_tasks = Task.objects.for_record(memo).open()
    assert {(t.department.code, t.position) for t in open_tasks if t.department} >= {("SALES", "head")}
    assert any(t.object_id == memo.pk for t in tasks_for_user(user=demo["sales_head"]))
    assert Task.objects.for_record(memo).filter(state="draft", status=TaskStatus.CANCELLED).exists()


def test_next_actors_are_mailed_after_commit(demo, mailoutbox, django_capture_on_commit_callbacks, run_jobs):
    memo = new_memo(demo["sales"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        advance(memo, ("submit", demo["sales"]))
    assert mailoutbox == []  # queued, sent by the worker
    run_jobs()
    recipients = {r for m in mailoutbox for r in m.to}
    assert "sales_head@nhcs.example" in recipients
    assert "qa@nhcs.example" not in recipients
    assert memo.number in mailoutbox[0].subject


def test_deputy_signs_on_behalf_of_the_manager(demo):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    services.delegation_create(
        principal=demo["vgm"], deputy=demo["admin"], starts_on=today, ends_on=today + timedelta(days=7)
    )
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    memo = services.transition_record(
        record=memo,
        name="approve",
        user=demo["admin"],
        attachments=[(confirmation(), AttachmentKind.WRITTEN_CONFIRMATION, "")],
    )
    signoff = SignOff.objects.for_record(memo).last()
    assert signoff.user == demo["admin"] and signoff.on_behalf_of == demo["vgm"]
    assert signoff.position == "vgm"


def test_signoffs_are_never_changed_or_deleted(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    signoff = SignOff.objects.for_record(memo).get()
    signoff.comment = "forged"
    with pytest.raises(PermissionError):
        signoff.save()
    with pytest.raises(PermissionError):
        signoff.delete()
    with pytest.raises(PermissionError):
        SignOff.objects.all().update(comment="x")
    with pytest.raises(PermissionError):
        SignOff.objects.all().delete()


def test_history_shows_state_labels_and_no_empty_entries(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    entries = history_for(record=memo)
    state_changes = [c for e in entries for c in e.changes if c.field == "state"]
    assert [(str(c.old), str(c.new)) for c in state_changes] == [
        (memo.flow.state_label("draft"), memo.flow.state_label("submitted"))
    ]
    assert all(e.changes or e.kind == "+" for e in entries)


def test_refusal_gives_the_reasons_once_without_the_generic_sentence(demo):
    memo = new_memo(demo["sales"], body="")
    with pytest.raises(Blocked) as exc:
        advance(memo, ("submit", demo["sales"]))
    assert exc.value.messages() == exc.value.problems
