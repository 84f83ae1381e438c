"""A complaint's flow over HTTP (NH-QP14 4.6): each state and who may act in it, the owner by category, the
investigators, the first reply, Quality's verification and effectiveness check, a complaint that waits for
its actions, a new round when the actions did not work, corrections and withdrawal, overdue reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from complaints.choices import ComplaintState
from complaints.flow import complaint_actions
from complaints.models import Complaint
from nhcs.capa.choices import ActionState
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind, RoundStatus
from nhcs.workflow.models import Attachment, Round, SignOff, Task

from .conftest import (
    INVESTIGATION,
    TODAY,
    act,
    carry_out,
    fresh,
    go,
    messages_of,
    offered,
    raise_action,
    registration,
    to_state,
)

S = ComplaintState
pytestmark = pytest.mark.django_db


def task_rows(client) -> set[tuple[str, str]]:
    """(record number, what is waiting) of each row of the user's task list."""
    import re

    page = client.get("/tasks/").content.decode()
    return set(re.findall(r'class="fw-semibold">([^<]+)</a>.*?</td>\s*<td>([^<]+)</td>', page, re.S))


def task_actors(complaint) -> set[tuple]:
    return {
        (t.department.code if t.department_id else None, t.position, t.assignee_id)
        for t in Task.objects.for_record(complaint).open().select_related("department")
    }


def test_every_state_and_who_may_act_in_it_over_http(demo, client_for, register):
    c = {name: client_for(demo[name]) for name in ("sales", "sales_head", "qa", "qa_head", "rd", "planner")}
    complaint = register(user="sales", category="quality", channel="email")
    assert complaint.number.startswith(f"KS-{TODAY.year}-") and complaint.state == S.REGISTERED

    # registered: the owner of a quality complaint (Quality's head) names the investigators.
    assert "assign" in offered(c["qa_head"], complaint)
    assert "assign" not in offered(c["sales_head"], complaint) and "assign" not in offered(c["qa"], complaint)
    assert act(c["sales_head"], complaint, "assign", data={"investigators": [demo["rd"].pk]}).status_code == 403
    assert act(c["qa_head"], complaint, "assign", data={"investigators": []}).status_code == 400  # nobody named
    assert fresh(complaint).state == S.REGISTERED
    assert act(c["qa_head"], complaint, "assign", data={"investigators": [demo["rd"].pk]}).status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.ASSIGNED and list(complaint.investigators.all()) == [demo["rd"]]
    assert SignOff.objects.for_record(complaint).get(transition="assign").data["investigators"] == [demo["rd"].pk]

    # assigned: the investigators record the containment; nobody else.
    assert "contain" in offered(c["rd"], complaint) and "contain" not in offered(c["qa_head"], complaint)
    containment = {"containment": "库存全检", "contained_on": TODAY.isoformat()}
    assert act(c["qa"], complaint, "contain", data=containment).status_code == 403
    assert act(c["rd"], complaint, "contain", data={**containment, "containment": ""}).status_code == 400
    assert act(c["rd"], complaint, "contain", data=containment).status_code == 302
    complaint = fresh(complaint)
    assert (complaint.state, complaint.containment, complaint.contained_on) == (S.INVESTIGATING, "库存全检", TODAY)

    # investigating: not before an action is raised; only the investigators submit the root cause.
    refused = act(c["rd"], complaint, "submit_investigation", data=INVESTIGATION)
    assert refused.status_code == 400 and "at least one corrective or preventive action" in messages_of(refused)
    assert fresh(complaint).state == S.INVESTIGATING
    action = raise_action(demo, complaint, owner="QA")
    assert action.source_number == complaint.number and action.get_trigger_display() == "Customer complaint"
    assert act(c["qa"], complaint, "submit_investigation", data=INVESTIGATION).status_code == 403
    assert act(c["rd"], complaint, "submit_investigation", data=INVESTIGATION).status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.VERIFICATION
    assert (complaint.root_cause, complaint.cause_category, complaint.whys) == (
        "模具保养未按冲次管理",
        "machine",
        ["端子有毛刺", "冲压模刃口磨损", "模具未按冲次保养"],
    )
    assert complaint.actions_due_on == action.due_on  # Quality's verification falls due with the action

    # verification: Quality verifies only once every action was carried out with its evidence.
    verification = {
        "verification_report": "措施已完成，证据已核",
        "effectiveness_criterion": "随后三批无复发",
        "effectiveness_check_on": (TODAY + timedelta(days=30)).isoformat(),
    }
    refused = act(c["qa"], complaint, "verify", data=verification)
    assert refused.status_code == 400 and action.number in messages_of(refused)
    carry_out(demo, action, verify=False)
    assert act(c["sales"], complaint, "verify", data=verification).status_code == 403
    assert act(c["qa"], complaint, "verify", data=verification).status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.REPLY and complaint.verified_on == TODAY
    assert complaint.effectiveness_check_on == TODAY + timedelta(days=30)

    # reply: Sales replies; the reply letter is kept with the complaint.
    reply = {"replied_on": TODAY.isoformat(), "channel": "email", "summary": "8D 已发送"}
    assert act(c["qa"], complaint, "reply", data=reply).status_code == 403
    assert act(c["sales"], complaint, "reply", data={**reply, "channel": ""}).status_code == 400
    assert act(c["sales"], complaint, "reply", data=reply).status_code == 302
    complaint = fresh(complaint)
    assert (complaint.state, complaint.replied_on, complaint.reply_channel) == (S.EFFECTIVENESS_CHECK, TODAY, "email")
    assert complaint.first_replied_on == TODAY  # no first reply was recorded: this one was the first
    letter = Attachment.objects.for_record(complaint).get()
    assert (letter.kind, letter.purpose, letter.mime_type) == (
        AttachmentKind.LETTER,
        "complaint_reply_letter",
        "application/pdf",
    )

    # effectiveness check: after the agreed period, and once every action's effectiveness is verified.
    check = {"checked_on": TODAY.isoformat(), "result": "三批无复发"}
    refused = act(c["qa"], complaint, "close", data=check)
    assert refused.status_code == 400 and "after the agreed period" in messages_of(refused)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        later = (TODAY + timedelta(days=31)).isoformat()
        c.update({name: client_for(demo[name]) for name in ("sales", "qa")})  # a month later: new sessions
        refused = act(c["qa"], complaint, "close", data={**check, "checked_on": later})
        assert refused.status_code == 400 and action.number in messages_of(refused)
        wf.transition_record(
            record=action, name="verify", user=demo["qa"], data={"checked_on": later, "effectiveness": "有效"}
        )
        assert act(c["sales"], complaint, "close", data={**check, "checked_on": later}).status_code == 403
        assert act(c["qa"], complaint, "close", data={**check, "checked_on": later}).status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.CLOSED and complaint.effectiveness_result == "三批无复发"
    assert not Task.objects.for_record(complaint).open().exists()
    assert offered(c["qa_head"], complaint) == set()
    done = [s.transition for s in SignOff.objects.for_record(complaint).order_by("signed_at", "pk")]
    assert done == ["assign", "contain", "submit_investigation", "verify", "reply", "close"]


