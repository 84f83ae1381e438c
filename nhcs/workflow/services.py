"""Every write of the approval workflow: create, edit, transition, review steps, attachments, deputies.

Each function locks the record row, checks, writes the sign-off or change mark in the same transaction,
and mails the next actors only after the transaction commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from nhcs.accounts.models import Department, User

from .choices import Action, TaskKind, TaskStatus
from .exceptions import Blocked, NotAllowed, StaleRecord, WorkflowError
from .flow import HasAttachment, Role, Transition, TransitionContext, list_text
from .models import Attachment, Delegation, SignOff, Task, WorkflowRecord
from .numbering import next_number

# --- who may act ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    user: User
    on_behalf_of: User | None = None


def active_principals(*, user: User, on: date | None = None) -> list[User]:
    """The managers this user deputises for today."""
    on = on or timezone.localdate()
    return [
        d.principal
        for d in Delegation.objects.filter(deputy=user, starts_on__lte=on, ends_on__gte=on).select_related(
            "principal__department"
        )
    ]


def _match_roles(*, roles: Iterable[Role], user: User, record: WorkflowRecord) -> Acting | None:
    roles = tuple(roles)
    if any(role.matches(user, record) for role in roles):
        return Acting(user=user)
    for principal in active_principals(user=user):
        if principal.is_active and any(role.matches(principal, record) for role in roles):
            return Acting(user=user, on_behalf_of=principal)
    return None


def separation_problem(*, record: WorkflowRecord, user: User) -> str | None:
    if user.pk in (record.created_by_id, record.changed_by_id):
        return str(_("You created or last changed this record, so someone else must review, approve or verify it."))
    return None


def transition_check(*, record: WorkflowRecord, transition: Transition, user: User) -> Acting:
    """Raise NotAllowed unless the user (or a manager they deputise for) may take the transition."""
    acting = _match_roles(roles=transition.who, user=user, record=record)
    if acting is None:
        raise NotAllowed()
    if transition.enforces_separation:
        problem = separation_problem(record=record, user=user)
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
    def wanted_attachment_kind(self) -> str | None:
        kinds = [r.kind for r in self.transition.requires if isinstance(r, HasAttachment)]
        return kinds[0] if kinds else None

    @property
    def wants_attachment(self) -> bool:
        return self.wanted_attachment_kind is not None


def transition_options(*, record: WorkflowRecord, user: User) -> list[TransitionOption]:
    """The transitions this user may take on the record now, each with what still blocks it."""
    options = []
    context = TransitionContext()
    for t in record.flow.transitions_from(record.state):
        if not can_proceed(getattr(record, t.name)):
            continue
        try:
            transition_check(record=record, transition=t, user=user)
        except NotAllowed:
            continue
        problems = [p for p in (r.problem(record, context) for r in t.requires) if p]
        options.append(TransitionOption(transition=t, allowed=not problems, problems=problems))
    return options


def can_view_record(*, user: User, record: WorkflowRecord) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.groups.filter(name="Auditors").exists():
        return True
    viewers = record.flow.viewers
    if viewers is None:
        return user.department_id is not None
    if _match_roles(roles=viewers, user=user, record=record) is not None:
        return True
    if user.pk == record.created_by_id:
        return True
    return (
        SignOff.objects.for_record(record).filter(user=user).exists()
        or Task.objects.for_record(record).filter(assignee=user).exists()
    )


def can_edit_record(*, user: User, record: WorkflowRecord) -> bool:
    if record.state not in record.flow.edit_states:
        return False
    editors = record.flow.editors or (Role(department="@creator"),)
    return _match_roles(roles=editors, user=user, record=record) is not None


def can_attach(*, user: User, record: WorkflowRecord) -> bool:
    """Anyone who works on the record may add material to it while it is open."""
    if record.is_final or not can_view_record(user=user, record=record):
        return False
    if user.pk == record.created_by_id or can_edit_record(user=user, record=record):
        return True
    roles = list(record.flow.all_roles()) + [s.who for s in record.flow.steps]
    return _match_roles(roles=roles, user=user, record=record) is not None


# --- create, edit, transition -----------------------------------------------------------------------


def _lock(record: WorkflowRecord, expected_version: int | None) -> WorkflowRecord:
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord()
    return locked


@transaction.atomic
def record_create(*, model: type[WorkflowRecord], user: User, data: dict[str, Any]) -> WorkflowRecord:
    """Create a record in its flow's first state, numbered, with its tasks."""
    flow = model.flow
    now = timezone.now()
    many = {k: data.pop(k) for k in list(data) if isinstance(model._meta.get_field(k), models.ManyToManyField)}
    record = model(
        **data,
        number=next_number(key=flow.key, default_pattern=flow.number_pattern),
        state=flow.initial,
        created_by=user,
        changed_by=user,
        created_at=now,
        changed_at=now,
        state_changed_at=now,
    )
    record._change_reason = str(_("Created"))
    record._history_user = user
    record.full_clean(exclude=["number", "state", "created_by", "changed_by"])
    record.save()
    for name, values in many.items():
        getattr(record, name).set(values)
    tasks_refresh(record=record)
    return record


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

    Outside the first state a reason is required; in a state the flow maps to a reopening transition,
    the change also sends the record back through that transition.
    """
    locked = _lock(record, expected_version)
    flow = locked.flow
    if locked.state not in flow.edit_states:
        raise NotAllowed(_("A record in the state “%(state)s” cannot be changed.") % {"state": locked.state_label})
    if not can_edit_record(user=user, record=locked):
        raise NotAllowed()
    reason = (reason or "").strip()
    if locked.state != flow.initial and not reason:
        raise Blocked(_("Give the reason for the change: it is kept as the change mark."))
    m2m = {}
    changed = False
    for name, value in changes.items():
        field = locked._meta.get_field(name)
        if isinstance(field, models.ManyToManyField):
            m2m[name] = value
            continue
        before = field.value_from_object(locked)
        setattr(locked, name, value)
        changed = changed or field.value_from_object(locked) != before
    if not changed and not m2m:
        return locked
    locked.full_clean(exclude=["number", "state", "created_by", "changed_by"])
    locked.changed_by = user
    locked.changed_at = timezone.now()
    locked.version += 1
    locked._change_reason = reason or str(_("Edited"))
    locked._history_user = user
    locked.save()
    for name, values in m2m.items():
        getattr(locked, name).set(values)
    reopen = flow.edit_states[locked.state]
    if reopen:
        _apply_transition(
            record=locked,
            transition=flow.transition(reopen),
            acting=Acting(user=user),
            context=TransitionContext(comment=reason),
        )
    else:
        Task.objects.for_record(locked).open().update(record_changed_by=user)
    return locked


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
    """Take a declared transition. Exactly one of two concurrent callers wins; the other gets StaleRecord."""
    locked = _lock(record, expected_version)
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
        data=data or {},
    )
    problems = [p for p in (r.problem(locked, context) for r in t.requires) if p]
    if t.needs_comment and not context.comment:
        problems.append(str(_("Give a reason in the comment.")))
    if problems:
        raise Blocked(problems=problems)
    for upload, kind, description in attachments:
        attachment_add(record=locked, user=user, upload=upload, kind=kind, description=description)
    _apply_transition(record=locked, transition=t, acting=acting, context=context)
    return locked


def _apply_transition(
    *, record: WorkflowRecord, transition: Transition, acting: Acting, context: TransitionContext
) -> SignOff:
    from_state = record.state
    getattr(record, transition.name)()
    now = timezone.now()
    record.state_changed_at = now
    record.version += 1
    record._change_reason = f"{transition.label}: {context.comment}" if context.comment else str(transition.label)
    record._history_user = acting.user
    record.save()
    signoff = signoff_write(
        record=record,
        acting=acting,
        transition=transition.name,
        action=transition.action,
        from_state=from_state,
        to_state=record.state,
        comment=context.comment,
    )
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
) -> SignOff:
    signer = acting.on_behalf_of or acting.user
    return SignOff.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
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
        content_hash=record.content_hash(),
    )


# --- tasks --------------------------------------------------------------------------------------------


def _due(days: int | None):
    return timezone.now() + timedelta(days=days) if days is not None else None


def _task_fields(record: WorkflowRecord) -> dict[str, Any]:
    return {
        "content_type": ContentType.objects.get_for_model(type(record)),
        "object_id": record.pk,
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
    """Close the tasks of the state the record left and open one per role that may act now."""
    Task.objects.for_record(record).open().filter(kind=TaskKind.STATE).exclude(state=record.state).update(
        status=TaskStatus.CANCELLED, completed_at=timezone.now()
    )
    existing = set(
        Task.objects.for_record(record)
        .open()
        .filter(kind=TaskKind.STATE, state=record.state)
        .values_list("department__code", "position", "assignee_id", "excludes_creator_and_editor")
    )
    departments = _departments_by_code()
    wanted: dict[tuple, list[str]] = {}
    for t in record.flow.transitions_from(record.state):
        if not can_proceed(getattr(record, t.name)):
            continue
        for role in t.who:
            for dept, position, user_id in role.resolve(record):
                names = wanted.setdefault((dept, position or "", user_id, t.enforces_separation), [])
                if t.name not in names:
                    names.append(t.name)
    # A role that may take both a judging and a non-judging transition keeps one, unrestricted, task.
    for key in list(wanted):
        twin = (key[0], key[1], key[2], False)
        if key[3] and twin in wanted:
            wanted[twin].extend(n for n in wanted.pop(key) if n not in wanted[twin])
    created = []
    common = _task_fields(record)
    due_at = _due(record.flow.due_days_for(record.state))
    for (dept, position, user_id, sod), names in wanted.items():
        if (dept, position, user_id, sod) in existing:
            continue
        created.append(
            Task(
                **common,
                kind=TaskKind.STATE,
                state=record.state,
                transitions=",".join(names),
                department=departments.get(dept) if dept else None,
                position=position,
                assignee_id=user_id,
                excludes_creator_and_editor=sod,
                due_at=due_at,
            )
        )
    Task.objects.bulk_create(created)
    if created:
        ids = [t.pk for t in created if t.pk] or list(
            Task.objects.for_record(record).open().filter(state=record.state).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: notify_tasks(task_ids=ids))
    return created


def steps_open(*, record: WorkflowRecord, keys: Iterable[str]) -> list[Task]:
    """Open review steps (parallel tasks) on a record; reopening cancels the earlier round's open steps."""
    Task.objects.for_record(record).open().filter(kind=TaskKind.STEP, step__in=list(keys)).update(
        status=TaskStatus.CANCELLED, completed_at=timezone.now()
    )
    departments = _departments_by_code()
    common = _task_fields(record)
    tasks = []
    for key in keys:
        step = record.flow.step(key)
        for dept, position, user_id in step.who.resolve(record):
            tasks.append(
                Task(
                    **common,
                    kind=TaskKind.STEP,
                    step=key,
                    department=departments.get(dept) if dept else None,
                    position=position or "",
                    assignee_id=user_id,
                    due_at=_due(step.due_days),
                )
            )
    Task.objects.bulk_create(tasks)
    ids = list(Task.objects.for_record(record).open().filter(kind=TaskKind.STEP).values_list("pk", flat=True))
    transaction.on_commit(lambda: notify_tasks(task_ids=ids))
    return tasks


