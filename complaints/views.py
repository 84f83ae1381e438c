"""Pages of the complaints area: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhcs.core.paging import page_of
from nhcs.customers.services import can_view_customers
from nhcs.sheets.export import (
    FilterError,
    apply_filters,
    export_list,
    export_record,
    filter_description,
    pdf_response,
)
from nhcs.workflow import services as wf
from nhcs.workflow.views import RecordDetailView, form_action, get_record_for, readable_list, request_directory

from . import selectors, services, sheets
from .filters import ComplaintFilter
from .flow import complaint_actions
from .forms import ActionRaiseForm, ComplaintForm, CostForm, EarlierComplaintsField
from .models import Complaint, ComplaintCost, ComplaintLink

PAGE_SIZE = 25


def _int(value) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() else -1


def _readable(request):
    """The complaints the user may read (404 for those who have no complaint list)."""
    return readable_list(request, selectors.complaint_list_qs())


def _filtered(request):
    filterset = ComplaintFilter(request.GET or None, queryset=_readable(request))
    valid = not filterset.is_bound or filterset.is_valid()
    qs = filterset.qs if filterset.is_bound and valid else filterset.queryset
    return filterset, qs, valid


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the log ---------------------------------------------------------------------------------------------


@login_required
def complaint_list(request):
    filterset, qs, valid = _filtered(request)
    if not request.GET.get("ordering"):
        qs = qs.order_by("-received_at", "-pk")
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query(request),
            "can_create": services.can_register(request.user),
        },
        status=200 if valid else 400,
    )


@login_required
def complaint_log_export(request, fmt: str):
    """顾客投诉一览表: the complaints as listed (same filters), .xlsx or .pdf."""
    return export_list(
        request=request,
        sheet=sheets.COMPLAINT_LOG,
        queryset=_readable(request).order_by("-received_at", "-pk"),
        fmt=fmt,
        filename="顾客投诉一览表",
        filterset_class=ComplaintFilter,
    )


# --- the analysis ------------------------------------------------------------------------------------------


@login_required
def analysis(request):
    filterset, qs, valid = _filtered(request)
    result = selectors.analysis(qs)
    chart_data = {
        "months": {"labels": [m for m, _n in result.by_month], "counts": [n for _m, n in result.by_month]},
        "categories": {
            "labels": [label for _c, label, _n in result.by_category],
            "counts": [n for *_x, n in result.by_category],
        },
        "pareto": {
            "labels": [label for label, _n, _c in result.pareto],
            "counts": [n for _l, n, _c in result.pareto],
            "cumulative": [c for _l, _n, c in result.pareto],
        },
        "customers": {
            "labels": [f"{code} {name}" for code, name, _n in result.by_customer],
            "counts": [n for *_x, n in result.by_customer],
        },
        "costs": {
            "labels": [m for m, _v in result.cost_by_month],
            "amounts": [float(v) for _m, v in result.cost_by_month],
        },
        "labels": {
            "complaints": _("Complaints"),
            "cumulative": _("Cumulative share"),
            "cost": _("Cost (CNY)"),
        },
    }
    return render(
        request,
        "complaints/analysis.html",
        {"filter": filterset, "analysis": result, "chart_data": chart_data, "query": _query(request)},
        status=200 if valid else 400,
    )


@login_required
def analysis_pdf(request):
    try:
        qs, filterset = apply_filters(request=request, queryset=_readable(request), filterset_class=ComplaintFilter)
    except FilterError:  # the analysis page says what is wrong with the filters
        return HttpResponseRedirect(reverse("complaints:analysis") + "?" + request.GET.urlencode())
    result = selectors.analysis(qs)
    data = sheets.analysis_pdf(request=request, result=result, filters=filter_description(filterset))
    return pdf_response(data, "顾客投诉统计分析")


# --- registering -------------------------------------------------------------------------------------------


def _earlier_field(request, form: ComplaintForm):
    """The earlier complaints of the same customer, product or category, offered to link as repeated."""
    values = form.lookup_values()
    found = selectors.earlier_complaints(user=request.user, **values)
    field = EarlierComplaintsField(
        queryset=Complaint.objects.filter(pk__in=[e.complaint.pk for e in found]), required=False
    )
    return found, field


@login_required
def complaint_create(request):
    if not services.can_register(request.user):
        raise PermissionDenied
    quality_only = not services.registers_any_category(request.user)
    initial = {}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = request.GET["customer"]
    form = ComplaintForm(request.POST or None, initial=initial, quality_only=quality_only)
    earlier, earlier_field = _earlier_field(request, form)
    chosen = set(request.POST.getlist("earlier")) if request.method == "POST" else set()

    def page(status):
        return render(
            request,
            "complaints/complaint_form.html",
            {"form": form, "earlier": earlier, "chosen": chosen, "creating": True},
            status=status,
        )

    if request.method != "POST" or "_lookup" in request.POST:
        return page(200)
    try:
        linked = earlier_field.clean(request.POST.getlist("earlier"))
    except ValidationError:  # a complaint no longer offered: ask again
        form.is_valid()
        messages.error(request, _("An earlier complaint chosen is not offered any more; choose again."))
        return page(400)
    return form_action(
        request,
        form=form,
        call=lambda data: services.complaint_register(
            user=request.user,
            data=form.registration_data(),
            delivery=data.get("delivery"),
            earlier=list(linked),
        ),
        success=lambda c: _("Complaint %(number)s registered.") % {"number": c.number},
        then=lambda c: c.get_absolute_url(),
        again=page,
    )


def _complaint_for(request, pk: int) -> Complaint:
    return get_record_for(request, Complaint, pk, queryset=Complaint.objects.select_related("customer"))


@login_required
def complaint_edit(request, pk: int):
    """Correct the registration: freely while registered; afterwards with a reason, taking the complaint
    back to its owner (the flow's edit rules)."""
    complaint = _complaint_for(request, pk)
    if not wf.can_edit_record(user=request.user, record=complaint):
        raise PermissionDenied
    instance = Complaint.objects.select_related("customer").get(pk=complaint.pk)
    form = ComplaintForm(
        request.POST or None,
        instance=instance,
        initial={"delivery": complaint.delivery_key},
    )
    reason = request.POST.get("change_reason", "")
    version = request.POST.get("version") or complaint.version
    reopen = complaint.flow.edit_states.get(complaint.state)

    def page(status):
        context = {
            "form": form,
            "record": complaint,
            "creating": False,
            "needs_reason": complaint.state != complaint.flow.initial,
            "reopen_label": complaint.flow.transition(reopen).label if reopen else "",
            "reason": reason,
            "version": version,
        }
        return render(request, "complaints/complaint_form.html", context, status=status)

    if request.method != "POST" or "_lookup" in request.POST:
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.complaint_correct(
            complaint=complaint,
            user=request.user,
            data=form.registration_data(),
            delivery=data.get("delivery"),
            reason=reason,
            expected_version=_int(str(version)),
        ),
        success=_("Saved."),
        then=lambda c: c.get_absolute_url(),
        again=page,
    )


