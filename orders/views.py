"""Pages of the orders area: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhcs.sheets.export import export_list, export_record, pdf_response
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import NotAllowed, StaleRecord, WorkflowError
from nhcs.workflow.views import RecordDetailView, RecordEditView, get_record_for

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
    ReplyDateForm,
    bom_initial,
    line_initial,
)
from .models import Clarification, Order

PAGE_SIZE = 25


def _int(value) -> int:
    """A posted number; -1 (never a real version or id) when it is not one."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else -1


def _error(request, error: WorkflowError) -> int:
    """Show the refusal; return the status the page is answered with."""
    for text in error.messages():
        messages.error(request, text)
    if isinstance(error, NotAllowed):
        return 403
    return 409 if isinstance(error, StaleRecord) else 400


# --- orders -------------------------------------------------------------------------------------------


@login_required
def order_list(request):
    filterset = OrderFilter(request.GET or None, queryset=selectors.orders_list_qs())
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
    formset = OrderLineFormSet(request.POST or None, prefix="lines", show_prices=show_prices)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            rows = [
                {k: v for k, v in r.items() if k not in ("id", "delete")} for r in formset.rows() if not r["delete"]
            ]
            if not rows:
                messages.error(request, _("Add at least one order line."))
            else:
                try:
                    order = services.order_create(user=request.user, data=form.cleaned_data, lines=rows)
                except WorkflowError as error:
                    status = _error(request, error)
                else:
                    messages.success(request, _("Order %(number)s created.") % {"number": order.number})
                    return redirect(order)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(request, "orders/order_create.html", {"form": form, "formset": formset}, status=status)


class OrderDetail(RecordDetailView):
    model = Order
    template_name = "orders/order_detail.html"

    def get_queryset(self):
        return Order.objects.select_related("customer", "created_by", "changed_by")

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        context = {
            "lines": selectors.order_lines(record),
            "bom": selectors.order_bom(record),
            "clarifications": selectors.order_clarifications(record),
            "line_marks": selectors.line_change_marks(record),
            "show_prices": services.can_see_prices(user),
            "can_edit_lines": wf.can_edit_record(user=user, record=record),
            "can_edit_bom": services.can_edit_bom(user, record),
            "can_edit_lead_times": services.can_edit_lead_times(user, record),
            "can_clarify": services.can_handle_clarifications(user, record),
            "can_reply_date": services.can_reply_date(user, record),
            "can_report": services.can_report_discrepancy(user, record),
            "clarification_form": kwargs.get("clarification_form") or ClarificationForm(prefix="clar"),
            # A refused answer comes back as typed, its form open.
            "refused_answer": kwargs.get("refused_answer"),
            "answer_form": ClarificationAnswerForm(prefix="ans"),
            "reply_form": kwargs.get("reply_form")
            or ReplyDateForm(
                prefix="reply",
                initial={
                    "version": record.version,
                    "committed_date": record.committed_date or record.earliest_allowed_date(),
                },
            ),
            "report_form": DiscrepancySentForm(prefix="report"),
            "earliest_allowed": record.earliest_allowed_date(),
            "longest_lead_time": record.longest_lead_time(),
        }
        return context

    def render_page(self, record, *, bound=None, status=200, **extra):
        from nhcs.workflow.views import workflow_context

        context = workflow_context(self.request, record, bound=bound)
        # The committed date is replied with its own form (date, justification), not the bare button.
        context["transition_options"] = [
            (option, form) for option, form in context["transition_options"] if option.name != "reply_date"
        ]
        context.update(self.get_context_data(record, **extra))
        return render(self.request, self.template_name, context, status=status)


class OrderEdit(RecordEditView):
    model = Order
    form_class = OrderForm
    template_name = "orders/order_form.html"


def _order_for(request, pk: int) -> Order:
    return get_record_for(request, Order, pk, queryset=Order.objects.select_related("customer"))


@login_required
def order_lines_edit(request, pk: int):
    order = _order_for(request, pk)
    if not wf.can_edit_record(user=request.user, record=order):
        raise PermissionDenied
    show_prices = services.can_see_prices(request.user)
    initial = line_initial(order.lines.all(), show_prices)
    formset = OrderLineFormSet(request.POST or None, prefix="lines", initial=initial, show_prices=show_prices)
    reason = request.POST.get("change_reason", "")
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if formset.is_valid():
            try:
                services.order_lines_save(
                    order=order,
                    user=request.user,
                    rows=formset.rows(),
                    reason=reason,
                    expected_version=_int(request.POST.get("version")),
                )
            except WorkflowError as error:
                status = _error(request, error)
            else:
                messages.success(request, _("Order lines saved."))
                return redirect(order)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "orders/lines_form.html",
        {
            "order": order,
            "formset": formset,
            "reason": reason,
            "needs_reason": order.state != "draft",
            "version": request.POST.get("version") or order.version,
            "show_prices": show_prices,
        },
        status=status,
    )


@login_required
def order_bom_edit(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_edit_bom(request.user, order):
        raise PermissionDenied
    formset = BomLineFormSet(request.POST or None, prefix="bom", initial=bom_initial(order.bom_lines.all()))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if formset.is_valid():
            try:
                services.bom_save(
                    order=order,
                    user=request.user,
                    rows=formset.rows(),
                    expected_version=_int(request.POST.get("version")),
                )
            except WorkflowError as error:
                status = _error(request, error)
            else:
                messages.success(request, _("BOM saved."))
                return redirect(order)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "orders/bom_form.html",
        {
            "order": order,
            "formset": formset,
            "version": request.POST.get("version") or order.version,
        },
        status=status,
    )


