"""The engine's second edition on its worked example (tests/flowtest): rounds, optional actions,
actions and steps that carry data, roles from a field with a fallback, due dates on the company
calendar, date-raised tasks, child records and amendments."""

from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from nhcs.workflow import services
from nhcs.workflow.choices import Action, AttachmentKind, RoundStatus, TaskKind, TaskStatus
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.models import CalendarPeriod, Round, SignOff, Task, ValueChange, WorkWeek
from nhcs.workflow.selectors import amendments_for, tasks_for_user
from tests.flowtest.models import Memo, MemoChange, MemoLine, MemoLineChange

from .helpers import advance, new_memo
from .test_engine import confirmation


def approved_memo(demo, **data):
    memo = advance(new_memo(demo["sales"], **data), ("submit", demo["sales"]), ("review", demo["sales_head"]))
    return services.transition_record(
        record=memo,
        name="approve",
        user=demo["vgm"],
        attachments=[(confirmation(), AttachmentKind.WRITTEN_CONFIRMATION, "")],
    )


# --- rounds -------------------------------------------------------------------------------------------


def test_each_submission_is_a_round_and_signoffs_belong_to_it(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    memo = services.transition_record(record=memo, name="return_to_draft", user=demo["sales_head"], comment="fix")
    memo = advance(memo, ("submit", demo["sales"]), ("review", demo["sales_head"]))
    rounds = list(Round.objects.for_record(memo).order_by("number"))
    assert [(r.number, r.status) for r in rounds] == [(1, RoundStatus.SUPERSEDED), (2, RoundStatus.OPEN)]
    assert rounds[0].ended_by_transition == "return_to_draft"
    by_round = {r.number: [s.transition for s in r.signoffs.order_by("signed_at", "pk")] for r in rounds}
    # The return belongs to the round it ends; the next submission opens round 2.
    assert by_round == {1: ["submit", "return_to_draft"], 2: ["submit", "review"]}


def test_earlier_rounds_stay_visible_on_the_page(demo, client_for):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    memo = services.transition_record(record=memo, name="reopen", user=demo["sales"], comment="wrong price")
    memo = advance(memo, ("submit", demo["sales"]))
    page = client_for(demo["sales"]).get(memo.get_absolute_url()).content.decode()
    assert 'data-round="2"' in page and 'data-round="1"' in page
    assert "wrong price" in page


# --- optional actions ------------------------------------------------------------------------------------


def test_optional_actions_are_offered_but_never_tasks_nor_mailed(
    demo, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    memo = new_memo(demo["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        memo = advance(memo, ("submit", demo["sales"]))
    tasks = list(Task.objects.for_record(memo).open())
    names = {n for t in tasks for n in t.transitions.split(",")}
    assert "reopen" not in names and "withdraw" not in names
    # Sales, who may reopen or withdraw, has no task on the submitted memo …
    assert not any(t.object_id == memo.pk for t in tasks_for_user(user=demo["sales"]))
    # … but is offered both, apart from the actions that wait.
    page = client_for(demo["sales"]).get(memo.get_absolute_url()).content.decode()
    optional = page.split('id="optional-actions"')[1]
    assert 'data-transition="reopen"' in optional and 'data-transition="withdraw"' in optional
    assert 'id="no-actions"' in page
    mailed = " ".join(m.subject + m.body for m in mailoutbox)
    assert "Reopen" not in mailed and "重新打开" not in mailed


# --- actions and steps that carry data --------------------------------------------------------------------


def test_an_action_captures_its_data_with_the_signoff_shown_in_the_readers_language(demo, client_for):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    client = client_for(demo["sales_head"])
    response = client.post(
        memo.get_absolute_url(),
        {
            "_action": "transition",
            "transition_name": "review",
            "t-review-version": memo.version,
            "t-review-transition": "review",
            "t-review-comment": "",
            "d-review-rating": "fix",
            "d-review-remark": "Typo in line 2",
        },
    )
    assert response.status_code == 302
    signoff = SignOff.objects.for_record(memo).get(transition="review")
    assert signoff.data == {"rating": "fix", "remark": "Typo in line 2"}  # codes, not labels
    with translation.override("en"):
        assert ("Rating", "Fine after small fixes") in signoff.data_rows
    client.cookies["django_language"] = "en"
    page = client.get(memo.get_absolute_url()).content.decode()
    data = lxml.html.fromstring(page).xpath("//li[@data-signed='review']//dl[contains(@class, 'signoff-data')]")[0]
    shown = [" ".join(e.text_content().split()) for e in data.xpath("./dt|./dd")]
    assert shown == ["Rating", "Fine after small fixes", "Remark", "Typo in line 2"]


def test_a_refused_action_form_keeps_what_was_typed(demo, client_for):
    memo = approved_memo(demo)
    response = client_for(demo["sales"]).post(
        memo.get_absolute_url(),
        {
            "_action": "transition",
            "transition_name": "issue",
            "t-issue-version": memo.version,
            "t-issue-transition": "issue",
            "t-issue-comment": "please acknowledge by Friday",
        },
    )
    assert response.status_code == 400
    assert "please acknowledge by Friday" in response.content.decode()
    assert Memo.objects.get(pk=memo.pk).state == "approved"


def test_a_review_step_carries_its_impact_figures(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    (task,) = services.steps_open(record=memo, keys=["impact"])
    with pytest.raises(Blocked):  # nothing preselected: an opinion must be chosen
        services.step_complete(task=task, user=demo["buyer"], data={"material_bought": "1200"})
    services.step_complete(
        task=task,
        user=demo["buyer"],
        data={"outcome": "conditions", "comment": "use up stock first", "material_bought": "1200", "cost": "350.5"},
    )
    signoff = SignOff.objects.for_record(memo).get(step="impact")
    assert signoff.outcome == "conditions" and signoff.comment == "use up stock first"
    assert signoff.data["material_bought"] == "1200" and signoff.data["cost"] == "350.5"
    with translation.override("en"):
        assert ("Material already bought", "1200") in signoff.data_rows


def test_a_step_checks_separation_of_duties_like_a_transition(demo):
    # Purchasing wrote this memo: Purchasing's own opinion on it is refused.
    memo = new_memo(demo["buyer"])
    (task,) = services.steps_open(record=memo, keys=["impact"])
    with pytest.raises(NotAllowed):
        services.step_complete(task=task, user=demo["buyer"], outcome="accept")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


# --- roles from fields, with a fallback ------------------------------------------------------------------


def test_role_from_a_field_moves_when_the_field_is_corrected(demo):
    memo = advance(new_memo(demo["sales"], category="quality"), ("submit", demo["sales"]))
    open_for = {(t.department.code, t.position) for t in Task.objects.for_record(memo).open() if t.department}
    assert ("QA", "head") in open_for and ("SALES", "head") not in open_for
    with pytest.raises(NotAllowed):
        advance(memo, ("review", demo["sales_head"]))
    # Corrected to a general memo (an edit reopens it): the raiser's head reviews the resubmission.
    memo = services.record_update(record=memo, user=demo["sales"], changes={"category": "general"}, reason="not QA")
    memo = advance(memo, ("submit", demo["sales"]))
    open_for = {(t.department.code, t.position) for t in Task.objects.for_record(memo).open() if t.department}
    assert ("SALES", "head") in open_for and ("QA", "head") not in open_for


def test_a_role_nobody_holds_falls_back_up_the_hierarchy(demo):
    qa_head = demo["qa_head"]
    qa_head.is_active = False
    qa_head.save()
    memo = advance(new_memo(demo["sales"], category="quality"), ("submit", demo["sales"]))
    review = [t for t in Task.objects.for_record(memo).open() if "review" in t.transitions]
    # No Quality head: the deputy GM in charge of Quality holds the task, and may act.
    assert [t.assignee for t in review] == [demo["vgm"]]
    assert any(t.object_id == memo.pk for t in tasks_for_user(user=demo["vgm"]))
    assert advance(memo, ("review", demo["vgm"])).state == "reviewed"


# --- due dates on the company calendar, date-raised tasks ------------------------------------------------


def test_due_dates_count_working_days_and_skip_the_calendars_holidays(demo):
    today = timezone.localdate()
    WorkWeek.objects.create(pk=1)  # Monday to Friday
    CalendarPeriod.objects.create(
        name="春节放假", starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=20)
    )
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))  # 2 working days in "submitted"
    task = next(t for t in Task.objects.for_record(memo).open() if "review" in t.transitions)
    due = timezone.localtime(task.due_at).date()
    assert due > today + timedelta(days=20)
    assert due.weekday() < 5
    # Two working days after the shutdown.
    day, counted = today + timedelta(days=20), 0
    while counted < 2:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    assert due == day


def test_a_due_date_from_a_field_and_a_resting_state(demo):
    effective = timezone.localdate() + timedelta(days=30)
    memo = approved_memo(demo, effective_on=effective)
    task = Task.objects.for_record(memo).open().get()
    assert timezone.localtime(task.due_at).date() >= effective
    memo = services.transition_record(
        record=memo, name="issue", user=demo["sales"], data={"departments": [demo["qa"].department_id]}
    )
    # "Issued" rests: what waits there has no due date and is never overdue.
    assert all(t.due_at is None for t in Task.objects.for_record(memo).open())


def test_a_task_raised_by_a_date_and_cleared_when_done(demo):
    memo = approved_memo(demo, effective_on=timezone.localdate() - timedelta(days=1))
    assert services.date_tasks_refresh() == {"raised": 1, "cleared": 0}
    task = Task.objects.for_record(memo).open().get(kind=TaskKind.DATE)
    assert task.step == "effective" and task.department.code == "SALES"
    assert services.date_tasks_refresh() == {"raised": 0, "cleared": 0}  # raised once
    services.transition_record(
        record=memo, name="issue", user=demo["sales"], data={"departments": [demo["qa"].department_id]}
    )
    assert services.date_tasks_refresh() == {"raised": 0, "cleared": 1}
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


# --- child records ------------------------------------------------------------------------------------------


def test_child_records_are_numbered_within_their_parent_and_gate_its_closing(demo, client_for):
    memo = approved_memo(demo)
    departments = [demo["qa"].department_id, demo["warehouse"].department_id]
    memo = services.transition_record(record=memo, name="issue", user=demo["sales"], data={"departments": departments})
    acks = list(memo.acknowledgements.order_by("pk"))
    assert [a.number for a in acks] == [f"{memo.number}/1", f"{memo.number}/2"]
    with pytest.raises(Blocked) as refused:
        advance(memo, ("close", demo["sales"]))
    assert acks[0].number in " ".join(refused.value.messages())
    # Whoever reads the memo reads its acknowledgements; the warehouse reads its own, to act on it.
    assert client_for(demo["qa_head"]).get(acks[1].get_absolute_url()).status_code == 200
    assert client_for(demo["warehouse"]).get(acks[1].get_absolute_url()).status_code == 200
    assert client_for(demo["warehouse"]).get(acks[0].get_absolute_url()).status_code == 404
    assert client_for(demo["warehouse"]).get(memo.get_absolute_url()).status_code == 404
    # A slow department holds nobody else: each acknowledges on its own.
    services.transition_record(record=acks[1], name="acknowledge", user=demo["warehouse"])
    services.transition_record(record=acks[0], name="acknowledge", user=demo["qa"])
    assert advance(memo, ("close", demo["sales"])).state == "closed"


# --- amendments -------------------------------------------------------------------------------------------


def issued_memo_with_lines(demo):
    memo = approved_memo(demo)
    MemoLine.objects.create(memo=memo, item="A-100", quantity=Decimal("10"), price=Decimal("2.50"))
    return services.transition_record(
        record=memo, name="issue", user=demo["sales"], data={"departments": [demo["qa"].department_id]}
    )


def test_an_approved_change_amends_the_record_and_its_rows_with_change_marks(demo, client_for):
    memo = issued_memo_with_lines(demo)
    line = memo.lines.get()
    change = services.record_create(model=MemoChange, user=demo["sales"], data={"memo": memo, "new_body": "New text."})
    MemoLineChange.objects.create(change=change, line=line, quantity=Decimal("12"))
    MemoLineChange.objects.create(change=change, item="B-200", quantity=Decimal("5"), price=Decimal("1.00"))
    change = services.transition_record(record=change, name="approve", user=demo["vgm"])
    memo = Memo.objects.get(pk=memo.pk)
    assert memo.state == "issued" and memo.body == "New text."
    assert memo.lines.get(pk=line.pk).quantity == Decimal("12")
    assert memo.lines.filter(item="B-200").exists()
    signoff = SignOff.objects.for_record(memo).last()
    assert signoff.action == Action.AMEND and signoff.data["by_number"] == change.number
    assert signoff.content_hash == memo.content_hash()  # the amendment signs the new content
    marks = amendments_for(record=memo)
    (quantity,) = marks[("lines", line.pk, "quantity")]
    assert (quantity.old, quantity.new, quantity.number, quantity.user) == (
        "10.00",
        "12.00",
        change.number,
        demo["vgm"],
    )
    (body,) = marks[("", None, "body")]
    assert (body.old, body.new) == ("New prices from January.", "New text.")
    assert ValueChange.objects.filter(by_number=change.number).count() == 3
    page = client_for(demo["sales"]).get(memo.get_absolute_url()).content.decode()
    assert '<del class="amended-old"' in page and change.number in page
    check = services.signatures_verify(record=memo, user=demo["admin"])
    assert check.intact


def test_only_an_approved_record_of_a_declared_kind_amends(demo):
    memo = issued_memo_with_lines(demo)
    draft_change = services.record_create(model=MemoChange, user=demo["sales"], data={"memo": memo, "new_body": "x"})
    with pytest.raises(NotAllowed):
        services.record_amend(
            target=memo, changes=[services.Amend("body", "x")], by_record=draft_change, user=demo["sales"]
        )
    other = new_memo(demo["sales"])
    with pytest.raises(NotAllowed):
        services.record_amend(target=memo, changes=[services.Amend("body", "x")], by_record=other, user=demo["sales"])
    assert Memo.objects.get(pk=memo.pk).body != "x"


# --- the record page's query budget ----------------------------------------------------------------------


def _queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("state", ["draft", "submitted_with_step", "closed"])
def test_record_page_issues_a_constant_small_number_of_queries(demo, client_for, state):
    def build(n_lines):
        memo = new_memo(demo["sales"])
        for i in range(n_lines):
            MemoLine.objects.create(memo=memo, item=f"L{i}", quantity=1)
        if state == "draft":
            return memo
        memo = advance(memo, ("submit", demo["sales"]))
        services.steps_open(record=memo, keys=["impact"])
        if state == "submitted_with_step":
            return memo
        memo = advance(memo, ("review", demo["sales_head"]))
        memo = services.transition_record(
            record=memo,
            name="approve",
            user=demo["vgm"],
            attachments=[(confirmation(), AttachmentKind.WRITTEN_CONFIRMATION, "")],
        )
        memo = services.transition_record(
            record=memo, name="issue", user=demo["sales"], data={"departments": [demo["qa"].department_id]}
        )
        services.transition_record(record=memo.acknowledgements.get(), name="acknowledge", user=demo["qa"])
        return advance(memo, ("close", demo["sales"]))

    client = client_for(demo["sales_head"])
    small, _ = _queries(client, build(1).get_absolute_url())
    big, sql = _queries(client, build(6).get_absolute_url())
    assert big == small, "\n".join(sql)
    assert big <= 20, "\n".join(sql)
