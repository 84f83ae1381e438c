"""Satisfaction improvement items become corrective actions with nothing lost: number, state, every field,
sign-offs (whose hashes still verify), rounds, tasks, history, attachments, change marks and e-mails. The
test database is taken back to before nhcs.capa, filled through the historical models with improvement
items as the improvement flow left them (a closed one, one the customer was told of, one taken back to
revise its measures), and migrated forward again.

Runs on PostgreSQL (where triggers protect signed rows) and SQLite; transactional, and the database is back
at the latest migrations when it ends, whatever happened."""

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from nhcs.workflow.models import _json_default, signature_key

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("satisfaction", "0008_rounds"), ("capa", None)]
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def old_nodes(executor) -> list[tuple[str, str]]:
    """The old database's migrations: every app's latest but nhcs.capa's (absent) and satisfaction's."""
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ("capa", "satisfaction")]
    return [*leaves, ("satisfaction", "0008_rounds")]


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def signed_hash(item, distributed: list[int]) -> str:
    """The hash the improvement flow signed: ImprovementItem.content_for_hash, keyed."""
    payload = {
        "number": item.number,
        "campaign_id": item.campaign_id,
        "response_id": item.response_id,
        "aspect_id": item.aspect_id,
        "trigger": item.trigger,
        "score": item.score,
        "responsible_department_id": item.responsible_department_id,
        "analysis": item.analysis,
        "measures": item.measures,
        "customer_feedback": item.customer_feedback,
        "distributed_to": sorted(distributed),
    }
    text = json.dumps(payload, sort_keys=True, default=_json_default, ensure_ascii=False)
    return hmac.new(signature_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


class Old:
    """The old database, written through the historical models."""

    def __init__(self, apps):
        self.apps = apps
        self.m = apps.get_model
        ContentType = self.m("contenttypes", "ContentType")
        self.item_ct = ContentType.objects.get_or_create(app_label="satisfaction", model="improvementitem")[0]
        self.campaign_ct = ContentType.objects.get_or_create(app_label="satisfaction", model="campaign")[0]
        Department = self.m("accounts", "Department")
        self.dept = {
            code: Department.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})[0]
            for code, zh, en in [
                ("SALES", "营销部", "Sales & Marketing"),
                ("QA", "品质部", "Quality"),
                ("WH", "仓库", "Warehouse"),
                ("MFG", "制造部", "Manufacturing"),
                ("PLAN", "计划物流部", "Planning & Logistics"),
            ]
        }
        User = self.m("accounts", "User")
        self.users = {
            name: User.objects.create(
                username=f"mig-{name}", password="!", department=self.dept[code], position=position
            )
            for name, code, position in [
                ("sales", "SALES", "staff"),
                ("sales_head", "SALES", "head"),
                ("qa", "QA", "staff"),
                ("qa_head", "QA", "head"),
                ("warehouse", "WH", "staff"),
                ("planner", "PLAN", "staff"),
            ]
        }

    def signoff(self, item, round_, transition, action, who, *, frm, to, at, comment="", data=None, content=""):
        user = self.users[who]
        return self.m("workflow", "SignOff").objects.create(
            content_type=self.item_ct,
            object_id=item.pk,
            round=round_,
            transition=transition,
            action=action,
            from_state=frm,
            to_state=to,
            user=user,
            department_name=user.department.name_zh,
            department_code=user.department.code,
            position=user.position,
            comment=comment,
            data=data or {},
            signed_at=at,
            content_hash=content or "0" * 64,
        )

    def round(self, item, number, status, *, at, ended=None, by=""):
        return self.m("workflow", "Round").objects.create(
            content_type=self.item_ct,
            object_id=item.pk,
            number=number,
            status=status,
            started_at=at,
            started_by=self.users["sales"],
            ended_at=ended,
            ended_by_transition=by,
        )

    def task(self, item, round_, *, state, transitions, department, position="", status="open", at=WHEN):
        return self.m("workflow", "Task").objects.create(
            content_type=self.item_ct,
            object_id=item.pk,
            round=round_,
            flow_key="satisfaction_improvement",
            record_number=item.number,
            record_title="C002 · 包装 · 20.0",
            record_url=f"/surveys/improvements/{item.pk}/",
            kind="state",
            state=state,
            transitions=transitions,
            department=self.dept[department],
            position=position,
            excludes_creator_and_editor=transitions == "verify",
            record_created_by=item.created_by,
            record_changed_by=item.changed_by,
            status=status,
            created_at=at,
            due_at=at + timedelta(days=14),
        )

    def history(self, item, kind, at, reason, **changes):
        fields = {
            f.attname: getattr(item, f.attname)
            for f in item._meta.concrete_fields
            if f.attname not in ("id", "changed_at", "state_changed_at", "version")
        }
        fields.update(changes)
        return self.m("satisfaction", "HistoricalImprovementItem").objects.create(
            id=item.pk,
            history_date=at,
            history_type=kind,
            history_change_reason=reason,
            history_user=self.users["sales"],
            **fields,
        )


