"""Declarations of approval flows.

An area declares its flow once, as data: states, transitions, who may take each one, what must hold
first, what each action captures and what happens after. `WorkflowRecord` turns the transitions into
django-fsm transitions on the model, and `nhcs.workflow.services` runs them (lock, check, sign off,
tasks, e-mail). `tests/flowtest/models.py` is the worked example of every declaration.

The shapes a flow can use:

- **rounds**: each submission for review is a round (`Transition(new_round=True)`, by default any
  transition back to the first state); sign-offs and tasks belong to a round, and the signature boxes
  of a sheet are filled from the current round;
- **optional actions** (`Transition(optional=True)`: cancel, withdraw, reopen, recall): offered to
  those who may take them, never a task, never mailed, never overdue;
- **actions that carry data** (`Transition(form=...)`, `Step(form=...)`): a small form whose values
  are saved with the sign-off and printed with it;
- **roles resolved from the record** (`Role(department_field=...)`, `FromField`, `VGMInCharge`), with a
  fallback up the department hierarchy so no task is ever orphaned;
- **due dates** in working days of the company calendar, or from a date field of the record
  (`Due(field=...)`); a state can rest (`None`: no due date); **date-raised tasks** (`DateTask`);
- **child records** (`Flow(parent_field=...)`, `ChildrenIn`), numbered within their parent;
- **amendments** (`Flow(amendable=Amendable(...))`): an approved record of a declared kind changes
  this record's data, each value keeping its change mark;
- **readers** (`Flow(readers=...)`): who may read records of this kind; everyone else gets 404;
- **abilities** (`Flow(abilities=...)`): the area's own permissions (edit the BOM, manage customers…)
  declared as roles, so no area compares department codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from nhcs.accounts.choices import Position

from .choices import JUDGING_ACTIONS, REASONED_ACTIONS, AttachmentKind

if TYPE_CHECKING:
    from nhcs.accounts.models import User

    from .models import WorkflowRecord

# A department that is not fixed in the flow but read from the record (e.g. "the raising department").
CREATOR_DEPARTMENT = "@creator"

# (department code, position, user id): one kind of person a role stands for on a record.
Actor = tuple[str | None, str | None, int | None]


class Directory:
    """Who holds which role today: read once per operation, so resolving roles costs no query per role.

    Resolving a role checks that someone active holds it and otherwise falls back up the department
    hierarchy (head → deputy GM in charge → GM), so no task waits for a role nobody holds.
    """

    def __init__(self) -> None:
        self._users: dict[int, tuple[bool, str | None]] = {}

    @cached_property
    def _holders(self) -> set[tuple[str | None, str]]:
        """(department code, position) of every active user: one short query written out (Django composing
        it took longer than running it, on every page that checks a role)."""
        from django.db import connection

        from nhcs.accounts.models import Department, User

        user, department = User._meta, Department._meta
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT d.{department.get_field('code').column}, u.{user.get_field('position').column} "
                f"FROM {user.db_table} u LEFT JOIN {department.db_table} d "
                f"ON d.{department.pk.column} = u.{user.get_field('department').column} "
                f"WHERE u.{user.get_field('is_active').column}"
            )
            return set(cursor.fetchall())

    @cached_property
    def _departments(self) -> dict[str, dict[str, Any]]:
        from nhcs.accounts.models import Department

        rows = Department.objects.order_by().values(
            "pk", "code", "deputy_gm_id", "deputy_gm__is_active", "deputy_gm__department__code"
        )
        for r in rows:
            if r["deputy_gm_id"]:
                self._users.setdefault(
                    r["deputy_gm_id"], (bool(r["deputy_gm__is_active"]), r["deputy_gm__department__code"])
                )
        return {r["code"]: r for r in rows}

    def _user(self, user_id: int) -> tuple[bool, str | None]:
        if user_id not in self._users:
            from nhcs.accounts.models import User

            row = User.objects.filter(pk=user_id).values_list("is_active", "department__code").first()
            self._users[user_id] = (bool(row and row[0]), row[1] if row else None)
        return self._users[user_id]

    def user_active(self, user_id: int) -> bool:
        return self._user(user_id)[0]

    def user_department(self, user_id: int) -> str | None:
        return self._user(user_id)[1]

    def held(self, department: str | None, position: str | None) -> bool:
        for dept, pos in self._holders:
            if department is not None and dept != department:
                continue
            if position is not None and pos != position:
                continue
            return True
        return False

    def deputy_gm_of(self, department: str | None) -> int | None:
        row = self._departments.get(department or "")
        if row and row["deputy_gm_id"] and row["deputy_gm__is_active"]:
            return row["deputy_gm_id"]
        return None

    def department_pk(self, code: str) -> int | None:
        row = self._departments.get(code)
        return row["pk"] if row else None

    def up(self, actor: Actor) -> list[Actor]:
        """The next level up from an actor nobody holds: head → deputy GM in charge → GM."""
        department, position, user_id = actor
        if user_id is not None:
            department = self.user_department(user_id)
            return [(department, Position.HEAD, None)] if department else [(None, Position.GM, None)]
        if position in (None, "", Position.STAFF) and department:
            return [(department, Position.HEAD, None)]
        if position == Position.HEAD and department:
            vgm = self.deputy_gm_of(department)
            return [(None, None, vgm)] if vgm else [(None, Position.GM, None)]
        if position == Position.VGM:
            return [(None, Position.GM, None)]
        return []

    def holds(self, actor: Actor) -> bool:
        department, position, user_id = actor
        if user_id is not None:
            return self.user_active(user_id)
        return self.held(department, position or None)

    def settle(self, actors: list[Actor], fallback: Role | None, record) -> list[Actor]:
        """Actors that someone holds: the declared fallback for those nobody holds, else one level up."""
        settled: list[Actor] = []
        for actor in actors:
            current = [actor]
            for _depth in range(4):
                held = [a for a in current if self.holds(a)]
                if held:
                    settled.extend(held)
                    break
                if fallback is not None:
                    current = fallback.candidates(record, self)
                    fallback = None
                    continue
                current = [nxt for a in current for nxt in self.up(a)]
                if not current:
                    break
        return list(dict.fromkeys(settled))


@dataclass(frozen=True)
class Role:
    """Who may act: a department, a position, both, a department or user named on the record.

    - `department`: a department code, or CREATOR_DEPARTMENT for the raising department;
    - `department_field`: a ForeignKey to Department on the record ("the responsible department");
    - `user_field`: a ForeignKey (or ManyToMany) to users on the record ("the investigators");
    - `fallback`: who acts when nobody holds the role; without one, the role moves up the department
      hierarchy (staff → head → deputy GM in charge → GM).
    """

    department: str | None = None
    position: str | None = None
    user_field: str | None = None
    department_field: str | None = None
    fallback: Role | None = None
    name: Promise | str | None = None

    def candidates(self, record, directory: Directory) -> list[Actor]:
        """The actors this role names on the record, before any fallback."""
        if self.user_field:
            if record is None:
                return []
            model_field = record._meta.get_field(self.user_field)
            if model_field.many_to_many:
                if not record.pk:
                    return []
                return [(None, None, pk) for pk in getattr(record, self.user_field).values_list("pk", flat=True)]
            user_id = getattr(record, model_field.attname, None)
            return [(None, None, user_id)] if user_id is not None else []
        department = self.department
        if self.department_field:
            if record is None:
                return []
            value = getattr(record, self.department_field, None)
            department = getattr(value, "code", value) or None
            if department is None:
                return []
        elif department == CREATOR_DEPARTMENT:
            if record is None or record.created_by_id is None:
                return []
            creator = record.created_by
            department = creator.department.code if creator.department_id else None
            if department is None:
                return []
        return [(department, self.position, None)]

    def resolve(self, record, directory: Directory | None = None) -> list[Actor]:
        """The actors who act for this role on this record: someone always, thanks to the fallback."""
        directory = directory or Directory()
        return directory.settle(self.candidates(record, directory), self.fallback, record)

    def matches(self, user: User, record, directory: Directory | None = None) -> bool:
        return any(actor_matches(actor, user) for actor in self.resolve(record, directory))

    def label(self) -> str:
        from .display import role_label

        return role_label(self)


def actor_matches(actor: Actor, user) -> bool:
    department, position, user_id = actor
    if user_id is not None:
        return user.pk == user_id
    if department is None and not position:
        return False  # "anyone" is nobody's task
    if department is not None and user.department_code != department:
        return False
    if position and user.position != position:
        return False
    return True


@dataclass(frozen=True)
class FromField(Role):
    """A role chosen by a field of the record: FromField("category", {"quality": QA_HEAD}, default=SALES_HEAD).

    Correcting the field moves the record's tasks to the new role.
    """

    field_name: str = ""
    mapping: dict[Any, Role] = field(default_factory=dict, hash=False, compare=False)
    default: Role | None = None

    def __init__(self, field_name: str, mapping: dict[Any, Role], *, default: Role | None = None, name=None):
        object.__setattr__(self, "field_name", field_name)
        object.__setattr__(self, "mapping", dict(mapping))
        object.__setattr__(self, "default", default)
        object.__setattr__(self, "name", name)
        for attr in ("department", "position", "user_field", "department_field", "fallback"):
            object.__setattr__(self, attr, None)

    def chosen(self, record) -> Role | None:
        value = getattr(record, self.field_name, None) if record is not None else None
        return self.mapping.get(value, self.default)

    def candidates(self, record, directory):
        role = self.chosen(record)
        return role.candidates(record, directory) if role is not None else []

    def resolve(self, record, directory: Directory | None = None) -> list[Actor]:
        role = self.chosen(record)
        return role.resolve(record, directory) if role is not None else []

    def __hash__(self):
        return hash((self.field_name, tuple(sorted(map(str, self.mapping))), self.default))


@dataclass(frozen=True)
class VGMInCharge(Role):
    """The deputy general manager (主管副总经理) in charge of a department, from the department hierarchy:
    of the raising department by default, or of the department named in `department_field`."""

    def candidates(self, record, directory):
        base = Role(department=self.department or CREATOR_DEPARTMENT, department_field=self.department_field)
        departments = [a[0] for a in base.candidates(record, directory)]
        actors: list[Actor] = []
        for code in departments:
            vgm = directory.deputy_gm_of(code)
            actors.append((None, None, vgm) if vgm else (None, Position.VGM, None))
        return actors or [(None, Position.VGM, None)]


def list_text(items) -> str:
    """Items joined as the reader's language joins a list (Chinese: 、)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


