"""Pages of the orders area: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from nhcs.core.once import once
from nhcs.customers.services import can_view_customers
from nhcs.sheets.export import export_list, export_record, pdf_response
from nhcs.workflow import selectors as wf_selectors
from nhcs.workflow import services as wf
from nhcs.workflow.errors import refuse
from nhcs.workflow.views import (
    RecordDetailView,
    RecordEditView,
    form_action,
    get_record_for,
    readable_list,
)

from . import selectors, services, sheets
from .filters import DemandPlanFilter, OpenLineFilter, OrderFilter, ShipmentLogFilter
from .forms import (
    BomLineFormSet,
    ClarificationAnswerForm,
    ClarificationForm,
    DeliveryForm,
    DiscrepancySentForm,
    LeadTimeFormSet,
    OrderForm,
    OrderLineFormSet,
    ShipmentImportForm,
    ShipmentLineFormSet,
    ShipmentReverseForm,
    bom_initial,
    line_initial,
)
from .models import Clarification, Order, OrderLine, Shipment

PAGE_SIZE = 25


def _int(value) -> int:
    """A posted number; -1 (never a real version or id) when it is not one."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else -1


_error = refuse  # the one mapping of refusals to messages and statuses


# --- orders -------------------------------------------------------------------------------------------


@login_required
def order_list(request):
    filterset = OrderFilter(request.GET or None, queryset=_readable_orders(request))
    qs = filterset.qs
    if not request.GET.get("ordering"):
        qs = qs.order_by("-created_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/order_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_create": services.can_create_orders(request.user),
        },
    )


@login_required
def order_create(request):
    if not services.can_create_orders(request.user):
        raise PermissionDenied
    show_prices = services.can_see_prices(request.user)
    form = OrderForm(request.POST or None)
    # The lines are checked against the PO date typed above them.
    po_date = form.cleaned_data.get("po_date") if form.is_bound and form.is_valid() else None
    formset = OrderLineFormSet(request.POST or None, prefix="lines", show_prices=show_prices, po_date=po_date)

    def page(status):
        return render(request, "orders/order_create.html", {"form": form, "formset": formset}, status=status)

    if request.method != "POST":
        return page(200)
    if not formset.is_valid():
        form.is_valid()
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    rows = [{k: v for k, v in r.items() if k not in ("id", "delete")} for r in formset.rows() if not r["delete"]]
    return form_action(
        request,
        form=form,
        call=once(request, lambda data: services.order_create(user=request.user, data=data, lines=rows)),
        success=lambda order: _("Order %(number)s created.") % {"number": order.number},
        then=lambda order: order.get_absolute_url(),
        again=page,
    )


class OrderDetail(RecordDetailView):
    model = Order
    template_name = "orders/order_detail.html"

    def get_queryset(self):
        return Order.objects.select_related("customer", "created_by__department", "changed_by").prefetch_related(
            "bom_lines"
        )

    def get_record(self):
        # The warehouse records deliveries but reads no order (the flow's readers say so): 404, even for an
        # order whose shipping it signed.
        record = super().get_record()
        # Shipments exist from the release on: their lines and shipments are read in two queries, before
        # the actions' conditions (which read them) and the page do.
        if record.state in selectors.SHIPPING_STATES:
            prefetch_related_objects([record], selectors.shipments_prefetch())
        return record

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        return {
            "delivery": selectors.order_delivery(record) if record.state in selectors.SHIPPING_STATES else None,
            "can_ship": services.can_ship(user),
            "lines": selectors.order_lines(record),
            "bom": selectors.order_bom(record),
            "clarifications": selectors.order_clarifications(record),
            "line_marks": selectors.line_change_marks(record, signoffs=self.workflow["signoffs"]),
            "amended": wf_selectors.amendments_for(record=record),
            "show_prices": services.can_see_prices(user),
            "can_view_customer": can_view_customers(user),
            "can_edit_lines": wf.can_edit_record(user=user, record=record),
            "can_edit_bom": services.can_edit_bom(user, record),
            "can_edit_lead_times": services.can_edit_lead_times(user, record),
            "can_clarify": services.can_handle_clarifications(user, record),
            "can_report": services.can_report_discrepancy(user, record),
            "clarification_form": kwargs.get("clarification_form") or ClarificationForm(prefix="clar"),
            # A refused answer comes back as typed, its form open.
            "refused_answer": kwargs.get("refused_answer"),
            "answer_form": ClarificationAnswerForm(prefix="ans"),
            "report_form": kwargs.get("report_form") or DiscrepancySentForm(prefix="report"),
        }


class OrderEdit(RecordEditView):
    model = Order
    form_class = OrderForm
    template_name = "orders/order_form.html"