# --- the complaint page ----------------------------------------------------------------------------------


class ComplaintDetail(RecordDetailView):
    model = Complaint
    template_name = "complaints/complaint_detail.html"

    def get_queryset(self):
        return selectors.complaint_detail_qs()

    def get_record(self):
        record = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        user = self.request.user
        # Those named as investigators read it (the engine's rule for the people named on a record), read
        # from the investigators the page loads anyway; for everyone else the engine decides.
        if user.is_active and any(u.pk == user.pk for u in record.investigators.all()):
            return record
        if not wf.can_read_record(user=user, record=record, directory=request_directory(self.request)):
            raise Http404
        return record

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        return {
            "actions_raised": complaint_actions(record),
            "costs": selectors.costs_of(record),
            "can_raise": services.can_raise_actions(user, record),
            "can_cost": services.can_record_costs(user, record),
            "cost_form": kwargs.get("cost_form") or CostForm(prefix="cost"),
            "can_link": services.can_link(user, record),
            "can_view_customer": can_view_customers(user),
            "investigators": list(record.investigators.all()),
            "first_reply_late": record.first_reply_late(),
        }


def _detail_again(request, complaint, **forms):
    """Re-render the complaint page with the refused form bound (the user's input kept)."""

    def again(status):
        view = ComplaintDetail()
        view.setup(request, pk=complaint.pk)
        return view.render_page(view.get_record(), status=status, **forms)

    return again


