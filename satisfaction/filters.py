import django_filters
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department

from .choices import CampaignState, ImprovementState
from .models import Campaign, ImprovementItem


class CampaignFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=CampaignState.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Campaign
        fields = ["state"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value) | Q(period__icontains=value))


class ImprovementFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=ImprovementState.choices)
    responsible_department = django_filters.ModelChoiceFilter(
        label=_("Responsible department"), queryset=Department.objects.all()
    )
    campaign = django_filters.ModelChoiceFilter(label=_("Survey"), queryset=Campaign.objects.all())

    class Meta:
        model = ImprovementItem
        fields = ["state", "responsible_department", "campaign"]
