"""Pages of the orders area: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from nhcs.core.once import once
from nhcs.core.paging import page_of
from nhcs.customers.services import can_view_customers
from nhcs.sheets.export import export_list, export_record, pdf_response
from nhcs.workflow import selectors as wf_selectors
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.errors import refuse
from nhcs.workflow.views import (
    RecordDetailView,
    RecordEditView,
    form_action,
    get_record_for,
    readable_list,
)

from . import selectors, services, sheets
from .choices import TEXT_KINDS, ChangeKind, DelayNoticeState
from .filters import (
    ChangeNoticeFilter,
    DelayNoticeFilter,
    DemandPlanFilter,
    OpenLineFilter,
    OrderFilter,
    ShipmentLogFilter,
)
from .forms import (
    BomLineFormSet,
    ChangeNoticeForm,
    ChangeRequestFileForm,
    ClarificationAnswerForm,
    ClarificationForm,
    DelayCustomerForm,
    DelayNoticeForm,
    DelayOrderFormSet,
    DeliveryForm,
    DiscrepancySentForm,
    LeadTimeFormSet,
    LineChangeFormSet,
    OrderForm,
    OrderLineFormSet,
    ShipmentImportForm,
    ShipmentLineFormSet,
    ShipmentReverseForm,
    added_line_initial,
    bom_initial,
    line_change_initial,
    line_initial,
)
from .models import (
    ChangeAck,
    ChangeItem,
    ChangeNotice,
    Clarification,
    DelayItem,
    DelayNotice,
    Order,
    OrderLine,
    Shipment,
)

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
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
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
        return Order.objects.select_related(
            "customer", "created_by__department", "changed_by", "approval_rule"
        ).prefetch_related("bom_lines")

    def get_record(self):
        # The warehouse records deliveries but reads no order (the flow's readers say so): 404, even for an
        # order whose shipping it signed.
        record = super().get_record()
        # Shipments exist from the release on: their lines and shipments are read in two queries, before
        # the actions' conditions (which read them) and the page do.
        if record.state in selectors.SHIPPING_STATES:
            prefetch_related_objects([record], selectors.shipments_prefetch())
        # A released order's change and delay notices, read once for the page and the actions' conditions.
        if record.state in selectors.AMENDABLE_STATES:
            record.__dict__["_notices"] = selectors.notices_of_order(record)
        return record

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        notices = selectors.order_notices(record) or []
        return {
            "delivery": selectors.order_delivery(record) if record.state in selectors.SHIPPING_STATES else None,
            "can_ship": services.can_ship(user),
            "lines": selectors.order_lines(record),
            "bom": selectors.order_bom(record),
            "clarifications": selectors.order_clarifications(record),
            "line_marks": selectors.line_change_marks(record, signoffs=self.workflow["signoffs"]),
            # Only an order an issued change notice or a confirmed delay notice amended has change marks.
            "amended": wf_selectors.amendments_for(record=record) if any(n.amended for n in notices) else {},
            "notices": notices,
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
            "approval": selectors.approval_summary(record, self.workflow["signoffs"]),
            "can_raise_change": services.can_raise_change(user, record),
            "can_raise_delay": record.state in services.CHANGEABLE_STATES and services.can_raise_delay(user),
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


def _of_shown_orders(queryset, request, ships: bool, order_field: str):
    """The lines or shipments (`order_field` names their order) of the orders the user sees: all of them
    for those who ship and those who read every order (no filter: a count of the log is then the
    table's), else those of the orders they may read."""
    if ships or wf.reads_every_record(user=request.user, flow=Order.flow):
        return queryset
    readable = wf.readable(Order.objects.all(), user=request.user)
    return queryset.filter(**{f"{order_field}__in": readable.values("pk")})


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def shipments(request):
    """Lines to deliver of released and partly shipped orders, and the form that records the lines of one
    delivery note (the warehouse's page: customer, order, PO, part, quantities and dates only)."""
    ships = _shipments_access(request)
    base = _of_shown_orders(selectors.open_lines_qs(), request, ships, "order")
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
    base = _of_shown_orders(selectors.shipment_log_qs(), request, ships, "line__order")
    filterset = ShipmentLogFilter(query or None, queryset=base)
    page = page_of(filterset.qs, SHIPMENTS_PAGE_SIZE, query.get("page"))
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
        queryset=_of_shown_orders(selectors.shipment_log_qs(), request, ships, "line__order"),
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
    shipment = get_object_or_404(_of_shown_orders(Shipment.objects.all(), request, ships, "line__order"), pk=pk)
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


# --- change notices 生产订单/计划表更改通知单 (4.3) --------------------------------------------------------

NOTICE_PAGE_SIZE = 25


def _readable_changes(request):
    return readable_list(request, selectors.change_list_qs())


@login_required
def change_list(request):
    filterset = ChangeNoticeFilter(request.GET or None, queryset=_readable_changes(request), request=request)
    qs = filterset.qs
    if not request.GET.get("ordering"):
        qs = qs.order_by("-created_at", "-pk")
    page = Paginator(qs, NOTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/change_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query(request),
            "show_prices": services.can_see_prices(request.user),
        },
    )