def _order_for(request, pk: int) -> Order:
    return get_record_for(request, Order, pk, queryset=Order.objects.select_related("customer"))


def _version(request) -> int:
    return _int(request.POST.get("version"))


@login_required
def order_lines_edit(request, pk: int):
    order = _order_for(request, pk)
    if not wf.can_edit_record(user=request.user, record=order):
        raise PermissionDenied
    show_prices = services.can_see_prices(request.user)
    initial = line_initial(order.lines.all(), show_prices)
    formset = OrderLineFormSet(
        request.POST or None, prefix="lines", initial=initial, show_prices=show_prices, po_date=order.po_date
    )
    reason = request.POST.get("change_reason", "")

    def page(status):
        context = {
            "order": order,
            "formset": formset,
            "reason": reason,
            "needs_reason": order.state != order.flow.initial,
            "reopen_label": order.flow.transition(order.flow.edit_states[order.state]).label
            if order.flow.edit_states.get(order.state)
            else "",
            "version": request.POST.get("version") or order.version,
            "show_prices": show_prices,
        }
        return render(request, "orders/lines_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not formset.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    return form_action(
        request,
        form=None,
        call=lambda _data: services.order_lines_save(
            order=order, user=request.user, rows=formset.rows(), reason=reason, expected_version=_version(request)
        ),
        success=_("Order lines saved."),
        then=order.get_absolute_url(),
        again=page,
    )


