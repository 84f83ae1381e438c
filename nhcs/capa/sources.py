"""What corrective actions are raised from. Each area registers the kinds of records it raises actions
from when Django starts, so that this shared app numbers, labels, links and reads their sources without
importing the areas:

    # <area>/apps.py
    def ready(self):
        from nhcs.capa.sources import SourceKind, register_source

        register_source(
            SourceKind(
                "survey_answer",
                "satisfaction.Response",
                _("Survey answer"),
                reading_path="recipient__campaign",   # whoever reads the survey reads the answer's actions
                number=lambda r: f"{r.recipient.campaign.number}-{r.recipient.customer.code}",
                customer_opinion=True,                # the customer is told of the measures (4.7.4)
            )
        )

A workflow record (a complaint) is a source without registering: its number, title and page are its own
and its readers read its actions. Register it to name its kind, or to add the customer-feedback step.

An action keeps its source as a generic reference (content type and id) with the source's number and
label as they were when it was raised, so lists show them without reading the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class SourceKind:
    key: str  # stored on each action ("survey_answer")
    model: str  # "app_label.ModelName"
    label: str | Promise  # what the source is called ("Survey answer")
    # Lookup path from the source to the workflow record whose readers read the source's actions
    # ("recipient__campaign"); "" when the source is itself a workflow record.
    reading_path: str = ""
    number: Callable[[Any], str] | None = None  # default: the source's `number`
    title: Callable[[Any], str] | None = None  # default: the workflow record's record_title()
    url: Callable[[Any], str] | None = None  # default: the source's get_absolute_url()
    # The source is a customer's opinion: the customer is told of the measures (a step of the flow).
    customer_opinion: bool = False
    # Joins that number, title, url and the reading path need, to fetch the source in one query.
    select_related: tuple[str, ...] = ()

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(p for p in self.reading_path.split("__") if p)

    def reading_model(self) -> type[models.Model]:
        """The workflow record model whose readers read the actions (the survey for a survey answer)."""
        model = self.model_class()
        for name in self.path:
            model = model._meta.get_field(name).related_model
        return model

    def queryset(self) -> models.QuerySet:
        joins = self.select_related or (("__".join(self.path),) if self.path else ())
        return self.model_class()._default_manager.select_related(*joins)

    def reading_record(self, source):
        record = source
        for name in self.path:
            record = getattr(record, name) if record is not None else None
        return record

    def number_of(self, source) -> str:
        return self.number(source) if self.number else str(getattr(source, "number", "") or source.pk)

    def title_of(self, source) -> str:
        if self.title:
            return self.title(source)
        record_title = getattr(source, "record_title", None)
        return (record_title() if callable(record_title) else "") or ""

    def url_of(self, source) -> str:
        if self.url:
            return self.url(source)
        return source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""

    def readable(self, user) -> models.QuerySet:
        """The ids of the sources of this kind whose reading record the user may read."""
        from nhcs.workflow import services as wf

        reading = wf.readable(self.reading_model()._default_manager.all(), user=user).values("pk")
        if not self.path:
            return reading
        return self.model_class()._default_manager.filter(**{f"{self.reading_path}__in": reading}).values("pk")


_KINDS: dict[str, SourceKind] = {}


def register_source(kind: SourceKind) -> None:
    """Add a kind of source (once per key; registering the same one again does nothing)."""
    known = _KINDS.get(kind.key)
    if known is not None:
        if known != kind:
            raise ImproperlyConfigured(f"Corrective-action source {kind.key!r} is registered twice, differently.")
        return
    if any(k.model.lower() == kind.model.lower() for k in _KINDS.values()):
        raise ImproperlyConfigured(f"{kind.model} is already registered as a corrective-action source.")
    _KINDS[kind.key] = kind


def registered() -> list[SourceKind]:
    return list(_KINDS.values())


def _workflow_kind(model: type[models.Model]) -> SourceKind | None:
    flow = getattr(model, "flow", None)
    if flow is None:
        return None
    return SourceKind(flow.key, model._meta.label, flow.label)


def kind_for_model(model: type[models.Model]) -> SourceKind:
    """The kind of a source model: registered, or any workflow record."""
    label = model._meta.label.lower()
    for kind in _KINDS.values():
        if kind.model.lower() == label:
            return kind
    kind = _workflow_kind(model)
    if kind is None:
        raise ImproperlyConfigured(f"{model._meta.label} is not a source of corrective actions: register it.")
    return kind


def kind_for_key(key: str) -> SourceKind | None:
    if key in _KINDS:
        return _KINDS[key]
    from nhcs.workflow.flow import FLOWS

    if key in FLOWS:
        return _workflow_kind(FLOWS[key][1])
    return None


def kind_label(key: str) -> str:
    kind = kind_for_key(key)
    return str(kind.label) if kind is not None else key
