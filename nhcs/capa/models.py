"""A corrective or preventive action (NH-QP14 §5), one record shared by every area: raised from a source
record (a survey answer, a complaint …), owned by a department, followed to its verified effectiveness."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.workflow.models import WorkflowRecord, _json_default

from .choices import AUTOMATIC_TRIGGERS, ActionKind, Trigger
from .flow import CAPA_FLOW

# Sign-offs of a satisfaction improvement item moved here hashed its data under its own field names
# (see CorrectiveAction.content_for_hash).
IMPROVEMENT_ITEM_LAYOUT = "satisfaction.improvementitem"
# Fields of this record that were fields of an improvement item, under their old names.
IMPROVEMENT_ITEM_FIELDS = {
    "number": "number",
    "source_id": "response_id",
    "topic_id": "aspect_id",
    "trigger": "trigger",
    "score": "score",
    "owner_department_id": "responsible_department_id",
    "analysis": "analysis",
    "measures": "measures",
    "customer_feedback": "customer_feedback",
    "distributed_to": "distributed_to",
}


def json_normal(value: Any) -> Any:
    """A value as a sign-off's hash sees it (dates as ISO text, decimals as text)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


class CorrectiveActionQuerySet(models.QuerySet):
    def for_source(self, source) -> CorrectiveActionQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(type(source)), source_id=source.pk)


class CorrectiveAction(WorkflowRecord):
    flow = CAPA_FLOW

    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices, default=ActionKind.CORRECTIVE)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Left empty: what raised the action stands for it.")
    )
    # The source: any record (a survey answer, a complaint …), kept with its number and label as raised.
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("source id"))
    source = GenericForeignKey("source_type", "source_id")
    source_kind = models.CharField(_("raised from"), max_length=40, db_index=True)
    source_number = models.CharField(_("source number"), max_length=60, db_index=True)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    trigger = models.CharField(_("raised for"), max_length=20, choices=Trigger.choices)
    # What the trigger concerns, where it names something (the survey aspect below "satisfied").
    topic_type = models.ForeignKey(
        ContentType,
        verbose_name=_("concerning (type)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    topic_id = models.PositiveBigIntegerField(_("concerning (id)"), null=True, blank=True)
    topic = GenericForeignKey("topic_type", "topic_id")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    customer_feedback_required = models.BooleanField(
        _("the customer is told of the measures"), default=False, editable=False
    )
    owner_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("owner department"), on_delete=models.PROTECT, related_name="+"
    )
    analysis = models.TextField(_("analysis of the cause"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    due_on = models.DateField(_("measures due on"), null=True, blank=True)
    check_on = models.DateField(_("effectiveness checked on or after"), null=True, blank=True)
    distributed_to = models.ManyToManyField(
        "accounts.Department", verbose_name=_("distributed to"), blank=True, related_name="+"
    )
    customer_feedback = models.TextField(
        _("feedback to the customer"), blank=True, help_text=_("What the customer was told, when and how.")
    )
    effectiveness = models.TextField(_("effectiveness"), blank=True)
    verified_on = models.DateField(_("effectiveness verified on"), null=True, blank=True)
    # How the record's data was laid out when it was signed as another kind of record (a satisfaction
    # improvement item before the move): what its earlier signatures need to verify. Not record data.
    legacy = models.JSONField(_("signed before the move as"), default=dict, blank=True, editable=False)

    objects = CorrectiveActionQuerySet.as_manager()

    BOOKKEEPING_FIELDS: ClassVar[frozenset[str]] = WorkflowRecord.BOOKKEEPING_FIELDS | {"legacy"}

    class Meta:
        verbose_name = _("corrective / preventive action")
        verbose_name_plural = _("corrective / preventive actions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "trigger", "topic_type", "topic_id"],
                condition=models.Q(trigger__in=AUTOMATIC_TRIGGERS),
                name="capa_raised_once_per_cause",
            )
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            # The list's default order (newest first), with its tie-break.
            models.Index(models.F("created_at").desc(), models.F("id").desc(), name="capa_action_created_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("capa:action_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        """The title, or what raised the action (the aspect, the trigger) in the reader's language."""
        if self.title:
            return self.title
        topic = self.topic if self.topic_id else None
        return str(topic) if topic is not None else str(self.get_trigger_display())

    def record_title(self) -> str:
        parts = [self.source_number, self.display_title]
        if self.score is not None:
            parts.append(str(self.score))
        return " · ".join(p for p in parts if p)

    @property
    def source_kind_label(self) -> str:
        from .sources import kind_label

        return kind_label(self.source_kind)

    @property
    def source_record(self):
        """The source, read once (with what its number, link and readers need)."""
        if not hasattr(self, "_source_cache"):
            from .sources import kind_for_key

            kind = kind_for_key(self.source_kind)
            if kind is not None:
                self._source_cache = kind.queryset().filter(pk=self.source_id).first()
            else:
                self._source_cache = self.source
        return self._source_cache

    @property
    def source_url(self) -> str:
        from .sources import kind_for_key

        kind = kind_for_key(self.source_kind)
        source = self.source_record
        return kind.url_of(source) if kind is not None and source is not None else ""

    @property
    def parent_record(self):
        """The workflow record whose readers read this action: the source itself when it is one (a
        complaint), else the record the source belongs to (a survey answer's survey). The engine's
        reading check (`can_read_record`) reads through it, for the page, its sheet and its files."""
        from .sources import kind_for_key

        kind = kind_for_key(self.source_kind)
        source = self.source_record
        if kind is None or source is None:
            return None
        record = kind.reading_record(source)
        return record if isinstance(record, WorkflowRecord) else None

    @property
    def is_overdue(self) -> bool:
        due = getattr(self, "overdue_task", None)
        if due is not None:
            return bool(due)
        return self.tasks.filter(status="open", due_at__lt=timezone.now()).exists()

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        data["distributed_to"] = sorted(self.distributed_to.values_list("pk", flat=True)) if self.pk else []
        if self.legacy.get("layout") == IMPROVEMENT_ITEM_LAYOUT:
            return self._improvement_item_content(data)
        return data

    def _improvement_item_content(self, data: dict) -> dict:
        """An improvement item moved here: its sign-offs hashed its data under the improvement item's
        field names. The same payload, so those signatures still verify; whatever the action has besides,
        once changed since the move, is hashed too, so no later change goes unnoticed."""
        signed = {old: data[new] for new, old in IMPROVEMENT_ITEM_FIELDS.items()}
        signed["campaign_id"] = self.legacy["campaign_id"]
        moved = self.legacy.get("moved", {})
        for name, value in data.items():
            if name in IMPROVEMENT_ITEM_FIELDS:
                continue
            if json_normal(value) != moved.get(name):
                signed[name] = value
        return signed
