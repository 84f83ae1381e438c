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
from nhcs.workflow.views import (
    RecordDetailView,
    RecordEditView,
    form_action,
    get_record_for,
    readable_list,
    request_directory,
)

from . import selectors, services, sheets
from .choices import AckState, AdvisoryState
from .filters import AdvisoryFilter, ComplaintFilter, FeedbackFilter
from .flow import complaint_actions
from .forms import (
    ActionRaiseForm,
    AdvisoryForm,
    ComplaintForm,
    CostForm,
    EarlierComplaintsField,
    FeedbackActionForm,
    FeedbackComplaintForm,
    FeedbackForm,
)
from .models import AdvisoryAck, AdvisoryNotice, Complaint, ComplaintCost, ComplaintLink, Feedback

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


# --- after-sales feedback (4.5) -------------------------------------------------------------------------


def _feedback_readable(request):
    return readable_list(request, selectors.feedback_list_qs())


@login_required
def feedback_list(request):
    filterset = FeedbackFilter(request.GET or None, queryset=_feedback_readable(request))
    valid = not filterset.is_bound or filterset.is_valid()
    qs = (filterset.qs if filterset.is_bound and valid else filterset.queryset).order_by("-received_at", "-pk")
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "complaints/feedback_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query(request),
            "can_create": services.can_register_feedback(request.user),
        },
        status=200 if valid else 400,
    )


@login_required
def feedback_log_export(request, fmt: str):
    """质量信息反馈一览表: the feedback as listed (same filters), .xlsx or .pdf."""
    return export_list(
        request=request,
        sheet=sheets.FEEDBACK_LOG,
        queryset=_feedback_readable(request).order_by("-received_at", "-pk"),
        fmt=fmt,
        filename="质量信息反馈一览表",
        filterset_class=FeedbackFilter,
    )


@login_required
def feedback_create(request):
    if not services.can_register_feedback(request.user):
        raise PermissionDenied
    initial = {"customer": request.GET["customer"]} if request.GET.get("customer", "").isdigit() else {}
    form = FeedbackForm(request.POST or None, request.FILES or None, initial=initial)

    def page(status):
        return render(request, "complaints/feedback_form.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.feedback_register(
            user=request.user, data=form.registration_data(), attachments=data.get("attachments") or []
        ),
        success=lambda f: _("Feedback %(number)s registered.") % {"number": f.number},
        then=lambda f: f.get_absolute_url(),
        again=page,
        files_may_be_saved=True,
    )


class FeedbackEdit(RecordEditView):
    model = Feedback
    form_class = FeedbackForm


class FeedbackDetail(RecordDetailView):
    model = Feedback
    template_name = "complaints/feedback_detail.html"

    def get_queryset(self):
        return Feedback.objects.select_related("customer", "created_by__department", "complaint")

    def get_context_data(self, record, **kwargs):
        from nhcs.capa.selectors import actions_for_source

        user = self.request.user
        complaint = getattr(record, "complaint", None)
        can_escalate = services.can_escalate(user, record)
        return {
            "feedback": record,
            "complaint": complaint,
            "actions_raised": actions_for_source(record),
            "can_escalate": can_escalate,
            "can_complain": can_escalate and complaint is None and services.can_register(user),
            "complaint_form": kwargs.get("complaint_form") or FeedbackComplaintForm(prefix="c"),
            "can_view_customer": can_view_customers(user),
        }


@login_required
@require_POST
def feedback_to_complaint(request, pk: int):
    """One click: the feedback becomes a complaint carrying its data and linking back."""
    feedback = get_record_for(request, Feedback, pk)
    if not services.can_escalate(request.user, feedback) or not services.can_register(request.user):
        raise PermissionDenied
    form = FeedbackComplaintForm(request.POST, prefix="c")

    def again(status):
        view = FeedbackDetail()
        view.setup(request, pk=feedback.pk)
        return view.render_page(view.get_record(), status=status, complaint_form=form)

    return form_action(
        request,
        form=form,
        call=lambda data: services.feedback_to_complaint(feedback=feedback, user=request.user, **data),
        success=lambda c: _("Complaint %(number)s registered from the feedback.") % {"number": c.number},
        then=lambda c: c.get_absolute_url(),
        again=again,
    )


@login_required
def feedback_action_raise(request, pk: int):
    """A corrective or preventive action for a department, raised from the feedback."""
    feedback = get_record_for(request, Feedback, pk)
    if not services.can_escalate(request.user, feedback):
        raise PermissionDenied
    form = FeedbackActionForm(request.POST or None, prefix="act", initial={"title": feedback.text[:200]})

    def page(status):
        return render(
            request, "complaints/feedback_action_form.html", {"record": feedback, "form": form}, status=status
        )

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.feedback_action_raise(feedback=feedback, user=request.user, **data),
        success=lambda a: (
            _("Action %(number)s raised: the head of %(department)s sets its measures.")
            % {"number": a.number, "department": a.owner_department}
        ),
        then=feedback.get_absolute_url() + "#actions",
        again=page,
    )


# --- advisory notices (4.5) -------------------------------------------------------------------------------


def _advisory_readable(request):
    return readable_list(request, selectors.advisory_list_qs())


@login_required
def advisory_list(request):
    filterset = AdvisoryFilter(request.GET or None, queryset=_advisory_readable(request))
    valid = not filterset.is_bound or filterset.is_valid()
    qs = (filterset.qs if filterset.is_bound and valid else filterset.queryset).order_by("-created_at", "-pk")
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "complaints/advisory_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query(request),
            "can_create": services.can_draft_advisory(request.user),
        },
        status=200 if valid else 400,
    )