def test_quality_complaints_are_qa_heads_tasks_the_others_sales_heads(demo, client_for, register):
    quality = register(category="quality")
    delivery = register(category="delivery", description="Late")
    assert ("QA", "head", None) in task_actors(quality) and ("SALES", "head", None) not in task_actors(quality)
    assert ("SALES", "head", None) in task_actors(delivery) and ("QA", "head", None) not in task_actors(delivery)
    assign = "Assign the investigators"
    qa_tasks, sales_tasks = task_rows(client_for(demo["qa_head"])), task_rows(client_for(demo["sales_head"]))
    assert (quality.number, assign) in qa_tasks and (delivery.number, assign) not in qa_tasks
    assert (delivery.number, assign) in sales_tasks and (quality.number, assign) not in sales_tasks
    assert not {n for n, _label in qa_tasks} & {delivery.number}
    # Sales has the first reply to write for both, until it is recorded.
    assert ("SALES", "", None) in task_actors(quality) and ("SALES", "", None) in task_actors(delivery)


def test_a_category_corrected_from_delivery_to_quality_moves_the_owner(demo, client_for, register):
    complaint = register(category="delivery", description="Late", part_number="")
    assert ("SALES", "head", None) in task_actors(complaint)
    sales = client_for(demo["sales"])
    page = sales.get(f"/complaints/{complaint.pk}/edit/")
    assert page.status_code == 200
    response = sales.post(
        f"/complaints/{complaint.pk}/edit/",
        registration(category="quality", description="Late, and the parts are scratched", part_number=""),
    )
    assert response.status_code == 302, messages_of(response)
    complaint = fresh(complaint)
    assert complaint.category == "quality" and complaint.state == S.REGISTERED
    assert ("QA", "head", None) in task_actors(complaint) and ("SALES", "head", None) not in task_actors(complaint)
    assert "assign" in offered(client_for(demo["qa_head"]), complaint)
    assert "assign" not in offered(client_for(demo["sales_head"]), complaint)
    assert (complaint.number, "Assign the investigators") in task_rows(client_for(demo["qa_head"]))
    assert (complaint.number, "Assign the investigators") not in task_rows(client_for(demo["sales_head"]))


