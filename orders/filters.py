import django_filters
from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from nhcs.core.widgets import DateInput
from nhcs.customers.filters import CustomerRefFilter

from .choices import ChangeNoticeState, DelayNoticeState, OrderState, ShipmentSource
from .flow import CHANGE_NOTICE_FLOW, DELAY_NOTICE_FLOW, ORDER_FLOW
from .models import ChangeNotice, DelayNotice, Order, OrderLine, Shipment


class StateOrderingFilter(django_filters.OrderingFilter):
    """Sorting by state follows the flow's order of states (draft, submitted, in review … released,
    cancelled), not the alphabet of their codes."""

    def filter(self, qs, value):
        if any(v.lstrip("-") == "state" for v in value or ()):
            ranks = [When(state=code, then=Value(i)) for i, code in enumerate(ORDER_FLOW.state_order())]
            qs = qs.annotate(state_rank=Case(*ranks, default=Value(len(ranks)), output_field=IntegerField()))
        qs = super().filter(qs, value)
        # Ties (orders in one state, of one day) keep one order from page to page: newest first.
        return qs.order_by(*qs.query.order_by, "-pk") if value else qs


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("PO or order number"), method="search")
    customer = CustomerRefFilter()
    state = django_filters.ChoiceFilter(label=_("State"), choices=OrderState.choices)
    po_date = django_filters.DateFromToRangeFilter(
        label=_("PO date (from – to)"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    requested = django_filters.DateFromToRangeFilter(
        label=_("Requested delivery (from – to)"),
        method="requested_between",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue review"), field_name="is_overdue", method="only_true", widget=forms.CheckboxInput
    )
    awaiting_customer = django_filters.BooleanFilter(
        label=_("Awaiting customer confirmation"), method="only_true", widget=forms.CheckboxInput
    )
    # A delay the customer confirmed in writing replaces the committed date (4.4): an order listed here has
    # no confirmed new date.
    overdue_delivery = django_filters.BooleanFilter(
        label=_("Delivery overdue (committed date passed, not shipped in full, no confirmed new date)"),
        field_name="delivery_overdue",
        method="only_true",
        widget=forms.CheckboxInput,
    )
    delay_pending = django_filters.BooleanFilter(
        label=_("New date awaiting the customer's confirmation (delay notice)"),
        method="only_true",
        widget=forms.CheckboxInput,
    )
    ordering = StateOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("po_date", "po_date"),
            ("customer__code", "customer"),
            ("state_rank", "state"),
            ("first_requested", "requested"),
            ("committed_date", "committed"),
        ),
        # django-filter looks the ascending labels up by field and the descending ones by parameter
        # ("-customer"); a descending label it does not find it formats once, at import, in whatever
        # language was active then. So every label is given, lazily, under the key it is looked up by.
        field_labels={
            "number": _("Order number"),
            "po_date": _("PO date"),
            "customer__code": _("Customer"),
            "state_rank": _("State"),
            "first_requested": _("Requested delivery"),
            "committed_date": _("Committed date"),
            "-number": _("Order number (descending)"),
            "-po_date": _("PO date (descending)"),
            "-customer": _("Customer (descending)"),
            "-state": _("State (descending)"),
            "-requested": _("Requested delivery (descending)"),
            "-committed": _("Committed date (descending)"),
        },
    )

    class Meta:
        model = Order
        fields = ["q", "customer", "state", "po_date"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(po_number__icontains=value))

    def requested_between(self, queryset, name, value):
        # The order matches when any of its lines is requested in the range.
        lines = OrderLine.objects.filter(order=OuterRef("pk"))
        if value.start:
            lines = lines.filter(requested_date__gte=value.start)
        if value.stop:
            lines = lines.filter(requested_date__lte=value.stop)
        return queryset.filter(Exists(lines)) if (value.start or value.stop) else queryset

    def only_true(self, queryset, name, value):
        if value:
            return queryset.filter(**{name: True})
        return queryset


class DemandPlanFilter(OrderFilter):
    """The order list's filters applied to order lines: the demand plan lists the lines of the orders the
    list shows."""

    def filter_queryset(self, queryset):
        from .selectors import orders_list_qs

        orders = super().filter_queryset(orders_list_qs())
        return queryset.filter(order__in=orders.order_by().values("pk"))


def _order_or_po(queryset, prefix: str, value: str):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(**{f"{prefix}number__icontains": value}) | Q(**{f"{prefix}po_number__icontains": value}))


