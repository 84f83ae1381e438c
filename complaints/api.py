"""Customer complaints in the API (/api/v1/complaints/): the log's filters, registration through the page's
form and service, every action of the complaint's flow; its corrective actions are listed with it (and
served at /api/v1/corrective-actions/)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nhcs.api.registry import Resource, register
from nhcs.capa.selectors import actions_for_source
from nhcs.workflow.views import readable_list

from . import selectors, services
from .filters import ComplaintFilter
from .forms import ComplaintForm
from .models import Complaint


class ActionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()


@extend_schema_field(ActionRefSerializer(many=True))
class ComplaintActionsField(serializers.Field):
    """The corrective actions raised from the complaint."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, complaint):
        return ActionRefSerializer(actions_for_source(complaint), many=True).data


def _register(request, form):
    return services.complaint_register(
        user=request.user, data=form.registration_data(), delivery=form.cleaned_data.get("delivery")
    )


register(
    Resource(
        name="complaints",
        model=Complaint,
        fields=[
            *ComplaintForm.Meta.fields,
            "order_number",
            "delivery_note",
            "shipped_on",
            "reply_due_on",
            "investigators",
            "containment",
            "root_cause",
            "actions_due_on",
            "first_replied_on",
            "verified_on",
            "replied_on",
            "reply_summary",
            "closed_on",
            "created_at",
        ],
        serializer_fields={"corrective_actions": ComplaintActionsField},
        queryset=lambda request: readable_list(request, selectors.complaint_list_qs()),
        filterset=ComplaintFilter,
        ordering=("-received_at", "-pk"),
        create_form=ComplaintForm,
        create=_register,
        can_create=services.can_register,
        form_kwargs=lambda request: {"quality_only": not services.registers_any_category(request.user)},
        tag="complaints",
    )
)