def test_a_correction_after_the_assignment_needs_a_reason_and_goes_back_to_the_owner(demo, client_for, register):
    complaint = go(register(category="quality"), "assign", demo["qa_head"], data={"investigators": [demo["rd"].pk]})
    sales = client_for(demo["sales"])
    page = sales.get(f"/complaints/{complaint.pk}/edit/").content.decode()
    assert 'id="reopen-warning"' in page
    data = registration(category="quality", description="更正：毛刺与划伤", version=complaint.version)
    refused = sales.post(f"/complaints/{complaint.pk}/edit/", data)
    assert refused.status_code == 400 and "reason" in messages_of(refused)
    assert "更正：毛刺与划伤" in refused.content.decode()  # the input is kept
    assert fresh(complaint).description != "更正：毛刺与划伤"
    # Someone else changed the complaint meanwhile: refused, nothing written.
    stale = sales.post(f"/complaints/{complaint.pk}/edit/", {**data, "version": 0, "change_reason": "客户补充"})
    assert stale.status_code == 409 and fresh(complaint).state == S.ASSIGNED
    response = sales.post(f"/complaints/{complaint.pk}/edit/", {**data, "change_reason": "客户补充说明"})
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert (complaint.state, complaint.description) == (S.REGISTERED, "更正：毛刺与划伤")
    rounds = list(Round.objects.for_record(complaint).order_by("number"))
    assert [r.status for r in rounds] == [RoundStatus.SUPERSEDED, RoundStatus.OPEN]
    assert SignOff.objects.for_record(complaint).last().transition == "correct"
    # The investigators of the first round read it still: they are named on it.
    assert client_for(demo["rd"]).get(complaint.get_absolute_url()).status_code == 200
    # Once verified, the registration no longer changes.
    complaint = to_state(demo, complaint, "reply")
    assert sales.get(f"/complaints/{complaint.pk}/edit/").status_code == 403


