import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nhcs.customers.filters import CustomerRefFilter

from .choices import AdvisoryState, Category, ComplaintState, FeedbackSource, FeedbackState, Sentiment
from .models import AdvisoryNotice, Complaint, DefectType, Feedback

OWNER_CHOICES = [("QA", _("Quality")), ("SALES", _("Sales"))]


class ComplaintFilter(django_filters.FilterSet):
    """The complaint log (and its sheet and analysis): by state, owner, category, customer, defect, the
    period received, overdue and repeats."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=ComplaintState.choices)
    owner = django_filters.ChoiceFilter(label=_("Owner"), choices=OWNER_CHOICES, method="by_owner")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    customer = CustomerRefFilter()
    defect = django_filters.ModelChoiceFilter(label=_("Defect"), queryset=DefectType.objects.all())
    received = django_filters.DateFromToRangeFilter(
        label=_("Received (from – to)"),
        method="received_between",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    open_only = django_filters.BooleanFilter(label=_("Open only"), method="only_open", widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), field_name="is_overdue", method="only_true", widget=forms.CheckboxInput
    )
    repeat = django_filters.BooleanFilter(
        label=_("Repeats"), field_name="is_repeat", method="only_true", widget=forms.CheckboxInput
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("received_at", "received"),
            ("customer__code", "customer"),
            ("category", "category"),
            ("state", "state"),
            ("reply_due_on", "reply_due"),
            ("cost_total", "cost"),
        ),
        field_labels={
            "number": _("Number"),
            "received_at": _("Received"),
            "customer__code": _("Customer"),
            "category": _("Category"),
            "state": _("State"),
            "reply_due_on": _("First reply due"),
            "cost_total": _("Cost"),
            # Given whole: django-filter would otherwise format "(descending)" once, at import.
            "-number": _("Number (descending)"),
            "-received_at": _("Received (descending)"),
            "-customer__code": _("Customer (descending)"),
            "-category": _("Category (descending)"),
            "-state": _("State (descending)"),
            "-reply_due_on": _("First reply due (descending)"),
            "-cost_total": _("Cost (descending)"),
        },
    )

    class Meta:
        model = Complaint
        fields = ["q", "state", "category", "customer", "defect"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(part_number__icontains=value)
            | Q(lot__icontains=value)
            | Q(order_number__icontains=value)
            | Q(description__icontains=value)
        )

    def by_owner(self, queryset, name, value):
        # 4.6.4: Quality owns the quality complaints, Sales the others (the flow's owner role).
        if value == "QA":
            return queryset.filter(category=Category.QUALITY)
        if value == "SALES":
            return queryset.exclude(category=Category.QUALITY)
        return queryset

    def received_between(self, queryset, name, value):
        if value.start:
            queryset = queryset.filter(received_at__date__gte=value.start)
        if value.stop:
            queryset = queryset.filter(received_at__date__lte=value.stop)
        return queryset

    def only_open(self, queryset, name, value):
        return queryset.exclude(state__in=Complaint.flow.final_states) if value else queryset

    def only_true(self, queryset, name, value):
        return queryset.filter(**{name: True}) if value else queryset


class FeedbackFilter(django_filters.FilterSet):
    """The feedback register (and its log): by state, source, tone, customer, the period received."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=FeedbackState.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=FeedbackSource.choices)
    sentiment = django_filters.ChoiceFilter(label=_("Tone"), choices=Sentiment.choices)
    customer = CustomerRefFilter()
    received = django_filters.DateFromToRangeFilter(
        label=_("Received (from – to)"),
        method="received_between",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Feedback
        fields = ["q", "state", "source", "sentiment", "customer"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(part_number__icontains=value)
            | Q(lot__icontains=value)
            | Q(order_number__icontains=value)
            | Q(text__icontains=value)
        )

    def received_between(self, queryset, name, value):
        if value.start:
            queryset = queryset.filter(received_at__date__gte=value.start)
        if value.stop:
            queryset = queryset.filter(received_at__date__lte=value.stop)
        return queryset


class AdvisoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=AdvisoryState.choices)

    class Meta:
        model = AdvisoryNotice
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(subject__icontains=value)
            | Q(parts__icontains=value)
            | Q(lots__icontains=value)
        )
