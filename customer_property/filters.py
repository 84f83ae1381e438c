import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from nhcs.customers.filters import CustomerRefFilter

from .choices import ItemState, PropertyKind
from .models import Location, PropertyItem
from .selectors import near_shot_limit


class ItemFilter(django_filters.FilterSet):
    """The register's filters (the list and its sheets): customer, kind, status, location, verification
    pending, near the shot limit, obsolete revisions."""

    q = django_filters.CharFilter(label=_("Number, name or asset number"), method="search")
    customer = CustomerRefFilter()
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PropertyKind.choices)
    state = django_filters.ChoiceFilter(label=_("Status"), choices=ItemState.choices)
    # The location is where the last movement put the item (an annotation, not a column): its id in the API.
    location = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("Location"), queryset=Location.objects.all(), field_name="current_location_id", method="at_location"
        )
    )
    verification_pending = django_filters.BooleanFilter(
        label=_("Verification pending"), method="pending", widget=forms.CheckboxInput
    )
    near_limit = django_filters.BooleanFilter(
        label=_("Near the shot limit (90%)"), method="near", widget=forms.CheckboxInput
    )
    obsolete = django_filters.BooleanFilter(
        label=_("Obsolete revisions"), method="obsolete_only", widget=forms.CheckboxInput
    )

    class Meta:
        model = PropertyItem
        fields = ["q", "customer", "kind", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(name__icontains=value) | Q(customer_asset_number__icontains=value)
        )

    def at_location(self, queryset, name, value):
        return queryset.filter(current_location_id=value.pk) if value else queryset

    def pending(self, queryset, name, value):
        return queryset.filter(state=ItemState.PENDING_VERIFICATION) if value else queryset

    def near(self, queryset, name, value):
        return near_shot_limit(queryset) if value else queryset

    def obsolete_only(self, queryset, name, value):
        return queryset.filter(is_obsolete=True) if value else queryset