def step_check(*, task: Task, user: User) -> Acting:
    record = task.record
    step = record.flow.step(task.step)
    acting = _match_roles(roles=(step.who,), user=user, record=record)
    if acting is None:
        raise NotAllowed()
    return acting


@transaction.atomic
def step_complete(*, task: Task, user: User, outcome: str, comment: str = "") -> Task:
    """Finish a review step with an outcome; a rejection must say why. Writes a sign-off."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN or task.kind != TaskKind.STEP:
        raise StaleRecord(_("This review step is already finished."))
    record = _lock(task.record, None)
    step = record.flow.step(task.step)
    acting = step_check(task=task, user=user)
    if outcome not in step.outcomes:
        raise Blocked(_("Choose one of the offered outcomes."))
    comment = (comment or "").strip()
    if outcome in ("reject", "conditions") and not comment:
        raise Blocked(_("Say why, or which conditions, in the comment."))
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
    )
    # Another step may have been the last one blocking a transition: the state's tasks may change.
    tasks_refresh(record=record)
    return task


def notify_tasks(*, task_ids: list[int]) -> int:
    from .notifications import mail_task_actors

    return mail_task_actors(tasks=Task.objects.filter(pk__in=task_ids, status=TaskStatus.OPEN))


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
    *, record: models.Model, user: User, upload: UploadedFile, kind: str, description: str = ""
) -> Attachment:
    mime = attachment_validate(upload=upload)
    ct = ContentType.objects.get_for_model(type(record))
    # The record row is locked by the caller or here, so numbers within a record never collide.
    type(record).objects.select_for_update().filter(pk=record.pk).exists()
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
        description=description.strip(),
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


# --- deputies -------------------------------------------------------------------------------------


@transaction.atomic
def delegation_create(*, principal: User, deputy: User, starts_on: date, ends_on: date, note: str = "") -> Delegation:
    if not principal.is_manager:
        raise NotAllowed(_("Only department heads and general managers name deputies."))
    if deputy.pk == principal.pk:
        raise Blocked(_("You cannot be your own deputy."))
    if ends_on < starts_on:
        raise Blocked(_("The end date is before the start date."))
    if not deputy.is_active:
        raise Blocked(_("This user is no longer active."))
    overlap = Delegation.objects.filter(principal=principal, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlap.exists():
        raise Blocked(_("You already have a deputy for part of this period; end that one first."))
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
    "files_discarded_on_failure",
    "WorkflowError",
    "record_create",
    "record_update",
    "transition_record",
    "steps_open",
    "step_complete",
    "attachment_add",
    "delegation_create",
    "delegation_end",
]