class OpenLineFilter(django_filters.FilterSet):
    """The shipments page: lines still to deliver, by customer, order, part and due date."""

    customer = CustomerRefFilter(field_name="order__customer")
    order = django_filters.CharFilter(label=_("Order or PO number"), method="order_or_po")
    part = django_filters.CharFilter(label=_("Part number"), field_name="part_number", lookup_expr="icontains")
    due_before = django_filters.DateFilter(
        label=_("Due on or before"), field_name="due", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = OrderLine
        fields = ["customer", "order", "part", "due_before"]

    def order_or_po(self, queryset, name, value):
        return _order_or_po(queryset, "order__", value)


class ShipmentLogFilter(django_filters.FilterSet):
    """The shipment log (and its sheet): by customer, order, part, delivery note, date and source."""

    customer = CustomerRefFilter(field_name="line__order__customer")
    order = django_filters.CharFilter(label=_("Order or PO number"), method="order_or_po")
    part = django_filters.CharFilter(label=_("Part number"), field_name="line__part_number", lookup_expr="icontains")
    delivery_note = django_filters.CharFilter(label=_("Delivery note"), lookup_expr="icontains")
    shipped = django_filters.DateFromToRangeFilter(
        label=_("Shipped (from – to)"),
        field_name="shipped_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=ShipmentSource.choices)

    class Meta:
        model = Shipment
        fields = ["customer", "order", "part", "delivery_note", "shipped", "source"]

    def order_or_po(self, queryset, name, value):
        return _order_or_po(queryset, "line__order__", value)


# --- change and delay notices ------------------------------------------------------------------------------


class NoticeOrderingFilter(django_filters.OrderingFilter):
    """Sorting by state follows the flow's order of states; ties keep one order from page to page."""

    def __init__(self, *args, flow=None, **kwargs):
        self.flow = flow
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if any(v.lstrip("-") == "state" for v in value or ()):
            ranks = [When(state=code, then=Value(i)) for i, code in enumerate(self.flow.state_order())]
            qs = qs.annotate(state_rank=Case(*ranks, default=Value(len(ranks)), output_field=IntegerField()))
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "-pk") if value else qs


class NoticeFilter(django_filters.FilterSet):
    """What the notice lists (and their sheets) share: state, customer, order, date range, awaiting me."""

    order = django_filters.CharFilter(label=_("Order or PO number"), method="order_or_po")
    created = django_filters.DateFromToRangeFilter(
        label=_("Written (from – to)"),
        field_name="created_at__date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    mine = django_filters.BooleanFilter(label=_("Awaiting me"), method="awaiting_me", widget=forms.CheckboxInput)

    def awaiting_me(self, queryset, name, value):
        from .selectors import awaiting_me

        if value and self.request is not None:
            return awaiting_me(queryset, self.request.user)
        return queryset


class ChangeNoticeFilter(NoticeFilter):
    number = django_filters.CharFilter(label=_("Notice number"), field_name="number", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label=_("State"), choices=ChangeNoticeState.choices)
    customer = CustomerRefFilter(field_name="order__customer")
    price_changed = django_filters.BooleanFilter(
        label=_("A price changes"),
        widget=django_filters.widgets.BooleanWidget(),
    )
    ordering = NoticeOrderingFilter(
        label=_("Sort by"),
        flow=CHANGE_NOTICE_FLOW,
        fields=(
            ("number", "number"),
            ("created_at", "created"),
            ("order__customer__code", "customer"),
            ("order__number", "order"),
            ("state_rank", "state"),
        ),
        field_labels={
            "number": _("Notice number"),
            "created_at": _("Written on"),
            "order__customer__code": _("Customer"),
            "order__number": _("Order number"),
            "state_rank": _("State"),
            "-number": _("Notice number (descending)"),
            "-created": _("Written on (descending)"),
            "-customer": _("Customer (descending)"),
            "-order": _("Order number (descending)"),
            "-state": _("State (descending)"),
        },
    )

    class Meta:
        model = ChangeNotice
        fields = ["number", "state", "customer", "order", "created", "price_changed", "mine"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether a price changes is told only to those who may see order prices (as on orders).
        from .services import can_see_prices

        user = getattr(self.request, "user", None)
        if user is None or not can_see_prices(user):
            del self.filters["price_changed"]

    def order_or_po(self, queryset, name, value):
        return _order_or_po(queryset, "order__", value)


class DelayNoticeFilter(NoticeFilter):
    number = django_filters.CharFilter(label=_("Notice number"), field_name="number", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label=_("State"), choices=DelayNoticeState.choices)
    customer = CustomerRefFilter()
    ordering = NoticeOrderingFilter(
        label=_("Sort by"),
        flow=DELAY_NOTICE_FLOW,
        fields=(
            ("number", "number"),
            ("created_at", "created"),
            ("customer__code", "customer"),
            ("state_rank", "state"),
        ),
        field_labels={
            "number": _("Notice number"),
            "created_at": _("Written on"),
            "customer__code": _("Customer"),
            "state_rank": _("State"),
            "-number": _("Notice number (descending)"),
            "-created": _("Written on (descending)"),
            "-customer": _("Customer (descending)"),
            "-state": _("State (descending)"),
        },
    )

    class Meta:
        model = DelayNotice
        fields = ["number", "state", "customer", "order", "created", "mine"]

    def order_or_po(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        from .models import DelayItem

        orders = Order.objects.filter(Q(number__icontains=value) | Q(po_number__icontains=value))
        return queryset.filter(Exists(DelayItem.objects.filter(notice=OuterRef("pk"), order__in=orders.values("pk"))))
