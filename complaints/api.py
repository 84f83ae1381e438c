"""Customer complaints in the API (/api/v1/complaints/): the log's filters, registration through the page's
form and service, every action of the complaint's flow; its corrective actions are listed with it (and
served at /api/v1/corrective-actions/)."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nhcs.api.registry import Resource, register
from nhcs.api.views import error_responses, get_for, record_action, record_serializer, version_of
from nhcs.capa.api import ACTIONS
from nhcs.capa.selectors import actions_for_source
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import NotAllowed
from nhcs.workflow.views import readable_list

from . import selectors, services
from .filters import AdvisoryFilter, ComplaintFilter, FeedbackFilter
from .forms import AdvisoryForm, ComplaintForm, FeedbackActionForm, FeedbackComplaintForm, FeedbackForm
from .models import AdvisoryAck, AdvisoryNotice, Complaint, Feedback


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


def _correct(request, complaint, form):
    """As the complaint's edit page: the registration corrected, with a reason after registration."""
    if not wf.can_edit_record(user=request.user, record=complaint):
        raise NotAllowed()
    version = version_of(request.data)
    return services.complaint_correct(
        complaint=complaint,
        user=request.user,
        data=form.registration_data(),
        delivery=form.cleaned_data.get("delivery"),
        reason=str(request.data.get("change_reason") or ""),
        expected_version=version,
    )


def _register(request, form):
    return services.complaint_register(
        user=request.user, data=form.registration_data(), delivery=form.cleaned_data.get("delivery")
    )


COMPLAINTS = register(
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
        update_form=ComplaintForm,
        update=_correct,
        edit_data=lambda complaint: {"delivery": complaint.delivery_key},
        tag="complaints",
    )
)


# --- after-sales feedback ------------------------------------------------------------------------------

FEEDBACK = Resource(
    name="feedback",
    model=Feedback,
    fields=[*FeedbackForm.Meta.fields, "origin_reference", "outcome", "created_at"],
    serializer_fields={"complaint": lambda: serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)},
    queryset=lambda request: readable_list(request, selectors.feedback_list_qs()),
    filterset=FeedbackFilter,
    ordering=("-received_at", "-pk"),
    create_form=FeedbackForm,
    create=lambda request, form: services.feedback_register(user=request.user, data=form.registration_data()),
    can_create=services.can_register_feedback,
    update_form=FeedbackForm,
    tag="feedback",
)
FEEDBACK.extra = [
    (
        "feedback/<int:pk>/to-complaint/",
        record_action(
            FEEDBACK,
            name="to-complaint",
            form_class=FeedbackComplaintForm,
            may=lambda user, feedback: services.can_escalate(user, feedback) and services.can_register(user),
            call=lambda request, feedback, data: services.feedback_to_complaint(
                feedback=feedback, user=request.user, **data
            ),
            out=record_serializer(COMPLAINTS),
        ),
        "feedback-to-complaint",
    ),
    (
        "feedback/<int:pk>/corrective-actions/",
        record_action(
            FEEDBACK,
            name="corrective-action",
            form_class=FeedbackActionForm,
            may=services.can_escalate,
            call=lambda request, feedback, data: services.feedback_action_raise(
                feedback=feedback, user=request.user, **data
            ),
            out=record_serializer(ACTIONS),
        ),
        "feedback-corrective-action",
    ),
]
register(FEEDBACK)


# --- advisory notices and their acknowledgements ---------------------------------------------------------


class AckRefSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(read_only=True)

    class Meta:
        model = AdvisoryAck
        fields = ["id", "number", "customer", "state", "state_label", "acknowledged_on"]
        read_only_fields = fields


class RemindedSerializer(serializers.Serializer):
    reminders = serializers.IntegerField()


def advisory_remind_view(resource: Resource):
    class AdvisoryRemind(APIView):
        """Mail the notice again to the customers who have not acknowledged yet, as the notice's page does."""

        @extend_schema(
            tags=["advisory notices"],
            request=None,
            responses={200: RemindedSerializer, **error_responses(403, 404, 409)},
        )
        def post(self, request, pk: int):
            notice = get_for(resource, request, pk)
            if not services.can_remind(request.user, notice):
                raise NotAllowed()
            return Response({"reminders": services.advisory_remind(notice=notice, user=request.user)})

    return AdvisoryRemind.as_view()


ADVISORIES = Resource(
    name="advisory-notices",
    model=AdvisoryNotice,
    fields=[*AdvisoryForm.Meta.fields, "sent_on", "closed_on", "created_at"],
    serializer_fields={"acknowledgements": lambda: AckRefSerializer(many=True, read_only=True)},
    queryset=lambda request: readable_list(request, selectors.advisory_list_qs()).prefetch_related("acknowledgements"),
    filterset=AdvisoryFilter,
    ordering=("-created_at", "-pk"),
    create_form=AdvisoryForm,
    create=lambda request, form: services.advisory_create(user=request.user, data=form.cleaned_data),
    can_create=services.can_draft_advisory,
    update_form=AdvisoryForm,
    tag="advisory notices",
)
ADVISORIES.extra = [
    ("advisory-notices/<int:pk>/remind/", advisory_remind_view(ADVISORIES), "advisory-notices-remind"),
]
register(ADVISORIES)

register(
    Resource(
        name="advisory-acknowledgements",
        model=AdvisoryAck,
        fields=["notice", "customer", "respond_by", "acknowledged_on", "acknowledged_by", "channel", "reply", "reason"],
        queryset=lambda request: readable_list(request, AdvisoryAck.objects.select_related("notice", "customer")),
        ordering=("notice", "pk"),
        # The customer acknowledges through their link (never a user, never the API).
        hidden_transitions=("acknowledge_online",),
        tag="advisory notices",
    )
)
