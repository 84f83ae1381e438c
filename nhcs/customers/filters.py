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


class CustomerRefFilter(django_filters.CharFilter):
    """A customer typed by code or name, for the lists of every area: a text field, not a select of every
    customer (2,000 options on each list page). An exact code (or the customer's id, as older links
    carry) picks that customer; other text keeps the rows of customers whose code or name contains it."""

    def __init__(self, *, field_name: str = "customer", label=None, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": _("Code or name")}))
        super().__init__(field_name=field_name, label=label or _("Customer"), **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()[:120]
        if not value:
            return qs
        exact = Q(code__iexact=value)
        if value.isdigit() and len(value) < 18:
            exact |= Q(pk=int(value))
        picked = list(Customer.objects.filter(exact).order_by("pk").values_list("pk", flat=True)[:1])
        if picked:
            return qs.filter(**{self.field_name: picked[0]})
        matching = Customer.objects.filter(
            Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value)
        ).values("pk")
        return qs.filter(**{f"{self.field_name}__in": matching})
