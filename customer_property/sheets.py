"""Sheets of the customer property register on the shared mechanism (nhcs.sheets):

- 顾客财产登记表 (the register, NH-QP14-07): the items as listed, with the list's filters (a list);
- 顾客财产卡 (an item's card): its data, quantities, its movement log and its status log (a record sheet);
- the notices to the customer, letters in the customer's language: a nonconforming item (4.8.4), a loss
  or damage (4.8.5);
- 顾客财产盘点表 (a count): counted against registered, the differences (a record sheet);
- labels: the status label with a QR code that opens the item (customer_property.labels).
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox, choice_label
from nhcs.sheets.export import render_pdf_bytes, sheet_context, write_field_rows
from nhcs.sheets.xlsx_record import note, section, table_header, table_row
from nhcs.workflow.choices import Action

from .choices import QUANTITY_KINDS, ItemState, PropertyKind


def qty(value):
    """A quantity as it is written: 8000, not 8000.000."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def _location_text(item) -> str:
    label = getattr(item, "current_location_code", None)
    if label:
        return label
    location = getattr(item, "current_location", None)
    return str(location) if location is not None else ""


def _shots(item) -> str:
    if item.kind != PropertyKind.MOLD:
        return ""
    return f"{getattr(item, 'shot_count', item.shots_at_receipt or 0)} / {item.shot_limit or '—'}"


def _obsolete(item) -> str:
    return gettext("obsolete") if getattr(item, "is_obsolete", False) else ""


# --- 顾客财产登记表 -------------------------------------------------------------------------------------

REGISTER = ListSheet(
    "customer_property_register",
    [
        Column("number", _("Number"), "number", width=15),
        Column("customer", _("Customer"), "customer.code", width=10),
        Column("kind", _("Kind"), choice_label("kind", PropertyKind.choices), width=14),
        Column("name", _("Name"), "name", width=24),
        Column("asset", _("Customer's asset number"), "customer_asset_number", width=16),
        Column("revision", _("Revision"), lambda i: " ".join(x for x in (i.revision, _obsolete(i)) if x), width=10),
        Column("received", _("Quantity received"), lambda i: qty(i.quantity), kind="number"),
        Column("unit", _("Unit"), "unit", width=6),
        Column("in_store", _("In store"), lambda i: qty(i.qty_in_store), kind="number"),
        Column("at_production", _("At production"), lambda i: qty(i.qty_at_production), kind="number"),
        Column("received_on", _("Received on"), "received_on", kind="date"),
        Column("received_from", _("Received from"), "received_from", width=16),
        Column("location", _("Location"), _location_text, width=16),
        Column("shots", _("Shots / limit"), _shots, width=16),
        Column("state", _("Status"), choice_label("state", ItemState.choices), width=16),
        Column("storage", _("Storage and preservation"), "storage_requirements", width=24),
    ],
    landscape=True,
)


# --- 顾客财产卡: one item with its logs ------------------------------------------------------------------


def movement_text(m) -> str:
    """What a movement says besides its kind and quantity: order, where, location, reason, reference."""
    parts = []
    if m.order_number:
        parts.append(gettext("order %(number)s") % {"number": m.order_number})
    if m.shots:
        parts.append(gettext("%(shots)s shots") % {"shots": m.shots})
    for value in (m.place, str(m.location) if m.location_id else "", m.reason, m.reference):
        if value:
            parts.append(value)
    if m.attachment_id:
        parts.append(f"#{m.attachment.seq} {m.attachment.original_name}")
    return " · ".join(parts)


def movement_quantity(m):
    """The quantity a movement moved (none for a move, a run's shots, a maintenance)."""
    return qty(m.quantity) if m.kind in QUANTITY_KINDS else None


def card_xlsx(*, ws, record, context, request=None) -> None:
    write_field_rows(ws, context["fields"])
    section(ws, gettext("Quantities"))
    balance = context["balance"]
    table_header(ws, gettext("Received"), gettext("In store"), gettext("At production"), gettext("Location"))
    table_row(ws, [qty(record.quantity), qty(balance.stock), qty(balance.at_production), context["location"] or None])
    section(ws, gettext("Movement log"))
    table_header(
        ws, gettext("Date"), gettext("Movement"), gettext("Quantity"), gettext("Details"), gettext("Entered by")
    )
    for m in context["movements"]:
        table_row(
            ws,
            [
                m.moved_on,
                m.get_kind_display(),
                movement_quantity(m),
                movement_text(m) or None,
                f"{m.entered_by.signature_name} {timezone.localtime(m.entered_at):%Y-%m-%d %H:%M}",
            ],
        )
    if not context["movements"]:
        note(ws, gettext("No movements yet."))
    section(ws, gettext("Status log"))
    table_header(ws, gettext("When"), gettext("Status"), gettext("Action"), gettext("By"), gettext("Data"))
    for row in context["status_log"]:
        table_row(ws, [row["when"], row["state"], row["label"], row["by"], row["data"] or None])


