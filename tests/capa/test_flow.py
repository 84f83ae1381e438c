"""A corrective action's flow over HTTP (NH-QP14 §5, 4.7.4–4.7.5): who may take each step, what each step
needs and captures, new rounds, the customer-feedback step of a customer's opinion, a source that waits
for its actions, and overdue reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from nhcs.accounts.models import Department
from nhcs.capa.choices import ActionState
from nhcs.capa.models import CorrectiveAction
from nhcs.capa.sheets import CAPA_RECORD
from nhcs.sheets.export import fill_signature_boxes
from nhcs.workflow import services as wf
from nhcs.workflow.calendar import add_working_days
from nhcs.workflow.choices import AttachmentKind, RoundStatus
from nhcs.workflow.exceptions import Blocked
from nhcs.workflow.models import Round, SignOff, Task

from .conftest import act, edit, evidence, fresh, planned

S = ActionState


def offered(client, action) -> set[str]:
    """The transitions the action's page offers this user."""
    import re

    page = client.get(f"/actions/{action.pk}/")
    assert page.status_code == 200
    return set(re.findall(r'data-transition="([a-z_]+)"', page.content.decode()))


def open_task_actors(action) -> set[tuple]:
    return {
        (t.department.code if t.department_id else None, t.position, t.assignee_id)
        for t in Task.objects.for_record(action).open().select_related("department")
    }


def test_each_step_by_whom_it_belongs_to(demo, client_for, memo_action):
    action = memo_action(owner="PLAN")
    assert action.number.startswith("CA-") and action.state == S.OPEN
    planning_head, planner = client_for(demo["planning_head"]), client_for(demo["planner"])
    qa, qa_head, sales_head = client_for(demo["qa"]), client_for(demo["qa_head"]), client_for(demo["sales_head"])
    # The owner department's head sets the measures; nobody else is offered it, nor may post it.
    assert "set_measures" in offered(planning_head, action)
    assert "set_measures" not in offered(planner, action) and "set_measures" not in offered(qa_head, action)
    assert act(planner, action, "set_measures").status_code == 403
    # Cancelling (raised in error) is offered to Quality's head and the raising department's head, never a task.
    assert "cancel" in offered(qa_head, action) and "cancel" in offered(sales_head, action)
    assert open_task_actors(action) == {("PLAN", "head", None)}
    # Not before the cause is analysed and the measures and their dates written.
    refused = act(planning_head, action, "set_measures")
    assert refused.status_code == 400 and fresh(action).state == S.OPEN
    assert "分析" in refused.content.decode() or "analysis" in refused.content.decode().lower()
    assert edit(planning_head, action, analysis="排产冲突", measures="每周评审交期", **planned()).status_code == 302
    assert act(planning_head, action, "set_measures").status_code == 302
    assert fresh(action).state == S.MEASURES_SET
    # Distributed by the head, the departments captured with the action.
    departments = [Department.objects.get(code=c).pk for c in ("PLAN", "MFG")]
    assert act(planner, action, "distribute", data={"departments": departments}).status_code == 403
    assert act(planning_head, action, "distribute", data={"departments": departments}).status_code == 302
    action = fresh(action)
    assert action.state == S.DISTRIBUTED and sorted(action.distributed_to.values_list("pk", flat=True)) == sorted(
        departments
    )
    assert SignOff.objects.for_record(action).get(transition="distribute").data == {"departments": departments}
    # A memo is not a customer's opinion: no customer step; the owner department carries the measures out.
    assert "inform_customer" not in offered(client_for(demo["sales"]), action)
    assert "implement" in offered(planner, action) and "implement" not in offered(qa, action)
    # … with the evidence attached.
    refused = act(planner, action, "implement")
    assert refused.status_code == 400 and fresh(action).state == S.DISTRIBUTED
    assert act(planner, action, "implement", upload=evidence()).status_code == 302
    action = fresh(action)
    assert action.state == S.IMPLEMENTED
    assert action.attachments.get().kind == AttachmentKind.EVIDENCE
    # Quality verifies the effectiveness, captured with the action.
    today = timezone.localdate().isoformat()
    verification = {"checked_on": today, "effectiveness": "连续三批交期达成"}
    assert act(planning_head, action, "verify", data=verification).status_code == 403
    assert act(qa, action, "verify", data={"checked_on": today, "effectiveness": ""}).status_code == 400
    assert act(qa, action, "verify", data=verification).status_code == 302
    action = fresh(action)
    assert (action.state, action.effectiveness, action.verified_on) == (
        S.VERIFIED,
        "连续三批交期达成",
        timezone.localdate(),
    )
    # The head of the raising department (Sales raised it) closes it.
    assert act(qa_head, action, "close").status_code == 403
    assert act(sales_head, action, "close").status_code == 302
    assert fresh(action).state == S.CLOSED
    assert not Task.objects.for_record(action).open().exists()


