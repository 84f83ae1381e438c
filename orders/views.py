"""Pages of the orders area: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhcs.sheets.export import export_list, export_record, pdf_response
from nhcs.workflow import selectors as wf_selectors
from nhcs.workflow import services as wf
from nhcs.workflow.errors import refuse
from nhcs.workflow.views import RecordDetailView, RecordEditView, form_action, get_record_for, readable_list

from . import selectors, services, sheets
from .filters import DemandPlanFilter, OrderFilter
from .forms import (
    BomLineFormSet,
    ClarificationAnswerForm,
    ClarificationForm,
    DiscrepancySentForm,
    LeadTimeFormSet,
    OrderForm,
    OrderLineFormSet,
    bom_initial,
    line_initial,
)
from .models import Clarification, Order

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
        call=lambda data: services.order_create(user=request.user, data=data, lines=rows),
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

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        return {
            "lines": selectors.order_lines(record),
            "bom": selectors.order_bom(record),
            "clarifications": selectors.order_clarifications(record),
            "line_marks": selectors.line_change_marks(record, signoffs=self.workflow["signoffs"]),
            "amended": wf_selectors.amendments_for(record=record),
            "show_prices": services.can_see_prices(user),
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
    """The orders the user may read: the lists and their sheets show nothing else (404 without any)."""
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
