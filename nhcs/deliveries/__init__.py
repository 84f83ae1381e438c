"""What was delivered to customers, as the areas that need it read it (complaints pick the delivered
lot; advisory notices find the customers who got a lot; the dashboard counts on-time deliveries) —
without importing the area that records deliveries (orders).

The recording area registers a provider when Django starts (orders/apps.py); readers call the functions
here:

    from nhcs import deliveries
    deliveries.search(customer=customer, text="A-100", limit=20)     -> list[Delivery]
    deliveries.get(key)                                              -> Delivery | None
    deliveries.customers_who_got(parts=[...], lots=[...], shipped_from=..., shipped_to=...) -> set[int]

A `Delivery` is a plain value (a line of a delivery note, net of reversals), with a stable `key` to store
on the record that names it (e.g. a complaint's "related delivery").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class Delivery:
    key: str  # stable reference, e.g. "shipment:123"
    customer_id: int
    order_number: str
    po_number: str
    line_id: int
    part_number: str
    description: str
    lot: str
    delivery_note: str
    shipped_on: date
    quantity: Decimal

    def __str__(self) -> str:
        lot = f" · {self.lot}" if self.lot else ""
        return f"{self.order_number} · {self.part_number}{lot} · {self.delivery_note} · {self.shipped_on:%Y-%m-%d}"


class Provider(Protocol):
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
    ) -> list[Delivery]: ...

    def get(self, key: str) -> Delivery | None: ...

    def customers_who_got(
        self, *, parts: Iterable[str], lots: Iterable[str], shipped_from: date | None, shipped_to: date | None
    ) -> set[int]: ...


_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Called by the area that records deliveries, from its AppConfig.ready()."""
    if provider not in _providers:
        _providers.append(provider)


def search(
    *,
    customer=None,
    text: str = "",
    parts: Iterable[str] = (),
    lots: Iterable[str] = (),
    shipped_from: date | None = None,
    shipped_to: date | None = None,
    limit: int = 50,
) -> list[Delivery]:
    """Deliveries (newest first) matching everything given: a customer, a text found in the order
    number, PO, part, lot or delivery note, parts, lots, a shipping period."""
    customer_id = getattr(customer, "pk", customer)
    found: list[Delivery] = []
    for provider in _providers:
        found += provider.search(
            customer_id=customer_id,
            text=(text or "").strip(),
            parts=list(parts),
            lots=list(lots),
            shipped_from=shipped_from,
            shipped_to=shipped_to,
            limit=limit,
        )
    found.sort(key=lambda d: (d.shipped_on, d.key), reverse=True)
    return found[:limit]


def get(key: str) -> Delivery | None:
    for provider in _providers:
        delivery = provider.get(key)
        if delivery is not None:
            return delivery
    return None


def customers_who_got(
    *,
    parts: Iterable[str] = (),
    lots: Iterable[str] = (),
    shipped_from: date | None = None,
    shipped_to: date | None = None,
) -> set[int]:
    """Ids of the customers who received any of the parts (or lots) in the period, net of reversals."""
    ids: set[int] = set()
    for provider in _providers:
        ids |= provider.customers_who_got(
            parts=list(parts), lots=list(lots), shipped_from=shipped_from, shipped_to=shipped_to
        )
    return ids