def test_the_first_reply_is_sales_task_until_recorded(demo, client_for, register):
    complaint = register(category="quality", received_at=timezone.now() - timedelta(days=6))
    assert complaint.reply_due_on is not None and complaint.reply_due_on < TODAY
    sales = client_for(demo["sales"])
    assert (complaint.number, "Record the first reply to the customer") in task_rows(sales)
    reply = {"replied_on": TODAY.isoformat(), "channel": "phone", "summary": "已收到，品质部调查中"}
    assert act(client_for(demo["qa"]), complaint, "first_reply", data=reply).status_code == 403
    future = act(sales, complaint, "first_reply", data={**reply, "replied_on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "cannot be in the future" in future.content.decode()
    early = act(sales, complaint, "first_reply", data={**reply, "replied_on": (TODAY - timedelta(days=10)).isoformat()})
    assert early.status_code == 400 and "before the complaint was received" in early.content.decode()
    assert "已收到，品质部调查中" in early.content.decode()  # the input is kept
    assert act(sales, complaint, "first_reply", data=reply).status_code == 302
    complaint = fresh(complaint)
    assert (complaint.state, complaint.first_replied_on, complaint.first_reply_channel) == (
        S.REGISTERED,
        TODAY,
        "phone",
    )
    assert complaint.first_reply_late()  # after the deadline of the customer's terms
    assert ("SALES", "", None) not in task_actors(complaint) and ("QA", "head", None) in task_actors(complaint)
    assert "first_reply" not in offered(sales, complaint)
    # Later states offer no second first reply either.
    complaint = go(complaint, "assign", demo["qa_head"], data={"investigators": [demo["rd"].pk]})
    assert "first_reply_assigned" not in offered(sales, complaint)
    assert act(sales, complaint, "first_reply_assigned", data=reply).status_code == 403


def test_the_first_reply_can_come_while_the_investigation_runs(demo, client_for, register):
    complaint = to_state(demo, register(category="quality"), "investigating")
    sales = client_for(demo["sales"])
    assert "first_reply_investigating" in offered(sales, complaint)
    reply = {"replied_on": TODAY.isoformat(), "channel": "email", "summary": "围堵已完成"}
    assert act(sales, complaint, "first_reply_investigating", data=reply).status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.INVESTIGATING and complaint.first_replied_on == TODAY
    assert not complaint.first_reply_late()
    assert {(None, "", demo["rd"].pk)} == task_actors(complaint)


def test_cannot_close_with_one_action_open(demo, client_for, register):
    complaint = to_state(demo, register(category="quality"), "investigating")
    first = carry_out(demo, raise_action(demo, complaint, title="修模"), verify=False)
    second = carry_out(demo, raise_action(demo, complaint, owner="PLAN", title="批次追溯"), verify=False)
    complaint = to_state(demo, fresh(complaint), "effectiveness_check", actions=0)
    assert {a.state for a in complaint_actions(complaint)} == {ActionState.IMPLEMENTED}
    # Quality verifies the effectiveness of one action; the other is still open.
    wf.transition_record(
        record=first, name="verify", user=demo["qa"], data={"checked_on": TODAY.isoformat(), "effectiveness": "有效"}
    )
    qa = client_for(demo["qa"])
    refused = act(qa, complaint, "close", data={"checked_on": TODAY.isoformat(), "result": "有效"})
    assert refused.status_code == 400
    text = messages_of(refused)
    assert f"{second.number} (Measures implemented)" in text and first.number not in text
    assert fresh(complaint).state == S.EFFECTIVENESS_CHECK
    blockers = qa.get(complaint.get_absolute_url()).content.decode()
    assert "Corrective actions not verified yet" in blockers and second.number in blockers
    wf.transition_record(
        record=second, name="verify", user=demo["qa"], data={"checked_on": TODAY.isoformat(), "effectiveness": "有效"}
    )
    assert act(qa, complaint, "close", data={"checked_on": TODAY.isoformat(), "result": "有效"}).status_code == 302
    assert fresh(complaint).state == S.CLOSED


def test_not_effective_reopens_the_investigation_in_a_new_round_with_a_new_action(demo, client_for, register):
    complaint = to_state(demo, register(category="quality"), "effectiveness_check")
    qa = client_for(demo["qa"])
    assert act(qa, complaint, "reopen", data={"checked_on": TODAY.isoformat(), "findings": ""}).status_code == 400
    not_effective = {"checked_on": TODAY.isoformat(), "findings": "x"}
    assert act(client_for(demo["sales"]), complaint, "reopen", data=not_effective).status_code == 403
    response = act(qa, complaint, "reopen", data={"checked_on": TODAY.isoformat(), "findings": "新批次仍有毛刺"})
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.INVESTIGATING
    rounds = list(Round.objects.for_record(complaint).order_by("number"))
    assert [r.status for r in rounds] == [RoundStatus.SUPERSEDED, RoundStatus.OPEN]
    assert task_actors(complaint) == {(None, "", demo["rd"].pk)}
    rd = client_for(demo["rd"])
    # The root cause of the last round is offered again; a new action is wanted.
    assert "模具保养未按冲次管理" in rd.get(complaint.get_absolute_url()).content.decode()
    refused = act(rd, complaint, "submit_investigation", data=INVESTIGATION)
    assert refused.status_code == 400 and "in this investigation" in messages_of(refused)
    raise_action(demo, complaint, title="增加首检频次")
    assert act(rd, complaint, "submit_investigation", data=INVESTIGATION).status_code == 302
    assert fresh(complaint).state == S.VERIFICATION


def test_withdrawing_a_complaint_registered_by_mistake(demo, client_for, register):
    complaint = register(category="delivery", description="Duplicate of an e-mail")
    sales = client_for(demo["sales"])
    assert "withdraw" in offered(sales, complaint)
    # Optional: never a task.
    assert all("withdraw" not in t.transitions for t in Task.objects.for_record(complaint))
    assert act(client_for(demo["rd"]), complaint, "withdraw", comment="x").status_code == 404
    refused = act(sales, complaint, "withdraw")
    assert refused.status_code == 400 and "reason" in messages_of(refused)
    assert act(sales, complaint, "withdraw", comment="重复登记").status_code == 302
    complaint = fresh(complaint)
    assert complaint.state == S.WITHDRAWN and not Task.objects.for_record(complaint).open().exists()
    assert SignOff.objects.for_record(complaint).get(transition="withdraw").comment == "重复登记"
    # Not once the investigation has started.
    other = to_state(demo, register(category="quality"), "investigating")
    assert "withdraw" not in offered(sales, other)


def test_a_phone_complaint_is_written_up_first(demo, client_for, register):
    sales = client_for(demo["sales"])
    data = registration(channel="phone", description="客户来电投诉", call_notes="")
    refused = sales.post("/complaints/new/", data)
    assert refused.status_code == 400 and not Complaint.objects.exists()
    assert "written up" in refused.content.decode() and "客户来电投诉" in refused.content.decode()
    response = sales.post("/complaints/new/", {**data, "call_notes": "10:05 陈先生来电：批次 L-7 毛刺"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.call_notes.startswith("10:05") and complaint.created_by == demo["sales"]
    # A write-up removed from a phone complaint blocks the assignment, with the reason.
    Complaint.objects.filter(pk=complaint.pk).update(call_notes="")
    refused = act(client_for(demo["sales_head"]), complaint, "assign", data={"investigators": [demo["rd"].pk]})
    assert refused.status_code == 400 and "write up the call" in messages_of(refused)


def test_the_reply_keeps_the_letter_and_the_8d_the_customer_asked_for(demo, register):
    complaint = to_state(demo, register(category="quality", report_8d_requested=True), "effectiveness_check")
    files = {a.purpose: a for a in Attachment.objects.for_record(complaint)}
    assert set(files) == {"complaint_reply_letter", "complaint_8d_report"}
    assert files["complaint_8d_report"].kind == AttachmentKind.REPORT
    assert [a.seq for a in Attachment.objects.for_record(complaint).order_by("seq")] == [1, 2]
    assert files["complaint_reply_letter"].description_text.startswith("Reply letter to the customer")


def test_an_overdue_action_reminds_its_owner_once_a_day(
    demo, client_for, register, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    complaint = to_state(demo, register(category="quality"), "investigating")
    action = raise_action(demo, complaint, owner="PLAN", due_in=2)
    action = wf.transition_record(record=action, name="set_measures", user=demo["planning_head"])
    action = wf.transition_record(
        record=action, name="distribute", user=demo["planning_head"], data={"departments": [action.owner_department_id]}
    )
    planner = client_for(demo["planner"])
    assert action.number in planner.get("/tasks/").content.decode()

    def remind():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=open("/dev/null", "w"))
        run_jobs()
        return [m for m in mailoutbox if action.number in m.subject]

    with time_machine.travel(timezone.now() + timedelta(days=6)):
        page = planner.get("/tasks/").content.decode()
        assert action.number in page and 'class="overdue"' in page
        mailoutbox.clear()
        reminded = remind()
        addressed = {address for m in reminded for address in m.to}
        assert "planner@nhcs.example" in addressed and "qa@nhcs.example" not in addressed
        assert all("Overdue" in m.subject or "逾期" in m.subject for m in reminded)
        mailoutbox.clear()
        assert remind() == []  # once a day
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        mailoutbox.clear()
        assert remind() != []  # and again the next day
    assert mail.outbox is mailoutbox


def test_a_cancelled_action_holds_nothing_back_but_does_not_count_as_raised(demo, client_for, register):
    complaint = to_state(demo, register(category="quality"), "investigating")
    action = raise_action(demo, complaint)
    wf.transition_record(record=action, name="cancel", user=demo["qa_head"], comment="重复")
    rd = client_for(demo["rd"])
    refused = act(rd, complaint, "submit_investigation", data=INVESTIGATION)
    assert refused.status_code == 400 and fresh(complaint).state == S.INVESTIGATING
    kept = raise_action(demo, complaint, title="修模")
    assert act(rd, complaint, "submit_investigation", data=INVESTIGATION).status_code == 302
    carry_out(demo, kept, verify=False)
    assert complaint_actions(fresh(complaint))[0].state == ActionState.CANCELLED
    verification = {
        "verification_report": "修模完成",
        "effectiveness_criterion": "三批无复发",
        "effectiveness_check_on": TODAY.isoformat(),
    }
    assert act(client_for(demo["qa"]), complaint, "verify", data=verification).status_code == 302
    assert Attachment.objects.for_record(kept).get().kind == AttachmentKind.EVIDENCE


def test_nobody_checks_the_effectiveness_of_a_complaint_they_registered(demo, client_for, register):
    complaint = to_state(demo, register(user="qa_head", category="quality"), "effectiveness_check")
    check = {"checked_on": TODAY.isoformat(), "result": "有效"}
    qa_head = client_for(demo["qa_head"])
    assert "close" not in offered(qa_head, complaint) and "reopen" not in offered(qa_head, complaint)
    assert act(qa_head, complaint, "close", data=check).status_code == 403
    assert act(client_for(demo["qa"]), complaint, "close", data=check).status_code == 302
    assert fresh(complaint).state == S.CLOSED
