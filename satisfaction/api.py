"""Customer satisfaction surveys in the API (/api/v1/surveys/): the list's filters, the page's forms and
services, every action of a survey's flow; its answers and statistics read as the survey's pages show
them, to those who read the survey."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response as Answer
from rest_framework.views import APIView

from nhcs.api.registry import Resource, register
from nhcs.api.views import error_responses
from nhcs.workflow.views import get_record_for, readable_list

from . import selectors, services
from .filters import CampaignFilter
from .forms import CampaignCreateForm, CampaignForm
from .models import Answer as AnswerRow
from .models import Campaign, Response

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
        ],
        tag=TAG,
    )
)
