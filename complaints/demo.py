"""Demo complaints for `manage.py seed_demo`: a quality complaint closed after its effectiveness check (with
its costs), a repeat of it under investigation on the demo delivery, and a delivery complaint waiting for
Sales' head to assign it; after-sales feedback (praise, and a remark still open) and an advisory notice
sent to two customers, one of whom acknowledged it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nhcs import deliveries
from nhcs.accounts.models import Department, User
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind

from . import services
from .models import Complaint, DefectType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
USERS = ["sales", "sales_head", "qa", "qa_head", "rd", "planner", "planning_head"]


def _evidence(name: str):
    return [(SimpleUploadedFile(name, PDF, content_type="application/pdf"), AttachmentKind.EVIDENCE, "")]


def _go(record, name, user, **kwargs):
    return wf.transition_record(record=type(record).objects.get(pk=record.pk), name=name, user=user, **kwargs)


def _action_done(action, users, *, verify: bool):
    """An action through its own flow: measures set and distributed by the owner head, carried out with
    the evidence by the department, verified by Quality."""
    head, staff = (
        (users["qa_head"], users["qa"])
        if action.owner_department.code == "QA"
        else (
            users["planning_head"],
            users["planner"],
        )
    )
    action = _go(action, "set_measures", head)
    action = _go(action, "distribute", head, data={"departments": [action.owner_department_id]})
    action = _go(action, "implement", staff, attachments=_evidence(f"{action.number}-evidence.pdf"))
    if verify:
        _go(
            action,
            "verify",
            users["qa"],
            data={"checked_on": timezone.localdate().isoformat(), "effectiveness": "连续三批出货无同类问题"},
        )


def seed(stdout=None) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=USERS)}
    customers = {c.code: c for c in Customer.objects.filter(code__in=["C001", "C002"])}
    if len(users) < len(USERS) or len(customers) < 2:
        return
    seed_complaints(users, customers)
    seed_aftersales(users, customers)
    if stdout is not None:
        stdout.write("Demo complaints ready.")


def seed_complaints(users, customers) -> None:
    if Complaint.objects.filter(rma_number__startswith="DEMO-").exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    defects = {d.code: d for d in DefectType.objects.all()}
    qa_dept, plan_dept = Department.objects.get(code="QA"), Department.objects.get(code="PLAN")
    found = deliveries.search(customer=customers["C001"], limit=1)
    delivery = found[0] if found else None

    # 1. Sixty days ago: connectors with burrs, closed after the effectiveness check.
    first = services.complaint_register(
        user=users["sales"],
        data={
            "customer": customers["C001"],
            "contact_name": "Mr. Chan",
            "contact_detail": "chan@example.com",
            "channel": "email",
            "received_at": now - timedelta(days=60),
            "part_number": "NH-CN-2040",
            "lot": "L-2026-0815",
            "quantity_delivered": Decimal(5000),
            "quantity_affected": Decimal(120),
            "quantity_returned": Decimal(120),
            "rma_number": "DEMO-RMA-001",
            "description": "端子毛刺导致插拔困难 Burrs on the terminals: hard to mate.",
            "customer_request": "8D report and replacement of the affected pieces.",
            "category": "quality",
            "defect": defects.get("D02"),
            "severity": "major",
            "report_8d_requested": True,
        },
    )
    first = _go(
        first,
        "first_reply",
        users["sales"],
        data={
            "replied_on": (today - timedelta(days=59)).isoformat(),
            "channel": "email",
            "summary": "已收到，品质部调查中",
        },
    )
    first = _go(first, "assign", users["qa_head"], data={"investigators": [users["rd"].pk, users["qa"].pk]})
    first = _go(
        first,
        "contain",
        users["rd"],
        data={"containment": "库存 3000 只全检，挑出毛刺品 45 只", "contained_on": today.isoformat()},
    )
    action = services.action_raise(
        complaint=first,
        user=users["rd"],
        kind="corrective",
        owner_department=qa_dept,
        title="冲压模具刃口修磨 Regrind the stamping die",
        analysis="冲压模刃口磨损，未按寿命保养",
        measures="修磨刃口；每 5 万冲次保养一次并记录",
        due_on=today,
        check_on=today,
    )
    _action_done(action, users, verify=True)
    first = _go(
        first,
        "submit_investigation",
        users["rd"],
        data={
            "why_1": "端子有毛刺",
            "why_2": "冲压模刃口磨损",
            "why_3": "模具未按冲次保养",
            "cause_machine": "冲压模刃口磨损",
            "cause_method": "保养周期未规定冲次",
            "cause_category": "machine",
            "root_cause": "模具保养未按冲次管理，刃口磨损产生毛刺",
        },
    )
    first = _go(
        first,
        "verify",
        users["qa"],
        data={
            "verification_report": "模具已修磨，保养记录已建立，首件检验合格",
            "effectiveness_criterion": "随后三批出货无毛刺",
            "effectiveness_check_on": today.isoformat(),
        },
    )
    first = _go(first, "reply", users["sales"], data={"replied_on": today.isoformat(), "channel": "email"})
    services.cost_add(
        complaint=first, user=users["qa"], kind="rework", amount=Decimal("1200.00"), incurred_on=today, note="全检工时"
    )
    services.cost_add(
        complaint=first,
        user=users["sales"],
        kind="freight",
        amount=Decimal("300.00"),
        incurred_on=today,
        note="补货快递",
    )
    _go(first, "close", users["qa"], data={"checked_on": today.isoformat(), "result": "三批出货无毛刺，措施有效"})

    # 2. Today, by phone: the same product again, on the demo delivery; under investigation.
    data = {
        "customer": customers["C001"],
        "contact_name": "Mr. Chan",
        "channel": "phone",
        "received_at": now - timedelta(hours=3),
        "call_notes": "陈先生来电：新到批次仍有少量毛刺，要求尽快处理。",
        "part_number": "NH-CN-2040",
        "quantity_affected": Decimal(30),
        "rma_number": "DEMO-RMA-002",
        "description": "端子毛刺再次出现 Burrs on the terminals again.",
        "category": "quality",
        "defect": defects.get("D02"),
        "severity": "major",
    }
    second = services.complaint_register(user=users["sales"], data=data, delivery=delivery, earlier=[first])
    second = _go(second, "assign", users["qa_head"], data={"investigators": [users["rd"].pk]})
    second = _go(
        second,
        "contain",
        users["rd"],
        data={"containment": "在途货物拦截，库存复检", "contained_on": today.isoformat()},
    )
    services.action_raise(
        complaint=second,
        user=users["rd"],
        kind="preventive",
        owner_department=plan_dept,
        title="来料批次追溯 Trace the lots in stock",
        analysis="修磨前生产的批次仍在库存中",
        measures="按批次追溯修磨前库存并全部复检",
        due_on=today + timedelta(days=7),
        check_on=today + timedelta(days=30),
    )

    # 3. Yesterday, by e-mail: a late delivery, for the head of Sales to assign.
    services.complaint_register(
        user=users["sales"],
        data={
            "customer": customers["C002"],
            "channel": "email",
            "received_at": now - timedelta(days=1),
            "part_number": "NH-CN-3060",
            "rma_number": "DEMO-RMA-003",
            "description": "交货比确认日期晚三天 Delivered three days after the confirmed date.",
            "category": "delivery",
            "defect": defects.get("D09"),
            "severity": "minor",
        },
    )


def seed_aftersales(users, customers) -> None:
    """Two feedbacks and an advisory notice, approved and sent, with one customer's acknowledgement."""
    from .models import AdvisoryNotice, Feedback

    if Feedback.objects.filter(origin_key=None).exists() or AdvisoryNotice.objects.exists():
        return
    vgm = User.objects.filter(username="vgm").first()
    if vgm is None:
        return
    now, today = timezone.now(), timezone.localdate()
    services.feedback_register(
        user=users["sales"],
        data={
            "customer": customers["C001"],
            "contact_name": "陈先生",
            "source": "visit",
            "received_at": now - timedelta(days=5),
            "sentiment": "positive",
            "text": "新包装运输无损，客户满意 The new packaging arrived undamaged.",
        },
    )
    services.feedback_register(
        user=users["qa"],
        data={
            "customer": customers["C002"],
            "source": "service_report",
            "received_at": now - timedelta(days=2),
            "part_number": "NH-CN-3060",
            "sentiment": "negative",
            "text": "现场反馈插拔手感偏紧 The connector feels tight to mate.",
        },
    )
    notice = services.advisory_create(
        user=users["qa"],
        data={
            "subject": "NH-CN-2040 端子镀层检查 Plating check",
            "reason": "个别批次镀层附着力偏低，可能脱落。Plating adhesion of some lots is low and may peel.",
            "parts": "NH-CN-2040",
            "measure": "inspect",
            "instructions": "请抽检库存并反馈结果。Please sample-inspect your stock and tell us the result.",
            "respond_by": today + timedelta(days=10),
        },
    )
    notice = _go(notice, "submit", users["qa"])
    notice = _go(notice, "review", users["qa_head"])
    notice = _go(notice, "approve", vgm)
    notice = _go(
        notice,
        "send",
        users["sales"],
        data={"selection": "chosen", "customers": [customers["C001"].pk, customers["C002"].pk]},
    )
    first = notice.acknowledgements.order_by("customer__code").first()
    _go(
        first,
        "acknowledge",
        users["sales"],
        data={
            "acknowledged_on": today.isoformat(),
            "channel": "phone",
            "acknowledged_by": "陈先生",
            "reply": "已安排抽检",
        },
    )
