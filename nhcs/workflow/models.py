from __future__ import annotations

import hashlib
import hmac
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

from .choices import Action, AttachmentKind, RoundStatus, StepOutcome, TaskKind, TaskStatus
from .flow import Flow, register

HASH_KIND = "hmac-sha256"


def signature_key() -> bytes:
    """The server-side key of the sign-off hashes: without it, a hash cannot be recomputed from guesses."""
    key = getattr(settings, "NHCS_SIGNATURE_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"nhcs-signoff:" + key.encode("utf-8")).digest()


class SignedRecordProtected(PermissionError):
    """A record that was signed (or left its first state) is never deleted."""


class WorkflowRecordQuerySet(models.QuerySet):
    def delete(self):
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(self.model)
        ids = list(self.values_list("pk", flat=True))
        flow = self.model.flow
        if (
            self.filter(pk__in=ids).exclude(state=flow.initial).exists()
            or SignOff.objects.filter(content_type=ct, object_id__in=ids).exists()
        ):
            raise SignedRecordProtected("Signed records are never deleted.")
        return super().delete()


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
    rounds = GenericRelation("workflow.Round")
    history = HistoricalRecords(inherit=True, excluded_fields=["version", "changed_at", "state_changed_at"])

    objects = WorkflowRecordQuerySet.as_manager()

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

    @property
    def parent_record(self):
        """The record this one belongs to, whose readers read it too: the `parent_field` of a child flow.
        A record with a generic parent (a corrective action's source) overrides this property."""
        name = self.flow.parent_field
        return getattr(self, name) if name else None

    def delete(self, *args, **kwargs):
        if self.pk is not None and (self.state != self.flow.initial or SignOff.objects.for_record(self).exists()):
            raise SignedRecordProtected("Signed records are never deleted.")
        return super().delete(*args, **kwargs)

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

    def content_hash(self, kind: str = HASH_KIND) -> str:
        """A keyed hash (HMAC-SHA256) of the record's data as signed: it proves the data did not change
        after signing, and it cannot be used to guess hidden data (a price) from outside."""
        payload = json.dumps(self.content_for_hash(), sort_keys=True, default=_json_default, ensure_ascii=False)
        if kind == "sha256":  # sign-offs written before keyed hashes
            return hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return hmac.new(signature_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


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


class AttachmentQuerySet(RecordLinkQuerySet):
    def delete(self):
        pairs = set(self.values_list("content_type_id", "object_id"))
        for ct, object_id in pairs:
            if SignOff.objects.filter(content_type_id=ct, object_id=object_id).exists():
                raise SignedRecordProtected("Attachments of a signed record are never deleted.")
        return super().delete()


class ImmutableQuerySet(RecordLinkQuerySet):
    def update(self, **kwargs):
        raise PermissionError("Sign-offs are never changed.")

    def delete(self):
        raise PermissionError("Sign-offs are never deleted.")


class Round(models.Model):
    """One round of a record's approval: each submission for review opens one (like Wagtail's
    WorkflowState). Sign-offs and tasks belong to a round; the signature boxes of a sheet are filled
    from the current round, and earlier rounds stay on record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField(_("round"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by_transition = models.CharField(_("ended by"), max_length=60, blank=True)

    objects = RecordLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval round")
        verbose_name_plural = _("approval rounds")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "number"], name="round_number_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"

    def delete(self, *args, **kwargs):
        if self.pk is not None and SignOff.objects.filter(round=self).exists():
            raise PermissionError("Rounds with sign-offs are never deleted.")
        return super().delete(*args, **kwargs)


class SignOff(models.Model):
    """An immutable signature: who did what to a record, when, on what content, with what data."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="signoffs", null=True, blank=True
    )
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
    # What the action captured (a reply date, a disposition, an impact opinion): codes and ids, shown
    # with the labels of the action's form in the reader's language.
    data = models.JSONField(_("data"), default=dict, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now, editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64)
    hash_kind = models.CharField(_("hash"), max_length=12, default=HASH_KIND, editable=False)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        permissions = [("audit_records", _("Can read every record and verify its signatures"))]
        ordering = ["signed_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "signed_at"]),
            # The dashboard's figures by transition in a period (e.g. dates replied): issue 17.
            models.Index(fields=["content_type", "transition", "signed_at"], name="wf_signoff_transition_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user} · {self.signed_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        """What was done, in the reader's language ("replied the delivery date", "review opinion")."""
        from .display import signoff_label

        return signoff_label(self)

    @property
    def data_rows(self) -> list[tuple[str, str]]:
        from .display import signoff_data_rows

        return signoff_data_rows(self)

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
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.SET_NULL, related_name="tasks", null=True, blank=True
    )
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
            models.Index(fields=["status", "due_at"]),
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
        if self.kind == TaskKind.DATE:
            for date_task in flow.date_tasks:
                if date_task.key == self.step:
                    return str(date_task.label)
            return self.step
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
    # A description written by the system: a code and its parameters, rendered in the reader's language.
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "seq"], name="attachment_seq_per_record")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.original_name}"

    @property
    def description_text(self) -> str:
        from .display import attachment_description

        return attachment_description(self)

    def delete(self, *args, **kwargs):
        if SignOff.objects.filter(content_type_id=self.content_type_id, object_id=self.object_id).exists():
            raise SignedRecordProtected("Attachments of a signed record are never deleted.")
        return super().delete(*args, **kwargs)


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


