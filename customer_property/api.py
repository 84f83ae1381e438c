"""The customer property register in the API (/api/v1/property-items/, /api/v1/property-incidents/): the
register's filters, the page's forms and services, every action of the items' and incidents' flows."""

from django import forms
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nhcs.api.errors import FormInvalid, form_errors
from nhcs.api.forms import form_serializer
from nhcs.api.registry import Resource, register
from nhcs.api.views import as_post, bind, body_of, error_responses, get_for, initial_data, record_serializer, version_of
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import NotAllowed
from nhcs.workflow.views import get_record_for, readable_list

from . import selectors, services
from .filters import ItemFilter
from .forms import CountStartForm, IncidentForm, ItemForm, MovementForm
from .models import Incident, Movement, PropertyItem, StockCount, StockCountLine

MAX_ROWS = 2000

INCIDENTS = Resource(
    name="property-incidents",
    model=Incident,
    fields=["item", *IncidentForm.Meta.fields, "created_at"],
    queryset=lambda request: readable_list(request, Incident.objects.select_related("item")),
    ordering=("-created_at", "-pk"),
    update_form=IncidentForm,
    tag="customer property",
)


class IncidentReport(APIView):
    """Report a loss or damage of an item, as the item's page does."""

    out = record_serializer(INCIDENTS)

    @extend_schema(
        tags=["customer property"],
        request=form_serializer(IncidentForm, name="PropertyIncidentCreateInput"),
        responses={201: out, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        item = get_record_for(request, PropertyItem, pk)
        form = bind(IncidentForm, body_of(request))
        incident = services.incident_report(item=item, user=request.user, data=form.cleaned_data)
        return Response(self.out(incident, context={"request": request}).data, status=201)


class MovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movement
        fields = [
            "id",
            "item",
            "kind",
            "moved_on",
            "quantity",
            "shots",
            "order_number",
            "place",
            "location",
            "reason",
            "reference",
            "entered_by",
            "entered_at",
        ]
        read_only_fields = fields


class MovementPost(APIView):
    @extend_schema(tags=["customer property"], responses={200: MovementSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        """The item's movement log, as its page shows it."""
        item = get_record_for(request, PropertyItem, pk)
        return Response(MovementSerializer(item.movements.order_by("moved_on", "pk"), many=True).data)

    @extend_schema(
        tags=["customer property"],
        request=form_serializer(MovementForm, name="PropertyMovementInput"),
        responses={201: MovementSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        """Record a movement of an item (issue, return, transfer …) as the item's page does: the movements
        its present state allows."""
        item = get_record_for(request, PropertyItem, pk)
        if not services.can_move(request.user):
            raise NotAllowed()
        kwargs = {"kinds": services.hand_kinds_for(item)}
        form = bind(MovementForm, {**initial_data(MovementForm, kwargs), **body_of(request)}, **kwargs)
        data = form.cleaned_data
        entry = services.MovementEntry(
            kind=data["kind"],
            quantity=data.get("quantity"),
            moved_on=data.get("moved_on"),
            order_number=data.get("order_number") or "",
            place=data.get("place") or "",
            location=data.get("location"),
            shots=data.get("shots"),
            reason=data.get("reason") or "",
        )
        movement = services.movement_post(item=item, user=request.user, entry=entry)
        return Response(MovementSerializer(movement).data, status=201)


register(
    Resource(
        name="property-items",
        model=PropertyItem,
        fields=[*ItemForm.Meta.fields, "nonconformity", "disposition", "created_at"],
        queryset=lambda request: readable_list(request, selectors.register_qs()),
        filterset=ItemFilter,
        ordering=("-created_at", "-pk"),
        create_form=ItemForm,
        create=lambda request, form: services.item_register(user=request.user, data=form.cleaned_data),
        can_create=services.can_register,
        update_form=ItemForm,
        extra=[
            ("property-items/<int:pk>/incidents/", IncidentReport.as_view(), "property-items-incidents"),
            ("property-items/<int:pk>/movements/", MovementPost.as_view(), "property-items-movements"),
        ],
        tag="customer property",
    )
)
register(INCIDENTS)


# --- stock counts ---------------------------------------------------------------------------------------


class CountLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockCountLine
        fields = ["id", "item", "expected", "counted", "note"]
        read_only_fields = fields


class CountLineForm(forms.Form):
    """One line of a count as the count's page enters it: what was counted (empty: not yet), a note."""

    line = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    counted = forms.DecimalField(required=False, max_digits=12, decimal_places=3)
    note = forms.CharField(required=False, max_length=200)


COUNTS = Resource(
    name="property-counts",
    model=StockCount,
    fields=["location", "customer", "counted_on", "note", "created_at"],
    serializer_fields={"lines": lambda: CountLineSerializer(many=True, read_only=True)},
    queryset=lambda request: readable_list(request, StockCount.objects.select_related("location", "customer")),
    ordering=("-created_at", "-pk"),
    create_form=CountStartForm,
    create=lambda request, form: services.count_start(user=request.user, **form.cleaned_data),
    can_create=services.can_count,
    tag="customer property",
)


class CountEnter(APIView):
    """Enter what was counted, as the count's page does (while counting): the lines sent, each with its
    counted quantity and note."""

    @extend_schema(
        tags=["customer property"],
        request=form_serializer(
            None,
            name="PropertyCountEnterInput",
            extra={
                "version": lambda: serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                "lines": lambda: form_serializer(CountLineForm, name="PropertyCountLineInput")(many=True),
            },
        ),
        responses={200: record_serializer(COUNTS), **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        count = get_for(COUNTS, request, pk)
        if not wf.can_edit_record(user=request.user, record=count):
            raise NotAllowed()
        body = body_of(request)
        version = version_of(body)
        rows = body.get("lines")
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise FormInvalid({"lines": [f"Send a list of at most {MAX_ROWS} objects."]})
        counts, errors = {}, {}
        for index, row in enumerate(rows):
            form = CountLineForm(data=as_post(row) if isinstance(row, dict) else {})
            if not isinstance(row, dict) or not form.is_valid():
                for name, texts in (form_errors(form) if isinstance(row, dict) else {"": ["Send an object."]}).items():
                    errors[f"lines[{index}].{name}".rstrip(".")] = texts
                continue
            counts[form.cleaned_data["line"]] = (form.cleaned_data["counted"], form.cleaned_data["note"])
        if errors:
            raise FormInvalid(errors)
        done = services.count_enter(count=count, user=request.user, counts=counts, expected_version=version)
        return Response(record_serializer(COUNTS)(done, context={"request": request}).data)


COUNTS.extra = [("property-counts/<int:pk>/counts/", CountEnter.as_view(), "property-counts-enter")]
register(COUNTS)