# --- Requirements: what must hold before a transition is allowed. Each returns a message or None. --


class Requirement:
    def problem(self, record: WorkflowRecord, context: TransitionContext) -> str | None:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class FieldsFilled(Requirement):
    fields: tuple[str, ...]

    def __init__(self, *fields: str) -> None:
        object.__setattr__(self, "fields", fields)

    def problem(self, record, context):
        missing = []
        for name in self.fields:
            value = getattr(record, name)
            if value in (None, "") or (hasattr(value, "exists") and not value.exists()):
                missing.append(str(record._meta.get_field(name).verbose_name))
        if missing:
            return _("Fill in first: %(fields)s.") % {"fields": list_text(missing)}
        return None


@dataclass(frozen=True)
class HasAttachment(Requirement):
    kind: str

    def problem(self, record, context):
        if self.kind in context.new_attachment_kinds or record.attachments.filter(kind=self.kind).exists():
            return None
        return _("Attach first: %(kind)s.") % {"kind": AttachmentKind(self.kind).label}


@dataclass(frozen=True)
class Check(Requirement):
    """A rule of the area: `test(record)` is True when it holds; otherwise `message` is shown."""

    test: Callable[[Any], bool]
    message: Promise | str

    def problem(self, record, context):
        return None if self.test(record) else str(self.message)