def test_nobody_verifies_what_they_last_changed(demo, client_for, memo_action):
    action = memo_action(owner="QA", raised_by="sales")
    qa_head = client_for(demo["qa_head"])
    edit(qa_head, action, analysis="来料检验漏检", measures="增加抽检", **planned())
    act(qa_head, action, "set_measures")
    act(qa_head, action, "distribute", data={"departments": [demo["qa"].department_id]})
    act(qa_head, action, "implement", upload=evidence())
    data = {"checked_on": timezone.localdate().isoformat(), "effectiveness": "ok"}
    refused = act(qa_head, action, "verify", data=data)
    assert refused.status_code == 403 and fresh(action).state == S.IMPLEMENTED
    assert act(client_for(demo["qa"]), action, "verify", data=data).status_code == 302


def test_the_owner_role_moves_when_the_owner_department_is_corrected(demo, client_for, memo_action):
    action = memo_action(owner="PLAN")
    assert open_task_actors(action) == {("PLAN", "head", None)}
    sales = client_for(demo["sales"])  # the raising department corrects the owner
    assert edit(sales, action, owner_department=Department.objects.get(code="QA").pk).status_code == 302
    assert open_task_actors(action) == {("QA", "head", None)}
    assert "set_measures" in offered(client_for(demo["qa_head"]), action)
    assert "set_measures" not in offered(client_for(demo["planning_head"]), action)
    # An owner department without a head: its task goes up to the deputy GM in charge.
    assert edit(sales, action, owner_department=Department.objects.get(code="WH").pk).status_code == 302
    assert open_task_actors(action) == {(None, "", demo["vgm"].pk)}
    # Outside its first state the measures change only by taking the action back (a new round).
    planning = Department.objects.get(code="PLAN").pk
    edit(sales, action, owner_department=planning, analysis="a", measures="m", **planned())
    act(client_for(demo["planning_head"]), action, "set_measures")
    refused = edit(client_for(demo["planning_head"]), action, measures="m2")
    assert refused.status_code == 400 and fresh(action).measures == "m"  # the reason is required
    assert edit(client_for(demo["planning_head"]), action, measures="m2", change_reason="补充").status_code == 302
    action = fresh(action)
    assert (action.state, action.measures) == (S.OPEN, "m2")
    assert SignOff.objects.for_record(action).last().transition == "revise"


def test_not_effective_opens_a_new_round_for_new_measures(demo, client_for, memo_action):
    action = memo_action(owner="PLAN")
    planning_head, planner, qa = client_for(demo["planning_head"]), client_for(demo["planner"]), client_for(demo["qa"])
    edit(planning_head, action, analysis="排产冲突", measures="每周评审交期", **planned())
    act(planning_head, action, "set_measures")
    act(planning_head, action, "distribute", data={"departments": [demo["planner"].department_id]})
    act(planner, action, "implement", upload=evidence())
    assert act(qa, action, "not_effective", data={"checked_on": timezone.localdate().isoformat()}).status_code == 400
    page = act(
        qa,
        action,
        "not_effective",
        data={"checked_on": timezone.localdate().isoformat(), "findings": "本月仍有两单延误"},
    )
    assert page.status_code == 302
    action = fresh(action)
    assert action.state == S.OPEN
    rounds = list(Round.objects.for_record(action).order_by("number"))
    assert [(r.number, r.status) for r in rounds] == [(1, RoundStatus.SUPERSEDED), (2, RoundStatus.OPEN)]
    finding = SignOff.objects.for_record(action).get(transition="not_effective")
    assert finding.round == rounds[0] and finding.data["findings"] == "本月仍有两单延误"
    # The owner head sets new measures: the sheet's boxes are empty again until the new round is signed.
    assert open_task_actors(action) == {("PLAN", "head", None)}
    boxes = fill_signature_boxes(record=action, boxes=CAPA_RECORD.signature_boxes)
    assert all(box.signature is None for box in boxes)
    # The old due dates are past by then: setting the measures again asks for new ones.
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    refused = act(planning_head, action, "set_measures")
    assert refused.status_code == 400
    edit(planning_head, action, measures="每周评审交期并增加备料", **planned(20))
    assert act(planning_head, action, "set_measures").status_code == 302
    boxes = fill_signature_boxes(record=fresh(action), boxes=CAPA_RECORD.signature_boxes)
    assert boxes[0].signature is not None and boxes[0].signature.name == demo["planning_head"].signature_name