def fill_old_database(apps) -> dict:
    old = Old(apps)
    m = old.m
    Customer = m("customers", "Customer")
    customer = Customer.objects.create(code="C002", name_zh="东莞长安精密", name_en="Chang'an Precision")
    Campaign = m("satisfaction", "Campaign")
    campaign = Campaign.objects.create(
        number="MY-2026-001",
        state="analysed",
        created_by=old.users["sales"],
        changed_by=old.users["sales"],
        title="2026 survey",
        period="2026",
        greeting_zh="您好",
        greeting_en="Dear customer",
        sent_on=date(2026, 2, 1),
    )
    aspect = m("satisfaction", "Aspect").objects.create(
        campaign=campaign, key="packaging", label_zh="包装", label_en="Packaging", responsible_department=old.dept["WH"]
    )
    delivery = m("satisfaction", "Aspect").objects.create(
        campaign=campaign,
        key="delivery",
        label_zh="交货期",
        label_en="Delivery",
        responsible_department=old.dept["PLAN"],
    )
    recipient = m("satisfaction", "Recipient").objects.create(
        campaign=campaign, customer=customer, channel="phone", sent_at=WHEN
    )
    response = m("satisfaction", "Response").objects.create(
        recipient=recipient, source="phone", total=Decimal("56.3"), band="not_very_satisfied", respondent="李主管"
    )
    Item = m("satisfaction", "ImprovementItem")

    def item(number, pk, state, **fields):
        return Item.objects.create(
            id=pk,
            number=number,
            state=state,
            campaign=campaign,
            response=response,
            created_by=old.users["sales"],
            changed_by=old.users["sales"],
            created_at=WHEN,
            changed_at=WHEN + timedelta(days=3),
            state_changed_at=WHEN + timedelta(days=20),
            version=7,
            **fields,
        )

    # A closed item: every step signed, distributed, the customer told, verified.
    closed = item(
        "MYG-2026-0001",
        41,
        "closed",
        aspect=aspect,
        trigger="low_aspect",
        score=Decimal("20.0"),
        responsible_department=old.dept["WH"],
        analysis="纸箱强度不足",
        measures="改用五层瓦楞纸箱",
        customer_feedback="11月20日电话告知李主管",
    )
    closed.distributed_to.set([old.dept["WH"], old.dept["MFG"]])
    distributed = [old.dept["WH"].pk, old.dept["MFG"].pk]
    final_hash = signed_hash(closed, distributed)
    r1 = old.round(closed, 1, "completed", at=WHEN, ended=WHEN + timedelta(days=20), by="close")
    steps = [
        ("set_measures", "submit", "sales_head", "open", "measures_set", "", {}),
        ("distribute", "issue", "sales_head", "measures_set", "distributed", "", {"departments": distributed}),
        (
            "inform_customer",
            "confirm",
            "sales",
            "distributed",
            "customer_informed",
            "",
            {"informed_on": "2026-03-10", "channel": "phone", "feedback": "11月20日电话告知李主管"},
        ),
        ("verify", "verify", "qa", "customer_informed", "verified", "连续三批无破损，有效", {}),
        ("close", "close", "sales_head", "verified", "closed", "", {}),
    ]
    signoffs = []
    for i, (transition, action, who, frm, to, comment, data) in enumerate(steps):
        at = WHEN + timedelta(days=4 * (i + 1))
        content = final_hash if i >= 3 else ""
        signoffs.append(
            old.signoff(
                closed, r1, transition, action, who, frm=frm, to=to, at=at, comment=comment, data=data, content=content
            )
        )
    old.task(closed, r1, state="open", transitions="set_measures", department="WH", position="head", status="done")
    name = default_storage.save("attachments/2026/03/migration-evidence.pdf", ContentFile(b"%PDF-1.4 evidence"))
    attachment = m("workflow", "Attachment").objects.create(
        content_type=old.item_ct,
        object_id=closed.pk,
        seq=1,
        kind="photo",
        description="破损照片",
        file=name,
        original_name="damage.pdf",
        mime_type="application/pdf",
        size=17,
        sha256="0" * 64,
        uploaded_by=old.users["sales"],
        uploaded_at=WHEN,
    )
    mail = m("mail", "Mail").objects.create(
        to="mig@example.com",
        subject="MYG-2026-0001",
        body="x",
        kind="task",
        content_type=old.item_ct,
        object_id=closed.pk,
    )
    old.history(closed, "+", WHEN, "@created", state="open", analysis="", measures="", customer_feedback="")
    old.history(closed, "~", WHEN + timedelta(days=3), "", state="open", customer_feedback="")
    for i, (transition, *_rest) in enumerate(steps):
        state = steps[i][4]
        old.history(
            closed,
            "~",
            WHEN + timedelta(days=4 * (i + 1)),
            f"@t:{transition}",
            state=state,
            customer_feedback=closed.customer_feedback if i >= 2 else "",
        )

    # The customer was told; Quality had the task of verifying.
    informed = item(
        "MYG-2026-0002",
        42,
        "customer_informed",
        trigger="low_total",
        score=Decimal("56.3"),
        responsible_department=old.dept["SALES"],
        analysis="整体服务不到位",
        measures="每月回访",
        customer_feedback="已电话告知",
    )
    r2 = old.round(informed, 1, "open", at=WHEN)
    informed_signoff = old.signoff(
        informed,
        r2,
        "inform_customer",
        "confirm",
        "sales",
        frm="distributed",
        to="customer_informed",
        at=WHEN + timedelta(days=5),
        data={"informed_on": "2026-03-07", "channel": "email", "feedback": "已电话告知"},
        content=signed_hash(informed, []),
    )
    verify_task = old.task(informed, r2, state="customer_informed", transitions="verify", department="QA")
    old.history(informed, "+", WHEN, "@created")

    # Taken back to revise the measures: a superseded round and a new one.
    revised = item(
        "MYG-2026-0003",
        43,
        "open",
        aspect=delivery,
        trigger="low_aspect",
        score=Decimal("50.0"),
        responsible_department=old.dept["QA"],
        analysis="a",
        measures="m2",
    )
    first = old.round(revised, 1, "superseded", at=WHEN, ended=WHEN + timedelta(days=2), by="revise")
    second = old.round(revised, 2, "open", at=WHEN + timedelta(days=2))
    old.signoff(
        revised, first, "set_measures", "submit", "qa_head", frm="open", to="measures_set", at=WHEN + timedelta(days=1)
    )
    revise = old.signoff(
        revised,
        first,
        "revise",
        "reopen",
        "qa_head",
        frm="measures_set",
        to="open",
        at=WHEN + timedelta(days=2),
        comment="补充",
        content=signed_hash(revised, []),
    )
    set_task = old.task(revised, second, state="open", transitions="set_measures", department="QA", position="head")
    mark = m("workflow", "ValueChange").objects.create(
        content_type=old.item_ct,
        object_id=revised.pk,
        field="measures",
        old_value="m",
        new_value="m2",
        by_content_type=old.campaign_ct,
        by_object_id=campaign.pk,
        by_number=campaign.number,
        signoff=revise,
        user=old.users["qa_head"],
        changed_at=WHEN + timedelta(days=2),
    )
    old.history(revised, "+", WHEN, "@created")
    return {
        "closed": closed.pk,
        "informed": informed.pk,
        "revised": revised.pk,
        "response": response.pk,
        "aspect": aspect.pk,
        "signoffs": [s.pk for s in signoffs],
        "informed_signoff": informed_signoff.pk,
        "revise_signoff": revise.pk,
        "verify_task": verify_task.pk,
        "set_task": set_task.pk,
        "rounds": {"closed": [r1.pk], "revised": [first.pk, second.pk]},
        "attachment": attachment.pk,
        "mail": mail.pk,
        "mark": mark.pk,
        "depts": {code: d.pk for code, d in old.dept.items()},
        "users": {name: u.pk for name, u in old.users.items()},
        "history": 2 + len(steps),
    }