CARD = RecordSheet(
    "customer_property_card",
    "customer_property/sheets/card.html",
    signature_boxes=[
        SignatureBox(_("Sales: registered"), transitions=("submit",)),
        SignatureBox(_("Quality: incoming verification"), actions=(Action.VERIFY,), transitions=("accept", "reject")),
        SignatureBox(_("Warehouse: put in storage"), actions=(Action.CONFIRM,), transitions=("store",)),
    ],
    fields=[
        Column("customer", _("Customer"), lambda i: str(i.customer)),
        Column("kind", _("Kind"), "get_kind_display"),
        Column("name", _("Name"), "name"),
        Column("customer_asset_number", _("Customer's asset number"), "customer_asset_number"),
        Column("quantity", _("Quantity received"), lambda i: f"{qty(i.quantity)} {i.unit}"),
        Column("received_on", _("Received on"), "received_on", kind="date"),
        Column("received_from", _("Received from"), "received_from"),
        Column("acceptance_criteria", _("Acceptance criteria"), "acceptance_criteria"),
        Column("storage_requirements", _("Storage and preservation requirements"), "storage_requirements"),
        Column("cavity_count", _("Cavities"), "cavity_count", kind="number"),
        Column("shot_limit", _("Shots / limit"), _shots),
        Column("revision", _("Revision"), lambda i: " ".join(x for x in (i.revision, _obsolete(i)) if x)),
        Column("state", _("Status"), choice_label("state", ItemState.choices)),
        Column("nonconformity", _("Nonconformity found"), "nonconformity"),
        Column("disposition", _("Customer's disposition"), "get_disposition_display"),
        Column("remarks", _("Remarks"), "remarks"),
    ],
    xlsx_builder=card_xlsx,
    landscape=True,
)


def status_log(signoffs) -> list[dict]:
    """Every change of status, who and when, with what the action captured."""
    from nhcs.workflow.models import SignOff  # noqa: F401 - the rows are sign-offs

    rows = []
    for s in signoffs:
        if s.step or s.action == "amend":
            continue
        rows.append(
            {
                "when": timezone.localtime(s.signed_at).replace(tzinfo=None),
                "state": str(ItemState(s.to_state).label) if s.to_state in ItemState.values else s.to_state,
                "label": str(s.label),
                "by": s.user.signature_name,
                "data": "; ".join(f"{label}: {value}" for label, value in s.data_rows),
                "comment": s.comment,
            }
        )
    return rows


def card_context(*, item, movements, signoffs, balance, location) -> dict:
    for m in movements:
        m.details = movement_text(m)
    return {
        "quantity_kinds": QUANTITY_KINDS,
        "movements": movements,
        "status_log": status_log(signoffs),
        "balance": balance,
        "location": str(location) if location else "",
    }


# --- the notices to the customer --------------------------------------------------------------------------


def nonconformity_letter_pdf(*, item, request=None) -> bytes:
    """The notice of a nonconforming item (4.8.4), in the customer's language, asking for their
    disposition."""
    with translation.override(item.customer.language):
        context = sheet_context(
            form_key="customer_property_notice",
            request=request,
            record_number=item.number,
            item=item,
            customer=item.customer,
            today=timezone.localdate(),
        )
        return render_pdf_bytes("customer_property/sheets/nonconformity_letter.html", context)


def incident_letter_pdf(*, incident, request=None) -> bytes:
    """The notice of a loss or damage (4.8.5), in the customer's language."""
    item = incident.item
    with translation.override(item.customer.language):
        context = sheet_context(
            form_key="customer_property_incident",
            request=request,
            record_number=incident.number,
            incident=incident,
            item=item,
            customer=item.customer,
            today=timezone.localdate(),
        )
        return render_pdf_bytes("customer_property/sheets/incident_letter.html", context)


# --- 顾客财产盘点表 ---------------------------------------------------------------------------------------


def count_xlsx(*, ws, record, context, request=None) -> None:
    write_field_rows(ws, context["fields"])
    section(ws, gettext("Counted against the register"))
    table_header(
        ws,
        gettext("Item"),
        gettext("Name"),
        gettext("Customer"),
        gettext("In store by the register"),
        gettext("Counted"),
        gettext("Difference"),
        gettext("Note"),
    )
    for line in context["lines"]:
        table_row(
            ws,
            [
                line.item.number,
                line.item.name,
                line.item.customer.code,
                qty(line.expected),
                qty(line.counted),
                qty(line.difference),
                line.note or None,
            ],
        )


COUNT = RecordSheet(
    "customer_property_count",
    "customer_property/sheets/count.html",
    signature_boxes=[
        SignatureBox(_("Warehouse: counted"), transitions=("submit",)),
        SignatureBox(_("Sales head: differences resolved"), actions=(Action.APPROVE,), transitions=("resolve",)),
    ],
    fields=[
        Column("location", _("Location"), lambda c: str(c.location) if c.location_id else ""),
        Column("customer", _("Customer"), lambda c: str(c.customer) if c.customer_id else ""),
        Column("counted_on", _("Counted on"), "counted_on", kind="date"),
        Column("state", _("State"), "state_label"),
        Column("note", _("Note"), "note"),
    ],
    xlsx_builder=count_xlsx,
    landscape=True,
)
