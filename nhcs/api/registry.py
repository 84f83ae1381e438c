"""What the API serves: each area declares its resources in its own `api.py` (discovered by
nhcs.api.urls), so this package never imports an area.

A resource is a kind of record with a list (the page's FilterSet, the user's readable records only), a
detail, optionally create and update through the page's own form and service, and — for workflow records —
every transition and review step of its flow as an endpoint whose input is the action's own form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

RESOURCES: list[Resource] = []


@dataclass
class Resource:
    # The address: /api/v1/<name>/.
    name: str
    model: type[models.Model]
    # Fields of the answer (the record's number, state, state label and version are added for records).
    fields: Sequence[str]
    # The records the user may list (raise Http404 for those who have no such list), as the page lists them.
    queryset: Callable[[Any], models.QuerySet]
    filterset: type | None = None
    # More fields of the answer (nested rows …), as DRF serializer fields.
    serializer_fields: dict[str, Any] = field(default_factory=dict)
    ordering: Sequence[str] = ("-pk",)
    # One record the user may read (Http404 otherwise); by default looked up in `queryset`.
    get: Callable[[Any, int], models.Model] | None = None
    # Create: the page's form (instantiated with `form_kwargs(request)`) and `create(request, form)`.
    create_form: type | None = None
    create: Callable[[Any, Any], models.Model] | None = None
    form_kwargs: Callable[[Any], dict] | None = None
    # Whether the user may create at all (the page's own check, before its form): 403 otherwise.
    can_create: Callable[[Any], bool] | None = None
    # More input of the create (rows …), as DRF serializer fields, for the schema: `create` reads them.
    create_extra: dict[str, Any] = field(default_factory=dict)
    # The create answers with a list of records (the entries of a delivery note).
    create_many: bool = False
    # Update (PATCH): the page's edit form; workflow records go through the engine's record_update
    # (reason, version, reopening); others name their own `update(request, record, form)`.
    update_form: type | None = None
    update: Callable[[Any, Any, Any], models.Model] | None = None
    # More of the record's current values as edit-form input (fields the form has beyond the model's).
    edit_data: Callable[[Any], dict] | None = None
    # More input of the update (rows …), as DRF serializer fields, for the schema: `update` reads them.
    update_extra: dict[str, Any] = field(default_factory=dict)
    # Transitions the services take themselves (never offered on a page), not exposed.
    hidden_transitions: Sequence[str] = ()
    # More endpoints of the area: (route below /api/v1/, view, name).
    extra: list[tuple[str, Any, str]] = field(default_factory=list)
    # The area's group in the documentation.
    tag: str = ""

    @property
    def is_workflow(self) -> bool:
        return hasattr(self.model, "flow")


def register(resource: Resource) -> Resource:
    RESOURCES[:] = [r for r in RESOURCES if r.name != resource.name]
    RESOURCES.append(resource)
    return resource
