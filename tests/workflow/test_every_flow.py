"""Rules that hold for every flow declared on the engine, whichever area declared it."""

import pytest
from django.core.exceptions import ValidationError

from nhcs.accounts.models import Department, User
from nhcs.workflow import services
from nhcs.workflow.exceptions import NotAllowed
from nhcs.workflow.flow import FLOWS, Directory
from nhcs.workflow.models import NumberPattern

JUDGING = [
    (key, t.name, i)
    for key, (flow, _model) in sorted(FLOWS.items())
    for t in flow.transitions
    if t.enforces_separation
    for i, role in enumerate(t.who)
    if not (role.user_field and role.user_field not in {f.name for f in _model._meta.concrete_fields})
]


def person(username, department, position):
    dept = Department.objects.get(code=department) if department else Department.objects.get(code="GMO")
    user, _ = User.objects.get_or_create(
        username=username, defaults={"department": dept, "position": position or "staff"}
    )
    return user


def test_every_flow_is_checked():
    assert "memo" in FLOWS and JUDGING


@pytest.mark.parametrize("flow_key,transition,role_index", JUDGING)
def test_nobody_judges_what_they_created_or_last_changed(db, flow_key, transition, role_index):
    flow, model = FLOWS[flow_key]
    t = flow.transition(transition)
    role = t.who[role_index]
    raiser = person("raiser", "SALES", "staff")
    # Who the role names on a record raised by Sales (before any fallback): the judge holds that.
    actors = role.candidates(model(created_by=raiser, changed_by=raiser), Directory())
    department, position, _user = actors[0] if actors else ("SALES", None, None)
    judge = person("judge", department or "SALES", position)
    colleague = person("colleague", judge.department.code, "staff")

    def record(created_by, changed_by):
        r = model(created_by=created_by, changed_by=changed_by)
        if role.user_field:
            setattr(r, role.user_field, judge)
        if role.department_field:
            setattr(r, role.department_field, judge.department)
        return r

    # Someone else's record: the judge may act.
    assert services.transition_check(record=record(colleague, colleague), transition=t, user=judge).user == judge
    # Their own record, or one they changed last: refused.
    with pytest.raises(NotAllowed):
        services.transition_check(record=record(judge, colleague), transition=t, user=judge)
    with pytest.raises(NotAllowed):
        services.transition_check(record=record(colleague, judge), transition=t, user=judge)


def test_number_pattern_from_the_admin_is_used(demo):
    from .helpers import new_memo

    NumberPattern.objects.create(key="memo", pattern="M{yy}{mm}-{seq:03}")
    number = new_memo(demo["sales"]).number
    assert number.startswith("M") and number.endswith("-001") and len(number) == len("M2611-001")


@pytest.mark.parametrize("pattern", ["KS-{yyyy}", "KS-{year}-{seq}", "KS-{seq:04"])
def test_bad_number_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        NumberPattern(key="x", pattern=pattern).clean()


# --- signed data changes only by reopening the approval -------------------------------------------------


def test_every_flow_declares_a_reopening_for_each_signed_state_it_lets_be_edited():
    for key, (flow, _model) in FLOWS.items():
        for state, reopen in flow.edit_states.items():
            if state == flow.initial:
                continue
            assert reopen, f"{key}: an edit in {state!r} changes signed data without reopening"
            t = flow.transition(reopen)
            assert state in t.sources and (t.target == flow.initial or t.target in flow.edit_states), key


def test_a_flow_that_lets_signed_data_change_without_reopening_is_refused():
    from django.db import models

    from nhcs.workflow.flow import Flow, Transition

    class S(models.TextChoices):
        A = "a", "A"
        B = "b", "B"

    go = Transition("go", S.A, S.B, "Go", "submit", who=())
    with pytest.raises(ValueError, match="must reopen"):
        Flow(
            key="x", label="x", states=S, initial=S.A, transitions=[go], number_pattern="{seq}", edit_states={S.B: None}
        )


def _editable_text_field(model):
    from django.db import models

    for f in model._meta.concrete_fields:
        if f.name in model.BOOKKEEPING_FIELDS or f.name == "number" or not f.editable:
            continue
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices:
            return f.name
    raise AssertionError(f"{model.__name__}: no text field to change")