@login_required
def action_raise(request, pk: int):
    """Raise a corrective or preventive action from the complaint (the owner and the investigators)."""
    complaint = _complaint_for(request, pk)
    if not services.can_raise_actions(request.user, complaint):
        raise PermissionDenied
    form = ActionRaiseForm(request.POST or None, prefix="act", initial={"analysis": complaint.root_cause})

    def page(status):
        context = {"record": complaint, "form": form, "actions_raised": complaint_actions(complaint)}
        return render(request, "complaints/action_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.action_raise(complaint=complaint, user=request.user, **data),
        success=lambda a: (
            _("Action %(number)s raised: the head of %(department)s sets its measures.")
            % {"number": a.number, "department": a.owner_department}
        ),
        then=complaint.get_absolute_url() + "#actions",
        again=page,
    )


@login_required
@require_POST
def cost_add(request, pk: int):
    complaint = _complaint_for(request, pk)
    if not services.can_record_costs(request.user, complaint):
        raise PermissionDenied
    form = CostForm(request.POST, prefix="cost")
    return form_action(
        request,
        form=form,
        call=lambda data: services.cost_add(complaint=complaint, user=request.user, **data),
        success=_("Cost recorded."),
        then=complaint.get_absolute_url() + "#costs",
        again=_detail_again(request, complaint, cost_form=form),
    )


@login_required
@require_POST
def cost_remove(request, pk: int, cost_pk: int):
    complaint = _complaint_for(request, pk)
    cost = get_object_or_404(ComplaintCost, pk=cost_pk, complaint=complaint)
    if not services.can_record_costs(request.user, complaint):
        raise PermissionDenied
    return form_action(
        request,
        form=None,
        call=lambda _data: services.cost_remove(cost=cost, user=request.user),
        success=_("Cost taken back."),
        then=complaint.get_absolute_url() + "#costs",
        again=_detail_again(request, complaint),
    )


@login_required
def link_add(request, pk: int):
    """The complaint's recurrence: the earlier complaints it repeats, the later ones repeating it, and the
    earlier complaints of the same customer, product or category, to mark it as their repeat."""
    complaint = _complaint_for(request, pk)
    can_link = services.can_link(request.user, complaint)
    repeats = selectors.repeats_of(complaint)

    def page(status):
        linked = {link.earlier_id for link in repeats.links}
        context = {
            "record": complaint,
            "repeats": repeats,
            "earlier": selectors.earlier_for(complaint, user=request.user, linked_ids=linked),
            "can_link": can_link,
        }
        return render(request, "complaints/repeats.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not can_link:
        raise PermissionDenied
    earlier = Complaint.objects.filter(pk=_int(request.POST.get("earlier"))).first()
    if earlier is None or not wf.can_read_record(
        user=request.user, record=earlier, directory=request_directory(request)
    ):
        raise Http404
    return form_action(
        request,
        form=None,
        call=lambda _data: services.link_add(complaint=complaint, earlier=earlier, user=request.user),
        success=_("Marked as a repeat of %(number)s.") % {"number": earlier.number},
        then=reverse("complaints:link_add", args=[complaint.pk]),
        again=page,
    )


@login_required
@require_POST
def link_remove(request, pk: int, link_pk: int):
    complaint = _complaint_for(request, pk)
    link = get_object_or_404(ComplaintLink, pk=link_pk, complaint=complaint)
    if not services.can_link(request.user, complaint):
        raise PermissionDenied
    return form_action(
        request,
        form=None,
        call=lambda _data: services.link_remove(link=link, user=request.user),
        success=_("No longer marked as a repeat."),
        then=reverse("complaints:link_add", args=[complaint.pk]),
        again=_detail_again(request, complaint),
    )


# --- sheets and documents ------------------------------------------------------------------------------


@login_required
def complaint_sheet(request, pk: int, fmt: str):
    """顾客投诉记录表 of one complaint, with the signature boxes of its current round."""
    complaint = get_record_for(request, Complaint, pk, queryset=selectors.complaint_detail_qs())
    return export_record(
        request=request,
        sheet=sheets.COMPLAINT_RECORD,
        record=complaint,
        fmt=fmt,
        context=sheets.record_context(complaint),
        filename=f"{complaint.number}-顾客投诉记录表",
    )


@login_required
def report_8d(request, pk: int):
    complaint = get_record_for(request, Complaint, pk, queryset=selectors.complaint_detail_qs())
    return pdf_response(sheets.report_8d_pdf(complaint, request=request), f"{complaint.number}-8D")


@login_required
def reply_letter(request, pk: int):
    complaint = get_record_for(request, Complaint, pk, queryset=selectors.complaint_detail_qs())
    return pdf_response(sheets.reply_letter_pdf(complaint, request=request), f"{complaint.number}-reply")
