"""Reads of the customer property register: quantities, shots and locations from the ledger (one query
for any number of items), the register list, an item's log."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from .choices import GONE_STATES, PRODUCTION_EFFECT, STOCK_EFFECT, ItemState, MovementKind
from .models import Movement, PropertyItem

DECIMAL = DecimalField(max_digits=14, decimal_places=3)
ZERO = Value(Decimal(0), output_field=DECIMAL)


def _signed(effects: dict) -> Case:
    whens = [When(kind=kind, then=F("quantity") * sign) for kind, sign in effects.items()]
    return Case(*whens, default=ZERO, output_field=DECIMAL)


STOCK_EXPR = _signed({**STOCK_EFFECT, MovementKind.ADJUSTED: 1})
PRODUCTION_EXPR = _signed(PRODUCTION_EFFECT)


@dataclass(frozen=True)
class Balance:
    """An item's quantities by its ledger: in store, issued to production and not back, and on hand."""

    stock: Decimal = Decimal(0)
    at_production: Decimal = Decimal(0)
    shots: int = 0

    @property
    def on_hand(self) -> Decimal:
        return self.stock + self.at_production


def balance_of(item) -> Balance:
    row = Movement.objects.filter(item_id=item.pk).aggregate(
        stock=Coalesce(Sum(STOCK_EXPR), ZERO),
        at_production=Coalesce(Sum(PRODUCTION_EXPR), ZERO),
        shots=Coalesce(Sum("shots", filter=Q(kind=MovementKind.SHOTS)), 0),
    )
    return Balance(stock=row["stock"], at_production=row["at_production"], shots=row["shots"])


def _ledger_sum(expr, **filters) -> Subquery:
    rows = (
        Movement.objects.filter(item=OuterRef("pk"), **filters)
        .order_by()
        .values("item")
        .annotate(total=Sum(expr))
        .values("total")
    )
    return Subquery(rows, output_field=expr.output_field if hasattr(expr, "output_field") else DECIMAL)


def with_balance(items: QuerySet) -> QuerySet:
    """Items with qty_in_store and qty_at_production (subqueries: no join multiplies another sum)."""
    return items.annotate(
        qty_in_store=Coalesce(_ledger_sum(STOCK_EXPR), ZERO),
        qty_at_production=Coalesce(_ledger_sum(PRODUCTION_EXPR), ZERO),
    )


def with_shot_count(items: QuerySet) -> QuerySet:
    """Items with shot_count (at receipt plus every production run) and shot_count_x10 (for the 90%
    comparison in whole numbers)."""
    runs = (
        Movement.objects.filter(item=OuterRef("pk"), kind=MovementKind.SHOTS)
        .order_by()
        .values("item")
        .annotate(total=Sum("shots"))
        .values("total")
    )
    return items.annotate(
        shot_count=Coalesce(F("shots_at_receipt"), 0) + Coalesce(Subquery(runs, output_field=IntegerField()), 0),
        shot_count_x10=F("shot_count") * 10,
    )


def with_location(items: QuerySet) -> QuerySet:
    """Items with current_location_id: where the last move put them."""
    last = (
        Movement.objects.filter(item=OuterRef("pk"), kind=MovementKind.MOVED)
        .order_by("-entered_at", "-pk")
        .values("location")[:1]
    )
    return items.annotate(current_location_id=Subquery(last))


def location_label_subquery() -> Subquery:
    """The code and name of the item's current location, as text (for the register's sheets)."""
    last = (
        Movement.objects.filter(item=OuterRef("pk"), kind=MovementKind.MOVED)
        .order_by("-entered_at", "-pk")
        .annotate(label=Concat("location__code", Value(" "), "location__name", output_field=CharField()))
        .values("label")[:1]
    )
    return Subquery(last, output_field=CharField())


# A newer revision in these states is not accepted yet: it does not make the older one obsolete.
NOT_YET_ACCEPTED = (
    ItemState.REGISTERED,
    ItemState.PENDING_VERIFICATION,
    ItemState.NONCONFORMING,
    ItemState.CUSTOMER_NOTIFIED,
)


def with_obsolete(items: QuerySet) -> QuerySet:
    """Items with is_obsolete: a later revision superseding them was accepted."""
    newer = PropertyItem.objects.filter(supersedes=OuterRef("pk")).exclude(state__in=NOT_YET_ACCEPTED)
    return items.annotate(is_obsolete=Exists(newer))


def register_qs() -> QuerySet:
    """The register: every item with its customer, quantities, shots, location and obsolete mark."""
    items = PropertyItem.objects.select_related("customer")
    return with_obsolete(with_location(with_shot_count(with_balance(items))))


def near_shot_limit(items: QuerySet) -> QuerySet:
    """Molds at 90% of their shot limit or beyond (the annotations of with_shot_count)."""
    return items.filter(kind="mold", shot_limit__gt=0, shot_count_x10__gte=F("shot_limit") * 9).exclude(
        state__in=GONE_STATES
    )


def item_detail_qs() -> QuerySet:
    """An item with everything its page shows of it in one query (the location's code and name as text)."""
    return (
        register_qs()
        .annotate(current_location_code=location_label_subquery())
        .select_related("created_by__department", "changed_by", "supersedes")
    )


def item_page_qs() -> QuerySet:
    """An item for its page: its own row, who wrote it, what it supersedes and whether it is obsolete. The
    page reads the item's movements anyway (its log), so the figures come from them (`read_ledger`), not from
    the register's sub-queries (building those is most of the time of a query for one item)."""
    return with_obsolete(
        PropertyItem.objects.select_related("customer", "created_by__department", "changed_by", "supersedes")
    )


def read_ledger(item: PropertyItem, movements: list[Movement]) -> None:
    """Set on the item what the register's annotations give (qty_in_store, qty_at_production, shot_count,
    current_location_id, current_location_code), from all its movements in the order they were entered
    (movements_of): the rules of with_balance, with_shot_count, with_location and location_label_subquery,
    over rows already read. tests/customer_property/test_ledger.py holds the two ways equal."""
    stock_effect = {**STOCK_EFFECT, MovementKind.ADJUSTED: 1}
    stock = at_production = Decimal(0)
    shots = 0
    last_move = None
    for m in movements:
        if m.quantity is not None:
            stock += m.quantity * stock_effect.get(m.kind, 0)
            at_production += m.quantity * PRODUCTION_EFFECT.get(m.kind, 0)
        if m.kind == MovementKind.SHOTS and m.shots is not None:
            shots += m.shots
        if m.kind == MovementKind.MOVED:
            last_move = m
    item.qty_in_store, item.qty_at_production = stock, at_production
    item.shot_count = (item.shots_at_receipt or 0) + shots
    item.current_location_id = last_move.location_id if last_move else None
    location = last_move.location if last_move and last_move.location_id else None
    item.current_location_code = f"{location.code} {location.name}" if location else None


def locations_by_id(ids) -> dict:
    from .models import Location

    return {loc.pk: loc for loc in Location.objects.filter(pk__in={i for i in ids if i})}


def movements_of(item) -> list[Movement]:
    return list(
        Movement.objects.filter(item=item)
        .select_related("entered_by", "location", "attachment")
        .order_by("entered_at", "pk")
    )