@login_required
def change_list_export(request, fmt: str):
    """生产订单/计划表更改通知单登记表: the change notices as listed (same filters)."""
    return export_list(
        request=request,
        sheet=sheets.CHANGE_LOG,
        queryset=_readable_changes(request).order_by("number"),
        fmt=fmt,
        filename="更改通知单登记表",
        filterset_class=ChangeNoticeFilter,
    )


def _change_forms(request, order: Order, notice: ChangeNotice | None = None):
    """The notice's head, one row per order line (prefilled with its values after the notice), the lines
    added, as bound forms on a POST."""
    show_prices = services.can_see_prices(request.user)
    lines = list(order.lines.all())
    items = list(notice.items.all()) if notice is not None else []
    data = request.POST if request.method == "POST" else None
    initial = {"reason": notice.reason, "customer_request_on": notice.customer_request_on} if notice else {}
    for name, kind in (
        ("specification", "specification"),
        ("material", "material"),
        ("packaging", "packaging"),
        ("other", "other"),
    ):
        text = next((i.new_text for i in items if i.kind == kind), None)
        initial[name] = text if text is not None else getattr(order, TEXT_KINDS[kind]) or ""
    initial["cancel_order"] = any(i.kind == ChangeKind.CANCEL_ORDER for i in items)
    head = ChangeNoticeForm(data, initial=initial, prefix="n")
    line_forms = LineChangeFormSet(
        data, prefix="ln", initial=line_change_initial(lines, items), show_prices=show_prices
    )
    added = added_line_initial(items)
    add_forms = OrderLineFormSet(
        data, prefix="add", initial=added or None, show_prices=show_prices, po_date=order.po_date
    )
    if not added:
        add_forms.extra = 0
    labels = services.line_labels(order)
    rows = list(zip([li for li in sorted(lines, key=lambda li: li.pk)], line_forms.forms)) if data is None else []
    if data is not None:
        by_pk = {li.pk: li for li in lines}
        for form in line_forms.forms:
            value = str(form["line"].value() or "")
            if value.isdigit() and int(value) in by_pk:
                rows.append((by_pk[int(value)], form))
    return {
        "head": head,
        "line_forms": line_forms,
        "add_forms": add_forms,
        "formset": add_forms,
        "line_rows": [(line, labels.get(line.pk, ""), form) for line, form in rows],
        "show_prices": show_prices,
    }


def _change_request(forms) -> services.ChangeRequest:
    head = forms["head"]
    lines = [
        services.LineChange(
            line_id=f.cleaned_data["line"],
            quantity=f.cleaned_data.get("quantity"),
            unit_price=f.cleaned_data.get("unit_price"),
            requested_date=f.cleaned_data.get("requested_date"),
            cancel=bool(f.cleaned_data.get("cancel")),
        )
        for f in forms["line_forms"].forms
        if f.cleaned_data
    ]
    added = [
        {k: v for k, v in row.items() if k not in ("id", "delete")}
        for row in forms["add_forms"].rows()
        if not row["delete"]
    ]
    return services.ChangeRequest(
        lines=lines, added=added, texts=head.texts(), cancel_order=bool(head.cleaned_data.get("cancel_order"))
    )


def _forms_valid(forms) -> bool:
    valid = [forms["head"].is_valid(), forms["line_forms"].is_valid(), forms["add_forms"].is_valid()]
    return all(valid)