@login_required
def advisory_create(request):
    if not services.can_draft_advisory(request.user):
        raise PermissionDenied
    form = AdvisoryForm(request.POST or None)

    def page(status):
        return render(request, "complaints/advisory_form.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.advisory_create(user=request.user, data=data),
        success=lambda n: _("Advisory notice %(number)s drafted.") % {"number": n.number},
        then=lambda n: n.get_absolute_url(),
        again=page,
    )


class AdvisoryEdit(RecordEditView):
    model = AdvisoryNotice
    form_class = AdvisoryForm


def _advisory_queryset():
    return AdvisoryNotice.objects.select_related("created_by__department", "changed_by")


class AdvisoryDetail(RecordDetailView):
    model = AdvisoryNotice
    template_name = "complaints/advisory_detail.html"

    def get_queryset(self):
        return _advisory_queryset()

    def get_context_data(self, record, **kwargs):
        acks = selectors.acknowledgements_of(record)
        drawn = []
        if record.state == AdvisoryState.APPROVED:
            from nhcs.customers.models import Customer

            found = selectors.advisory_customers_from_shipments(record)
            drawn = list(Customer.objects.filter(pk__in=found).order_by("code")) if found else []
        return {
            "notice": record,
            "acks": acks,
            "ack_done": sum(1 for a in acks if a.state == AckState.ACKNOWLEDGED),
            "ack_waiting": sum(1 for a in acks if a.state == AckState.SENT),
            "drawn": drawn,
            "can_remind": services.can_remind(self.request.user, record),
        }


@login_required
def advisory_sheet(request, pk: int, fmt: str):
    """忠告性通知记录: the notice with its acknowledgement table and signature boxes."""
    notice = get_record_for(request, AdvisoryNotice, pk, queryset=_advisory_queryset())
    return export_record(
        request=request,
        sheet=sheets.ADVISORY_RECORD,
        record=notice,
        fmt=fmt,
        context=sheets.advisory_context(notice),
        filename=f"{notice.number}-忠告性通知记录",
    )


@login_required
def advisory_letter(request, pk: int):
    """The notice as a letter (preview, in the language asked: ?lang=en)."""
    notice = get_record_for(request, AdvisoryNotice, pk, queryset=_advisory_queryset())
    language = request.GET.get("lang") if request.GET.get("lang") in ("zh-hans", "en") else "zh-hans"
    return pdf_response(
        sheets.advisory_letter_pdf(notice, language=language, request=request), f"{notice.number}-忠告性通知"
    )


@login_required
@require_POST
def advisory_remind(request, pk: int):
    notice = get_record_for(request, AdvisoryNotice, pk)
    if not services.can_remind(request.user, notice):
        raise PermissionDenied
    return form_action(
        request,
        form=None,
        call=lambda _data: services.advisory_remind(notice=notice, user=request.user),
        success=lambda n: _("Reminders queued: %(n)s.") % {"n": n},
        then=notice.get_absolute_url() + "#acknowledgements",
        again=lambda status: HttpResponseRedirect(notice.get_absolute_url()),
    )


def _ack_queryset():
    return AdvisoryAck.objects.select_related("notice", "customer", "link", "created_by__department")


class AdvisoryAckDetail(RecordDetailView):
    model = AdvisoryAck
    template_name = "complaints/advisory_ack_detail.html"

    def get_queryset(self):
        return _ack_queryset()

    def get_context_data(self, record, **kwargs):
        from nhcs.links.selectors import written_answer

        link = record.link
        return {
            "ack": record,
            "notice": record.notice,
            "link": link,
            "link_answer": written_answer(link) if link is not None else None,
        }


@login_required
def advisory_ack_letter(request, pk: int):
    """The notice as the letter sent to this customer: their language, their link."""
    ack = get_record_for(request, AdvisoryAck, pk, queryset=_ack_queryset())
    data = sheets.advisory_letter_pdf(ack.notice, customer=ack.customer, ack=ack, request=request)
    return pdf_response(data, f"{ack.notice.number}-{ack.customer.code}-忠告性通知")


def advisory_customer_page(request, *, link):
    """The customer's page /a/<token>/ (phone-sized, no login): the notice and a box for their name;
    their acknowledgement is kept with their reply. Problems get the shared link pages."""
    from django.utils import translation

    from nhcs.links.exceptions import LinkClosed
    from nhcs.links.http import answer_meta
    from nhcs.links.views import page_language
    from nhcs.sheets.models import CompanySettings
    from nhcs.workflow.exceptions import WorkflowError

    ack = AdvisoryAck.objects.filter(link=link).select_related("notice", "customer").first()
    if ack is None or ack.state != AckState.SENT or ack.notice.state != AdvisoryState.SENT:
        raise LinkClosed(link)
    language = page_language(request, link)
    with translation.override(language):
        name = request.POST.get("name", "")
        reply = request.POST.get("reply", "")
        context = {
            "ack": ack,
            "notice": ack.notice,
            "language": language,
            "company": CompanySettings.load(),
            "link": link,
            "measure": sheets._measure_label(ack.notice.measure),
        }
        error, status = "", 200
        if request.method == "POST":
            try:
                services.advisory_acknowledge_online(token=link.token, name=name, reply=reply, **answer_meta(request))
            except WorkflowError as refused:  # nothing was stored
                error, status = " ".join(refused.messages()), 400
            else:
                return render(request, "complaints/advisory_acknowledged.html", context)
        return render(
            request,
            "complaints/advisory_acknowledge.html",
            {**context, "name": name, "reply": reply, "error": error},
            status=status,
        )