class ValueChange(models.Model):
    """A value changed by an amendment (a change or delay notice): the old value struck through beside
    the new one, with the amending record's number and date and who signed it (划改)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("record type"), related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    # The row changed: the record itself, or one of its child rows (an order line).
    relation = models.CharField(_("rows"), max_length=40, blank=True)
    row_id = models.PositiveBigIntegerField(_("row id"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=60)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    by_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("amending record type"), related_name="+"
    )
    by_object_id = models.PositiveBigIntegerField(_("amending record id"))
    by_number = models.CharField(_("amended by"), max_length=40)
    signoff = models.ForeignKey(SignOff, verbose_name=_("sign-off"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("amended value")
        verbose_name_plural = _("amended values")
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.by_number}: {self.field}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Amended values are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Amended values are never deleted.")


class WorkWeek(models.Model):
    """The company's normal working week (a single row): due dates count working days."""

    monday = models.BooleanField(_("Monday"), default=True)
    tuesday = models.BooleanField(_("Tuesday"), default=True)
    wednesday = models.BooleanField(_("Wednesday"), default=True)
    thursday = models.BooleanField(_("Thursday"), default=True)
    friday = models.BooleanField(_("Friday"), default=True)
    saturday = models.BooleanField(_("Saturday"), default=False)
    sunday = models.BooleanField(_("Sunday"), default=False)

    DAYS: ClassVar[tuple[str, ...]] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

    class Meta:
        verbose_name = _("working week")
        verbose_name_plural = _("working week")

    def __str__(self) -> str:
        return str(_("Working week"))

    @classmethod
    def load(cls) -> WorkWeek:
        week = cls.objects.filter(pk=1).first()
        return week if week is not None else cls(pk=1)

    def working_weekdays(self) -> set[int]:
        return {i for i, name in enumerate(self.DAYS) if getattr(self, name)}


class CalendarPeriod(models.Model):
    """Days off (public holidays, the Spring Festival shutdown) or extra working days (调休上班) of the
    company calendar, over the normal working week."""

    CLOSED = "closed"
    WORKING = "working"
    KINDS = [(CLOSED, _("Closed (holiday, shutdown)")), (WORKING, _("Working day (make-up day)"))]

    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 春节放假 Spring Festival"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS, default=CLOSED)

    class Meta:
        verbose_name = _("calendar period")
        verbose_name_plural = _("company calendar")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="calendar_period_dates")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on}–{self.ends_on})"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})


class ReaderRule(models.Model):
    """Who may read the records of one kind, as kept in the admin: it replaces the departments the
    flow declares. The people named on a record, those who signed it or are to act on it, and auditors
    always read it; heads and above too unless unticked."""

    flow_key = models.CharField(_("record type"), max_length=40, unique=True)
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("departments that read every record"), blank=True, related_name="+"
    )
    heads_and_above = models.BooleanField(_("department heads and general managers read every record"), default=True)

    class Meta:
        verbose_name = _("readers of a record type")
        verbose_name_plural = _("readers of record types")
        ordering = ["flow_key"]

    def __str__(self) -> str:
        from .flow import FLOWS

        flow = FLOWS.get(self.flow_key)
        return str(flow[0].label) if flow else self.flow_key
