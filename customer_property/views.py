"""Pages of the customer property register: thin, they parse, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhcs.capa.selectors import actions_for_source
from nhcs.customers.services import can_view_customers
from nhcs.sheets.export import export_list, export_record, pdf_response
from nhcs.workflow import services as wf
from nhcs.workflow.views import RecordDetailView, RecordEditView, form_action, get_record_for, readable_list

from . import selectors, services, sheets
from .choices import QUANTITY_KINDS, MovementKind
from .filters import ItemFilter
from .forms import ActionRaiseForm, CountStartForm, IncidentForm, ItemForm, MovementForm
from .labels import labels_pdf
from .models import Incident, PropertyItem, StockCount

PAGE_SIZE = 25
LABELS_MAX = 200


def _int(value) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() else -1


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _with_locations(items) -> list:
    """The items with their current location object (one query for the page)."""
    items = list(items)
    locations = selectors.locations_by_id(getattr(i, "current_location_id", None) for i in items)
    for item in items:
        item.current_location = locations.get(getattr(item, "current_location_id", None))
    return items


# --- the register --------------------------------------------------------------------------------------


def _readable_items(request):
    return readable_list(request, selectors.register_qs())


@login_required
def item_list(request):
    filterset = ItemFilter(request.GET or None, queryset=_readable_items(request))
    page = Paginator(filterset.qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_locations(page.object_list)
    return render(
        request,
        "customer_property/item_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query(request),
            "can_register": services.can_register(request.user),
            "can_count": services.can_count(request.user),
        },
    )


@login_required
def register_export(request, fmt: str):
    """顾客财产登记表 of the items the list shows (same filters), .xlsx or .pdf."""
    items = _readable_items(request).order_by("number")
    # The location of each row is one more subquery, not a query per row.
    items = items.annotate(current_location_code=selectors.location_label_subquery())
    return export_list(
        request=request,
        sheet=sheets.REGISTER,
        queryset=items,
        fmt=fmt,
        filename="顾客财产登记表",
        filterset_class=ItemFilter,
    )


@login_required
def labels_export(request):
    """Labels of the items the list shows (same filters): an A4 sheet, or one label per page."""
    filterset = ItemFilter(request.GET or None, queryset=_readable_items(request))
    if filterset.is_bound and not filterset.is_valid():
        raise Http404
    items = _with_locations(filterset.qs.order_by("number")[:LABELS_MAX])
    size = "single" if request.GET.get("size") == "single" else "a4"
    return pdf_response(labels_pdf(items=items, size=size, request=request), f"labels-{size}")


@login_required
def item_create(request):
    if not services.can_register(request.user):
        raise PermissionDenied
    form = ItemForm(request.POST or None, initial={"customer": request.GET.get("customer")})

    def page(status):
        return render(request, "customer_property/item_create.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.item_register(user=request.user, data=data),
        success=lambda item: _("%(number)s registered: submit it for incoming verification.") % {"number": item.number},
        then=lambda item: item.get_absolute_url(),
        again=page,
    )


class ItemDetail(RecordDetailView):
    model = PropertyItem
    template_name = "customer_property/item_detail.html"

    def get_queryset(self):
        return selectors.item_page_qs()

    def render_page(self, record, **kwargs):
        # The log of movements, read once: the page's figures (quantities, shots, location) come from it.
        record.movement_log = selectors.movements_of(record)
        selectors.read_ledger(record, record.movement_log)
        return super().render_page(record, **kwargs)

    def get_context_data(self, record, **kwargs):
        user = self.request.user
        kinds = services.hand_kinds_for(record) if services.can_move(user) else []
        movements = record.movement_log
        for m in movements:
            m.details = sheets.movement_text(m)
        return {
            "item": record,
            "balance": selectors.Balance(stock=record.qty_in_store, at_production=record.qty_at_production),
            "movements": movements,
            "quantity_kinds": QUANTITY_KINDS,
            "movement_kinds": kinds,
            "movement_form": kwargs.get("movement_form") or MovementForm(prefix="mv", kinds=kinds),
            "incidents": list(record.incidents.order_by("-created_at")),
            "superseded_by": list(record.superseded_by.all()) if record.is_obsolete else [],
            "can_view_customer": can_view_customers(user),
            "scan_url": record.scan_link(),
        }


class ItemScan(ItemDetail):
    """The phone page a label's QR code opens: the item, and what the reader may do with it now."""

    template_name = "customer_property/item_scan.html"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # Back to the phone page after an action, not to the desk page.
        if isinstance(response, HttpResponseRedirect):
            record_url = reverse("customer_property:item_detail", args=[self.kwargs["pk"]])
            if response.url.split("#")[0] == record_url:
                response["Location"] = reverse("customer_property:item_scan", args=[self.kwargs["pk"]])
        return response