@login_required
def order_bom_edit(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_edit_bom(request.user, order):
        raise PermissionDenied
    formset = BomLineFormSet(request.POST or None, prefix="bom", initial=bom_initial(order.bom_lines.all()))

    def page(status):
        context = {"order": order, "formset": formset, "version": request.POST.get("version") or order.version}
        return render(request, "orders/bom_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not formset.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    return form_action(
        request,
        form=None,
        call=lambda _data: services.bom_save(
            order=order, user=request.user, rows=formset.rows(), expected_version=_version(request)
        ),
        success=_("BOM saved."),
        then=order.get_absolute_url(),
        again=page,
    )


@login_required
def order_lead_times(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_edit_lead_times(request.user, order):
        raise PermissionDenied
    lines = [b for b in order.bom_lines.all() if b.needs_lead_time]
    initial = [{"line": b.pk, "lead_time_days": b.lead_time_days, "lead_time_note": b.lead_time_note} for b in lines]
    formset = LeadTimeFormSet(request.POST or None, prefix="lt", initial=initial)

    def page(status):
        context = {
            "order": order,
            "formset": formset,
            "rows": list(zip(lines, formset.forms)),
            "version": request.POST.get("version") or order.version,
        }
        return render(request, "orders/lead_times_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not formset.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    data = {
        f.cleaned_data["line"]: (f.cleaned_data.get("lead_time_days"), f.cleaned_data.get("lead_time_note", ""))
        for f in formset.forms
        if f.cleaned_data
    }
    return form_action(
        request,
        form=None,
        call=lambda _data: services.lead_times_save(
            order=order, user=request.user, lead_times=data, expected_version=_version(request)
        ),
        success=_("Lead times saved."),
        then=order.get_absolute_url(),
        again=page,
    )


def _detail_again(request, order, **forms):
    """Re-render the order page with the refused form bound (the user's input kept)."""

    def again(status):
        view = OrderDetail()
        view.setup(request, pk=order.pk)
        fresh = view.get_queryset().get(pk=order.pk)
        return view.render_page(fresh, status=status, **forms)

    return again


@login_required
@require_POST
def clarification_add(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_handle_clarifications(request.user, order):
        raise PermissionDenied
    form = ClarificationForm(request.POST, prefix="clar")
    return form_action(
        request,
        form=form,
        call=lambda data: services.clarification_raise(order=order, user=request.user, **data),
        success=_("Clarification recorded."),
        then=order.get_absolute_url() + "#clarifications",
        again=_detail_again(request, order, clarification_form=form),
    )


@login_required
@require_POST
def clarification_answer(request, pk: int, cpk: int):
    order = _order_for(request, pk)
    clarification = get_object_or_404(Clarification, pk=cpk, order=order)
    if not services.can_handle_clarifications(request.user, order):
        raise PermissionDenied
    form = ClarificationAnswerForm(request.POST, request.FILES, prefix=f"ans-{cpk}")
    typed = {
        "pk": clarification.pk,
        "answer": request.POST.get(f"ans-{cpk}-answer", ""),
        "answered_on": request.POST.get(f"ans-{cpk}-answered_on", ""),
    }
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label if name in form.fields else ''}: {error}")
        return _detail_again(request, order, refused_answer=typed)(400)
    return form_action(
        request,
        form=form,
        call=lambda data: services.clarification_answer(
            clarification=clarification,
            user=request.user,
            answer=data["answer"],
            answered_on=data["answered_on"],
            confirmation=data.get("confirmation"),
        ),
        success=_("The customer's answer is recorded."),
        then=order.get_absolute_url() + "#clarifications",
        again=_detail_again(request, order, refused_answer=typed),
        files_may_be_saved=True,
    )


@login_required
def discrepancy_letter(request, pk: int):
    order = _order_for(request, pk)
    if not order.certified_data_discrepancy:
        raise Http404
    return pdf_response(
        sheets.discrepancy_letter_pdf(order=order, request=request), f"{order.number}-certified-data-report"
    )


@login_required
@require_POST
def discrepancy_sent(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_report_discrepancy(request.user, order):
        raise PermissionDenied
    form = DiscrepancySentForm(request.POST, prefix="report")
    return form_action(
        request,
        form=form,
        call=lambda data: services.discrepancy_report_sent(order=order, user=request.user, **data),
        success=_("Sending of the written report is recorded; the letter is kept with the order."),
        then=order.get_absolute_url(),
        again=_detail_again(request, order, report_form=form),
        files_may_be_saved=True,
    )


# --- sheets -------------------------------------------------------------------------------------------


def _readable_orders(request):
    """The orders the user may read: the lists and their sheets show nothing else (404 without any, and for
    those whose only part in orders is recording deliveries)."""
    if not services.lists_orders(request.user):
        raise Http404
    return readable_list(request, selectors.orders_list_qs())


@login_required
def demand_plan_export(request, fmt: str):
    """产品需求计划表 of the orders the list shows (same filters); prices only for those who may see them."""
    return export_list(
        request=request,
        sheet=sheets.DEMAND_PLAN,
        queryset=sheets.demand_plan_queryset().filter(order__in=_readable_orders(request).values("pk")),
        fmt=fmt,
        filename="产品需求计划表",
        filterset_class=DemandPlanFilter,
    )


@login_required
def review_export(request, fmt: str):
    """生产计划及评审明细表 of the orders the list shows (same filters)."""
    return export_list(
        request=request,
        sheet=sheets.REVIEW_DETAIL,
        queryset=sheets.review_queryset(_readable_orders(request)),
        fmt=fmt,
        filename="生产计划及评审明细表",
        filterset_class=OrderFilter,
    )


@login_required
def order_review_sheet(request, pk: int, fmt: str):
    """One order's review sheet with its signature boxes."""
    order = _order_for(request, pk)
    return export_record(
        request=request,
        sheet=sheets.ORDER_REVIEW,
        record=order,
        fmt=fmt,
        context=sheets.order_review_context(order=order, user=request.user),
        filename=f"{order.number}-生产计划及评审明细表",
    )


# --- shipments ------------------------------------------------------------------------------------------

SHIPMENTS_PAGE_SIZE = 50


def _shipments_access(request) -> bool:
    """Who sees the shipments pages: those who record deliveries (the warehouse, Planning & Logistics) and
    the readers of orders; everyone else gets 404. Returns whether the user records deliveries."""
    ships = services.can_ship(request.user)
    if not ships and not services.lists_orders(request.user):
        raise Http404
    return ships


def _shipment_orders(request, ships: bool):
    """The orders whose lines and shipments the user sees: all of them for those who ship, else the
    orders they may read."""
    orders = Order.objects.all()
    return orders if ships else wf.readable(orders, user=request.user)


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def shipments(request):
    """Lines to deliver of released and partly shipped orders, and the form that records the lines of one
    delivery note (the warehouse's page: customer, order, PO, part, quantities and dates only)."""
    ships = _shipments_access(request)
    base = selectors.open_lines_qs().filter(order__in=_shipment_orders(request, ships).values("pk"))
    filterset = OpenLineFilter(request.GET or None, queryset=base)
    page = Paginator(filterset.qs, SHIPMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    here = request.get_full_path()

    def render_page(rows, delivery_form, formset, status=200):
        return render(
            request,
            "orders/shipments.html",
            {
                "filter": filterset,
                "page": page,
                "query": _query(request),
                "rows": rows,
                "delivery_form": delivery_form,
                "formset": formset,
                "can_ship": ships,
                "today": timezone.localdate(),
            },
            status=status,
        )

    if request.method != "POST":
        formset = ShipmentLineFormSet(prefix="ship", initial=[{"line": line.pk} for line in page])
        return render_page(list(zip(page, formset.forms)), DeliveryForm(prefix="dn"), formset)
    if not ships:
        raise PermissionDenied
    delivery_form = DeliveryForm(request.POST, prefix="dn")
    formset = ShipmentLineFormSet(request.POST, prefix="ship")
    posted = {
        line.pk: line for line in selectors.lines_with_progress(OrderLine.objects.filter(pk__in=formset.line_ids()))
    }

    def again(status):
        rows = [(posted[pk], form) for pk, form in zip(formset.line_ids(), formset.forms) if pk in posted]
        return render_page(rows, delivery_form, formset, status)

    if not formset.is_valid():
        delivery_form.is_valid()
        messages.error(request, _("Please correct the errors below."))
        return again(400)

    def call(data):
        entries = [
            services.ShipmentEntry(
                line=posted[row["line"]],
                quantity=row["quantity"],
                lot=row.get("lot", ""),
                over_delivery=row.get("over_delivery", False),
                reason=row.get("reason", ""),
            )
            for row in formset.entries()
            if row["line"] in posted
        ]
        return services.shipments_record(user=request.user, entries=entries, **data)

    def success(created):
        count = len(created)
        text = ngettext(
            "Delivery note %(note)s recorded: %(n)s line.", "Delivery note %(note)s recorded: %(n)s lines.", count
        ) % {"note": created[0].delivery_note, "n": count}
        states = selectors.order_states_of(created)
        return f"{text} {states}"

    return form_action(request, form=delivery_form, call=once(request, call), success=success, then=here, again=again)


def _log_page(request, query: QueryDict, *, status: int = 200, bound: tuple[int, ShipmentReverseForm] | None = None):
    ships = _shipments_access(request)
    base = selectors.shipment_log_qs().filter(line__order__in=_shipment_orders(request, ships).values("pk"))
    filterset = ShipmentLogFilter(query or None, queryset=base)
    page = Paginator(filterset.qs, SHIPMENTS_PAGE_SIZE).get_page(query.get("page"))
    rest = query.copy()
    rest.pop("page", None)
    return render(
        request,
        "orders/shipment_log.html",
        {
            "filter": filterset,
            "page": page,
            "query": rest.urlencode(),
            "here": f"{reverse('orders:shipment_log')}?{query.urlencode()}"
            if query
            else reverse("orders:shipment_log"),
            "can_ship": ships,
            "can_open_orders": services.lists_orders(request.user),
            "bound_pk": bound[0] if bound else None,
            "bound_form": bound[1] if bound else None,
        },
        status=status,
    )


@login_required
def shipment_log(request):
    """Every delivery recorded, reversing entries included, with filters; those who ship reverse from here."""
    return _log_page(request, request.GET)


@login_required
def shipment_log_export(request, fmt: str):
    """发货记录表: the shipment log as listed (same filters), .xlsx or .pdf."""
    ships = _shipments_access(request)
    return export_list(
        request=request,
        sheet=sheets.SHIPMENT_LOG,
        queryset=selectors.shipment_log_qs().filter(line__order__in=_shipment_orders(request, ships).values("pk")),
        fmt=fmt,
        filename="发货记录表",
        filterset_class=ShipmentLogFilter,
    )


@login_required
@require_POST
def shipment_reverse(request, pk: int):
    """Correct a wrong entry by a reversing one (from the log); a refusal shows the log again, the
    reversal's input kept."""
    ships = _shipments_access(request)
    shipment = get_object_or_404(
        Shipment.objects.filter(line__order__in=_shipment_orders(request, ships).values("pk")), pk=pk
    )
    if not ships:
        raise PermissionDenied
    form = ShipmentReverseForm(request.POST, prefix="rev")
    log = reverse("orders:shipment_log")
    back = urlsplit(request.POST.get("next", ""))
    query = QueryDict(back.query) if back.path == log else QueryDict()
    then = f"{log}?{query.urlencode()}" if query else log
    return form_action(
        request,
        form=form,
        call=lambda data: services.shipment_reverse(
            user=request.user, shipment=shipment, reason=data["reason"], quantity=data.get("quantity")
        ),
        success=lambda r: (
            _("Entry of delivery note %(note)s reversed (%(qty)s).")
            % {"note": r.delivery_note, "qty": services.quantity_text(r.quantity)}
        ),
        then=then,
        again=lambda status: _log_page(request, query, status=status, bound=(pk, form)),
    )


@login_required
def shipment_import(request):
    """Deliveries from the ERP's delivery-note export: all rows or none, with a row-by-row report."""
    ships = _shipments_access(request)
    if not ships:
        raise PermissionDenied
    form = ShipmentImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = services.shipments_import(user=request.user, upload=form.cleaned_data["file"])
            if result.ok:
                messages.success(request, services.shipments_import_summary(result))
                return HttpResponseRedirect(reverse("orders:shipment_log"))
            messages.error(request, result.message)
        status = 400
    return render(request, "orders/shipment_import.html", {"form": form, "result": result}, status=status)
