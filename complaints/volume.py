"""Complaints at volume (manage.py seed_volume, see nhcs/core/volume.py): at scale 1, 30,000 complaints over
ten years, each with two corrective or preventive actions (60,000 shared corrective-action records)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from nhcs.accounts.models import Department
from nhcs.capa.choices import ActionKind, ActionState, Trigger
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer

from .choices import Category, ComplaintChannel, ComplaintState, Severity
from .models import Complaint

S = ComplaintState
ACTIVE = [
    (S.REGISTERED, 3),
    (S.ASSIGNED, 2),
    (S.INVESTIGATING, 4),
    (S.VERIFICATION, 2),
    (S.REPLY, 2),
    (S.EFFECTIVENESS_CHECK, 3),
]
A = ActionState
ACTION_ACTIVE = [(A.OPEN, 2), (A.MEASURES_SET, 2), (A.DISTRIBUTED, 3), (A.IMPLEMENTED, 2), (A.VERIFIED, 1)]
DEFECTS = ["尺寸超差", "表面划伤", "毛刺", "错装漏装", "包装破损", "标签错误", "交期延误"]


def _pick(rng, weighted):
    return rng.choices([s for s, _w in weighted], [w for _s, w in weighted])[0]


def seed(volume) -> None:
    rng = volume.rng
    count = volume.n(30_000)
    moments = volume.spread(count)
    recent = volume.now - timedelta(days=90)
    codes = dict(Customer.objects.values_list("pk", "code"))
    customers = volume.customer_ids or list(codes)
    rows, states = [], []
    for i, at in enumerate(moments):
        state = _pick(rng, ACTIVE) if at > recent else (S.CLOSED if rng.random() < 0.95 else S.WITHDRAWN)
        category = rng.choices([c.value for c in Category], [6, 2, 1, 1, 1])[0]
        quantity = Decimal(rng.randint(100, 5000))
        rows.append(
            {
                "customer_id": rng.choice(customers),
                "channel": rng.choice(ComplaintChannel.values),
                "received_at": at,
                "part_number": f"NH-{rng.randint(1, 399):04d}",
                "lot": f"L{at:%y%m}{i % 97:02d}",
                "quantity_delivered": quantity,
                "quantity_affected": (quantity / rng.randint(5, 50)).quantize(Decimal("1")),
                "quantity_returned": Decimal(0),
                "description": f"客户反馈{rng.choice(DEFECTS)}，批次 {i}",
                "category": category,
                "severity": rng.choice(Severity.values),
                "reply_due_on": (at + timedelta(days=3)).date(),
                "created_by_id": volume.user("SALES"),
                "created_at": at,
            }
        )
        states.append(state)
    rows = volume.records(
        Complaint,
        rows,
        states=states,
        title=lambda r: " · ".join([codes[r["customer_id"]], r["part_number"], r["description"][:60]]),
        task_key=lambda r: r["category"],
    )
    seed_actions(volume, rows)
    volume.log(f"complaints: {len(rows):,}")


def seed_actions(volume, complaints: list[dict]) -> None:
    rng = volume.rng
    ct = ContentType.objects.get_for_model(Complaint)
    departments = dict(Department.objects.values_list("code", "pk"))
    owners = [departments[c] for c in ("QA", "MFG", "ENG", "SALES") if c in departments]
    rows, states = [], []
    for complaint in complaints:
        if complaint["state"] in (S.REGISTERED, S.WITHDRAWN):
            continue
        for k in range(2):
            at = min(complaint["created_at"] + timedelta(days=2 + k), volume.now - timedelta(hours=1))
            if complaint["state"] == S.CLOSED:
                state = A.CLOSED
            else:
                state = _pick(rng, ACTION_ACTIVE)
            due = (at + timedelta(days=14)).date()
            rows.append(
                {
                    "kind": ActionKind.CORRECTIVE if k == 0 else ActionKind.PREVENTIVE,
                    "title": f"{complaint['number']} 措施 {k + 1}",
                    "source_type_id": ct.pk,
                    "source_id": complaint["id"],
                    "source_kind": "complaint",
                    "source_number": complaint["number"],
                    "source_label": complaint["_title"],
                    "trigger": Trigger.COMPLAINT,
                    "owner_department_id": rng.choice(owners),
                    "analysis": "原因分析：作业指导书未更新",
                    "measures": "更新作业指导书并培训",
                    "due_on": due,
                    "check_on": due + timedelta(days=30),
                    "created_by_id": complaint["created_by_id"],
                    "created_at": at,
                }
            )
            states.append(state)
    volume.records(
        CorrectiveAction,
        rows,
        states=states,
        title=lambda r: r["title"],
        task_key=lambda r: r["owner_department_id"],
    )
