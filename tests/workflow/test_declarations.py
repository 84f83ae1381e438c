"""The engine's declarations on their own: a flow that contradicts itself is refused when it is declared,
roles read the record and fall back up the hierarchy, labels follow the reader's language, and the
company calendar counts working days."""

from datetime import date, timedelta

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.utils import translation

from nhcs.accounts.choices import Position
from nhcs.workflow.calendar import Calendar, add_working_days
from nhcs.workflow.display import history_reason, role_label
from nhcs.workflow.errors import refusal_status, refuse
from nhcs.workflow.exceptions import Blocked, NotAllowed, StaleRecord, WorkflowError
from nhcs.workflow.flow import CREATOR_DEPARTMENT, Directory, Flow, FromField, Role, Step, Transition, VGMInCharge
from nhcs.workflow.models import CalendarPeriod, WorkWeek
from tests.flowtest.models import Memo

from .helpers import new_memo


class S(models.TextChoices):
    A = "a", "A"
    B = "b", "B"


GO = Transition("go", S.A, S.B, "Go", "submit", who=(Role(department="SALES"),))


def flow(**kwargs):
    defaults = {"key": "x", "label": "x", "states": S, "initial": S.A, "transitions": [GO], "number_pattern": "{seq}"}
    return Flow(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"transitions": [GO, GO]}, "duplicate transition"),
        ({"initial": "zz"}, "unknown initial"),
        ({"transitions": [Transition("go", S.A, "zz", "Go", "submit", who=())]}, "unknown state"),
        ({"edit_states": {"zz": None}}, "is not a state"),
        ({"edit_states": {S.B: "nope"}}, "unknown 'nope'"),
        ({"edit_states": {S.B: "go"}}, "does not leave"),
        ({"due_days": {"zz": 3}}, "due days for unknown"),
        ({"steps": [Step("s", "S", who=Role()), Step("s", "S", who=Role())]}, "duplicate step"),
    ],
)
def test_a_flow_that_contradicts_itself_is_refused_when_declared(kwargs, message):
    with pytest.raises(ValueError, match=message):
        flow(**kwargs)


def test_role_labels_name_who_acts_in_the_readers_language():
    with translation.override("en"):
        assert role_label(Role(department="QA", position=Position.HEAD)) == "Quality · Department head"
        assert role_label(Role(department=CREATOR_DEPARTMENT)) == "raising department"
        assert role_label(Role(user_field="owner")) == "named person"
        assert role_label(Role(department_field="owner_department")) == "responsible department"
        assert role_label(VGMInCharge()) == "deputy general manager in charge"
        assert role_label(Role()) == "anyone"
        assert role_label(Role(name="the buyer")) == "the buyer"
    with translation.override("zh-hans"):
        assert role_label(Role(department="QA", position=Position.HEAD)) == "品质部 · 部门负责人"


def test_roles_from_user_fields_and_from_department_fields(demo):
    memo = new_memo(demo["sales"])
    directory = Directory()
    assert Role(user_field="created_by").resolve(memo, directory) == [(None, None, demo["sales"].pk)]
    assert Role(user_field="created_by").matches(demo["sales"], memo)
    assert not Role(user_field="created_by").matches(demo["qa"], memo)
    # An inactive named person hands over to their department's head.
    sales = demo["sales"]
    sales.is_active = False
    sales.save()
    assert Role(user_field="created_by").resolve(memo, Directory()) == [("SALES", Position.HEAD, None)]
    # A role chosen by a field, and its fallback when the field names nothing mapped.
    chooser = FromField("category", {"quality": Role(department="QA")}, default=None)
    assert chooser.resolve(memo, Directory()) == []
    memo.category = "quality"
    assert chooser.resolve(memo, Directory()) == [("QA", None, None)]


def test_the_deputy_gm_in_charge_and_the_gm_when_nobody_is_in_charge(demo):
    memo = new_memo(demo["sales"])
    assert VGMInCharge().resolve(memo, Directory()) == [(None, None, demo["vgm"].pk)]
    from nhcs.accounts.models import Department

    Department.objects.update(deputy_gm=None)
    # Nobody named in charge: any deputy GM.
    assert VGMInCharge().resolve(memo, Directory()) == [(None, Position.VGM, None)]
    vgm = demo["vgm"]
    vgm.is_active = False
    vgm.save()
    # No deputy GM at all: the general manager.
    assert VGMInCharge().resolve(memo, Directory()) == [(None, Position.GM, None)]


def test_refusals_map_to_one_status_each_and_land_on_the_form_field():
    assert refusal_status(NotAllowed()) == 403
    assert refusal_status(StaleRecord()) == 409
    assert refusal_status(Blocked()) == 400
    assert refusal_status(WorkflowError()) == 400
    from django import forms

    class F(forms.Form):
        day = forms.DateField(label="Day")

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    form = F({"day": "2026-01-01"})
    assert form.is_valid()
    assert refuse(request, Blocked(problems=["Day: too early"]), form=form) == 400
    assert form.errors["day"] == ["too early"]


def test_history_reasons_written_as_codes_read_in_the_readers_language():
    with translation.override("en"):
        assert history_reason(Memo, "@created") == "Created"
        assert history_reason(Memo, "@edit") == "Edited"
        assert history_reason(Memo, "@t:submit") == "Submit"
        assert history_reason(Memo, "@t:gone") == "gone"
        assert history_reason(Memo, "@amend:MC-2026-0001") == "Amended by MC-2026-0001"
        assert history_reason(Memo, "Customer fax") == "Customer fax"
    with translation.override("zh-hans"):
        assert history_reason(Memo, "@t:submit") == "提交"


def test_the_company_calendar(db):
    monday = date(2026, 11, 30)
    assert monday.weekday() == 0
    assert add_working_days(monday, 5) == monday + timedelta(days=7)  # over the weekend
    WorkWeek.objects.create(pk=1, saturday=True)  # a six-day factory week
    assert add_working_days(monday, 5) == monday + timedelta(days=5)
    CalendarPeriod.objects.create(name="调休", starts_on=date(2026, 12, 6), ends_on=date(2026, 12, 6), kind="working")
    CalendarPeriod.objects.create(name="元旦", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 2))
    calendar = Calendar(monday)
    assert calendar.is_working_day(date(2026, 12, 6))  # a Sunday made a working day
    assert not calendar.is_working_day(date(2026, 12, 1))
    assert calendar.add_working_days(date(2026, 12, 1), 0) == date(2026, 12, 3)  # closed today: the next open day
    assert calendar.working_days_between(monday, date(2026, 12, 7)) == 5
    with pytest.raises(ValidationError) as refused:
        CalendarPeriod(name="x", starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 1)).full_clean()
    assert "ends_on" in refused.value.message_dict
