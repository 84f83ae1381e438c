import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import CampaignState
from .models import Campaign


class CampaignFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=CampaignState.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Campaign
        fields = ["state"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value) | Q(period__icontains=value))