def test_a_survey_answer_needs_the_customer_told_another_source_does_not(demo, client_for, survey_actions, memo_action):
    _response, (survey_action,) = survey_actions()
    memo = memo_action(owner="PLAN")
    assert survey_action.customer_feedback_required and not memo.customer_feedback_required
    planning_head, planner, sales = (
        client_for(demo["planning_head"]),
        client_for(demo["planner"]),
        client_for(demo["sales"]),
    )
    for action in (survey_action, memo):
        edit(planning_head, action, analysis="排产冲突", measures="每周评审交期", **planned())
        act(planning_head, action, "set_measures")
        act(planning_head, action, "distribute", data={"departments": [demo["planner"].department_id]})
    # The survey answer's action waits for Sales to tell the customer, then for the owner department.
    assert open_task_actors(survey_action) == {("SALES", "", None)}
    assert "implement" not in offered(planner, survey_action)
    assert act(planner, survey_action, "implement", upload=evidence()).status_code == 403
    informed = {"informed_on": timezone.localdate().isoformat(), "channel": "phone", "feedback": "电话告知新排产安排"}
    assert act(planner, survey_action, "inform_customer", data=informed).status_code == 403
    assert act(sales, survey_action, "inform_customer", data={**informed, "feedback": ""}).status_code == 400
    assert act(sales, survey_action, "inform_customer", data=informed).status_code == 302
    survey_action = fresh(survey_action)
    assert (survey_action.state, survey_action.customer_feedback) == (S.CUSTOMER_INFORMED, "电话告知新排产安排")
    signoff = SignOff.objects.for_record(survey_action).get(transition="inform_customer")
    assert signoff.data == {
        "informed_on": timezone.localdate().isoformat(),
        "channel": "phone",
        "feedback": "电话告知新排产安排",
    }
    assert open_task_actors(survey_action) == {("PLAN", "", None)}
    assert act(planner, survey_action, "implement", upload=evidence()).status_code == 302
    # The memo's action goes straight to the owner department.
    assert open_task_actors(memo) == {("PLAN", "", None)}
    assert "inform_customer" not in offered(sales, memo)
    assert act(sales, memo, "inform_customer", data=informed).status_code in (403, 404)
    assert act(planner, memo, "implement", upload=evidence()).status_code == 302
    assert fresh(memo).state == S.IMPLEMENTED


def test_a_source_waits_for_every_action_verified_before_it_closes(demo, memo_action):
    from tests.workflow.test_second_edition import approved_memo

    memo = approved_memo(demo)
    memo = wf.transition_record(
        record=memo, name="issue", user=demo["sales"], data={"departments": [demo["qa"].department_id]}
    )
    wf.transition_record(record=memo.acknowledgements.get(), name="acknowledge", user=demo["qa"])
    first = memo_action(owner="PLAN", memo=memo)
    second = memo_action(owner="QA", memo=memo, title="来料检验")
    with pytest.raises(Blocked) as refused:
        wf.transition_record(record=memo, name="close", user=demo["sales"])
    message = " ".join(refused.value.messages())
    assert first.number in message and second.number in message
    # One cancelled (raised in error), the other verified: the memo closes.
    wf.transition_record(record=second, name="cancel", user=demo["qa_head"], comment="重复")
    wf.record_update(
        record=first,
        user=demo["planning_head"],
        changes={
            "analysis": "a",
            "measures": "m",
            "due_on": timezone.localdate() + timedelta(days=10),
            "check_on": timezone.localdate() + timedelta(days=40),
        },
    )
    for name, user, extra in [
        ("set_measures", "planning_head", {}),
        ("distribute", "planning_head", {"data": {"departments": [demo["planner"].department_id]}}),
        ("implement", "planner", {"attachments": [(evidence(), AttachmentKind.EVIDENCE, "")]}),
    ]:
        first = wf.transition_record(record=first, name=name, user=demo[user], **extra)
    with pytest.raises(Blocked) as refused:
        wf.transition_record(record=memo, name="close", user=demo["sales"])
    message = " ".join(refused.value.messages())
    assert first.number in message and second.number not in message
    wf.transition_record(
        record=first,
        name="verify",
        user=demo["qa"],
        data={"checked_on": timezone.localdate().isoformat(), "effectiveness": "有效"},
    )
    assert wf.transition_record(record=memo, name="close", user=demo["sales"]).state == "closed"


def test_an_overdue_action_reminds_its_owner_and_shows_in_their_tasks(
    demo, client_for, memo_action, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    action = memo_action(owner="PLAN")
    planning_head, planner = client_for(demo["planning_head"]), client_for(demo["planner"])
    edit(planning_head, action, analysis="排产冲突", measures="每周评审交期", **planned(days=3))
    act(planning_head, action, "set_measures")
    act(planning_head, action, "distribute", data={"departments": [demo["planner"].department_id]})
    action = fresh(action)
    task = Task.objects.for_record(action).open().get()
    # The owner department's task falls due on the action's due date (a working day of the calendar).
    due = timezone.localtime(task.due_at).date()
    assert (task.department.code, due) == ("PLAN", add_working_days(action.due_on, 0))
    assert action.number in planner.get("/tasks/").content.decode()
    assert not fresh(action).is_overdue
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        assert fresh(action).is_overdue
        page = planner.get("/tasks/").content.decode()
        assert action.number in page and 'class="overdue"' in page
        listed = planner.get("/actions/?overdue=on").content.decode()
        assert f'data-number="{action.number}"' in listed
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=open("/dev/null", "w"))
        run_jobs()
        reminded = [m for m in mailoutbox if action.number in m.subject]
        addressed = {address for m in reminded for address in m.to}
        assert {"planner@nhcs.example", "planning_head@nhcs.example"} <= addressed
        assert all("qa" not in address for address in addressed)
    assert f'data-number="{action.number}"' not in planner.get("/actions/?overdue=on").content.decode()
