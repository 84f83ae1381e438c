"""Satisfaction improvement items become corrective actions (nhcs.capa), nothing lost.

Each improvement item becomes a corrective action with the same id (a new one only if that id is taken),
its number (MYG-…: signed records are never renumbered), state, creator, last editor, dates and version,
and every field: the survey answer is its source (content type and id, with the answer's number
MY-…-C002 and the customer as its stored label), the aspect is what it concerns, trigger and score are
kept, the responsible department is its owner department, the analysis, measures, distribution and
feedback to the customer are kept, and the effectiveness Quality wrote with its verification comes onto
the record too. Its history rows become the action's. Its sign-offs, rounds, tasks, attachments, change
marks (ValueChange) and e-mails are re-pointed to the action (content type and id); its tasks also take
the action's flow and page. The letterhead of the improvement items' list goes: the actions' log has its
own.

The sign-offs' content hashes were computed over the improvement item's fields under their old names:
the action keeps in `legacy` what it needs to hash the same payload (see
CorrectiveAction.content_for_hash), so those signatures still verify.

On PostgreSQL the database refuses any change of a sign-off except placing it into its round, and any
update of a change mark (triggers of nhcs/workflow/migrations/0004_protect_signed_rows.py). This
migration disables those two triggers for its own statements only — `ALTER TABLE workflow_signoff
DISABLE TRIGGER nhcs_signoff_immutable` (and `workflow_valuechange … nhcs_valuechange_kept`) before
re-pointing, `ENABLE TRIGGER` right after, inside the migration's transaction — and changes nothing of
those rows but their content type and id.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.management.color import no_style
from django.db import migrations
from django.utils import timezone

LAYOUT = "satisfaction.improvementitem"
SURVEY_ANSWER = "survey_answer"
FLOW_KEY = "corrective_action"
LIST_SHEET = ("survey_improvement_list", "顾客满意度改进项目一览表", "Customer satisfaction improvement items", 66)
PROTECTED = [("workflow_signoff", "nhcs_signoff_immutable"), ("workflow_valuechange", "nhcs_valuechange_kept")]


def _json(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _protection(schema_editor, enable: bool) -> None:
    if schema_editor is None or schema_editor.connection.vendor != "postgresql":
        return
    if enable:
        # Check the re-pointed rows' foreign keys now: a table with pending checks cannot be altered.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, trigger in PROTECTED:
        schema_editor.execute(f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} TRIGGER {trigger}")


def _carry_out_task(apps, action, action_ct) -> None:
    """An item the customer was told of waited for Quality's verification; an action waits first for its
    owner department to carry the measures out (with evidence). Its task moves so, as the engine would
    open it: for the owner department, or — nobody active in it — for its deputy GM in charge, else the GM."""
    Task = apps.get_model("workflow", "Task")
    Round = apps.get_model("workflow", "Round")
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("accounts", "Department")
    now = timezone.now()
    waiting = Task._base_manager.filter(content_type=action_ct, object_id=action.pk, status="open", kind="state")
    title = waiting.values_list("record_title", flat=True).first() or action.source_number
    waiting.update(status="cancelled", completed_at=now)
    actor = {"department_id": action.owner_department_id, "position": "", "assignee_id": None}
    if not User.objects.filter(department_id=action.owner_department_id, is_active=True).exists():
        department = Department.objects.get(pk=action.owner_department_id)
        vgm = department.deputy_gm_id
        if vgm and User.objects.filter(pk=vgm, is_active=True).exists():
            actor = {"department_id": None, "position": "", "assignee_id": vgm}
        else:
            actor = {"department_id": None, "position": "gm", "assignee_id": None}
    Task._base_manager.create(
        content_type=action_ct,
        object_id=action.pk,
        round=Round._base_manager.filter(content_type=action_ct, object_id=action.pk).order_by("-number").first(),
        flow_key=FLOW_KEY,
        record_number=action.number,
        record_title=title,
        record_url=f"/actions/{action.pk}/",
        kind="state",
        state="customer_informed",
        transitions="implement",
        excludes_creator_and_editor=False,
        record_created_by_id=action.created_by_id,
        record_changed_by_id=action.changed_by_id,
        created_at=now,
        **actor,
    )


def forward(apps, schema_editor):
    apps.get_model("sheets", "FormSetting").objects.filter(key=LIST_SHEET[0]).delete()
    try:
        Item = apps.get_model("satisfaction", "ImprovementItem")
    except LookupError:  # the test suite replays data migrations on today's models: nothing to move
        return
    HistoricalItem = apps.get_model("satisfaction", "HistoricalImprovementItem")
    Action = apps.get_model("capa", "CorrectiveAction")
    HistoricalAction = apps.get_model("capa", "HistoricalCorrectiveAction")
    Response = apps.get_model("satisfaction", "Response")
    ContentType = apps.get_model("contenttypes", "ContentType")
    SignOff = apps.get_model("workflow", "SignOff")
    Round = apps.get_model("workflow", "Round")
    Task = apps.get_model("workflow", "Task")
    Attachment = apps.get_model("workflow", "Attachment")
    ValueChange = apps.get_model("workflow", "ValueChange")
    Mail = apps.get_model("mail", "Mail")

    items = list(Item.objects.order_by("pk"))
    if not items:
        return
    item_ct = ContentType.objects.get_or_create(app_label="satisfaction", model="improvementitem")[0]
    action_ct = ContentType.objects.get_or_create(app_label="capa", model="correctiveaction")[0]
    response_ct = ContentType.objects.get_or_create(app_label="satisfaction", model="response")[0]
    aspect_ct = ContentType.objects.get_or_create(app_label="satisfaction", model="aspect")[0]
    responses = {
        r.pk: r
        for r in Response.objects.filter(pk__in={i.response_id for i in items}).select_related(
            "recipient__campaign", "recipient__customer"
        )
    }
    taken = set(Action.objects.values_list("pk", flat=True))

    _protection(schema_editor, enable=False)
    for item in items:
        response = responses[item.response_id]
        customer = response.recipient.customer
        verification = (
            SignOff.objects.filter(content_type=item_ct, object_id=item.pk, transition="verify")
            .order_by("signed_at", "pk")
            .last()
        )
        verified_at = verification.signed_at if verification is not None else None
        fields = {
            "kind": "corrective",
            "title": "",
            "source_type_id": response_ct.pk,
            "source_kind": SURVEY_ANSWER,
            "source_number": f"{response.recipient.campaign.number}-{customer.code}",
            "source_label": f"{customer.code} {customer.name_zh or customer.name_en}".strip(),
            "topic_type_id": aspect_ct.pk if item.aspect_id else None,
            "customer_feedback_required": True,
            "due_on": None,
            "check_on": None,
            "effectiveness": verification.comment if verification is not None else "",
            "verified_on": timezone.localtime(verified_at).date() if verified_at else None,
        }
        legacy = {
            "layout": LAYOUT,
            "improvement_item": item.pk,
            "campaign_id": item.campaign_id,
            # The action's own data as moved: what the improvement item's sign-offs did not cover.
            "moved": {name: _json(value) for name, value in fields.items()},
        }
        mapped = {
            "number": item.number,
            "trigger": item.trigger,
            "score": item.score,
            "source_id": item.response_id,
            "topic_id": item.aspect_id,
            "owner_department_id": item.responsible_department_id,
            "analysis": item.analysis,
            "measures": item.measures,
            "customer_feedback": item.customer_feedback,
        }
        action = Action(
            **({"pk": item.pk} if item.pk not in taken else {}),
            state=item.state,
            created_by_id=item.created_by_id,
            created_at=item.created_at,
            changed_by_id=item.changed_by_id,
            changed_at=item.changed_at,
            state_changed_at=item.state_changed_at,
            version=item.version,
            legacy=legacy,
            **mapped,
            **fields,
        )
        action.save(force_insert=True)
        taken.add(action.pk)
        action.distributed_to.set(item.distributed_to.values_list("pk", flat=True))

        for h in HistoricalItem.objects.filter(id=item.pk).order_by("history_date", "history_id"):
            verified = verified_at is not None and h.history_date >= verified_at
            HistoricalAction.objects.create(
                id=action.pk,
                number=h.number,
                state=h.state,
                created_at=h.created_at,
                created_by_id=h.created_by_id,
                changed_by_id=h.changed_by_id,
                history_date=h.history_date,
                history_change_reason=h.history_change_reason,
                history_type=h.history_type,
                history_user_id=h.history_user_id,
                trigger=h.trigger,
                score=h.score,
                source_id=h.response_id,
                topic_id=h.aspect_id,
                owner_department_id=h.responsible_department_id,
                analysis=h.analysis,
                measures=h.measures,
                customer_feedback=h.customer_feedback,
                legacy=legacy,
                **{
                    **fields,
                    "topic_type_id": aspect_ct.pk if h.aspect_id else None,
                    "effectiveness": fields["effectiveness"] if verified else "",
                    "verified_on": fields["verified_on"] if verified else None,
                },
            )

        old = {"content_type": item_ct, "object_id": item.pk}
        new = {"content_type": action_ct, "object_id": action.pk}
        SignOff._base_manager.filter(**old).update(**new)
        Round._base_manager.filter(**old).update(**new)
        Attachment._base_manager.filter(**old).update(**new)
        ValueChange._base_manager.filter(**old).update(**new)
        ValueChange._base_manager.filter(by_content_type=item_ct, by_object_id=item.pk).update(
            by_content_type=action_ct, by_object_id=action.pk
        )
        Mail._base_manager.filter(**old).update(**new)
        Task._base_manager.filter(**old).update(**new, flow_key=FLOW_KEY, record_url=f"/actions/{action.pk}/")
        if action.state == "customer_informed":
            _carry_out_task(apps, action, action_ct)
    _protection(schema_editor, enable=True)

    HistoricalItem.objects.filter(id__in=[i.pk for i in items]).delete()
    Item.objects.filter(pk__in=[i.pk for i in items]).delete()

    if schema_editor is not None:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Action]):
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    """Corrective actions do not go back to being improvement items: with any raised from a survey answer,
    going back refuses (restore the backup taken before instead)."""
    Action = apps.get_model("capa", "CorrectiveAction")
    if Action.objects.filter(source_kind=SURVEY_ANSWER).exists():
        raise RuntimeError(
            "Corrective actions raised from survey answers exist; they cannot become improvement items again. "
            "Restore the database backup taken before this migration instead."
        )
    key, title_zh, title_en, order = LIST_SHEET
    apps.get_model("sheets", "FormSetting").objects.get_or_create(
        key=key,
        defaults={
            "title_zh": title_zh,
            "title_en": title_en,
            "document_number": "NH-QP14-06",
            "version": "A",
            "procedure": "NH-QP14",
            "sort_order": order,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0008_rounds"),
        ("capa", "0002_sheet_settings"),
        ("workflow", "0005_audit_permission"),
        ("mail", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
