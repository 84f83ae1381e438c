"""Declarations of approval flows.

An area declares its flow once, as data: states, transitions, who may take each one, what must hold
first and what happens after. `WorkflowRecord` turns the transitions into django-fsm transitions on the
model, and `nhcs.workflow.services` runs them (lock, check, sign off, tasks, e-mail).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from nhcs.accounts.choices import Position

from .choices import JUDGING_ACTIONS, REASONED_ACTIONS, AttachmentKind

if TYPE_CHECKING:
    from nhcs.accounts.models import User

    from .models import WorkflowRecord

# A department that is not fixed in the flow but read from the record (e.g. "the raising department").
CREATOR_DEPARTMENT = "@creator"


@dataclass(frozen=True)
class Role:
    """Who may act: a department, a position, both, or a user named on the record."""

    department: str | None = None
    position: str | None = None
    # Name of a ForeignKey to the user on the record (e.g. "owner"), or of a ManyToMany of users.
    user_field: str | None = None

    def resolve(self, record: WorkflowRecord) -> list[tuple[str | None, str | None, int | None]]:
        """(department code, position, user id) triples this role stands for on this record."""
        if self.user_field:
            value = getattr(record, self.user_field)
            if hasattr(value, "all"):
                return [(None, None, u.pk) for u in value.all()]
            return [(None, None, value.pk)] if value is not None else []
        department = self.department
        if department == CREATOR_DEPARTMENT:
            creator = record.created_by
            department = creator.department.code if creator and creator.department_id else None
            if department is None:
                return []
        return [(department, self.position, None)]

    def matches(self, user: User, record: WorkflowRecord) -> bool:
        for department, position, user_id in self.resolve(record):
            if user_id is not None:
                if user.pk == user_id:
                    return True
                continue
            if department is not None and user.department_code != department:
                continue
            if position is not None and user.position != position:
                continue
            return True
        return False

    def label(self) -> str:
        from .display import role_label

        return role_label(self)


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
        if record.attachments.filter(kind=self.kind).exists() or self.kind in context.new_attachment_kinds:
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
    """Every review step opened on the record is finished."""

    def problem(self, record, context):
        from .choices import TaskKind, TaskStatus
        from .models import Task

        open_steps = Task.objects.for_record(record).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN)
        labels = [record.flow.step_label(t.step) for t in open_steps]
        if labels:
            return _("Waiting for: %(steps)s.") % {"steps": list_text(labels)}
        return None


@dataclass
class TransitionContext:
    """What the person taking the transition supplies with it."""

    comment: str = ""
    new_attachment_kinds: frozenset[str] = frozenset()
    data: dict[str, Any] = field(default_factory=dict)


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
    """A parallel piece of a review (e.g. Purchasing's lead-time review), done by one role."""

    key: str
    label: Promise | str
    who: Role
    outcomes: tuple[str, ...] = ("accept", "conditions", "reject")
    due_days: int = 3


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
    # Working days allowed in a state before its task is overdue.
    due_days: dict[str, int] = field(default_factory=dict)
    default_due_days: int = 3
    # Who may edit the record's data, and in which states. A state missing here refuses edits;
    # a state mapped to a transition name reopens the approval through that transition.
    editors: tuple[Role, ...] = ()
    edit_states: dict[str, str | None] = field(default_factory=dict)
    # Who may see records of this flow (besides those who act on it); None means every member of staff.
    viewers: tuple[Role, ...] | None = None

    def __post_init__(self) -> None:
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError(f"{self.key}: duplicate transition names")
        valid = set(self.states.values)
        for t in self.transitions:
            for state in (*t.sources, t.target):
                if state not in valid:
                    raise ValueError(f"{self.key}.{t.name}: unknown state {state!r}")
        for state, reopen in self.edit_states.items():
            if reopen is not None and reopen not in self._by_name:
                raise ValueError(f"{self.key}: edit of {state!r} reopens through unknown {reopen!r}")
        self._steps = {s.key: s for s in self.steps}

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

    def due_days_for(self, state: str) -> int | None:
        if state in self.final_states:
            return None
        return self.due_days.get(state, self.default_due_days)

    def all_roles(self) -> Iterable[Role]:
        for t in self.transitions:
            yield from t.who


# Register of flows by key, filled as models declaring a flow are created.
FLOWS: dict[str, tuple[Flow, type]] = {}


def register(flow: Flow, model: type) -> None:
    FLOWS[flow.key] = (flow, model)


def any_position(*positions: str) -> tuple[Role, ...]:
    return tuple(Role(position=p) for p in positions)


HEADS_AND_ABOVE = (Position.HEAD, Position.VGM, Position.GM)
