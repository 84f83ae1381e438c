"""Pages of the corrective actions: thin, they parse, call a selector or the workflow, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from nhcs.sheets.export import export_list, export_record
from nhcs.workflow.views import RecordDetailView, RecordEditView

from . import selectors, sheets
from .filters import ActionFilter
from .forms import ActionForm
from .models import CorrectiveAction

PAGE_SIZE = 25


@login_required
def action_list(request):
    filterset = ActionFilter(request.GET or None, queryset=selectors.readable_list(request, selectors.action_list()))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if not request.GET.get("ordering"):
        qs = qs.order_by("-created_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "capa/action_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
        status=400 if filterset.is_bound and not filterset.is_valid() else 200,
    )


@login_required
def action_list_export(request, fmt: str):
    """纠正预防措施一览表: the actions as listed (same filters), .xlsx or .pdf."""
    return export_list(
        request=request,
        sheet=sheets.CAPA_LOG,
        queryset=selectors.readable_list(request, selectors.action_list()).order_by("-created_at", "-pk"),
        fmt=fmt,
        filename="纠正预防措施一览表",
        filterset_class=ActionFilter,
    )


class ActionDetail(RecordDetailView):
    model = CorrectiveAction
    template_name = "capa/action_detail.html"

    def get_queryset(self):
        return selectors.action_detail()

    def get_record(self):
        return selectors.get_action_for(self.request, self.kwargs["pk"], queryset=self.get_queryset())

    def get_context_data(self, record, **kwargs):
        return {"distributed": list(record.distributed_to.all())}


class ActionEdit(RecordEditView):
    model = CorrectiveAction
    form_class = ActionForm

    def get_record(self):
        return selectors.get_action_for(self.request, self.kwargs["pk"])


@login_required
def action_sheet(request, pk: int, fmt: str):
    """纠正预防措施记录表 of one action, with the signature boxes of its current round."""
    action = selectors.get_action_for(request, pk)
    return export_record(
        request=request,
        sheet=sheets.CAPA_RECORD,
        record=action,
        fmt=fmt,
        filename=f"{action.number}-纠正预防措施记录表",
    )
