import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from nhcs.accounts.choices import Position

from .choices import Action, AttachmentKind, StepOutcome, TaskKind, TaskStatus
from .flow import Flow, register


class WorkflowRecord(ConcurrentTransitionMixin, models.Model):
    """Base of every record that moves through an approval flow.

    A subclass sets `flow = Flow(...)`; each of the flow's transitions becomes a django-fsm transition
    method of the same name, so `state` only ever changes through a declared transition.
    """

    flow: ClassVar[Flow]

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    state = FSMField(_("state"), max_length=40, protected=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("last changed at"), default=timezone.now, editable=False)
    state_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now, editable=False)
    # Bumped on every write: a form posts the version it showed, so a stale form is refused, not applied.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    signoffs = GenericRelation("workflow.SignOff")
    attachments = GenericRelation("workflow.Attachment")
    tasks = GenericRelation("workflow.Task")
    history = HistoricalRecords(inherit=True, excluded_fields=["version", "changed_at", "state_changed_at"])

    # Fields that are workflow bookkeeping, not record data: not hashed, not shown as changes.
    BOOKKEEPING_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"id", "state", "created_by", "created_at", "changed_by", "changed_at", "state_changed_at", "version"}
    )

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        flow = cls.__dict__.get("flow")
        if flow is None:
            return
        for t in flow.transitions:
            setattr(cls, t.name, _make_transition_method(t))
        register(flow, cls)

    def __str__(self) -> str:
        return self.number or str(self.pk)

    @property
    def state_label(self) -> str:
        return self.flow.state_label(self.state)

    @property
    def is_final(self) -> bool:
        return self.state in self.flow.final_states

    def get_absolute_url(self) -> str:  # pragma: no cover - each area defines its own
        raise NotImplementedError

    def record_title(self) -> str:
        """One line shown in task lists and e-mails after the number."""
        return ""

    def content_for_hash(self) -> dict:
        """The record's data as signed. Areas add their lines (order lines, actions, …)."""
        data = {}
        for f in self._meta.concrete_fields:
            if f.name in self.BOOKKEEPING_FIELDS:
                continue
            data[f.attname] = f.value_from_object(self)
        return data

    def content_hash(self) -> str:
        payload = json.dumps(self.content_for_hash(), sort_keys=True, default=_json_default, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "name"):  # FieldFile
        return value.name
    return str(value)


def _make_transition_method(t):
    def method(self, **kwargs):
        """Declared in the flow; run it through nhcs.workflow.services.transition_record."""

    method.__name__ = t.name
    conditions = [(lambda instance, c=c: bool(c(instance))) for c in t.conditions]
    return transition(field="state", source=list(t.sources), target=t.target, conditions=conditions)(method)


class RecordLinkQuerySet(models.QuerySet):
    def for_record(self, record):
        ct = ContentType.objects.get_for_model(type(record))
        return self.filter(content_type=ct, object_id=record.pk)


class ImmutableQuerySet(RecordLinkQuerySet):
    def update(self, **kwargs):
        raise PermissionError("Sign-offs are never changed.")

    def delete(self):
        raise PermissionError("Sign-offs are never deleted.")


class SignOff(models.Model):
    """An immutable signature: who did what to a record, when, and on what content."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("transition"), max_length=60)
    step = models.CharField(_("review step"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=StepOutcome.choices, blank=True)
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="signoffs"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="signoffs_by_deputy",
        null=True,
        blank=True,
    )
    # Department and position as they were when signing: people move, signatures don't.
    department_name = models.CharField(_("department"), max_length=64, blank=True)
    department_code = models.CharField(_("department code"), max_length=16, blank=True)
    position = models.CharField(_("position"), max_length=8, choices=Position.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now, editable=False)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["signed_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "signed_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user} · {self.signed_at:%Y-%m-%d %H:%M}"

    @property
    def department_label(self) -> str:
        """The department as signed, in the reader's language."""
        from nhcs.accounts.choices import DepartmentCode

        try:
            return str(DepartmentCode(self.department_code).label)
        except ValueError:
            return self.department_name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Sign-offs are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Sign-offs are never deleted.")