@login_required
def change_create(request, order_pk: int):
    """A new change notice against a released or partly shipped order (sales)."""
    order = _order_for(request, order_pk)
    if not wf.may(user=request.user, flow=ChangeNotice.flow, ability="create"):
        raise PermissionDenied
    if not services.can_raise_change(request.user, order):
        messages.error(request, services.not_changeable_message(order))
        return HttpResponseRedirect(order.get_absolute_url())
    forms = _change_forms(request, order)
    file_form = ChangeRequestFileForm(request.POST or None, request.FILES or None, prefix="f")

    def page(status):
        context = {"order": order, "file_form": file_form, "notice": None, **forms}
        return render(request, "orders/change_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not (_forms_valid(forms) & file_form.is_valid()):
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    head = forms["head"].cleaned_data
    return form_action(
        request,
        form=None,
        call=lambda _data: services.change_notice_create(
            order=order,
            user=request.user,
            reason=head["reason"],
            customer_request_on=head.get("customer_request_on"),
            request=_change_request(forms),
            request_file=file_form.cleaned_data.get("request_file"),
        ),
        success=lambda n: (
            _("Change notice %(number)s written: submit it to planning once it is complete.") % {"number": n.number}
        ),
        then=lambda n: n.get_absolute_url(),
        again=page,
        files_may_be_saved=True,
    )


def _notice_queryset():
    return ChangeNotice.objects.select_related("order__customer", "created_by__department").prefetch_related(
        Prefetch("items", queryset=ChangeItem.objects.select_related("line").order_by("pk"))
    )


@login_required
def change_edit(request, pk: int):
    notice = get_record_for(request, ChangeNotice, pk, queryset=_notice_queryset())
    if not wf.can_edit_record(user=request.user, record=notice):
        raise PermissionDenied
    order = notice.order
    forms = _change_forms(request, order, notice)
    reason = request.POST.get("change_reason", "")
    reopen = notice.flow.edit_states.get(notice.state)

    def page(status):
        context = {
            "order": order,
            "notice": notice,
            "needs_reason": notice.state != notice.flow.initial,
            "reopen_label": notice.flow.transition(reopen).label if reopen else "",
            "reason": reason,
            "version": request.POST.get("version") or notice.version,
            **forms,
        }
        return render(request, "orders/change_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not _forms_valid(forms):
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    head = forms["head"].cleaned_data
    return form_action(
        request,
        form=None,
        call=lambda _data: services.change_notice_save(
            notice=notice,
            user=request.user,
            reason=head["reason"],
            customer_request_on=head.get("customer_request_on"),
            request=_change_request(forms),
            edit_reason=reason,
            expected_version=_version(request),
        ),
        success=_("Change notice saved."),
        then=lambda n: n.get_absolute_url(),
        again=page,
    )


def _request_files(attachments):
    """The customer's written request(s), with how the page shows each: a picture in the page, a PDF opened
    in the browser's viewer."""
    out = []
    for a in attachments:
        if a.kind != AttachmentKind.CUSTOMER_REQUEST:
            continue
        kind = (
            "image" if a.mime_type in ("image/png", "image/jpeg") else "pdf" if a.mime_type == "application/pdf" else ""
        )
        out.append((a, kind))
    return out


class ChangeDetail(RecordDetailView):
    """The change notice's page — the approver's page: it leads with what to decide (the changes as old →
    new, the impact opinions, the cost, the customer's request), then the actions (approve, return with
    the reason); the task e-mail links here. Fits a phone."""

    model = ChangeNotice
    template_name = "orders/change_detail.html"

    def get_queryset(self):
        return _notice_queryset()

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        show_prices = services.can_see_prices(user)
        labels = services.line_labels(record.order)
        workflow = self.workflow
        impacts = selectors.impacts(
            record, tasks=workflow["steps"], signoffs=workflow["signoffs"], current_round=workflow["current_round"]
        )
        costs = [i.cost for i in impacts if i.cost is not None]
        return {
            "notice": record,
            "order": record.order,
            "rows": selectors.change_rows(record, show_prices=show_prices, labels=labels),
            "impacts": impacts,
            "cost_total": sum(costs) if costs else None,
            "request_files": _request_files(workflow["attachments"]),
            "acknowledgements": list(record.acknowledgements.select_related("department").order_by("pk")),
            "show_prices": show_prices,
            "can_read_order": wf.can_read_record(user=user, record=record.order),
        }


@login_required
def change_sheet(request, pk: int, fmt: str):
    """生产订单/计划表更改通知单 of one notice, with its signature boxes."""
    notice = get_record_for(request, ChangeNotice, pk, queryset=_notice_queryset())
    return export_record(
        request=request,
        sheet=sheets.CHANGE_NOTICE,
        record=notice,
        fmt=fmt,
        context=sheets.change_notice_context(notice=notice, user=request.user),
        filename=f"{notice.number}-生产订单计划表更改通知单",
    )


class ChangeAckDetail(RecordDetailView):
    """A department's acknowledgement of an issued change notice: the changes it acknowledges, and the
    action."""

    model = ChangeAck
    template_name = "orders/change_ack_detail.html"

    def get_queryset(self):
        return ChangeAck.objects.select_related(
            "notice__order__customer", "department", "created_by__department"
        ).prefetch_related(Prefetch("notice__items", queryset=ChangeItem.objects.select_related("line").order_by("pk")))

    def get_context_data(self, record, **kwargs):
        notice = record.notice
        user = self.request.user
        show_prices = services.can_see_prices(user)
        return {
            "notice": notice,
            "rows": selectors.change_rows(notice, show_prices=show_prices),
            "can_read_notice": wf.can_read_record(user=user, record=notice),
        }


# --- delay notices (4.4) -----------------------------------------------------------------------------------


def _readable_delays(request):
    return readable_list(request, selectors.delay_list_qs())


@login_required
def delay_list(request):
    filterset = DelayNoticeFilter(request.GET or None, queryset=_readable_delays(request), request=request)
    qs = filterset.qs
    if not request.GET.get("ordering"):
        qs = qs.order_by("-created_at", "-pk")
    page = Paginator(qs, NOTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/delay_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query(request),
            "can_create": services.can_raise_delay(request.user),
        },
    )


@login_required
def delay_list_export(request, fmt: str):
    """交期延误通知单登记表: the delay notices as listed (same filters)."""
    return export_list(
        request=request,
        sheet=sheets.DELAY_LOG,
        queryset=_readable_delays(request).order_by("number"),
        fmt=fmt,
        filename="交期延误登记表",
        filterset_class=DelayNoticeFilter,
    )


def _delay_forms(request, customer, notice: DelayNotice | None = None, preselect: int | None = None):
    candidates = services.delay_candidates(customer)
    chosen = {item.order_id: item.proposed_date for item in notice.items.all()} if notice is not None else {}
    if notice is not None:
        # An order of the notice that is no longer a candidate still shows, to be unticked.
        known = {o.pk for o in candidates}
        candidates += [item.order for item in notice.items.select_related("order") if item.order_id not in known]
    initial = [
        {"order": o.pk, "include": o.pk in chosen or o.pk == preselect, "proposed_date": chosen.get(o.pk)}
        for o in candidates
    ]
    data = request.POST if request.method == "POST" else None
    head = DelayNoticeForm(data, initial={"reason": notice.reason} if notice else None, prefix="d")
    orders = DelayOrderFormSet(data, prefix="o", initial=initial)
    by_pk = {o.pk: o for o in candidates}
    rows = []
    for form in orders.forms:
        value = str(form["order"].value() or "")
        if value.isdigit() and int(value) in by_pk:
            rows.append((by_pk[int(value)], form))
    return {"head": head, "orders": orders, "rows": rows, "candidates": by_pk}


def _delay_items(forms) -> list:
    chosen = forms["orders"].chosen()
    return [(forms["candidates"][pk], day) for pk, day in chosen if pk in forms["candidates"]]


@login_required
def delay_create(request):
    """A new delay notice (planning): the customer first, then its orders and the proposed dates."""
    if not services.can_raise_delay(request.user):
        raise PermissionDenied
    preselect = None
    customer = None
    order_pk = request.GET.get("order", "")
    if order_pk.isdigit():
        order = _order_for(request, int(order_pk))
        customer, preselect = order.customer, order.pk
    choose = DelayCustomerForm(request.GET if "customer" in request.GET else None)
    if customer is None and choose.is_bound and choose.is_valid():
        customer = choose.cleaned_data["customer"]
    if customer is None:
        return render(request, "orders/delay_form.html", {"choose": choose, "customer": None, "notice": None})
    forms = _delay_forms(request, customer, preselect=preselect)

    def page(status):
        context = {"choose": choose, "customer": customer, "notice": None, **forms}
        return render(request, "orders/delay_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not (forms["head"].is_valid() & forms["orders"].is_valid()):
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    return form_action(
        request,
        form=None,
        call=lambda _data: services.delay_notice_create(
            user=request.user, customer=customer, reason=forms["head"].cleaned_data["reason"], items=_delay_items(forms)
        ),
        success=lambda n: (
            _("Delay notice %(number)s written: issue it to sales once it is complete.") % {"number": n.number}
        ),
        then=lambda n: n.get_absolute_url(),
        again=page,
    )


def _delay_queryset():
    return DelayNotice.objects.select_related("customer", "created_by__department", "link").prefetch_related(
        Prefetch("items", queryset=DelayItem.objects.select_related("order").order_by("pk"))
    )


@login_required
def delay_edit(request, pk: int):
    notice = get_record_for(request, DelayNotice, pk, queryset=_delay_queryset())
    if not wf.can_edit_record(user=request.user, record=notice):
        raise PermissionDenied
    forms = _delay_forms(request, notice.customer, notice)

    def page(status):
        context = {
            "customer": notice.customer,
            "notice": notice,
            "version": request.POST.get("version") or notice.version,
            **forms,
        }
        return render(request, "orders/delay_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not (forms["head"].is_valid() & forms["orders"].is_valid()):
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    return form_action(
        request,
        form=None,
        call=lambda _data: services.delay_notice_save(
            notice=notice,
            user=request.user,
            reason=forms["head"].cleaned_data["reason"],
            items=_delay_items(forms),
            expected_version=_version(request),
        ),
        success=_("Delay notice saved."),
        then=lambda n: n.get_absolute_url(),
        again=page,
    )


class DelayDetail(RecordDetailView):
    model = DelayNotice
    template_name = "orders/delay_detail.html"

    def get_queryset(self):
        return _delay_queryset()

    def get_context_data(self, record, **kwargs):
        from nhcs.links.selectors import written_answer

        user = self.request.user
        link = record.link
        confirmations = [a for a in self.workflow["attachments"] if a.kind == AttachmentKind.WRITTEN_CONFIRMATION]
        return {
            "notice": record,
            "items": list(record.items.all()),
            "link": link,
            "link_answer": written_answer(link) if link is not None else None,
            "confirmations": confirmations,
            "confirmation": services.delay_confirmation_attachment(notice=record)
            if record.state == DelayNoticeState.NEGOTIATING
            else None,
            "can_give_link": record.state == DelayNoticeState.NEGOTIATING
            and wf.may(user=user, flow=DelayNotice.flow, ability="send_link", record=record),
        }


@login_required
@require_POST
def delay_link(request, pk: int):
    """Give the customer a link to confirm the proposed dates (sales, while negotiating)."""
    notice = get_record_for(request, DelayNotice, pk)
    if not wf.may(user=request.user, flow=DelayNotice.flow, ability="send_link", record=notice):
        raise PermissionDenied
    return form_action(
        request,
        form=None,
        call=lambda _data: services.delay_link_give(notice=notice, user=request.user),
        success=_("The customer's link is ready: send it to the customer."),
        then=notice.get_absolute_url() + "#customer-link",
        again=lambda status: HttpResponseRedirect(notice.get_absolute_url()),
    )


@login_required
def delay_sheet(request, pk: int, fmt: str):
    """交期延误通知单 of one notice, with its signature boxes."""
    notice = get_record_for(request, DelayNotice, pk, queryset=_delay_queryset())
    return export_record(
        request=request,
        sheet=sheets.DELAY_NOTICE,
        record=notice,
        fmt=fmt,
        context=sheets.delay_notice_context(notice=notice),
        filename=f"{notice.number}-交期延误通知单",
    )


def delay_customer_page(request, *, link):
    """The customer's page /c/<token>/: the new dates proposed for their orders and a box for their name;
    no login. Their confirmation is their written confirmation (4.4)."""
    from django.utils import translation

    from nhcs.links.exceptions import LinkClosed
    from nhcs.links.http import answer_meta
    from nhcs.links.views import page_language
    from nhcs.sheets.models import CompanySettings
    from nhcs.workflow.exceptions import Blocked

    notice = (
        DelayNotice.objects.filter(link=link)
        .prefetch_related(Prefetch("items", queryset=DelayItem.objects.select_related("order").order_by("pk")))
        .first()
    )
    if notice is None or notice.state != DelayNoticeState.NEGOTIATING:
        raise LinkClosed(link)
    language = page_language(request, link)
    with translation.override(language):
        name = request.POST.get("name", "")
        error, status = "", 200
        context = {"notice": notice, "language": language, "company": CompanySettings.load(), "link": link}
        if request.method == "POST":
            try:
                services.delay_customer_confirm(token=link.token, name=name, **answer_meta(request))
            except Blocked as refused:
                error, status = refused.message, 400
            else:
                return render(request, "orders/delay_confirmed.html", context)
        return render(request, "orders/delay_confirm.html", {**context, "name": name, "error": error}, status=status)