class ItemEdit(RecordEditView):
    model = PropertyItem
    form_class = ItemForm
    template_name = "workflow/record_form.html"


def _item_for(request, pk: int) -> PropertyItem:
    return get_record_for(request, PropertyItem, pk, queryset=PropertyItem.objects.select_related("customer"))


@login_required
@require_POST
def movement_post(request, pk: int):
    item = _item_for(request, pk)
    if not services.can_move(request.user):
        raise PermissionDenied
    kinds = services.hand_kinds_for(item)
    form = MovementForm(request.POST, prefix="mv", kinds=kinds)
    scan = request.POST.get("next") == "scan"
    view_class = ItemScan if scan else ItemDetail
    then = item.get_scan_url() if scan else item.get_absolute_url() + "#movements"

    def again(status):
        view = view_class()
        view.setup(request, pk=item.pk)
        return view.render_page(view.get_record(), status=status, movement_form=form)

    def call(data):
        entry = services.MovementEntry(
            kind=data["kind"],
            quantity=data.get("quantity"),
            moved_on=data.get("moved_on"),
            order_number=data.get("order_number") or "",
            place=data.get("place") or "",
            location=data.get("location"),
            shots=data.get("shots"),
            reason=data.get("reason") or "",
        )
        return services.movement_post(item=item, user=request.user, entry=entry)

    def success(movement):
        fresh = PropertyItem.objects.get(pk=item.pk)
        return _("%(movement)s recorded; %(number)s is “%(state)s”.") % {
            "movement": MovementKind(movement.kind).label,
            "number": fresh.number,
            "state": fresh.state_label,
        }

    return form_action(request, form=form, call=call, success=success, then=then, again=again)


@login_required
def item_card(request, pk: int, fmt: str):
    """顾客财产卡: the item with its movement log and status log."""
    item = get_record_for(request, PropertyItem, pk, queryset=selectors.item_detail_qs())
    from nhcs.workflow.selectors import signoffs_for

    context = sheets.card_context(
        item=item,
        movements=selectors.movements_of(item),
        signoffs=list(signoffs_for(record=item)),
        balance=selectors.Balance(stock=item.qty_in_store, at_production=item.qty_at_production),
        location=item.current_location_code,
    )
    return export_record(
        request=request, sheet=sheets.CARD, record=item, fmt=fmt, context=context, filename=f"{item.number}-顾客财产卡"
    )


@login_required
def item_label(request, pk: int):
    item = get_record_for(request, PropertyItem, pk, queryset=selectors.item_detail_qs())
    items = _with_locations([item])
    size = "single" if request.GET.get("size") == "single" else "a4"
    return pdf_response(labels_pdf(items=items, size=size, request=request), f"{item.number}-label")


@login_required
def notice_letter(request, pk: int):
    """The notice of the nonconformity (4.8.4), as it goes to the customer."""
    item = _item_for(request, pk)
    if not item.nonconformity:
        raise Http404
    return pdf_response(sheets.nonconformity_letter_pdf(item=item, request=request), f"{item.number}-notice")


# --- loss or damage -------------------------------------------------------------------------------------


@login_required
def incident_create(request, pk: int):
    item = _item_for(request, pk)
    form = IncidentForm(request.POST or None)

    def page(status):
        return render(request, "customer_property/incident_create.html", {"form": form, "item": item}, status=status)

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=lambda data: services.incident_report(item=item, user=request.user, data=data),
        success=lambda incident: _("%(number)s reported; Sales notifies the customer.") % {"number": incident.number},
        then=lambda incident: incident.get_absolute_url(),
        again=page,
    )


class IncidentDetail(RecordDetailView):
    model = Incident
    template_name = "customer_property/incident_detail.html"

    def get_queryset(self):
        return Incident.objects.select_related("item__customer", "created_by__department", "changed_by")

    def get_context_data(self, record, **kwargs):
        return {
            "incident": record,
            "item": record.item,
            "corrective_actions": actions_for_source(record),
            "can_raise": services.can_raise_action(self.request.user) and not record.is_final,
            "raise_form": kwargs.get("raise_form") or ActionRaiseForm(prefix="capa"),
        }


