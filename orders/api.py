"""Orders, their lines and shipments, change and delay notices in the API (/api/v1/…): the pages' filters,
forms, services and permission checks. The ERP upserts orders by customer and PO number, and shipments by
delivery note, so a batch sent twice records nothing twice."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nhcs.api.errors import FormInvalid, form_errors
from nhcs.api.forms import form_serializer
from nhcs.api.registry import Resource, register
from nhcs.api.views import as_post, bind, body_of, error_responses, initial_data, version_of
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import NotAllowed
from nhcs.workflow.views import get_record_for, readable_list

from . import selectors, services
from .choices import TEXT_KINDS, ChangeKind
from .filters import ChangeNoticeFilter, DelayNoticeFilter, OrderFilter, ShipmentLogFilter
from .forms import (
    ChangeNoticeForm,
    ClarificationAnswerForm,
    ClarificationForm,
    DelayCustomerForm,
    DelayNoticeForm,
    DelayOrderForm,
    DeliveryForm,
    LineChangeForm,
    OrderForm,
    OrderLineForm,
    ShipmentLineForm,
    added_line_initial,
    line_change_initial,
)
from .models import ChangeAck, ChangeNotice, Clarification, DelayNotice, Order, OrderLine, Shipment

MAX_ROWS = 500


class ShipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = [
            "id",
            "line",
            "delivery_note",
            "shipped_on",
            "quantity",
            "lot",
            "over_delivery",
            "reverses",
            "reason",
            "remark",
            "source",
            "entered_at",
        ]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    shipments = ShipmentSerializer(many=True, read_only=True)
    unit_price = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "part_number",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "currency",
            "requested_date",
            "cancelled",
            "shipments",
        ]
        read_only_fields = fields

    def get_unit_price(self, line) -> str | None:
        """Only for those who see prices on the pages."""
        request = self.context.get("request")
        if line.unit_price is None or request is None or not services.can_see_prices(request.user):
            return None
        return str(line.unit_price)


def _rows(
    request, key: str, form_class, defaults: dict | None = None, current: list[dict] | None = None, **kwargs
) -> list[dict]:
    """The rows of a list in the input, each checked by the page's row form (`current` when the input
    leaves the list out: an edit keeps what the record has)."""
    rows = request.data.get(key) if current is None or key in request.data else current
    rows = rows or []
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        raise FormInvalid({key: [f"Send a list of at most {MAX_ROWS} objects."]})
    cleaned, errors = [], {}
    defaults = defaults or {}
    for index, row in enumerate(rows):
        row = {**defaults, **row} if isinstance(row, dict) else row
        form = form_class(data=as_post(row) if isinstance(row, dict) else {}, **kwargs)
        if not isinstance(row, dict) or not form.is_valid():
            for name, texts in (form_errors(form) if isinstance(row, dict) else {"": ["Send an object."]}).items():
                errors[f"{key}[{index}].{name}".rstrip(".")] = texts
            continue
        cleaned.append(form.cleaned_data)
    if errors:
        raise FormInvalid(errors)
    return cleaned


# --- orders --------------------------------------------------------------------------------------------


def _orders(request):
    if not services.lists_orders(request.user):
        raise Http404
    return selectors.with_shipments(readable_list(request, selectors.orders_list_qs()))


def _order_upsert(request, form):
    show_prices = services.can_see_prices(request.user)
    rows = _rows(request, "lines", OrderLineForm, show_prices=show_prices, po_date=form.cleaned_data["po_date"])
    lines = [{k: v for k, v in r.items() if k not in ("id", "DELETE")} for r in rows]
    reason = request.data.get("change_reason") or ""
    return services.order_upsert(user=request.user, data=form.cleaned_data, lines=lines, reason=str(reason))


class ClarificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clarification
        fields = ["id", "topic", "question", "channel", "sent_on", "answer", "answered_on", "confirmation"]
        read_only_fields = fields


def _clarified_order(request, pk: int) -> Order:
    """The order as its page reads it; 403 for those who do not handle its clarifications."""
    order = get_record_for(request, Order, pk, queryset=Order.objects.select_related("customer"))
    if not services.can_handle_clarifications(request.user, order):
        raise NotAllowed()
    return order


class OrderClarifications(APIView):
    @extend_schema(tags=["orders"], responses={200: ClarificationSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        """The questions put to the customer about the order's requirements, with their answers."""
        order = get_record_for(request, Order, pk)
        return Response(ClarificationSerializer(order.clarifications.order_by("pk"), many=True).data)

    @extend_schema(
        tags=["orders"],
        request=form_serializer(ClarificationForm, name="OrderClarificationInput"),
        responses={201: ClarificationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        """Record a question put to the customer, as the order's page does."""
        order = _clarified_order(request, pk)
        form = bind(ClarificationForm, {**initial_data(ClarificationForm, {}), **body_of(request)})
        done = services.clarification_raise(order=order, user=request.user, **form.cleaned_data)
        return Response(ClarificationSerializer(done).data, status=201)


class ClarificationAnswer(APIView):
    @extend_schema(
        tags=["orders"],
        request=form_serializer(ClarificationAnswerForm, name="OrderClarificationAnswerInput"),
        responses={200: ClarificationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int, cpk: int):
        """Record (or correct) the customer's written answer, as the order's page does. The first answer
        needs the customer's written confirmation attached (on the page only): without it, 400."""
        order = _clarified_order(request, pk)
        clarification = get_object_or_404(Clarification, pk=cpk, order=order)
        form = bind(ClarificationAnswerForm, {**initial_data(ClarificationAnswerForm, {}), **body_of(request)})
        done = services.clarification_answer(
            clarification=clarification,
            user=request.user,
            answer=form.cleaned_data["answer"],
            answered_on=form.cleaned_data["answered_on"],
            confirmation=None,
        )
        return Response(ClarificationSerializer(done).data)


register(
    Resource(
        name="orders",
        model=Order,
        fields=[
            *OrderForm.Meta.fields,
            "committed_date",
            "committed_justification",
            "confirmed_on",
            "discrepancy_report_sent_on",
            "created_at",
            "changed_at",
        ],
        serializer_fields={"lines": lambda: OrderLineSerializer(many=True, read_only=True)},
        queryset=_orders,
        filterset=OrderFilter,
        ordering=("-created_at", "-pk"),
        create_form=OrderForm,
        create=_order_upsert,
        can_create=services.can_create_orders,
        create_extra={
            "lines": lambda: form_serializer(OrderLineForm, name="OrderLineInput")(many=True, required=False),
            "change_reason": lambda: serializers.CharField(required=False, allow_blank=True, max_length=100),
        },
        update_form=OrderForm,
        # The shipments move a released order: the shipment service takes these, never a user.
        hidden_transitions=("ship_partly", "ship_in_full", "shipments_reversed"),
        extra=[
            ("orders/<int:pk>/clarifications/", OrderClarifications.as_view(), "orders-clarifications"),
            (
                "orders/<int:pk>/clarifications/<int:cpk>/answer/",
                ClarificationAnswer.as_view(),
                "orders-clarification-answer",
            ),
        ],
        tag="orders",
    )
)


# --- shipments --------------------------------------------------------------------------------------------


def _shipments(request):
    """As the shipment log: those who ship see every order's, the readers of orders those they read."""
    ships = services.can_ship(request.user)
    if not ships and not services.lists_orders(request.user):
        raise Http404
    orders = Order.objects.all() if ships else wf.readable(Order.objects.all(), user=request.user)
    return selectors.shipment_log_qs().filter(line__order__in=orders.values("pk"))


def _shipments_upsert(request, form):
    rows = _rows(request, "entries", ShipmentLineForm)
    lines = {line.pk: line for line in OrderLine.objects.filter(pk__in=[r["line"] for r in rows if r["line"] < 2**31])}
    missing = [r["line"] for r in rows if r["line"] not in lines]
    if missing:
        raise FormInvalid({"entries": [f"No such order line: {', '.join(map(str, missing))}."]})
    entries = [
        services.ShipmentEntry(
            line=lines[r["line"]],
            quantity=r["quantity"],
            lot=r.get("lot", ""),
            over_delivery=r.get("over_delivery", False),
            reason=r.get("reason", ""),
        )
        for r in rows
    ]
    created, new = services.shipments_upsert(user=request.user, entries=entries, **form.cleaned_data)
    return created, new


register(
    Resource(
        name="shipments",
        model=Shipment,
        fields=ShipmentSerializer.Meta.fields[1:],
        queryset=_shipments,
        filterset=ShipmentLogFilter,
        ordering=("-shipped_on", "-entered_at", "-pk"),
        create_form=DeliveryForm,
        create=_shipments_upsert,
        can_create=services.can_ship,
        create_many=True,
        create_extra={
            "entries": lambda: form_serializer(ShipmentLineForm, name="ShipmentLineInput")(many=True),
        },
        tag="shipments",
    )
)


# --- change and delay notices -----------------------------------------------------------------------------


class ChangeCreateForm(ChangeNoticeForm):
    """The change notice page's head, against an order (by its id) the user reads."""

    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=2**31 - 1)


class ChangeEditForm(ChangeNoticeForm):
    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)


def _change_request(request, form, order, notice: ChangeNotice | None = None) -> services.ChangeRequest:
    """As the change notice page: the head's texts (left out: as they are), each line's new values or its
    cancellation (`lines`), the lines added (`added`); an edit that leaves a list out keeps the notice's."""
    show_prices = services.can_see_prices(request.user)
    items = list(notice.items.all()) if notice is not None else []
    lines = list(order.lines.all())
    line_rows = _rows(
        request,
        "lines",
        LineChangeForm,
        current=line_change_initial(lines, items) if notice is not None else None,
        show_prices=show_prices,
    )
    added_rows = _rows(
        request,
        "added",
        OrderLineForm,
        current=added_line_initial(items) if notice is not None else None,
        show_prices=show_prices,
        po_date=order.po_date,
    )
    texts = {
        name: form.cleaned_data.get(name) or ""
        if notice is not None or name in request.data
        else getattr(order, TEXT_KINDS[name]) or ""
        for name in ChangeNoticeForm.TEXT_FIELDS
    }
    return services.ChangeRequest(
        lines=[
            services.LineChange(
                line_id=r["line"],
                quantity=r.get("quantity"),
                unit_price=r.get("unit_price"),
                requested_date=r.get("requested_date"),
                cancel=bool(r.get("cancel")),
            )
            for r in line_rows
        ],
        added=[{k: v for k, v in r.items() if k not in ("id", "DELETE", "delete")} for r in added_rows],
        texts=texts,
        cancel_order=bool(form.cleaned_data.get("cancel_order")),
    )


def _change_create(request, form):
    order = get_record_for(request, Order, form.cleaned_data["order"])
    return services.change_notice_create(
        order=order,
        user=request.user,
        reason=form.cleaned_data["reason"],
        customer_request_on=form.cleaned_data.get("customer_request_on"),
        request=_change_request(request, form, order),
    )


def _change_edit_data(notice: ChangeNotice) -> dict:
    """The texts and the cancellation as the notice has them (as its edit page starts)."""
    items = list(notice.items.all())
    data = {}
    for name in ChangeNoticeForm.TEXT_FIELDS:
        text = next((i.new_text for i in items if i.kind == name), None)
        data[name] = text if text is not None else getattr(notice.order, TEXT_KINDS[name]) or ""
    data["cancel_order"] = any(i.kind == ChangeKind.CANCEL_ORDER for i in items)
    return data


def _change_save(request, notice, form):
    """As the change notice's edit page: its edit rules, a reason after submission."""
    if not wf.can_edit_record(user=request.user, record=notice):
        raise NotAllowed()
    version = version_of(request.data)
    return services.change_notice_save(
        notice=notice,
        user=request.user,
        reason=form.cleaned_data["reason"],
        customer_request_on=form.cleaned_data.get("customer_request_on"),
        request=_change_request(request, form, notice.order, notice),
        edit_reason=str(request.data.get("change_reason") or ""),
        expected_version=version,
    )


ChangeLineInput = form_serializer(LineChangeForm, name="ChangeLineInput")
ChangeAddedLineInput = form_serializer(OrderLineForm, name="ChangeAddedLineInput")


def _change_rows_input() -> dict:
    return {
        "lines": lambda: ChangeLineInput(many=True, required=False),
        "added": lambda: ChangeAddedLineInput(many=True, required=False),
    }


register(
    Resource(
        name="change-notices",
        model=ChangeNotice,
        fields=["order", "reason", "customer_request_on", "price_changed", "negotiation", "created_at"],
        queryset=lambda request: readable_list(request, selectors.change_list_qs()),
        filterset=ChangeNoticeFilter,
        ordering=("-created_at", "-pk"),
        create_form=ChangeCreateForm,
        create=_change_create,
        can_create=lambda user: wf.may(user=user, flow=ChangeNotice.flow, ability="create"),
        create_extra=_change_rows_input(),
        update_form=ChangeEditForm,
        update=_change_save,
        edit_data=_change_edit_data,
        update_extra=_change_rows_input(),
        tag="change notices",
    )
)

register(
    Resource(
        name="change-acknowledgements",
        model=ChangeAck,
        fields=["notice", "department", "created_at"],
        queryset=lambda request: readable_list(request, ChangeAck.objects.select_related("department")),
        ordering=("-created_at", "-pk"),
        tag="change notices",
    )
)


class DelayCreateForm(DelayCustomerForm, DelayNoticeForm):
    """The delay notice page's two steps in one: the customer (by code), then the reason."""


class DelayItemSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="order_id")
    original_date = serializers.DateField()
    proposed_date = serializers.DateField()