@dataclass(frozen=True)
class StepsDone(Requirement):
    """Every review step opened in the current round is finished."""

    def problem(self, record, context):
        from .choices import TaskKind, TaskStatus
        from .models import Task

        open_steps = Task.objects.for_record(record).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN)
        labels = list(dict.fromkeys(str(record.flow.step_label(t.step)) for t in open_steps))
        if labels:
            return _("Waiting for: %(steps)s.") % {"steps": list_text(labels)}
        return None


@dataclass(frozen=True)
class ChildrenIn(Requirement):
    """Every child record (e.g. corrective actions) is in one of `states`; the message lists the others."""

    relation: str
    states: tuple[str, ...]
    message: Promise | str = _("Still open: %(children)s.")

    def problem(self, record, context):
        others = getattr(record, self.relation).exclude(state__in=self.states).order_by("pk")
        numbers = [f"{child.number} ({child.state_label})" for child in others]
        if numbers:
            return str(self.message) % {"children": list_text(numbers)}
        return None


@dataclass
class TransitionContext:
    """What the person taking the transition supplies with it."""

    comment: str = ""
    new_attachment_kinds: frozenset[str] = frozenset()
    data: dict[str, Any] = field(default_factory=dict)


# --- Due dates and date-raised tasks ----------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """When a state's task falls due: `days` working days after it opens, or the date in `field` of the
    record (plus `days` working days when both are given). A state mapped to None rests: no due date."""

    days: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class DateTask:
    """A task raised by a date (or data) condition, checked by one daily job.

    `records(queryset, today)` narrows the flow's records to those that need the task today; the job
    opens the task for new ones and closes it for records that no longer match. `who` acts; the task
    links to the record. `due` counts from the day it is raised.
    """

    key: str
    label: Promise | str
    who: Role
    records: Callable[[Any, Any], Any]
    due_days: int | None = 0


# --- Actions that carry data ------------------------------------------------------------------------


def data_rows(form_class, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of what an action captured, rendered in the reader's language."""
    if not form_class or not data:
        return []
    form = form_class()
    rows = []
    for name, bound_field in form.fields.items():
        value = data.get(name)
        if value in (None, "", []):
            continue  # what was left empty is not printed
        rows.append((str(bound_field.label or name), display_form_value(bound_field, value)))
    return rows


