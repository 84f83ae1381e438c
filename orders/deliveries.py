"""The orders area's deliveries, offered to the other areas through nhcs.deliveries (registered in
apps.py): one value per delivery-note line, net of its reversing entries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from nhcs.deliveries import Delivery

from .models import Shipment

PREFIX = "shipment:"


def _deliveries(qs, limit: int) -> list[Delivery]:
    """Deliveries (not reversing entries), each with its quantity net of what reversed it."""
    rows = list(
        qs.filter(reverses=None)
        .select_related("line__order")
        .annotate(reversed_qty=Sum("reversals__quantity"))
        .order_by("-shipped_on", "-pk")[:limit]
    )
    out = []
    for s in rows:
        net = s.quantity + (s.reversed_qty or Decimal(0))
        if net <= 0:
            continue
        out.append(
            Delivery(
                key=f"{PREFIX}{s.pk}",
                customer_id=s.line.order.customer_id,
                order_number=s.line.order.number,
                po_number=s.line.order.po_number,
                line_id=s.line_id,
                part_number=s.line.part_number,
                description=s.line.description,
                lot=s.lot,
                delivery_note=s.delivery_note,
                shipped_on=s.shipped_on,
                quantity=net,
            )
        )
    return out


def _filtered(*, customer_id=None, text="", parts=(), lots=(), shipped_from=None, shipped_to=None):
    qs = Shipment.objects.all()
    if customer_id is not None:
        qs = qs.filter(line__order__customer_id=customer_id)
    if text:
        qs = qs.filter(
            Q(line__order__number__icontains=text)
            | Q(line__order__po_number__icontains=text)
            | Q(line__part_number__icontains=text)
            | Q(lot__icontains=text)
            | Q(delivery_note__icontains=text)
        )
    if parts:
        qs = qs.filter(line__part_number__in=list(parts))
    if lots:
        qs = qs.filter(lot__in=list(lots))
    if shipped_from is not None:
        qs = qs.filter(shipped_on__gte=shipped_from)
    if shipped_to is not None:
        qs = qs.filter(shipped_on__lte=shipped_to)
    return qs


class ShipmentDeliveries:
    def search(
        self,
        *,
        customer_id: int | None,
        text: str,
        parts: Iterable[str],
        lots: Iterable[str],
        shipped_from: date | None,
        shipped_to: date | None,
        limit: int,
    ) -> list[Delivery]:
        qs = _filtered(
            customer_id=customer_id, text=text, parts=parts, lots=lots, shipped_from=shipped_from, shipped_to=shipped_to
        )
        return _deliveries(qs, limit)

    def get(self, key: str) -> Delivery | None:
        if not key.startswith(PREFIX) or not key[len(PREFIX) :].isdigit():
            return None
        found = _deliveries(Shipment.objects.filter(pk=int(key[len(PREFIX) :])), 1)
        return found[0] if found else None

    def customers_who_got(
        self, *, parts: Iterable[str], lots: Iterable[str], shipped_from: date | None, shipped_to: date | None
    ) -> set[int]:
        qs = _filtered(parts=parts, lots=lots, shipped_from=shipped_from, shipped_to=shipped_to)
        totals = (
            qs.values("line__order__customer_id", "line_id", "delivery_note")
            .annotate(net=Sum("quantity"))
            .filter(net__gt=0)
            .values_list("line__order__customer_id", flat=True)
        )
        return set(totals)


provider = ShipmentDeliveries()
