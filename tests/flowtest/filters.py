import django_filters

from .models import Memo, MemoState


class MemoFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=MemoState.choices, label="State")
    title = django_filters.CharFilter(lookup_expr="icontains", label="Title")
    created = django_filters.DateFromToRangeFilter(field_name="created_at", label="Created")

    class Meta:
        model = Memo
        fields = ["state", "title", "created"]