class IncidentEdit(RecordEditView):
    model = Incident
    form_class = IncidentForm
    template_name = "workflow/record_form.html"

    def build_form(self, record, data=None, files=None):
        form = self.form_class(data, files, instance=record)
        del form.fields["kind"]  # the item's status followed the kind reported
        return form


def _incident_for(request, pk: int) -> Incident:
    return get_record_for(request, Incident, pk, queryset=Incident.objects.select_related("item__customer"))


@login_required
def incident_letter(request, pk: int):
    incident = _incident_for(request, pk)
    return pdf_response(
        sheets.incident_letter_pdf(incident=incident, request=request), f"{incident.number.replace('/', '-')}-notice"
    )


@login_required
@require_POST
def incident_action(request, pk: int):
    incident = _incident_for(request, pk)
    if not services.can_raise_action(request.user):
        raise PermissionDenied
    form = ActionRaiseForm(request.POST, prefix="capa")

    def again(status):
        view = IncidentDetail()
        view.setup(request, pk=incident.pk)
        return view.render_page(view.get_record(), status=status, raise_form=form)

    return form_action(
        request,
        form=form,
        call=lambda data: services.incident_action_raise(incident=incident, user=request.user, **data),
        success=lambda action: _("Corrective action %(number)s raised.") % {"number": action.number},
        then=incident.get_absolute_url(),
        again=again,
    )


# --- counts ---------------------------------------------------------------------------------------------


@login_required
def count_list(request):
    counts = readable_list(request, StockCount.objects.select_related("location", "customer"))
    page = Paginator(counts.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    form = None
    if services.can_count(request.user):
        form = CountStartForm(request.POST or None)
        if request.method == "POST":
            return form_action(
                request,
                form=form,
                call=lambda data: services.count_start(user=request.user, **data),
                success=lambda c: _("Count %(number)s started: enter what you count.") % {"number": c.number},
                then=lambda c: c.get_absolute_url(),
                again=lambda status: render(
                    request, "customer_property/count_list.html", {"page": page, "form": form}, status=status
                ),
            )
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "customer_property/count_list.html", {"page": page, "form": form})


class CountDetail(RecordDetailView):
    model = StockCount
    template_name = "customer_property/count_detail.html"

    def get_queryset(self):
        return StockCount.objects.select_related("location", "customer", "created_by__department", "changed_by")

    def get_context_data(self, record, **kwargs):
        lines = list(record.lines.select_related("item__customer").order_by("item__number"))
        entered = kwargs.get("entered") or {}
        for line in lines:
            line.typed = entered.get(line.pk)  # what a refused entry typed, shown again
        return {
            "count": record,
            "lines": lines,
            "differences": [line for line in lines if line.difference],
            "can_enter": wf.can_edit_record(user=self.request.user, record=record),
        }


@login_required
@require_POST
def count_enter(request, pk: int):
    count = get_record_for(request, StockCount, pk)
    if not wf.can_edit_record(user=request.user, record=count):
        raise PermissionDenied
    from decimal import Decimal, InvalidOperation

    counts = {}
    entered = {}
    problems = []
    for line in count.lines.select_related("item"):
        raw = (request.POST.get(f"counted-{line.pk}") or "").strip()
        note = request.POST.get(f"note-{line.pk}", "")
        entered[line.pk] = (raw, note)
        try:
            value = Decimal(raw) if raw else None
        except InvalidOperation:
            problems.append(
                _("%(number)s: “%(value)s” is not a quantity.") % {"number": line.item.number, "value": raw}
            )
            continue
        counts[line.pk] = (value, note)

    def again(status):
        view = CountDetail()
        view.setup(request, pk=count.pk)
        return view.render_page(view.get_record(), status=status, entered=entered)

    if problems:
        for problem in problems:
            messages.error(request, problem)
        return again(400)
    return form_action(
        request,
        form=None,
        call=lambda _data: services.count_enter(
            count=count, user=request.user, counts=counts, expected_version=_int(request.POST.get("version"))
        ),
        success=_("Counted quantities saved."),
        then=count.get_absolute_url(),
        again=again,
    )


@login_required
def count_sheet(request, pk: int, fmt: str):
    count = get_record_for(request, StockCount, pk, queryset=StockCount.objects.select_related("location", "customer"))
    lines = list(count.lines.select_related("item__customer").order_by("item__number"))
    return export_record(
        request=request,
        sheet=sheets.COUNT,
        record=count,
        fmt=fmt,
        context={"lines": lines},
        filename=f"{count.number}-顾客财产盘点表",
    )