def _record_factories(demo):
    """A record of each flow, made as its area makes it (a new flow adds its own here)."""
    from datetime import timedelta
    from decimal import Decimal

    from nhcs.customers.models import Customer
    from orders import services as order_services
    from orders.demo import ALL_IDENTIFIED
    from orders.models import ChangeAck
    from satisfaction import services as survey_services
    from tests.flowtest.models import Memo, MemoAck, MemoChange

    from .helpers import new_memo

    def order():
        return order_services.order_create(
            user=demo["sales"],
            data={
                "customer": Customer.objects.get(code="C001"),
                "po_number": "PO-W",
                "po_date": "2026-11-01",
                **ALL_IDENTIFIED,
            },
            lines=[{"part_number": "P", "quantity": Decimal(1), "unit": "pcs", "requested_date": "2026-12-31"}],
        )

    def campaign():
        return survey_services.campaign_create(user=demo["sales"], title="Walk", period="2026")

    def corrective_action():
        return _corrective_action(demo)

    def property_item():
        from customer_property import services as property_services

        return property_services.item_register(
            user=demo["sales"],
            data={"customer": Customer.objects.get(code="C001"), "kind": "parts", "name": "P", "received_from": "x"},
        )

    def property_incident():
        from django.utils import timezone

        from customer_property.models import Incident, PropertyItem

        item = property_item()
        PropertyItem.objects.filter(pk=item.pk).update(state="in_storage")
        data = {
            "kind": "damage",
            "occurred_on": timezone.localdate(),
            "found_how": "x",
            "description": "x",
            "extent": "x",
        }
        return services.record_create(model=Incident, user=demo["sales"], data={"item": item, **data})

    def property_count():
        from django.utils import timezone

        from customer_property.models import StockCount

        return services.record_create(
            model=StockCount,
            user=demo["sales"],  # the walk edits as Sales: the department that started a count enters it
            data={"customer": Customer.objects.get(code="C001"), "counted_on": timezone.localdate()},
        )

    def released_order():
        released = order()
        type(released).objects.filter(pk=released.pk).update(state="released", committed_date="2026-12-20")
        return type(released).objects.get(pk=released.pk)

    def change_notice():
        return order_services.change_notice_create(
            order=released_order(),
            user=demo["sales"],
            reason="Walk",
            request=order_services.ChangeRequest(texts={"other": "Pallets"}),
        )

    def change_ack():
        return services.record_create(
            model=ChangeAck, user=demo["planner"], data={"notice": change_notice(), "department": demo["qa"].department}
        )

    def delay_notice():
        released = released_order()
        return order_services.delay_notice_create(
            user=demo["planner"],
            customer=released.customer,
            reason="Walk",
            items=[(released, released.committed_date + timedelta(days=5))],
        )

    def complaint():
        from django.utils import timezone

        from complaints import services as complaint_services

        return complaint_services.complaint_register(
            user=demo["sales"],
            data={
                "customer": Customer.objects.get(code="C001"),
                "channel": "email",
                "received_at": timezone.now(),
                "description": "Walk",
                "category": "delivery",
            },
        )

    def feedback():
        from django.utils import timezone

        from complaints import services as complaint_services

        return complaint_services.feedback_register(
            user=demo["sales"],
            data={
                "customer": Customer.objects.get(code="C001"),
                "source": "visit",
                "received_at": timezone.now(),
                "text": "Walk",
            },
        )

    def advisory():
        from django.utils import timezone

        from complaints import services as complaint_services

        return complaint_services.advisory_create(
            user=demo["sales"],
            data={"subject": "Walk", "reason": "x", "measure": "inspect", "respond_by": timezone.localdate()},
        )

    def advisory_ack():
        from complaints.models import AdvisoryAck

        return services.record_create(
            model=AdvisoryAck,
            user=demo["sales"],
            data={"notice": advisory(), "customer": Customer.objects.get(code="C001")},
        )

    memo = new_memo(demo["sales"])
    return {
        "memo": lambda: new_memo(demo["sales"]),
        "memo_ack": lambda: services.record_create(
            model=MemoAck,
            user=demo["sales"],
            data={"memo": Memo.objects.get(pk=memo.pk), "department": demo["qa"].department},
        ),
        "memo_change": lambda: services.record_create(model=MemoChange, user=demo["sales"], data={"memo": memo}),
        "order": order,
        "satisfaction_campaign": campaign,
        "corrective_action": corrective_action,
        "customer_property": property_item,
        "customer_property_incident": property_incident,
        "customer_property_count": property_count,
        "change_notice": change_notice,
        "change_ack": change_ack,
        "delay_notice": delay_notice,
        "complaint": complaint,
        "feedback": feedback,
        "advisory": advisory,
        "advisory_ack": advisory_ack,
    }


def _corrective_action(demo):
    from datetime import timedelta

    from django.utils import timezone

    from nhcs.capa.models import CorrectiveAction
    from nhcs.customers.models import Customer
    from satisfaction import services as survey_services
    from tests.satisfaction.conftest import ticks_for

    campaign = survey_services.campaign_create(
        user=demo["sales"],
        title="Walk items",
        period="2026",
        response_deadline=timezone.localdate() + timedelta(days=30),
    )
    survey_services.sample_choose(campaign=campaign, user=demo["sales"], customers=Customer.objects.filter(code="C001"))
    campaign = services.transition_record(record=campaign, name="send", user=demo["sales"])
    recipient = campaign.recipients.get()
    response = survey_services.answer_submit_online(token=recipient.token, ticks_by_aspect=ticks_for(campaign, [4] * 8))
    return CorrectiveAction.objects.for_source(response).get(trigger="low_total")


# Who edits a record of the flow in the walk below, when not Sales (who edit most).
EDITORS = {"delay_notice": "planner"}


def test_every_flow_walked_state_by_state_signed_data_changes_only_by_reopening(demo):
    from nhcs.workflow.exceptions import NotAllowed as Refused
    from nhcs.workflow.models import SignOff

    factories = _record_factories(demo)
    assert set(factories) == set(FLOWS), "give each flow a factory here"
    for key, (flow, model) in sorted(FLOWS.items()):
        field = _editable_text_field(model) if flow.edit_states else None
        for state in flow.state_order():
            record = factories[key]()
            model._default_manager.filter(pk=record.pk).update(state=state)
            record = model._default_manager.get(pk=record.pk)
            editor = demo[EDITORS.get(key, "sales")]
            change = {field: f"walked {state}"} if field else {}
            if state not in flow.edit_states:
                with pytest.raises(Refused):
                    services.record_update(record=record, user=editor, changes=change or {"id": record.pk}, reason="x")
                continue
            updated = services.record_update(record=record, user=editor, changes=change, reason="walk")
            reopen = flow.edit_states[state]
            if reopen is None:
                assert updated.state == state, (key, state)
            else:
                assert updated.state == flow.transition(reopen).target, (key, state)
                assert SignOff.objects.for_record(updated).last().transition == reopen