@login_required
def order_lead_times(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_edit_lead_times(request.user, order):
        raise PermissionDenied
    lines = [b for b in order.bom_lines.all() if b.needs_lead_time]
    initial = [{"line": b.pk, "lead_time_days": b.lead_time_days, "lead_time_note": b.lead_time_note} for b in lines]
    formset = LeadTimeFormSet(request.POST or None, prefix="lt", initial=initial)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if formset.is_valid():
            data = {
                f.cleaned_data["line"]: (f.cleaned_data.get("lead_time_days"), f.cleaned_data.get("lead_time_note", ""))
                for f in formset.forms
                if f.cleaned_data
            }
            try:
                services.lead_times_save(
                    order=order, user=request.user, lead_times=data, expected_version=_int(request.POST.get("version"))
                )
            except WorkflowError as error:
                status = _error(request, error)
            else:
                messages.success(request, _("Lead times saved."))
                return redirect(order)
        else:
            messages.error(request, _("Please correct the errors below."))
    rows = list(zip(lines, formset.forms))
    return render(
        request,
        "orders/lead_times_form.html",
        {
            "order": order,
            "formset": formset,
            "rows": rows,
            "version": request.POST.get("version") or order.version,
        },
        status=status,
    )


def _detail(request, order, status=400, **forms):
    view = OrderDetail()
    view.setup(request, pk=order.pk)
    order = Order.objects.select_related("customer").get(pk=order.pk)
    return view.render_page(order, status=status, **forms)


@login_required
@require_POST
def clarification_add(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_handle_clarifications(request.user, order):
        raise PermissionDenied
    form = ClarificationForm(request.POST, prefix="clar")
    status = 400
    if form.is_valid():
        try:
            services.clarification_raise(order=order, user=request.user, **form.cleaned_data)
        except WorkflowError as error:
            status = _error(request, error)
        else:
            messages.success(request, _("Clarification recorded."))
            return HttpResponseRedirect(order.get_absolute_url() + "#clarifications")
    else:
        messages.error(request, _("Please correct the errors below."))
    return _detail(request, order, status=status, clarification_form=form)


@login_required
@require_POST
def clarification_answer(request, pk: int, cpk: int):
    order = _order_for(request, pk)
    clarification = get_object_or_404(Clarification, pk=cpk, order=order)
    if not services.can_handle_clarifications(request.user, order):
        raise PermissionDenied
    form = ClarificationAnswerForm(request.POST, request.FILES, prefix=f"ans-{cpk}")
    status = 400
    if form.is_valid():
        try:
            with wf.files_discarded_on_failure():
                services.clarification_answer(
                    clarification=clarification,
                    user=request.user,
                    answer=form.cleaned_data["answer"],
                    answered_on=form.cleaned_data["answered_on"],
                    confirmation=form.cleaned_data.get("confirmation"),
                )
        except WorkflowError as error:
            status = _error(request, error)
        else:
            messages.success(request, _("The customer's answer is recorded."))
            return HttpResponseRedirect(order.get_absolute_url() + "#clarifications")
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}")
    typed = {
        "pk": clarification.pk,
        "answer": request.POST.get(f"ans-{cpk}-answer", ""),
        "answered_on": request.POST.get(f"ans-{cpk}-answered_on", ""),
    }
    return _detail(request, order, status=status, refused_answer=typed)


@login_required
@require_POST
def order_reply_date(request, pk: int):
    order = _order_for(request, pk)
    if not services.can_reply_date(request.user, order):
        raise PermissionDenied
    form = ReplyDateForm(request.POST, prefix="reply")
    status = 400
    if form.is_valid():
        try:
            order = services.order_reply_date(
                order=order,
                user=request.user,
                **{k: form.cleaned_data[k] for k in ("committed_date", "justification", "comment")},
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as error:
            status = _error(request, error)
        else:
            messages.success(request, _("Delivery date replied to sales."))
            return redirect(order)
    else:
        messages.error(request, _("Please correct the errors below."))
    return _detail(request, order, status=status, reply_form=form)


@login_required
def discrepancy_letter(request, pk: int):
    order = _order_for(request, pk)
    if not order.certified_data_discrepancy:
        raise PermissionDenied
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
    status = 400
    if form.is_valid():
        try:
            with wf.files_discarded_on_failure():
                services.discrepancy_report_sent(order=order, user=request.user, **form.cleaned_data)
        except WorkflowError as error:
            status = _error(request, error)
        else:
            messages.success(
                request, _("Sending of the written report is recorded; the letter is kept with the order.")
            )
            return redirect(order)
    else:
        messages.error(request, _("Please correct the errors below."))
    return _detail(request, order, status=status)


# --- sheets -------------------------------------------------------------------------------------------


def _check_may_view_orders(user) -> None:
    # The order flow's viewers are every member of staff (a department), as on the order pages.
    if not (user.is_superuser or user.department_id):
        raise PermissionDenied


@login_required
def demand_plan_export(request, fmt: str):
    """产品需求计划表 of the orders the list shows (same filters); prices only for those who may see them."""
    _check_may_view_orders(request.user)
    return export_list(
        request=request,
        sheet=sheets.DEMAND_PLAN,
        queryset=sheets.demand_plan_queryset(),
        fmt=fmt,
        filename="产品需求计划表",
        filterset_class=DemandPlanFilter,
    )


@login_required
def review_export(request, fmt: str):
    """生产计划及评审明细表 of the orders the list shows (same filters)."""
    _check_may_view_orders(request.user)
    return export_list(
        request=request,
        sheet=sheets.REVIEW_DETAIL,
        queryset=sheets.review_queryset(selectors.orders_list_qs()),
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
