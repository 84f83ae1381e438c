import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Customer


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Code or name"), method="search")
    is_key_account = django_filters.BooleanFilter(
        label=_("Key accounts only"), method="only_true", widget=forms.CheckboxInput
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Customer
        fields = ["q", "is_key_account", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value))

    def only_true(self, queryset, name, value):
        return queryset.filter(**{name: True}) if value else queryset
