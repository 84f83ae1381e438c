"""A phone complaint from Sales to its closing, by the demo users: sales logs it (on the demo delivery, a
repeat of an earlier complaint), qa_head assigns rd, rd records the containment, raises two actions and
the root cause, the owners carry the actions out with their evidence, qa verifies, sales replies, qa
closes after the effectiveness check."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Complaint
from nhcs.accounts.models import Department, User
from nhcs.capa.models import CorrectiveAction

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def take(page, transition, data=None, comment="", upload=None):
    form = page.locator(f'form[data-transition="{transition}"]')
    for name, value in (data or {}).items():
        field = form.locator(f'[name="d-{transition}-{name}"]')
        tag = field.first.evaluate("e => e.tagName")
        if tag == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if comment:
        form.locator(f'textarea[name="t-{transition}-comment"]').fill(comment)
    if upload:
        form.locator(f'input[name="t-{transition}-attachment"]').set_input_files(upload)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def state(page, value):
    expect(page.locator("#record-state")).to_have_attribute("data-state", value)


@pytest.mark.demo_areas("orders", "complaints")
def test_a_phone_complaint_from_sales_to_closing(page, live_demo, tmp_path):
    today = timezone.localdate()
    base = live_demo.url
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(PDF)
    earlier = Complaint.objects.get(rma_number="DEMO-RMA-001")

    # Sales takes the call and writes it up; the delivery is picked from the shipments, the earlier
    # complaint of the same customer and product is offered on entry and linked.
    live_demo(page, "sales")
    page.goto(f"{base}/complaints/")
    page.click("#complaint-new")
    page.select_option("#id_customer", str(earlier.customer_id))
    page.fill("#id_find", "L-DEMO-01")
    page.click("#complaint-lookup")
    page.wait_for_load_state()
    page.select_option("#id_delivery", index=1)
    page.select_option("#id_channel", "phone")
    page.select_option("#id_category", "quality")
    page.fill("#id_description", "端子毛刺 Burrs again on the latest lot")
    page.click("#complaint-save")
    page.wait_for_load_state()
    # Not without the write-up of the call: the input is kept.
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("#id_description")).to_have_value("端子毛刺 Burrs again on the latest lot")
    page.fill("#id_call_notes", "09:40 陈先生来电：最新一批端子仍有毛刺，要求 8D。")
    page.click("#complaint-lookup")
    page.wait_for_load_state()
    expect(page.locator(f'.earlier-complaint[data-number="{earlier.number}"]')).to_be_visible()
    page.check(f'.earlier-complaint[data-number="{earlier.number}"] input')
    page.select_option("#id_delivery", index=1)
    page.check("#id_report_8d_requested")
    page.click("#complaint-save")
    page.wait_for_load_state()
    state(page, "registered")
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint.lot == "L-DEMO-01" and complaint.order_number and complaint.links.get().earlier == earlier
    url = f"{base}{complaint.get_absolute_url()}"
    expect(page.locator("#repeat-badge")).to_be_visible()
    take(page, "first_reply", {"summary": "已收到，品质部组织调查"})
    state(page, "registered")
    live_demo.logout(page)

    # Quality's head owns a quality complaint and names the investigator.
    live_demo(page, "qa_head")
    page.goto(f"{base}/tasks/")
    expect(page.locator("#my-tasks .task-table")).to_contain_text(complaint.number)
    page.goto(url)
    take(page, "assign", {"investigators": str(User.objects.get(username="rd").pk)})
    state(page, "assigned")
    live_demo.logout(page)

    # R&D contains, raises a corrective and a preventive action, and records the root cause.
    live_demo(page, "rd")
    page.goto(url)
    take(page, "contain", {"containment": "在途及库存全检，隔离毛刺品 80 只"})
    state(page, "investigating")
    for kind, owner, title in (("corrective", "QA", "冲压模刃口修磨"), ("preventive", "PLAN", "模具按冲次保养计划")):
        page.click("#raise-action")
        page.select_option("#id_act-kind", kind)
        page.select_option("#id_act-owner_department", str(Department.objects.get(code=owner).pk))
        page.fill("#id_act-title", title)
        page.fill("#id_act-analysis", "冲压模刃口磨损")
        page.fill("#id_act-measures", f"{title}，并记录")
        page.fill("#id_act-due_on", (today + timedelta(days=5)).isoformat())
        page.fill("#id_act-check_on", (today + timedelta(days=30)).isoformat())
        page.click("#action-save")
        page.wait_for_load_state()
    expect(page.locator(".action-row")).to_have_count(2)
    take(
        page,
        "submit_investigation",
        {
            "why_1": "端子有毛刺",
            "why_2": "冲压模刃口磨损",
            "why_3": "模具未按冲次保养",
            "cause_machine": "刃口磨损",
            "cause_category": "machine",
            "root_cause": "模具保养未按冲次管理",
        },
    )
    state(page, "verification")
    live_demo.logout(page)

    # The owner departments carry the actions out with their evidence.
    actions = {a.owner_department.code: a for a in CorrectiveAction.objects.for_source(complaint)}
    for head, staff, code in (("qa_head", "qa", "QA"), ("planning_head", "planner", "PLAN")):
        action_url = f"{base}{actions[code].get_absolute_url()}"
        live_demo(page, head)
        page.goto(action_url)
        take(page, "set_measures")
        take(page, "distribute")
        state(page, "distributed")
        live_demo.logout(page)
        live_demo(page, staff)
        page.goto(action_url)
        take(page, "implement", upload=str(evidence))
        state(page, "implemented")
        live_demo.logout(page)

    # Quality verifies each action's effectiveness and the complaint's actions, with the report.
    live_demo(page, "qa")
    for action in actions.values():
        page.goto(f"{base}{action.get_absolute_url()}")
        take(page, "verify", {"effectiveness": "首件及巡检无毛刺"})
        state(page, "verified")
    page.goto(url)
    take(
        page,
        "verify",
        {
            "verification_report": "两项措施已完成，证据已核",
            "effectiveness_criterion": "随后三批无毛刺",
            "effectiveness_check_on": today.isoformat(),
        },
    )
    state(page, "reply")
    live_demo.logout(page)

    # Sales replies: the letter (and the 8D report asked for) are kept with the complaint.
    live_demo(page, "sales")
    page.goto(url)
    take(page, "reply", {"summary": "回复函及8D报告已发送"})
    state(page, "effectiveness_check")
    expect(page.locator(".attachment-row")).to_have_count(2)
    live_demo.logout(page)

    # After the agreed period Quality checks the effectiveness and closes.
    live_demo(page, "qa")
    page.goto(url)
    take(page, "close", {"result": "三批无毛刺，措施有效"})
    state(page, "closed")
    expect(page.locator("#effectiveness")).to_contain_text("三批无毛刺")
    # assign, first reply, contain, submit, verify, reply, close
    expect(page.locator(".signoff")).to_have_count(7)
    page.goto(f"{base}/complaints/?repeat=on")
    expect(page.locator(f'.complaint-row[data-number="{complaint.number}"] .repeat-mark')).to_be_visible()
