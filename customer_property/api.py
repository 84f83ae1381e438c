"""The customer property register in the API (/api/v1/property-items/, /api/v1/property-incidents/): the
register's filters, the page's forms and services, every action of the items' and incidents' flows."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from nhcs.api.forms import form_serializer
from nhcs.api.registry import Resource, register
from nhcs.api.views import bind, body_of, error_responses, record_serializer
from nhcs.workflow.views import get_record_for, readable_list

from . import selectors, services
from .filters import ItemFilter
from .forms import IncidentForm, ItemForm
from .models import Incident, PropertyItem

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
        extra=[("property-items/<int:pk>/incidents/", IncidentReport.as_view(), "property-items-incidents")],
        tag="customer property",
    )
)
register(INCIDENTS)
