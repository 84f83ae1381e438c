"""The dashboard at / (department heads and above; everyone else keeps the home page with their tasks),
the management review report (PDF, Excel) and the customer dossier's PDF."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from nhcs.core import views as core_views
from nhcs.customers import selectors as customer_selectors
from nhcs.customers.models import Customer
from nhcs.customers.services import can_view_customers
from nhcs.sheets.export import pdf_response
from nhcs.workflow.selectors import task_count_for_user

from . import registry, selectors, sheets
from .forms import PeriodForm


def _period(request):
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["customer"]
    if form.is_bound:
        return form, None, None, None
    form = PeriodForm()
    start, end = form_defaults()
    return form, start, end, None


def form_defaults():
    from .forms import default_period

    return default_period()


@login_required
def home(request):
    if not selectors.may_see_dashboard(request.user):
        return core_views.home(request)
    form, start, end, customer = _period(request)
    panels = selectors.dashboard(user=request.user, start=start, end=end, customer=customer) if start else []
    if start and not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    context = {
        "form": form,
        "panels": panels,
        "as_of": registry.as_of(panels) if settings.NHCS_DASHBOARD_CACHE_SECONDS else None,
        "cache_minutes": f"{settings.NHCS_DASHBOARD_CACHE_SECONDS / 60:g}",
        "start": start,
        "end": end,
        "customer": customer,
        "query": request.GET.urlencode(),
        "task_total": task_count_for_user(user=request.user),
        "overdue_total": task_count_for_user(user=request.user, overdue=True),
        # A warning a panel shows (the 12-month survey warning) is not repeated above the panels.
        "warnings": [w for w in core_views.home_warnings(request) if all(w not in p.warnings for p in panels)],
    }
    return render(request, "dashboard/dashboard.html", context, status=200 if start else 400)


@login_required
def report(request, fmt: str):
    if not selectors.may_see_dashboard(request.user):
        raise PermissionDenied
    form, start, end, customer = _period(request)
    if start is None:
        # The page says what is wrong with the period, in the reader's language.
        return home(request)
    panels = selectors.dashboard(user=request.user, start=start, end=end, customer=customer, cached=False)
    filename = f"管理评审输入_{start:%Y%m%d}-{end:%Y%m%d}" + (f"_{customer.code}" if customer else "")
    if fmt == "pdf":
        data = sheets.report_pdf(request=request, panels=panels, start=start, end=end, customer=customer)
        return pdf_response(data, filename)
    if fmt == "xlsx":
        return sheets.report_xlsx(
            request=request, panels=panels, start=start, end=end, customer=customer, filename=filename
        )
    raise Http404


@login_required
def dossier_pdf(request, code: str):
    if not can_view_customers(request.user):
        raise Http404
    try:
        customer = customer_selectors.customer_detail(code)
    except Customer.DoesNotExist:
        raise Http404 from None
    panels = selectors.dossier(customer=customer, user=request.user, cached=False)
    return pdf_response(
        sheets.dossier_pdf(request=request, panels=panels, customer=customer), f"顾客档案_{customer.code}"
    )
