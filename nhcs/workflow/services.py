"""Every write of the approval workflow: create, edit, transition, review steps, amendments,
attachments, date-raised tasks, deputies — and the checks of who may read and act.

Each function locks the record row, checks, writes the sign-off or change mark in the same transaction,
and mails the next actors only after the transaction commits. Areas lock and check through
`record_lock`, `may` and `can_read_record` here: no area takes a row lock or compares department codes
itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from nhcs.accounts.models import Department, User
from nhcs.core.request_cache import per_request

from . import display
from .calendar import Calendar, end_of_day
from .choices import Action, RoundStatus, TaskKind, TaskStatus
from .exceptions import Blocked, NotAllowed, StaleRecord, WorkflowError
from .flow import (
    FLOWS,
    HEADS_AND_ABOVE,
    Actor,
    Directory,
    Due,
    Flow,
    HasAttachment,
    Role,
    Step,
    Transition,
    TransitionContext,
    actor_matches,
    list_text,
)
from .forms import OpinionForm
from .locking import lock_rows
from .models import (
    Attachment,
    Delegation,
    ReaderRule,
    Round,
    SignOff,
    Task,
    ValueChange,
    WorkflowRecord,
)
from .numbering import next_number

AUDIT_PERMISSION = "workflow.audit_records"

# --- locking ----------------------------------------------------------------------------------------


def record_lock(record: models.Model, *, expected_version: int | None = None) -> Any:
    """Lock a record's row and return it fresh; StaleRecord if the form showed an older version."""
    model = type(record)
    locked = lock_rows(model._default_manager.all()).get(pk=record.pk)
    if expected_version is not None and getattr(locked, "version", None) != expected_version:
        raise StaleRecord()
    return locked


def record_touch(record: WorkflowRecord, *, user: User, editor: bool = True) -> WorkflowRecord:
    """Count a change of the record's own data or rows (bump the version, note who changed it).

    Call it with the row locked (record_lock). A form that showed the older version is then refused.
    `editor=False` for a reviewer's own part of a review (Engineering's BOM, Purchasing's lead times):
    it is counted, but does not make them the record's last editor, barred from judging it.
    """
    changes: dict[str, Any] = {"version": models.F("version") + 1, "changed_at": timezone.now()}
    if editor:
        changes["changed_by"] = user
    type(record)._default_manager.filter(pk=record.pk).update(**changes)
    if editor:
        Task.objects.for_record(record).open().update(record_changed_by=user)
    # A fresh instance, not refresh_from_db(): the protected state field refuses being set on a loaded one.
    return type(record)._default_manager.get(pk=record.pk)


# --- who may act --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    user: User
    on_behalf_of: User | None = None


def active_principals(*, user: User, on: date | None = None) -> list[User]:
    """The managers this user deputises for today."""
    if not user.is_authenticated:
        return []
    on = on or timezone.localdate()
    cache = getattr(user, "_nhcs_principals", None)
    if cache is not None and cache[0] == on:
        return cache[1]
    # Most users deputise for nobody: a short query written out says so (Django composing the query with
    # the principals and their departments cost 2 ms of every page that checks a role); only deputies
    # read their principals.
    with connection.cursor() as cursor:
        cursor.execute(_DEPUTISING_SQL, [user.pk, on, on])
        ids = [principal_id for (principal_id,) in cursor.fetchall()]
    found = (
        {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True).select_related("department")} if ids else {}
    )
    principals = [found[pk] for pk in dict.fromkeys(ids) if pk in found]  # the latest delegation first
    user._nhcs_principals = (on, principals)
    return principals


_DEPUTISING_SQL = (
    f"SELECT {Delegation._meta.get_field('principal').column} FROM {Delegation._meta.db_table} "
    f"WHERE {Delegation._meta.get_field('deputy').column} = %s "
    f"AND {Delegation._meta.get_field('starts_on').column} <= %s "
    f"AND {Delegation._meta.get_field('ends_on').column} >= %s "
    f"ORDER BY {Delegation._meta.get_field('starts_on').column} DESC, {Delegation._meta.pk.column} DESC"
)


def _read_directory(user) -> Directory:
    """Who holds which role, for checks that only read: the page's snapshot (views set it on the user),
    else one per request. Writes that open tasks take a fresh Directory."""
    return getattr(user, "_nhcs_directory", None) or per_request("directory", Directory)


def _match_roles(*, roles: Iterable[Role], user: User, record, directory: Directory | None = None) -> Acting | None:
    roles = tuple(roles)
    # A page shares one snapshot of the directory (the views set it on request.user).
    directory = directory or _read_directory(user)
    actors = [actor for role in roles for actor in role.resolve(record, directory)]
    if any(actor_matches(actor, user) for actor in actors):
        return Acting(user=user)
    for principal in active_principals(user=user):
        if any(actor_matches(actor, principal) for actor in actors):
            return Acting(user=user, on_behalf_of=principal)
    return None


