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
