"""Pages of the customer register: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nhcs.core.once import once
from nhcs.sheets.export import export_list
from nhcs.workflow.errors import refuse
from nhcs.workflow.exceptions import WorkflowError

from . import hooks, selectors, services, sheets
from .filters import CustomerFilter
from .forms import CertificateForm, ContactForm, CustomerForm, CustomerImportForm
from .models import Customer, CustomerCertificate, CustomerContact

PAGE_SIZE = 25


def _int(value) -> int:
    """A posted number; -1 (never a real id) when it is not one."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else -1


_error = refuse  # the one mapping of refusals to messages and statuses


def _check_may_view(user) -> None:
    # The register has its readers: everyone else gets 404, as for any record they may not read.
    if not services.can_view_customers(user):
        raise Http404


def _customer(code: str) -> Customer:
    try:
        return selectors.customer_detail(code)
    except Customer.DoesNotExist:
        raise Http404 from None


@login_required
def customer_list(request):
    _check_may_view(request.user)
    filterset = CustomerFilter(request.GET or None, queryset=selectors.customers_list_qs())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = hooks.customer_counts([c.pk for c in page])
    rows = [(c, [count.counts.get(c.pk, 0) for count in counts]) for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "customers/customer_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "counts": counts,
            "query": query.urlencode(),
            "can_manage": services.can_manage_customers(request.user),
        },
    )


@login_required
def customer_list_export(request, fmt: str):
    """The customer register as listed (with the list's filters), .xlsx or .pdf."""
    _check_may_view(request.user)
    return export_list(
        request=request,
        sheet=sheets.CUSTOMER_LIST,
        queryset=selectors.customers_list_qs(),
        fmt=fmt,
        filename="客户一览表",
        filterset_class=CustomerFilter,
    )


@login_required
def customer_detail(request, code: str):
    _check_may_view(request.user)
    customer = _customer(code)
    can_manage = services.can_manage_customers(request.user)
    contact_form = ContactForm(prefix="contact")
    certificate_form = CertificateForm(prefix="cert")
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        what = request.POST.get("_action")
        try:
            if what == "contact":
                contact_form = ContactForm(request.POST, prefix="contact")
                if contact_form.is_valid():
                    services.contact_add(user=request.user, customer=customer, data=contact_form.cleaned_data)
                    messages.success(request, _("Contact added."))
                    return redirect(customer)
            elif what == "certificate":
                certificate_form = CertificateForm(request.POST, prefix="cert")
                if certificate_form.is_valid():
                    services.certificate_add(user=request.user, customer=customer, data=certificate_form.cleaned_data)
                    messages.success(request, _("Certified data added."))
                    return redirect(customer)
            elif what == "contact_delete":
                contact = get_object_or_404(CustomerContact, pk=_int(request.POST.get("pk")), customer=customer)
                services.contact_delete(user=request.user, contact=contact)
                messages.success(request, _("Contact removed."))
                return redirect(customer)
            elif what == "certificate_delete":
                cert = get_object_or_404(CustomerCertificate, pk=_int(request.POST.get("pk")), customer=customer)
                services.certificate_delete(user=request.user, certificate=cert)
                messages.success(request, _("Certified data removed."))
                return redirect(customer)
            messages.error(request, _("Please correct the errors below."))
            status = 400
        except WorkflowError as error:
            status = _error(request, error)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "can_manage": can_manage,
            "contact_form": contact_form,
            "certificate_form": certificate_form,
            "sections": hooks.customer_sections(customer, request.user),
        },
        status=status,
    )


@login_required
def customer_edit(request, code: str | None = None):
    _check_may_view(request.user)
    if not services.can_manage_customers(request.user):
        raise PermissionDenied
    customer = get_object_or_404(Customer, code=code) if code is not None else None
    form = CustomerForm(request.POST or None, instance=customer)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            data = {name: form.cleaned_data[name] for name in form.fields}
            # A fresh instance: the form's own was changed by validation.
            current = Customer.objects.get(pk=customer.pk) if customer else None
            save = lambda _data: services.customer_save(user=request.user, data=data, customer=current)  # noqa: E731
            saved = (once(request, save) if current is None else save)(data)
        except WorkflowError as error:
            status = _error(request, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(saved)
    if customer is not None and form.is_bound:
        # The page names the customer as saved: the form's instance holds the refused input (a code with a
        # "/" has no address).
        customer = Customer.objects.get(pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer}, status=status)


@login_required
def customer_import(request):
    _check_may_view(request.user)
    if not services.can_manage_customers(request.user):
        raise PermissionDenied
    form = CustomerImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = services.customer_import(user=request.user, upload=form.cleaned_data["file"])
            if result.ok:
                count = len(result.created)
                messages.success(
                    request, ngettext("%(n)s customer imported.", "%(n)s customers imported.", count) % {"n": count}
                )
                return redirect("customers:customer_list")
            messages.error(
                request,
                result.error or _("Nothing was imported: correct the rows listed below and import the file again."),
            )
        status = 400
    return render(request, "customers/customer_import.html", {"form": form, "result": result}, status=status)


# --- the register's former addresses under /orders/customers/ ----------------------------------------


def _with_query(request, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def legacy_redirect(request, url_name: str):
    """/orders/customers/… (list, new, import) → /customers/…, for good."""
    return redirect(_with_query(request, reverse(url_name)), permanent=True)


@login_required
def legacy_customer_redirect(request, pk: int, url_name: str):
    """/orders/customers/<pk>/… → /customers/<code>/…: the customer's page is now named by its code."""
    _check_may_view(request.user)  # the redirect names the customer's code: readers only
    customer = get_object_or_404(Customer, pk=pk)
    return redirect(reverse(url_name, args=[customer.code]), permanent=True)