def test_improvement_items_become_corrective_actions_with_nothing_lost():
    try:
        executor = migrate(BEFORE)
        old_apps = executor.loader.project_state(old_nodes(executor)).apps
        with pytest.raises(LookupError):
            old_apps.get_model("capa", "CorrectiveAction")
        ids = fill_old_database(old_apps)
        migrate(latest())
    finally:
        migrate(latest())

    from django.apps import apps

    from nhcs.accounts.models import User
    from nhcs.capa.models import CorrectiveAction
    from nhcs.capa.services import action_raise
    from nhcs.mail.models import Mail
    from nhcs.sheets.models import FormSetting
    from nhcs.workflow.models import Attachment, Round, SignOff, Task, ValueChange
    from nhcs.workflow.selectors import history_for
    from nhcs.workflow.services import signatures_verify
    from satisfaction.models import Aspect, Response

    with pytest.raises(LookupError):
        apps.get_model("satisfaction", "ImprovementItem")
    response = Response.objects.get(pk=ids["response"])
    aspect = Aspect.objects.get(pk=ids["aspect"])
    auditor = User.objects.create_superuser("mig-auditor", password="x")

    # The closed item: same id and number, its state and every field.
    closed = CorrectiveAction.objects.get(pk=ids["closed"])
    assert (closed.number, closed.state, closed.version) == ("MYG-2026-0001", "closed", 7)
    assert (closed.created_by_id, closed.created_at, closed.state_changed_at) == (
        ids["users"]["sales"],
        WHEN,
        WHEN + timedelta(days=20),
    )
    assert closed.source == response and closed.topic == aspect and closed.source_kind == "survey_answer"
    assert (closed.source_number, closed.source_label) == ("MY-2026-001-C002", "C002 东莞长安精密")
    assert (closed.trigger, closed.score, closed.owner_department_id) == (
        "low_aspect",
        Decimal("20.0"),
        ids["depts"]["WH"],
    )
    assert (closed.analysis, closed.measures, closed.customer_feedback) == (
        "纸箱强度不足",
        "改用五层瓦楞纸箱",
        "11月20日电话告知李主管",
    )
    assert sorted(closed.distributed_to.values_list("pk", flat=True)) == sorted(
        [ids["depts"]["WH"], ids["depts"]["MFG"]]
    )
    assert closed.customer_feedback_required and closed.title == ""
    # Quality's verification comment is the action's effectiveness now.
    assert (closed.effectiveness, closed.verified_on) == ("连续三批无破损，有效", date(2026, 3, 18))
    # Its sign-offs, rounds, task, file, e-mail and history came along.
    signoffs = list(SignOff.objects.for_record(closed).order_by("signed_at"))
    assert [s.pk for s in signoffs] == ids["signoffs"]
    assert [s.transition for s in signoffs] == ["set_measures", "distribute", "inform_customer", "verify", "close"]
    assert signoffs[2].data == {"informed_on": "2026-03-10", "channel": "phone", "feedback": "11月20日电话告知李主管"}
    assert [r.pk for r in Round.objects.for_record(closed)] == ids["rounds"]["closed"]
    assert all(s.round_id == ids["rounds"]["closed"][0] for s in signoffs)
    task = Task.objects.for_record(closed).get()
    assert (task.flow_key, task.record_url, task.record_number) == (
        "corrective_action",
        f"/actions/{closed.pk}/",
        "MYG-2026-0001",
    )
    assert str(task.label)  # the flow of the task is known
    attachment = Attachment.objects.for_record(closed).get()
    assert attachment.pk == ids["attachment"] and attachment.description == "破损照片"
    assert Mail.objects.get(pk=ids["mail"]).about == closed
    history = closed.history.order_by("history_date", "history_id")
    assert history.count() == ids["history"]
    assert [h.state for h in history][-2:] == ["verified", "closed"]
    assert history.first().effectiveness == "" and history.last().effectiveness == "连续三批无破损，有效"
    entries = history_for(record=closed)
    assert any(c.field == "effectiveness" for e in entries for c in e.changes)
    # The signatures still verify.
    check = signatures_verify(record=closed, user=auditor)
    assert check.intact and check.signoffs == 5

    # The item the customer was told of: its task moves from Quality's verification to the owner department.
    informed = CorrectiveAction.objects.get(pk=ids["informed"])
    assert (informed.state, informed.trigger, informed.topic, informed.score) == (
        "customer_informed",
        "low_total",
        None,
        Decimal("56.3"),
    )
    assert SignOff.objects.for_record(informed).get().pk == ids["informed_signoff"]
    assert Task.objects.get(pk=ids["verify_task"]).status == "cancelled"
    open_task = Task.objects.for_record(informed).open().get()
    assert (open_task.department_id, open_task.transitions, open_task.state) == (
        ids["depts"]["SALES"],
        "implement",
        "customer_informed",
    )
    assert signatures_verify(record=informed, user=auditor).intact

    # The revised item: both rounds, its open task, its change mark.
    revised = CorrectiveAction.objects.get(pk=ids["revised"])
    assert [r.pk for r in Round.objects.for_record(revised).order_by("number")] == ids["rounds"]["revised"]
    assert Task.objects.for_record(revised).open().get().pk == ids["set_task"]
    assert ValueChange.objects.for_record(revised).get().pk == ids["mark"]
    assert signatures_verify(record=revised, user=auditor).intact
    # A later change of the signed data is noticed, in a field the improvement item had or a new one.
    CorrectiveAction.objects.filter(pk=revised.pk).update(due_on=date(2026, 12, 1))
    assert not signatures_verify(record=CorrectiveAction.objects.get(pk=revised.pk), user=auditor).intact
    CorrectiveAction.objects.filter(pk=revised.pk).update(due_on=None, measures="m3")
    assert not signatures_verify(record=CorrectiveAction.objects.get(pk=revised.pk), user=auditor).intact

    # The pages: the action's, its file, and the improvement item's old address leading there.
    sales = Client()
    sales.force_login(User.objects.get(pk=ids["users"]["sales"]))
    assert sales.get(f"/actions/{closed.pk}/").status_code == 200
    assert sales.get(f"/attachments/{attachment.pk}/").status_code == 200
    old_page = sales.get(f"/surveys/improvements/{closed.pk}/")
    assert (old_page.status_code, old_page["Location"]) == (301, f"/actions/{closed.pk}/")
    planner = Client()
    planner.force_login(User.objects.get(pk=ids["users"]["planner"]))
    assert planner.get(f"/actions/{closed.pk}/").status_code == 404
    assert planner.get(f"/attachments/{attachment.pk}/").status_code == 404

    # New actions are numbered and stored after the moved ones.
    new = action_raise(
        source=response,
        user=User.objects.get(pk=ids["users"]["sales"]),
        owner_department=closed.owner_department,
        trigger="other",
    )
    assert new.number.startswith("CA-") and new.pk > max(ids["closed"], ids["informed"], ids["revised"])
    assert not FormSetting.objects.filter(key="survey_improvement_list").exists()
    assert FormSetting.objects.filter(key__in=["capa_record", "capa_log"]).count() == 2