def holds_role(*, user: User, roles: Iterable[Role], record=None) -> bool:
    """Whether the user (or a manager they deputise for today) holds one of the roles."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _match_roles(roles=roles, user=user, record=record) is not None


def may(*, user: User, flow: Flow, ability: str, record=None) -> bool:
    """May the user do what the flow declares as `ability` (e.g. "edit_bom"), deputies included."""
    roles = flow.abilities.get(ability)
    if roles is None:
        raise KeyError(f"{flow.key}: no ability {ability!r}")
    return holds_role(user=user, roles=roles, record=record)


def acting_for(*, user: User, flow: Flow, ability: str, record=None) -> Acting:
    """As `may`, returning who acts (and on whose behalf) or raising NotAllowed."""
    acting = _match_roles(roles=flow.abilities[ability], user=user, record=record) if user.is_active else None
    if acting is None:
        raise NotAllowed()
    return acting


def separation_problem(*, record: WorkflowRecord, acting: Acting | User) -> str | None:
    """Nobody judges what they created or last changed — nor through a deputy."""
    if isinstance(acting, User):
        acting = Acting(user=acting)
    people = {acting.user.pk}
    if acting.on_behalf_of is not None:
        people.add(acting.on_behalf_of.pk)
    if people & {record.created_by_id, record.changed_by_id}:
        return str(_("You created or last changed this record, so someone else must review, approve or verify it."))
    return None


def transition_check(
    *, record: WorkflowRecord, transition: Transition, user: User, directory: Directory | None = None
) -> Acting:
    """Raise NotAllowed unless the user (or a manager they deputise for) may take the transition."""
    acting = _match_roles(roles=transition.who, user=user, record=record, directory=directory)
    if acting is None:
        raise NotAllowed()
    if transition.enforces_separation:
        problem = separation_problem(record=record, acting=acting)
        if problem:
            raise NotAllowed(problem)
    return acting


@dataclass
class TransitionOption:
    transition: Transition
    allowed: bool
    problems: list[str]

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def optional(self) -> bool:
        return self.transition.optional

    @property
    def wanted_attachment_kind(self) -> str | None:
        kinds = [r.kind for r in self.transition.requires if isinstance(r, HasAttachment)]
        return kinds[0] if kinds else None

    @property
    def wants_attachment(self) -> bool:
        return self.wanted_attachment_kind is not None


def transition_options(
    *, record: WorkflowRecord, user: User, directory: Directory | None = None
) -> list[TransitionOption]:
    """The transitions this user may take on the record now, each with what still blocks it."""
    options = []
    context = TransitionContext()
    directory = directory or _read_directory(user)
    for t in record.flow.transitions_from(record.state):
        if not can_proceed(getattr(record, t.name)):
            continue
        try:
            transition_check(record=record, transition=t, user=user, directory=directory)
        except NotAllowed:
            continue
        problems = [p for p in (r.problem(record, context) for r in t.requires) if p]
        options.append(TransitionOption(transition=t, allowed=not problems, problems=problems))
    return options


# --- who may read -------------------------------------------------------------------------------------


def is_auditor(user: User) -> bool:
    """Auditors (the "Auditors" group's permission) and superusers read every record and verify
    signatures. Checked with the user's cached permissions: no query once they are loaded."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(AUDIT_PERMISSION)


@dataclass
class Readers:
    """Who reads every record of a flow: its reader roles (or the admin's departments), heads and above."""

    roles: tuple[Role, ...] | None
    heads_and_above: bool = True

    def read_all(self, user: User) -> bool:
        if self.heads_and_above and user.position in HEADS_AND_ABOVE:
            return True
        if self.roles is None:
            return user.department_id is not None
        for role in self.roles:
            if role.user_field or role.department_field:
                continue
            department = role.department
            if department is not None and department.startswith("@"):
                continue
            if department is not None and user.department_code != department:
                continue
            if role.position and user.position != role.position:
                continue
            if department is None and not role.position:
                continue
            return True
        return False


def _reader_rules() -> dict[str, Readers]:
    """The readers kept in the admin for each record type: two queries, once per request."""
    return {
        rule.flow_key: Readers(
            roles=tuple(Role(department=d.code) for d in rule.departments.all()),
            heads_and_above=rule.heads_and_above,
        )
        for rule in ReaderRule.objects.prefetch_related("departments")
    }


def readers_of(flow: Flow) -> Readers:
    rule = per_request("reader_rules", _reader_rules).get(flow.key)
    return rule if rule is not None else Readers(roles=flow.readers)


def _named_on(record: WorkflowRecord, user: User, flow: Flow, readers: Readers, directory: Directory) -> bool:
    """Named on the record: its creator, a person in one of its user fields, a member of a department
    in one of its department fields that reads it (an improvement item's responsible department)."""
    if user.pk == record.created_by_id:
        return True
    for role in flow.all_roles():
        if role.user_field and any(actor_matches(a, user) for a in role.candidates(record, directory)):
            return True
    for role in readers.roles or ():
        if role.department_field and any(a[0] == user.department_code for a in role.candidates(record, directory)):
            return True
    return False


def can_read_record(
    *, user: User, record: WorkflowRecord, readers: Readers | None = None, directory: Directory | None = None
) -> bool:
    """Whether the user may read this record, its sheets and attachments (everyone else gets 404): the
    flow's readers (or the admin's), heads and above, auditors, the people and departments named on it,
    those who are to act on it now, and whoever reads its parent record."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_auditor(user):
        return True
    flow = record.flow
    parent = record.parent_record
    if parent is not None and can_read_record(user=user, record=parent):
        return True
    readers = readers or readers_of(flow)
    if readers.read_all(user) or _named_on(record, user, flow, readers, directory or _read_directory(user)):
        return True
    # Those who are to act on it now read it (a signature alone opens nothing: whoever recorded a
    # delivery against an order does not read the order).
    identities = [user, *active_principals(user=user)]
    condition = Q()
    for person in identities:
        condition |= _task_identity_q(person)
    return Task.objects.for_record(record).open().filter(condition).exists()


# Kept for the areas' existing calls.
can_view_record = can_read_record


def can_list_records(*, user: User, flow: Flow) -> bool:
    """Whether the user has lists of this kind of record at all: its readers, and those who may be named
    on its records or have tasks in its flow (they see the records they may read). Optional actions and
    the area's abilities open no list: whoever only records deliveries against an order, say, reads no
    order. Everyone else gets 404 on the lists and their sheets."""
    if not user.is_authenticated or not user.is_active:
        return False
    readers = readers_of(flow)
    if is_auditor(user) or readers.read_all(user):
        return True
    if user.department_id is None:
        return False
    task_roles = [r for t in flow.transitions if not t.optional for r in t.who] + [s.who for s in flow.steps]
    task_roles += [d.who for d in flow.date_tasks]
    if any(r.user_field or r.department_field for r in [*task_roles, *(readers.roles or ())]):
        return True
    return any(_role_is_held_by(role, user) for role in task_roles)


def _role_is_held_by(role: Role, user: User) -> bool:
    department = role.department
    if department is not None and department.startswith("@"):
        return user.department_id is not None
    if department is not None and department != user.department_code:
        return False
    if role.position and role.position != user.position:
        return False
    return department is not None or bool(role.position)


def reads_every_record(*, user: User, flow: Flow) -> bool:
    """Whether the user reads every record of the flow (auditors, its readers): `readable` then keeps the
    queryset as it is, and a list of things belonging to those records needs no filter by them."""
    return user.is_authenticated and user.is_active and (is_auditor(user) or readers_of(flow).read_all(user))


def readable(queryset: models.QuerySet, *, user: User) -> models.QuerySet:
    """The records of the queryset the user may read: lists and exports show nothing else."""
    model = queryset.model
    flow: Flow = model.flow
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if reads_every_record(user=user, flow=flow):
        return queryset
    readers = readers_of(flow)
    ct = ContentType.objects.get_for_model(model)
    identities = [user, *active_principals(user=user)]
    task_q = Q()
    for person in identities:
        task_q |= _task_identity_q(person)
    condition = Q(created_by=user)
    condition |= Q(
        pk__in=Task.objects.filter(content_type=ct, status=TaskStatus.OPEN).filter(task_q).values("object_id")
    )
    for role in flow.all_roles():
        if role.user_field:
            named = model._default_manager.filter(**{role.user_field: user}).values("pk")
            condition |= Q(pk__in=named)
    for role in readers.roles or ():
        if role.department_field and user.department_id is not None:
            condition |= Q(**{role.department_field: user.department_id})
    if flow.parent_field:
        parent_model = model._meta.get_field(flow.parent_field).related_model
        parents = readable(parent_model._default_manager.all(), user=user)
        condition |= Q(**{f"{flow.parent_field}__in": parents.values("pk")})
    return queryset.filter(condition)


def _task_identity_q(u: User) -> Q:
    role_match = Q(assignee=None) & (Q(department=None) | Q(department_id=u.department_id))
    role_match &= Q(position="") | Q(position=u.position)
    role_match &= ~Q(department=None, position="")
    return Q(assignee_id=u.pk) | role_match


def can_edit_record(*, user: User, record: WorkflowRecord) -> bool:
    if record.state not in record.flow.edit_states:
        return False
    editors = record.flow.editors or (Role(department="@creator"),)
    return _match_roles(roles=editors, user=user, record=record) is not None


def can_attach(*, user: User, record: WorkflowRecord) -> bool:
    """Anyone who works on the record may add material to it while it is open."""
    if record.is_final or not can_read_record(user=user, record=record):
        return False
    if user.pk == record.created_by_id or can_edit_record(user=user, record=record):
        return True
    return _match_roles(roles=list(record.flow.all_roles()), user=user, record=record) is not None


# --- rounds -----------------------------------------------------------------------------------------------


def round_current(record: WorkflowRecord) -> Round | None:
    return Round.objects.for_record(record).order_by("-number").first()


def _round_start(record: WorkflowRecord, *, user: User, number: int | None = None) -> Round:
    if number is None:
        last = Round.objects.for_record(record).aggregate(m=Max("number"))["m"] or 0
        number = last + 1
    return Round.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        number=number,
        started_by=user,
    )


def _round_end(round_: Round | None, *, status: str, transition: str) -> None:
    if round_ is None or round_.status != RoundStatus.OPEN:
        return
    Round.objects.filter(pk=round_.pk).update(status=status, ended_at=timezone.now(), ended_by_transition=transition)
    round_.status = status


# --- create, edit, transition -----------------------------------------------------------------------


def _child_number(*, model: type[WorkflowRecord], parent: WorkflowRecord) -> str:
    """A child's number within its parent: KS-2026-0007/2 (the parent's row is locked meanwhile)."""
    record_lock(parent)
    siblings = model._default_manager.filter(**{model.flow.parent_field: parent}).count()
    return f"{parent.number}/{siblings + 1}"


@transaction.atomic
def record_create(*, model: type[WorkflowRecord], user: User, data: dict[str, Any]) -> WorkflowRecord:
    """Create a record in its flow's first state, numbered, in its first round, with its tasks."""
    flow = model.flow
    now = timezone.now()
    data = dict(data)
    many = {k: data.pop(k) for k in list(data) if isinstance(model._meta.get_field(k), models.ManyToManyField)}
    if flow.parent_field:
        parent = data.get(flow.parent_field)
        if parent is None:
            raise Blocked(_("A child record needs its parent record."))
        number = _child_number(model=model, parent=parent)
    else:
        number = next_number(key=flow.key, default_pattern=flow.number_pattern)
    record = model(
        **data,
        number=number,
        state=flow.initial,
        created_by=user,
        changed_by=user,
        created_at=now,
        changed_at=now,
        state_changed_at=now,
    )
    record._change_reason = display.CREATED
    record._history_user = user
    try:
        record.full_clean(exclude=["number", "state", "created_by", "changed_by"])
    except ValidationError as error:
        raise Blocked(problems=_validation_messages(record, error)) from None
    record.save()
    for name, values in many.items():
        getattr(record, name).set(values)
    _round_start(record, user=user, number=1)
    tasks_refresh(record=record)
    return record


