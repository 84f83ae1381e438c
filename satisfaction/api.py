"""Customer satisfaction surveys in the API (/api/v1/surveys/): the list's filters, the page's forms and
services, every action of a survey's flow; its answers and statistics read as the survey's pages show
them, to those who read the survey."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response as Answer
from rest_framework.views import APIView

from nhcs.api.forms import form_serializer
from nhcs.api.registry import Resource, register
from nhcs.api.views import bind, body_of, error_responses, initial_data
from nhcs.workflow.exceptions import NotAllowed, StaleRecord
from nhcs.workflow.views import get_record_for, readable_list

from . import selectors, services
from .filters import CampaignFilter
from .forms import CampaignCreateForm, CampaignForm, StaffAnswerForm
from .models import Answer as AnswerRow
from .models import Campaign, Recipient, Response

TAG = "surveys"


class AnswerRowSerializer(serializers.ModelSerializer):
    aspect_key = serializers.CharField(source="aspect.key", read_only=True)

    class Meta:
        model = AnswerRow
        fields = ["aspect", "aspect_key", "tick", "points", "below_satisfied"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="recipient.customer_id", read_only=True)
    answers = AnswerRowSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "recipient",
            "customer",
            "source",
            "received_on",
            "signed_name",
            "respondent",
            "comments",
            "total",
            "band",
            "answers",
        ]
        read_only_fields = fields


class AspectStatSerializer(serializers.Serializer):
    key = serializers.CharField(source="aspect.key")
    label_zh = serializers.CharField(source="aspect.label_zh")
    label_en = serializers.CharField(source="aspect.label_en")
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    previous_mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    below_count = serializers.IntegerField()
    answer_count = serializers.IntegerField()


class BandSerializer(serializers.Serializer):
    band = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class StatisticsSerializer(serializers.Serializer):
    sample_size = serializers.IntegerField()
    response_count = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    mean_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    mean_band = serializers.CharField(allow_null=True)
    previous_mean_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    low_totals = serializers.IntegerField()
    aspects = AspectStatSerializer(many=True)
    bands = serializers.SerializerMethodField()

    @extend_schema_field(BandSerializer(many=True))
    def get_bands(self, stats) -> list[dict]:
        rows = [{"band": b, "label": str(label), "count": n, "share": share} for b, label, n, share in stats.bands]
        return BandSerializer(rows, many=True).data


class SurveyAnswers(APIView):
    @extend_schema(tags=[TAG], responses={200: ResponseSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        """The answers received, as the survey's page lists them."""
        campaign = get_record_for(request, Campaign, pk)
        rows = (
            Response.objects.filter(recipient__campaign=campaign)
            .select_related("recipient")
            .prefetch_related("answers__aspect")
            .order_by("pk")
        )
        return Answer(ResponseSerializer(rows, many=True).data)


class SurveyStatistics(APIView):
    @extend_schema(tags=[TAG], responses={200: StatisticsSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        """The figures of the statistics page."""
        campaign = get_record_for(request, Campaign, pk)
        return Answer(StatisticsSerializer(selectors.campaign_statistics(campaign)).data)


class RecipientSerializer(serializers.ModelSerializer):
    answered = serializers.SerializerMethodField()

    class Meta:
        model = Recipient
        fields = ["id", "customer", "channel", "is_key_account", "sent_at", "answered"]
        read_only_fields = fields

    def get_answered(self, recipient) -> bool:
        return hasattr(recipient, "response")


class SurveyRecipients(APIView):
    @extend_schema(tags=[TAG], responses={200: RecipientSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        """The customers the survey goes to, each with whether their answer is recorded."""
        campaign = get_record_for(request, Campaign, pk)
        rows = Recipient.objects.filter(campaign=campaign).select_related("response").order_by("pk")
        return Answer(RecipientSerializer(rows, many=True).data)


class TickInput(serializers.Serializer):
    aspect = serializers.IntegerField()
    tick = serializers.IntegerField()


class AnswerEnter(APIView):
    @extend_schema(
        tags=[TAG],
        request=form_serializer(
            StaffAnswerForm, name="SurveyAnswerEnterInput", extra={"ticks": lambda: TickInput(many=True)}
        ),
        responses={201: ResponseSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int, recipient_pk: int):
        """Enter a customer's answer taken by staff, as the survey's answer page does (an answer by letter,
        fax or e-mail needs the scan of the form: on the page only). `ticks`: the tick chosen per aspect."""
        campaign = get_record_for(request, Campaign, pk)
        if not services.is_sales(request.user):
            raise NotAllowed()
        recipient = get_object_or_404(Recipient.objects.select_related("customer"), pk=recipient_pk, campaign=campaign)
        if Response.objects.filter(recipient=recipient).exists():
            raise StaleRecord(_("This customer's answer is already recorded."))
        body = body_of(request)
        ticks = body.get("ticks") or []
        chosen = {}
        for row in ticks if isinstance(ticks, list) else []:
            if isinstance(row, dict) and str(row.get("aspect", "")).isdigit():
                chosen[f"aspect_{row['aspect']}"] = row.get("tick")
        kwargs = {"aspects": selectors.aspects_for(campaign), "ticks": list(campaign.ticks.all())}
        data = {**initial_data(StaffAnswerForm, kwargs), **{k: v for k, v in body.items() if k != "ticks"}, **chosen}
        form = bind(StaffAnswerForm, data, **kwargs)
        cleaned = form.cleaned_data
        response = services.answer_enter(
            recipient=recipient,
            user=request.user,
            ticks_by_aspect=form.ticks_by_aspect(),
            source=cleaned["source"],
            received_on=cleaned["received_on"],
            signed_name=cleaned["signed_name"],
            respondent=cleaned["respondent"],
            comments=cleaned["comments"],
        )
        return Answer(ResponseSerializer(response).data, status=201)


register(
    Resource(
        name="surveys",
        model=Campaign,
        fields=[*CampaignForm.Meta.fields, "sample_rule", "sample_share", "sent_on", "created_at"],
        queryset=lambda request: readable_list(request, selectors.campaign_list()),
        filterset=CampaignFilter,
        ordering=("-created_at", "-pk"),
        create_form=CampaignCreateForm,
        create=lambda request, form: services.campaign_create(user=request.user, **form.cleaned_data),
        can_create=services.is_sales,
        update_form=CampaignForm,
        extra=[
            ("surveys/<int:pk>/answers/", SurveyAnswers.as_view(), "surveys-answers"),
            ("surveys/<int:pk>/statistics/", SurveyStatistics.as_view(), "surveys-statistics"),
            ("surveys/<int:pk>/recipients/", SurveyRecipients.as_view(), "surveys-recipients"),
            (
                "surveys/<int:pk>/recipients/<int:recipient_pk>/answer/",
                AnswerEnter.as_view(),
                "surveys-answer-enter",
            ),
        ],
        tag=TAG,
    )
)
