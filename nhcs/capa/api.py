"""Corrective and preventive actions in the API (/api/v1/corrective-actions/): raised from a source record
(a complaint, a survey answer …) by that record's own actions; here listed, read, edited and moved on."""

from nhcs.api.registry import Resource, register

from . import selectors
from .filters import ActionFilter
from .forms import ActionForm
from .models import CorrectiveAction

ACTIONS = register(
    Resource(
        name="corrective-actions",
        model=CorrectiveAction,
        fields=[
            "kind",
            "title",
            "source_kind",
            "source_number",
            "source_label",
            "trigger",
            "owner_department",
            "analysis",
            "measures",
            "due_on",
            "check_on",
            "distributed_to",
            "customer_feedback",
            "effectiveness",
            "verified_on",
            "created_at",
        ],
        queryset=lambda request: selectors.readable_list(request, selectors.action_list()),
        get=lambda request, pk: selectors.get_action_for(request, pk),
        filterset=ActionFilter,
        ordering=("-created_at", "-pk"),
        update_form=ActionForm,
        tag="corrective actions",
    )
)