def _validation_messages(obj, error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for name, errors in error.message_dict.items():
        try:
            label = str(obj._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - "__all__" or a form-only name
            label = ""
        for message in errors:
            out.append(f"{label}: {message}" if label else message)
    return out


@contextmanager
def record_editing(
    *, record: WorkflowRecord, user: User, reason: str = "", expected_version: int | None = None
) -> Iterator[WorkflowRecord]:
    """Change a record's data or its rows under the flow's edit rules, as one unit.

    Locks the record, checks the user may edit it in its state, asks a reason outside the first state
    (kept as the change mark), yields the locked record for the changes, then counts the change and,
    in a state the flow maps to a reopening transition, reopens the approval through it: signed data
    never changes without a new round of signatures.
    """
    with transaction.atomic():
        locked = record_lock(record, expected_version=expected_version)
        flow = locked.flow
        if locked.state not in flow.edit_states:
            raise NotAllowed(_("A record in the state “%(state)s” cannot be changed.") % {"state": locked.state_label})
        if not can_edit_record(user=user, record=locked):
            raise NotAllowed()
        reason = (reason or "").strip()
        if locked.state != flow.initial and not reason:
            raise Blocked(_("Give the reason for the change: it is kept as the change mark."))
        if len(reason) > 100:
            raise Blocked(_("Keep the reason for the change to 100 characters."))
        locked._nhcs_reason = reason or display.EDITED
        yield locked
        touched = record_touch(locked, user=user)
        reopen = flow.edit_states[touched.state]
        if reopen:
            _apply_transition(
                record=touched,
                transition=flow.transition(reopen),
                acting=Acting(user=user),
                context=TransitionContext(comment=reason),
            )
        else:
            # A corrected field may name someone else to act (a role from a field): tasks follow.
            tasks_refresh(record=touched)


@transaction.atomic
def record_update(
    *,
    record: WorkflowRecord,
    user: User,
    changes: dict[str, Any],
    reason: str = "",
    expected_version: int | None = None,
) -> WorkflowRecord:
    """Change record data, keeping a change mark (field, before, after, who, when, why).

    Outside the first state a reason is required and the change reopens the approval through the
    transition the flow declares for that state.
    """
    locked = record_lock(record, expected_version=expected_version)
    changed = False
    m2m = {}
    for name, value in changes.items():
        model_field = locked._meta.get_field(name)
        if isinstance(model_field, models.ManyToManyField):
            if set(getattr(locked, name).values_list("pk", flat=True)) != {getattr(v, "pk", v) for v in value}:
                m2m[name] = value
            continue
        before = model_field.value_from_object(locked)
        if before != value:
            changed = True
    if not changed and not m2m:
        if locked.state not in locked.flow.edit_states or not can_edit_record(user=user, record=locked):
            raise NotAllowed()
        return locked
    with record_editing(record=locked, user=user, reason=reason) as editing:
        for name, value in changes.items():
            if name not in m2m and not isinstance(editing._meta.get_field(name), models.ManyToManyField):
                setattr(editing, name, value)
        try:
            editing.full_clean(exclude=["number", "state", "created_by", "changed_by"])
        except ValidationError as error:
            raise Blocked(problems=_validation_messages(editing, error)) from None
        editing.changed_by = user
        editing.changed_at = timezone.now()
        editing._change_reason = editing._nhcs_reason
        editing._history_user = user
        editing.save()
        for name, values in m2m.items():
            getattr(editing, name).set(values)
    return type(record)._default_manager.get(pk=record.pk)


def _action_form(t: Transition | Step, *, record, data, step: Step | None = None):
    if isinstance(t, Step):
        form_class = t.form or OpinionForm
        return form_class(data=data or {}, record=record, outcomes=t.outcomes)
    return t.form(data=data or {}, record=record)


def _form_problems(form) -> list[str]:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            problems.append(f"{label}: {error}" if label else str(error))
    return problems


@transaction.atomic
def transition_record(
    *,
    record: WorkflowRecord,
    name: str,
    user: User,
    comment: str = "",
    expected_version: int | None = None,
    attachments: Iterable[tuple[UploadedFile, str, str]] = (),
    data: dict[str, Any] | None = None,
) -> WorkflowRecord:
    """Take a declared transition, with the data its form captures.

    Exactly one of two concurrent callers wins; the other gets StaleRecord.
    """
    locked = record_lock(record, expected_version=expected_version)
    flow = locked.flow
    try:
        t = flow.transition(name)
    except KeyError:
        raise NotAllowed() from None
    if locked.state not in t.sources:
        raise StaleRecord(
            _("The record is now “%(state)s”; this action no longer applies.") % {"state": locked.state_label}
        )
    if not can_proceed(getattr(locked, t.name)):
        raise NotAllowed()
    acting = transition_check(record=locked, transition=t, user=user)
    attachments = list(attachments)
    context = TransitionContext(
        comment=(comment or "").strip(),
        new_attachment_kinds=frozenset(kind for _f, kind, _d in attachments),
        data={},
    )
    problems = []
    form = None
    if t.form is not None:
        form = _action_form(t, record=locked, data=data)
        if form.is_valid():
            form.apply(locked)
            context.data = form.signoff_data()
        else:
            problems.extend(_form_problems(form))
    if not problems:
        problems = [p for p in (r.problem(locked, context) for r in t.requires) if p]
    if t.needs_comment and not context.comment:
        problems.append(str(_("Give a reason in the comment.")))
    if problems:
        raise Blocked(problems=problems)
    for upload, kind, description in attachments:
        attachment_add(
            record=locked,
            user=user,
            upload=upload,
            kind=kind,
            description=description,
            purpose="" if description else "transition",
            params={} if description else {"transition": t.name},
        )
    _apply_transition(record=locked, transition=t, acting=acting, context=context)
    return locked


def _apply_transition(
    *, record: WorkflowRecord, transition: Transition, acting: Acting, context: TransitionContext
) -> SignOff:
    flow = record.flow
    from_state = record.state
    current = round_current(record)
    new_round = flow.starts_round(transition)
    getattr(record, transition.name)()
    now = timezone.now()
    record.state_changed_at = now
    record.version += 1
    record._change_reason = display.transition_reason(transition.name)
    record._history_user = acting.user
    record.save()
    if from_state != record.state:
        # Review steps belong to the state that opened them: leaving it cancels those still open.
        Task.objects.for_record(record).open().filter(kind=TaskKind.STEP).update(
            status=TaskStatus.CANCELLED, completed_at=now
        )
    signing_round = current
    if new_round:
        if current is not None and current.status == RoundStatus.OPEN:
            _round_end(current, status=RoundStatus.SUPERSEDED, transition=transition.name)
            current = _round_start(record, user=acting.user)
        else:
            current = _round_start(record, user=acting.user)
            signing_round = current
    signoff = signoff_write(
        record=record,
        acting=acting,
        transition=transition.name,
        action=transition.action,
        from_state=from_state,
        to_state=record.state,
        comment=context.comment,
        data=context.data,
        round_=signing_round,
    )
    if record.state in flow.final_states:
        _round_end(current, status=RoundStatus.COMPLETED, transition=transition.name)
    for hook in transition.after:
        hook(record=record, signoff=signoff, user=acting.user, context=context)
    tasks_refresh(record=record)
    return signoff


def signoff_write(
    *,
    record: WorkflowRecord,
    acting: Acting,
    transition: str,
    action: str,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    step: str = "",
    outcome: str = "",
    data: dict[str, Any] | None = None,
    round_: Round | None = None,
) -> SignOff:
    signer = acting.on_behalf_of or acting.user
    if round_ is None:
        round_ = round_current(record)
    return SignOff.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        round=round_,
        transition=transition,
        step=step,
        action=action,
        outcome=outcome,
        from_state=from_state,
        to_state=to_state,
        user=acting.user,
        on_behalf_of=acting.on_behalf_of,
        department_name=signer.department.name_zh if signer.department_id else "",
        department_code=signer.department.code if signer.department_id else "",
        position=signer.position,
        comment=comment,
        data=data or {},
        content_hash=record.content_hash(),
    )


# --- amendments -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amend:
    """A new value for a field of the amended record, or of one of its rows (`row`: an order line)."""

    field: str
    value: Any
    row: models.Model | None = None
    relation: str = ""


@dataclass(frozen=True)
class AddRow:
    """A row added to a relation of the amended record (e.g. an order line)."""

    relation: str
    values: dict[str, Any] = field(default_factory=dict)


def _json(value: Any) -> Any:
    from .forms import json_value

    return json_value(value)


@transaction.atomic
def record_amend(
    *, target: WorkflowRecord, changes: Sequence[Amend | AddRow], by_record: WorkflowRecord, user: User
) -> SignOff:
    """Apply an approved amending record's changes (a change or delay notice) to another record.

    Works past the target's editing states, but only for an amending record of a kind the target's
    flow declares and in a state it names. Each changed value keeps its change mark (old and new value,
    the amending record's number and date, the signer); the amendment is itself a sign-off on the
    target, with a new content hash.
    """
    amendable = target.flow.amendable
    allowed_states = amendable.by.get(by_record.flow.key) if amendable else None
    if not allowed_states or by_record.state not in allowed_states:
        raise NotAllowed(_("Only an approved change of a declared kind amends this record."))
    locked = record_lock(target)
    reason = display.amendment_reason(by_record.number)
    marks: list[dict[str, Any]] = []
    for change in changes:
        if isinstance(change, AddRow):
            if change.relation not in amendable.add_rows:
                raise NotAllowed(_("Rows cannot be added here by an amendment."))
            manager = getattr(locked, change.relation)
            row = manager.model(**{manager.field.name: locked}, **change.values)
            _clean(row)
            row._history_user = user
            row._change_reason = reason
            row.save()
            marks.append(
                {
                    "relation": change.relation,
                    "row_id": row.pk,
                    "field": "",
                    "old_value": None,
                    "new_value": {k: _json(v) for k, v in change.values.items()},
                }
            )
            continue
        if change.row is None:
            if change.field not in amendable.fields:
                raise NotAllowed(_("This field is not changed by amendments."))
            obj, relation = locked, ""
        else:
            relation = change.relation or _relation_of(locked, change.row)
            if change.field not in amendable.rows.get(relation, ()):
                raise NotAllowed(_("This field is not changed by amendments."))
            obj = lock_rows(getattr(locked, relation).all()).get(pk=change.row.pk)
        model_field = obj._meta.get_field(change.field)
        old = model_field.value_from_object(obj)
        setattr(obj, change.field, change.value)
        new = model_field.value_from_object(obj)
        if old == new:
            continue
        _clean(obj)
        obj._history_user = user
        obj._change_reason = reason
        if obj is locked:
            locked.save()
        else:
            obj.save()
        marks.append(
            {
                "relation": relation,
                "row_id": obj.pk if relation else None,
                "field": change.field,
                "old_value": _json(old),
                "new_value": _json(new),
            }
        )
    if not marks:
        raise Blocked(_("The amendment changes nothing."))
    locked = record_touch(locked, user=user)
    signoff = signoff_write(
        record=locked,
        acting=Acting(user=user),
        transition="",
        action=Action.AMEND,
        from_state=locked.state,
        to_state=locked.state,
        comment=by_record.number,
        data={
            "by_number": by_record.number,
            "by_type": ContentType.objects.get_for_model(type(by_record)).pk,
            "by_id": by_record.pk,
        },
    )
    ct = ContentType.objects.get_for_model(type(locked))
    by_ct = ContentType.objects.get_for_model(type(by_record))
    ValueChange.objects.bulk_create(
        [
            ValueChange(
                content_type=ct,
                object_id=locked.pk,
                by_content_type=by_ct,
                by_object_id=by_record.pk,
                by_number=by_record.number,
                signoff=signoff,
                user=user,
                changed_at=signoff.signed_at,
                **mark,
            )
            for mark in marks
        ]
    )
    tasks_refresh(record=locked)
    return signoff


def _relation_of(record: WorkflowRecord, row: models.Model) -> str:
    for rel in record._meta.related_objects:
        if rel.related_model is type(row) and rel.one_to_many:
            return rel.get_accessor_name()
    raise NotAllowed()


def _clean(obj: models.Model) -> None:
    try:
        obj.full_clean(exclude=["number", "state", "created_by", "changed_by"])
    except ValidationError as error:
        raise Blocked(problems=_validation_messages(obj, error)) from None


# --- tasks --------------------------------------------------------------------------------------------


def due_at_for(record: WorkflowRecord, due: Due | None, *, calendar: Calendar | None = None):
    """When a task falls due: working days from today, or a date field of the record; None rests."""
    if due is None:
        return None
    today = timezone.localdate()
    calendar = calendar or Calendar(today)
    if due.field:
        start = getattr(record, due.field, None)
        if start is None:
            return None
        if hasattr(start, "date") and not isinstance(start, date):
            start = timezone.localtime(start).date()
        day = calendar.add_working_days(start, due.days or 0)
        return end_of_day(day)
    return end_of_day(calendar.add_working_days(today, due.days or 0))


def _task_fields(record: WorkflowRecord, round_: Round | None) -> dict[str, Any]:
    return {
        "content_type": ContentType.objects.get_for_model(type(record)),
        "object_id": record.pk,
        "round": round_,
        "flow_key": record.flow.key,
        "record_number": record.number,
        "record_title": (record.record_title() or "")[:200],
        "record_url": record.get_absolute_url(),
        "record_created_by_id": record.created_by_id,
        "record_changed_by_id": record.changed_by_id,
    }


def _departments_by_code() -> dict[str, Department]:
    return {d.code: d for d in Department.objects.all()}


def tasks_refresh(*, record: WorkflowRecord) -> list[Task]:
    """Close the tasks of the state the record left and open one per role that must act now.

    Optional actions (cancel, recall …) are never tasks; a role nobody holds falls back up the
    department hierarchy. A task whose role changed (the record's category was corrected) moves.
    """
    flow = record.flow
    now = timezone.now()
    Task.objects.for_record(record).open().filter(kind=TaskKind.STATE).exclude(state=record.state).update(
        status=TaskStatus.CANCELLED, completed_at=now
    )
    directory = Directory()
    wanted: dict[tuple, list[str]] = {}
    for t in flow.transitions_from(record.state):
        if t.optional or not can_proceed(getattr(record, t.name)):
            continue
        for role in t.who:
            for dept, position, user_id in role.resolve(record, directory):
                names = wanted.setdefault((dept, position or "", user_id, t.enforces_separation), [])
                if t.name not in names:
                    names.append(t.name)
    # A role that may take both a judging and a non-judging transition keeps one, unrestricted, task.
    for key in list(wanted):
        twin = (key[0], key[1], key[2], False)
        if key[3] and twin in wanted:
            wanted[twin].extend(n for n in wanted.pop(key) if n not in wanted[twin])
    existing = {
        (t.department.code if t.department_id else None, t.position, t.assignee_id, t.excludes_creator_and_editor): t
        for t in Task.objects.for_record(record).open().filter(kind=TaskKind.STATE).select_related("department")
    }
    stale = [t.pk for key, t in existing.items() if key not in wanted]
    if stale:
        Task.objects.filter(pk__in=stale).update(status=TaskStatus.CANCELLED, completed_at=now)
    for key, names in wanted.items():
        task = existing.get(key)
        if task is not None and task.transitions != ",".join(names):
            Task.objects.filter(pk=task.pk).update(transitions=",".join(names))
    missing = [key for key in wanted if key not in existing]
    if not missing:
        return []
    departments = _departments_by_code()
    common = _task_fields(record, round_current(record))
    due_at = due_at_for(record, flow.due_for(record.state))
    created = [
        Task(
            **common,
            kind=TaskKind.STATE,
            state=record.state,
            transitions=",".join(wanted[key]),
            department=departments.get(key[0]) if key[0] else None,
            position=key[1],
            assignee_id=key[2],
            excludes_creator_and_editor=key[3],
            due_at=due_at,
        )
        for key in missing
    ]
    Task.objects.bulk_create(created)
    _notify_on_commit(record, created)
    return created


def _notify_on_commit(record: WorkflowRecord, created: list[Task]) -> None:
    ids = [t.pk for t in created if t.pk]
    if not ids:
        ids = list(
            Task.objects.for_record(record)
            .open()
            .filter(created_at__gte=min(t.created_at for t in created))
            .values_list("pk", flat=True)
        )
    transaction.on_commit(lambda: notify_tasks(task_ids=ids))


def steps_open(*, record: WorkflowRecord, keys: Iterable[str]) -> list[Task]:
    """Open review steps (parallel tasks) on a record in its current round."""
    keys = list(keys)
    Task.objects.for_record(record).open().filter(kind=TaskKind.STEP, step__in=keys).update(
        status=TaskStatus.CANCELLED, completed_at=timezone.now()
    )
    departments = _departments_by_code()
    common = _task_fields(record, round_current(record))
    directory = Directory()
    calendar = Calendar()
    tasks = []
    for key in keys:
        step = record.flow.step(key)
        due_at = due_at_for(record, Due(days=step.due_days), calendar=calendar)
        for dept, position, user_id in step.who.resolve(record, directory):
            tasks.append(
                Task(
                    **common,
                    kind=TaskKind.STEP,
                    step=key,
                    department=departments.get(dept) if dept else None,
                    position=position or "",
                    assignee_id=user_id,
                    excludes_creator_and_editor=step.separation_of_duties,
                    due_at=due_at,
                )
            )
    Task.objects.bulk_create(tasks)
    if tasks:
        _notify_on_commit(record, tasks)
    return tasks


def step_check(
    *, task: Task, user: User, record: WorkflowRecord | None = None, directory: Directory | None = None
) -> Acting:
    record = record if record is not None else task.record
    step = record.flow.step(task.step)
    acting = _match_roles(roles=(step.who,), user=user, record=record, directory=directory)
    if acting is None:
        raise NotAllowed()
    if step.separation_of_duties:
        problem = separation_problem(record=record, acting=acting)
        if problem:
            raise NotAllowed(problem)
    return acting


def step_problems(*, step: Step, record: WorkflowRecord) -> list[str]:
    context = TransitionContext()
    return [p for p in (r.problem(record, context) for r in step.requires) if p]


@transaction.atomic
def step_complete(
    *,
    task: Task,
    user: User,
    outcome: str = "",
    comment: str = "",
    data: dict[str, Any] | None = None,
    record: WorkflowRecord | None = None,
) -> Task:
    """Give a review step's opinion with what its form captures; a rejection or conditions must say why.

    Writes a sign-off in the current round.
    """
    task = lock_rows(Task.objects.all()).get(pk=task.pk)
    if task.status != TaskStatus.OPEN or task.kind != TaskKind.STEP:
        raise StaleRecord(_("This review step is already finished."))
    record = record_lock(record if record is not None else task.record)
    step = record.flow.step(task.step)
    acting = step_check(task=task, user=user, record=record)
    values = dict(data or {})
    values.setdefault("outcome", outcome)
    values.setdefault("comment", comment)
    form = _action_form(step, record=record, data=values)
    problems = step_problems(step=step, record=record)
    if not form.is_valid():
        problems.extend(_form_problems(form))
    if problems:
        raise Blocked(problems=problems)
    outcome = form.cleaned_data["outcome"]
    comment = (form.cleaned_data.get("comment") or "").strip()
    if outcome in ("reject", "conditions") and not comment:
        raise Blocked(_("Say why, or which conditions, in the comment."))
    form.apply(record)
    task.status = TaskStatus.DONE
    task.outcome = outcome
    task.comment = comment
    task.completed_at = timezone.now()
    task.completed_by = user
    task.save()
    signoff_write(
        record=record,
        acting=acting,
        transition="",
        step=task.step,
        action=Action.REVIEW,
        from_state=record.state,
        to_state=record.state,
        comment=comment,
        outcome=outcome,
        data=form.signoff_data(),
        round_=task.round,
    )
    # Another step may have been the last one blocking a transition: the state's tasks may change.
    tasks_refresh(record=record)
    return task


def notify_tasks(*, task_ids: list[int]) -> int:
    from .notifications import mail_task_actors

    return mail_task_actors(tasks=Task.objects.filter(pk__in=task_ids, status=TaskStatus.OPEN))


# --- tasks raised by dates ------------------------------------------------------------------------


@transaction.atomic
def date_tasks_refresh(*, today: date | None = None) -> dict[str, int]:
    """Raise the date-raised tasks every flow declares, and clear those no longer due (the daily job)."""
    today = today or timezone.localdate()
    calendar = Calendar(today)
    directory = Directory()
    departments = _departments_by_code()
    counts = {"raised": 0, "cleared": 0}
    for _key, (flow, model) in sorted(FLOWS.items()):
        if not flow.date_tasks:
            continue
        ct = ContentType.objects.get_for_model(model)
        for date_task in flow.date_tasks:
            due_ids = set(date_task.records(model._default_manager.all(), today).values_list("pk", flat=True))
            open_tasks = Task.objects.filter(
                content_type=ct, kind=TaskKind.DATE, step=date_task.key, status=TaskStatus.OPEN
            )
            have = set(open_tasks.values_list("object_id", flat=True))
            cleared = open_tasks.exclude(object_id__in=due_ids).update(
                status=TaskStatus.DONE, completed_at=timezone.now()
            )
            counts["cleared"] += cleared
            new_ids = sorted(due_ids - have)
            created = []
            due_at = end_of_day(calendar.add_working_days(today, date_task.due_days or 0))
            for record in model._default_manager.filter(pk__in=new_ids).select_related("created_by__department"):
                common = _task_fields(record, round_current(record))
                for dept, position, user_id in date_task.who.resolve(record, directory):
                    created.append(
                        Task(
                            **common,
                            kind=TaskKind.DATE,
                            state=record.state,
                            step=date_task.key,
                            department=departments.get(dept) if dept else None,
                            position=position or "",
                            assignee_id=user_id,
                            due_at=due_at,
                        )
                    )
            Task.objects.bulk_create(created)
            counts["raised"] += len(created)
            if created:
                ids = [t.pk for t in created if t.pk]
                if ids:
                    transaction.on_commit(lambda ids=ids: notify_tasks(task_ids=ids))
    return counts


# --- attachments ----------------------------------------------------------------------------------

ALLOWED_MIME_TYPES = {
    "application/pdf": _("PDF"),
    "image/jpeg": _("JPEG picture"),
    "image/png": _("PNG picture"),
    "image/gif": _("GIF picture"),
    "image/tiff": _("TIFF picture (fax)"),
    "image/webp": _("WebP picture"),
    "image/bmp": _("BMP picture"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _("Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("Excel workbook"),
    "application/msword": _("Word 97 document"),
    "application/vnd.ms-excel": _("Excel 97 workbook"),
    "application/x-ole-storage": _("Office 97 document"),
}
TEXT_SUFFIXES = {".txt", ".eml", ".csv", ".msg"}


def detect_mime_type(*, head: bytes, name: str) -> str | None:
    """The type of an upload by its content; None when it is not one we keep."""
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip" and name.lower().endswith((".docx", ".xlsx")):
            return None  # a zip pretending to be an Office file without the Office parts
        return mime if mime in ALLOWED_MIME_TYPES else None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/x-ole-storage"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in TEXT_SUFFIXES and b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return "text/plain"
            except UnicodeDecodeError:
                continue
    return None


def attachment_validate(*, upload: UploadedFile) -> str:
    """Return the detected type or raise Blocked saying why the file is refused."""
    limit = settings.NHCS_ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise Blocked(_("The file “%(name)s” is empty.") % {"name": upload.name})
    if upload.size > limit:
        raise Blocked(
            _("The file “%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": upload.name, "size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = detect_mime_type(head=head, name=upload.name)
    if mime is None:
        allowed = list_text(sorted({str(v) for v in ALLOWED_MIME_TYPES.values()} | {str(_("text"))}))
        raise Blocked(
            _("The file “%(name)s” is not a kind we keep (by its content). Allowed: %(allowed)s.")
            % {"name": upload.name, "allowed": allowed}
        )
    return mime


@transaction.atomic
def attachment_add(
    *,
    record: models.Model,
    user: User,
    upload: UploadedFile,
    kind: str,
    description: str = "",
    purpose: str = "",
    params: dict[str, Any] | None = None,
) -> Attachment:
    """Keep a file with a record, numbered within it. `purpose` and `params` describe a file the system
    adds (a letter it generated), rendered in the reader's language; `description` is typed text."""
    mime = attachment_validate(upload=upload)
    ct = ContentType.objects.get_for_model(type(record))
    # The record row is locked by the caller or here, so numbers within a record never collide.
    record_lock(record)
    last = Attachment.objects.filter(content_type=ct, object_id=record.pk).aggregate(m=Max("seq"))["m"] or 0
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        content_type=ct,
        object_id=record.pk,
        seq=last + 1,
        kind=kind,
        description=(description or "").strip()[:200],
        purpose=purpose,
        params=params or {},
        original_name=upload.name[:200],
        mime_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save(upload.name, upload, save=False)
    saved = _saved_files.get()
    if saved is not None:
        saved.append((attachment.file.storage, attachment.file.name))
    attachment.save()
    return attachment


_saved_files: ContextVar[list | None] = ContextVar("nhcs_saved_files", default=None)


@contextmanager
def files_discarded_on_failure():
    """Wrap a service call that may store uploads: if it fails, its files go with its rows."""
    saved: list = []
    token = _saved_files.set(saved)
    try:
        yield
    except BaseException:
        for storage, name in saved:
            storage.delete(name)
        raise
    finally:
        _saved_files.reset(token)


# --- signatures -----------------------------------------------------------------------------------------


@dataclass
class SignatureCheck:
    record: WorkflowRecord
    signoffs: int
    intact: bool
    last_signed_at: Any = None
    changed_after: list[Any] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.signoffs:
            return str(_("Not signed yet."))
        if self.intact:
            return str(_("The record is as it was last signed."))
        return str(_("The record changed after its last signature."))


def signatures_verify(*, record: WorkflowRecord, user: User) -> SignatureCheck:
    """Recompute the record's hash and compare it with its last sign-off (auditors only)."""
    if not is_auditor(user):
        raise NotAllowed()
    signoffs = list(SignOff.objects.for_record(record).order_by("signed_at", "pk"))
    if not signoffs:
        return SignatureCheck(record=record, signoffs=0, intact=True)
    last = signoffs[-1]
    intact = last.content_hash == record.content_hash(kind=last.hash_kind)
    changed = []
    if not intact:
        from .selectors import history_for

        changed = [entry for entry in history_for(record=record) if entry.when > last.signed_at]
    return SignatureCheck(
        record=record, signoffs=len(signoffs), intact=intact, last_signed_at=last.signed_at, changed_after=changed
    )


# --- deputies -------------------------------------------------------------------------------------


def delegation_problem(
    *, principal: User, deputy: User, starts_on: date, ends_on: date, exclude_pk: int | None = None
) -> str | None:
    """Why this deputy may not stand in for this manager over these dates, or None."""
    if not principal.is_manager:
        return str(_("Only department heads and general managers name deputies."))
    if deputy.pk == principal.pk:
        return str(_("You cannot be your own deputy."))
    if ends_on < starts_on:
        return str(_("The end date is before the start date."))
    if not deputy.is_active:
        return str(_("This user is no longer active."))
    same_department = deputy.department_id is not None and deputy.department_id == principal.department_id
    if not same_department and not deputy.is_superior_of(principal):
        return str(_("A deputy must be able to hold your position: someone of your department, or your superior."))
    overlap = Delegation.objects.filter(principal=principal, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude_pk is not None:
        overlap = overlap.exclude(pk=exclude_pk)
    if overlap.exists():
        return str(_("You already have a deputy for part of this period; end that one first."))
    return None


@transaction.atomic
def delegation_create(*, principal: User, deputy: User, starts_on: date, ends_on: date, note: str = "") -> Delegation:
    if not principal.is_manager:
        raise NotAllowed(_("Only department heads and general managers name deputies."))
    problem = delegation_problem(principal=principal, deputy=deputy, starts_on=starts_on, ends_on=ends_on)
    if problem:
        raise Blocked(problem)
    return Delegation.objects.create(
        principal=principal, deputy=deputy, starts_on=starts_on, ends_on=ends_on, note=note.strip()
    )


@transaction.atomic
def delegation_end(*, delegation: Delegation, user: User) -> Delegation | None:
    if delegation.principal_id != user.pk and not user.is_superuser:
        raise NotAllowed()
    today = timezone.localdate()
    if delegation.starts_on >= today:
        delegation.delete()
        return None
    delegation.ends_on = min(delegation.ends_on, today - timedelta(days=1))
    delegation.save(update_fields=["ends_on"])
    return delegation


__all__ = [
    "Acting",
    "AddRow",
    "Amend",
    "WorkflowError",
    "Actor",
    "files_discarded_on_failure",
    "record_create",
    "record_editing",
    "record_lock",
    "record_touch",
    "record_update",
    "record_amend",
    "transition_record",
    "steps_open",
    "step_complete",
    "attachment_add",
    "date_tasks_refresh",
    "delegation_create",
    "delegation_end",
    "may",
    "can_read_record",
    "readable",
    "signatures_verify",
]
