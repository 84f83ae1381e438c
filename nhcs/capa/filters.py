import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import Department

from .choices import ActionKind, ActionState
from .models import CorrectiveAction
from .sources import kind_label, registered


def source_kind_choices():
    """The registered kinds of sources and those actions were raised from, in the reader's language."""
    keys = {k.key for k in registered()}
    keys |= set(CorrectiveAction.objects.order_by().values_list("source_kind", flat=True).distinct())
    return sorted(((key, kind_label(key)) for key in keys), key=lambda c: str(c[1]))


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=ActionState.choices)
    owner_department = django_filters.ModelChoiceFilter(label=_("Owner department"), queryset=Department.objects.all())
    source_kind = django_filters.ChoiceFilter(label=_("Raised from"), choices=())
    source = django_filters.CharFilter(label=_("Source number"), method="by_source")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ActionKind.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue", widget=forms.CheckboxInput)
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("created_at", "raised"),
            ("due_on", "due"),
            ("owner_department__code", "owner"),
            ("state", "state"),
            ("source_number", "source"),
        ),
        field_labels={
            "number": _("Number"),
            "created_at": _("Raised on"),
            "due_on": _("Measures due on"),
            "owner_department__code": _("Owner department"),
            "state": _("State"),
            "source_number": _("Source number"),
            # Given whole: django-filter would otherwise format "(descending)" once, at import, in
            # whatever language was active then.
            "-number": _("Number (descending)"),
            "-created_at": _("Raised on (descending)"),
            "-due_on": _("Measures due on (descending)"),
            "-owner_department__code": _("Owner department (descending)"),
            "-state": _("State (descending)"),
            "-source_number": _("Source number (descending)"),
        },
    )

    class Meta:
        model = CorrectiveAction
        fields = ["q", "state", "owner_department", "source_kind", "source", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source_kind = self.filters["source_kind"]
        source_kind.extra["choices"] = source_kind_choices()
        # A form field built before (the API schema builds the class's filters' fields) would keep no choices.
        source_kind.__dict__.pop("_field", None)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(source_number__icontains=value)
            | Q(source_label__icontains=value)
        )

    def by_source(self, queryset, name, value):
        """The actions of one source, or of the records numbered within it (a survey's answers:
        MY-2026-001 finds MY-2026-001-C002)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(source_number__iexact=value) | Q(source_number__istartswith=f"{value}-"))

    def only_overdue(self, queryset, name, value):
        return queryset.filter(overdue_task=True) if value else queryset