def display_form_value(form_field, value) -> str:
    from django import forms
    from django.utils.translation import gettext

    if value in (None, "", []):
        return "—"
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        objects = form_field.queryset.model._default_manager.filter(pk__in=value)
        return list_text(str(o) for o in objects)
    if isinstance(form_field, forms.ModelChoiceField):
        obj = form_field.queryset.model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    if isinstance(form_field, forms.BooleanField):
        return gettext("yes") if value else gettext("no")
    choices = getattr(form_field, "choices", None)
    if choices:
        labels = {str(k): v for k, v in choices}
        if isinstance(value, list):
            return list_text(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    return str(value)


# --- Transitions and steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    source: str | tuple[str, ...]
    target: str
    label: Promise | str
    action: str
    who: tuple[Role, ...]
    # When a condition is false the transition does not exist for the record (e.g. GM approval only
    # when the price changes). Requirements, by contrast, are shown and block it with a message.
    conditions: tuple[Callable[[Any], bool], ...] = ()
    requires: tuple[Requirement, ...] = ()
    comment_required: bool | None = None
    separation_of_duties: bool | None = None
    after: tuple[Callable[..., None], ...] = ()
    style: str = "primary"
    # Offered to those who may take it, never a task, never mailed, never overdue (cancel, recall…).
    optional: bool = False
    # A small form whose values are captured with the sign-off (see nhcs.workflow.forms.ActionForm).
    form: type | None = None
    # Starts a new round of signatures (default: a transition back to the flow's first state).
    new_round: bool | None = None
    # What the sign-off says was done ("replied the date"), when the action's name says too little.
    done_label: Promise | str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return self.source if isinstance(self.source, tuple) else (self.source,)

    @property
    def needs_comment(self) -> bool:
        if self.comment_required is not None:
            return self.comment_required
        return self.action in REASONED_ACTIONS

    @property
    def enforces_separation(self) -> bool:
        if self.separation_of_duties is not None:
            return self.separation_of_duties
        return self.action in JUDGING_ACTIONS


@dataclass(frozen=True)
class Step:
    """A parallel piece of a review (e.g. Purchasing's lead-time review), done by one role.

    `form` captures the opinion's data (outcome, conditions, impact figures …; default: outcome and
    comment); `requires` must hold before the opinion can be given (e.g. the BOM exists).
    """

    key: str
    label: Promise | str
    who: Role
    outcomes: tuple[str, ...] = ("accept", "conditions", "reject")
    due_days: int = 3
    form: type | None = None
    requires: tuple[Requirement, ...] = ()
    separation_of_duties: bool = True


@dataclass(frozen=True)
class Amendable:
    """Who may amend a record past its editing states, and what.

    `by` maps the flow key of an amending record (a change notice) to the states it must be in;
    `fields` are the record's own fields it may change; `rows` maps a child relation (e.g. "lines")
    to the fields of its rows it may change; `add_rows` names relations it may add rows to.
    """

    by: dict[str, tuple[str, ...]]
    fields: tuple[str, ...] = ()
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    add_rows: tuple[str, ...] = ()


HEADS_AND_ABOVE = (Position.HEAD, Position.VGM, Position.GM)


@dataclass
class Flow:
    key: str
    label: Promise | str
    states: Any  # a TextChoices class
    initial: str
    transitions: list[Transition]
    number_pattern: str
    final_states: tuple[str, ...] = ()
    steps: list[Step] = field(default_factory=list)
    # Working days allowed in a state before its task is overdue: an int, a Due, or None (the state
    # rests: its task has no due date).
    due_days: dict[str, int | Due | None] = field(default_factory=dict)
    default_due_days: int = 3
    # Who may edit the record's data, and in which states. A state missing here refuses edits; a
    # state after the first must map to the transition through which an edit reopens the approval.
    editors: tuple[Role, ...] = ()
    edit_states: dict[str, str | None] = field(default_factory=dict)
    # Who may read records of this kind (besides those named on them, who signed or are to act, heads
    # and above, and auditors). Adjustable in the admin (ReaderRule). None: every member of staff.
    readers: tuple[Role, ...] | None = None
    # The area's own permissions, as roles: {"edit_bom": (ENG,), ...} (see services.may).
    abilities: dict[str, tuple[Role, ...]] = field(default_factory=dict)
    date_tasks: list[DateTask] = field(default_factory=list)
    # A child flow names the ForeignKey to its parent record; children are numbered within it.
    parent_field: str | None = None
    amendable: Amendable | None = None

    def __post_init__(self) -> None:
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError(f"{self.key}: duplicate transition names")
        valid = set(self.states.values)
        if self.initial not in valid:
            raise ValueError(f"{self.key}: unknown initial state {self.initial!r}")
        for t in self.transitions:
            for state in (*t.sources, t.target):
                if state not in valid:
                    raise ValueError(f"{self.key}.{t.name}: unknown state {state!r}")
        for state, reopen in self.edit_states.items():
            if state not in valid:
                raise ValueError(f"{self.key}: edit state {state!r} is not a state")
            if reopen is not None and reopen not in self._by_name:
                raise ValueError(f"{self.key}: edit of {state!r} reopens through unknown {reopen!r}")
            if reopen is None and state != self.initial:
                # Signed data changes only by reopening the approval.
                raise ValueError(f"{self.key}: an edit in {state!r} must reopen the approval through a transition")
            if reopen is not None and state not in self._by_name[reopen].sources:
                raise ValueError(f"{self.key}: {reopen!r} does not leave {state!r}")
        for state in self.due_days:
            if state not in valid:
                raise ValueError(f"{self.key}: due days for unknown state {state!r}")
        self._steps = {s.key: s for s in self.steps}
        if len(self._steps) != len(self.steps):
            raise ValueError(f"{self.key}: duplicate step keys")

    def transition(self, name: str) -> Transition:
        return self._by_name[name]

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def step(self, key: str) -> Step:
        return self._steps[key]

    def step_label(self, key: str) -> Promise | str:
        return self._steps[key].label if key in self._steps else key

    def state_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def state_order(self) -> list[str]:
        return list(self.states.values)

    def due_for(self, state: str) -> Due | None:
        if state in self.final_states:
            return None
        value = self.due_days.get(state, self.default_due_days)
        if value is None or isinstance(value, Due):
            return value
        return Due(days=value)

    def starts_round(self, transition: Transition) -> bool:
        if transition.new_round is not None:
            return transition.new_round
        return transition.target == self.initial and any(s != self.initial for s in transition.sources)

    def all_roles(self) -> Iterable[Role]:
        for t in self.transitions:
            yield from t.who
        for s in self.steps:
            yield s.who


# Register of flows by key, filled as models declaring a flow are created.
FLOWS: dict[str, tuple[Flow, type]] = {}


def register(flow: Flow, model: type) -> None:
    FLOWS[flow.key] = (flow, model)


def any_position(*positions: str) -> tuple[Role, ...]:
    return tuple(Role(position=p) for p in positions)