def _delay_create(request, form):
    """As the delay notice page: the customer's orders that may be delayed, each to its proposed date."""
    customer = form.cleaned_data["customer"]
    rows = _rows(request, "items", DelayOrderForm, defaults={"include": True})
    candidates = {o.pk: o for o in services.delay_candidates(customer)}
    unknown = [str(r["order"]) for r in rows if r["order"] not in candidates]
    if unknown:
        raise FormInvalid({"items": [f"Not an order of this customer that may be delayed: {', '.join(unknown)}."]})
    items = [(candidates[r["order"]], r["proposed_date"]) for r in rows if r.get("proposed_date")]
    return services.delay_notice_create(
        user=request.user, customer=customer, reason=form.cleaned_data["reason"], items=items
    )


class DelayEditForm(DelayNoticeForm):
    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)


def _delay_save(request, notice, form):
    """As the delay notice's edit page: the reason and the orders delayed (`items`; left out: as they are),
    among the customer's orders that may be delayed and those the notice has."""
    if not wf.can_edit_record(user=request.user, record=notice):
        raise NotAllowed()
    version = version_of(request.data)
    current = [{"order": i.order_id, "proposed_date": i.proposed_date} for i in notice.items.all()]
    rows = _rows(request, "items", DelayOrderForm, defaults={"include": True}, current=current)
    candidates = {o.pk: o for o in services.delay_candidates(notice.customer)}
    candidates.update({i.order_id: i.order for i in notice.items.select_related("order")})
    unknown = [str(r["order"]) for r in rows if r["order"] not in candidates]
    if unknown:
        raise FormInvalid({"items": [f"Not an order of this customer that may be delayed: {', '.join(unknown)}."]})
    items = [(candidates[r["order"]], r["proposed_date"]) for r in rows if r.get("proposed_date")]
    return services.delay_notice_save(
        notice=notice, user=request.user, reason=form.cleaned_data["reason"], items=items, expected_version=version
    )


class DelayItemInput(serializers.Serializer):
    order = serializers.IntegerField()
    proposed_date = serializers.DateField()


def _delay_row_input(**kwargs):
    return DelayItemInput(many=True, **kwargs)


register(
    Resource(
        name="delay-notices",
        model=DelayNotice,
        fields=["customer", "reason", "negotiation", "created_at"],
        serializer_fields={
            "items": lambda: DelayItemSerializer(many=True, read_only=True, source="items.all"),
        },
        create_form=DelayCreateForm,
        create=_delay_create,
        can_create=services.can_raise_delay,
        create_extra={"items": _delay_row_input},
        update_form=DelayEditForm,
        update=_delay_save,
        update_extra={"items": lambda: _delay_row_input(required=False)},
        queryset=lambda request: readable_list(request, selectors.delay_list_qs()),
        filterset=DelayNoticeFilter,
        ordering=("-created_at", "-pk"),
        tag="delay notices",
    )
)