class TaskQuerySet(RecordLinkQuerySet):
    def open(self):
        return self.filter(status=TaskStatus.OPEN)


class Task(models.Model):
    """Something waiting for someone: a record in a state (kind=state) or a review step (kind=step)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    flow_key = models.CharField(_("flow"), max_length=40)
    record_number = models.CharField(_("record number"), max_length=40)
    record_title = models.CharField(_("record"), max_length=200, blank=True)
    record_url = models.CharField(_("link"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=TaskKind.choices)
    state = models.CharField(_("state"), max_length=40, blank=True)
    step = models.CharField(_("review step"), max_length=60, blank=True)
    transitions = models.CharField(_("actions"), max_length=300, blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True
    )
    position = models.CharField(_("position"), max_length=8, choices=Position.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    # Separation of duties: whoever created or last changed the record may not take this task.
    excludes_creator_and_editor = models.BooleanField(_("separation of duties"), default=False)
    record_created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    record_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("last changed by")
    )
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(_("waiting since"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=StepOutcome.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "created_at"]
        indexes = [
            models.Index(fields=["status", "department", "position"]),
            models.Index(fields=["status", "assignee"]),
            models.Index(fields=["content_type", "object_id", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_number} · {self.label}"

    @property
    def flow(self):
        from .flow import FLOWS

        return FLOWS[self.flow_key][0]

    @property
    def label(self) -> str:
        """What the person is to do: the step, or the actions open to them in this state."""
        flow = self.flow
        if self.kind == TaskKind.STEP:
            return str(flow.step_label(self.step))
        labels = []
        for name in filter(None, self.transitions.split(",")):
            try:
                labels.append(str(flow.transition(name).label))
            except KeyError:
                continue
        return " / ".join(labels) or flow.state_label(self.state)

    @property
    def flow_label(self) -> str:
        return str(self.flow.label)

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_at is not None and self.due_at < timezone.now()

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.created_at).days

    @property
    def actor_label(self) -> str:
        if self.assignee_id:
            return str(self.assignee)
        parts = [str(self.department)] if self.department_id else []
        if self.position:
            parts.append(self.get_position_display())
        return " · ".join(parts)


def attachment_path(instance, filename):
    # Unguessable, and free of whatever the uploader named the file.
    suffix = Path(filename).suffix.lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    seq = models.PositiveIntegerField(_("no."), help_text=_("Number of the material within its record."))
    kind = models.CharField(_("kind"), max_length=30, choices=AttachmentKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = RecordLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "seq"], name="attachment_seq_per_record")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.original_name}"


class NumberPattern(models.Model):
    """The numbering pattern of a record type, editable in the admin."""

    key = models.CharField(_("record type"), max_length=40, unique=True)
    pattern = models.CharField(
        _("pattern"),
        max_length=60,
        help_text=_("Placeholders: {yyyy} year, {yy} two-digit year, {mm} month, {seq:04} number within the year."),
    )

    class Meta:
        verbose_name = _("numbering pattern")
        verbose_name_plural = _("numbering patterns")

    def __str__(self) -> str:
        return f"{self.key}: {self.pattern}"

    def clean(self):
        from .numbering import format_number

        try:
            sample_1 = format_number(self.pattern, year=2026, month=1, seq=1)
            sample_2 = format_number(self.pattern, year=2026, month=1, seq=2)
        except (KeyError, ValueError, IndexError) as exc:
            raise ValidationError({"pattern": _("Not a valid pattern: %(error)s") % {"error": exc}}) from exc
        if sample_1 == sample_2:
            raise ValidationError({"pattern": _("The pattern must contain {seq}.")})


class NumberSequence(models.Model):
    key = models.CharField(_("record type"), max_length=40)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["key", "year"], name="number_sequence_key_year")]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last}"


class Delegation(models.Model):
    """A manager's deputy for a date range: the deputy's sign-offs read "on behalf of" the manager."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.CASCADE, related_name="delegations"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="deputising"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_dates"),
            models.CheckConstraint(condition=~models.Q(principal=models.F("deputy")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.principal} ({self.starts_on}–{self.ends_on})"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today <= self.ends_on
