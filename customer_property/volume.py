"""Customer property at volume (manage.py seed_volume, see nhcs/core/volume.py): at scale 1, 20,000 items
received over ten years with 200,000 movements of the ledger (received, issued to production and
returned, production runs of the molds)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from nhcs.customers.models import Customer

from .choices import ItemState, MovementKind, PropertyKind
from .models import Location, Movement, PropertyItem

S = ItemState
ACTIVE = [(S.REGISTERED, 1), (S.PENDING_VERIFICATION, 1), (S.IN_STORAGE, 10), (S.IN_USE, 6), (S.UNDER_MAINTENANCE, 1)]
OLD = [(S.IN_STORAGE, 8), (S.IN_USE, 3), (S.RETURNED, 6), (S.SCRAPPED, 1), (S.USED_UP, 3)]
NAMES = {
    "mold": "注塑模具",
    "tooling": "检具",
    "equipment": "测试设备",
    "parts": "客供料",
    "film": "菲林",
    "drawing": "客户图纸",
    "other": "包装材料",
}


def _pick(rng, weighted):
    return rng.choices([s for s, _w in weighted], [w for _s, w in weighted])[0]


def seed(volume) -> None:
    rng = volume.rng
    count = volume.n(20_000)
    moments = volume.spread(count)
    recent = volume.now - timedelta(days=30)
    codes = dict(Customer.objects.values_list("pk", "code"))
    customers = volume.customer_ids or list(codes)
    locations = list(Location.objects.values_list("pk", flat=True))
    if not locations:
        locations = [Location.objects.create(code="VOL-A1", name="客供品仓 A1").pk]
    warehouse = volume.user("WH")
    rows, states = [], []
    for i, at in enumerate(moments):
        kind = rng.choices(PropertyKind.values, [4, 2, 1, 3, 1, 2, 1])[0]
        state = _pick(rng, ACTIVE if at > recent else OLD)
        molded = kind == PropertyKind.MOLD
        rows.append(
            {
                "customer_id": rng.choice(customers),
                "kind": kind,
                "name": f"{NAMES[kind]} {i + 1}",
                "customer_asset_number": f"CA-{i + 1:06d}",
                "quantity": Decimal(1) if kind in ("mold", "tooling", "equipment") else Decimal(rng.randint(10, 5000)),
                "unit": "pcs",
                "received_on": at.date(),
                "received_from": "客户送货",
                "cavity_count": rng.choice((1, 2, 4, 8)) if molded else None,
                "shots_at_receipt": 0 if molded else None,
                "shot_limit": 500_000 if molded else None,
                "created_by_id": warehouse,
                "created_at": at,
            }
        )
        states.append(state)
    rows = volume.records(PropertyItem, rows, states=states, title=lambda r: f"{codes[r['customer_id']]} {r['name']}")
    movements = []
    per_item = max(1, round(volume.n(200_000) / max(1, len(rows))))
    for row in rows:
        day = row["received_on"]
        quantity = row["quantity"]
        location = rng.choice(locations)
        movements.append(_movement(row, MovementKind.RECEIVED, day, quantity, warehouse, location=location))
        for k in range(per_item - 1):
            day = min(day + timedelta(days=rng.randint(5, 40)), volume.now.date())
            if row["kind"] == PropertyKind.MOLD:
                kinds = (MovementKind.ISSUED, MovementKind.SHOTS, MovementKind.RETURNED_FROM_PRODUCTION)
                kind = kinds[k % 3]
            else:
                kind = MovementKind.ISSUED if k % 2 == 0 else MovementKind.RETURNED_FROM_PRODUCTION
            movement = _movement(row, kind, day, quantity, warehouse, location=location)
            if kind == MovementKind.SHOTS:
                movement["quantity"] = Decimal(0)
                movement["shots"] = rng.randint(1000, 20000)
                movement["order_number"] = f"DD-{day.year}-{rng.randint(1, 9999):04d}"
            movements.append(movement)
    for i in range(0, len(movements), 20000):
        volume.insert(Movement, movements[i : i + 20000])
    volume.log(f"customer property: {len(rows):,} items, {len(movements):,} movements")


def _movement(row, kind, day, quantity, user, *, location=None) -> dict:
    return {
        "item_id": row["id"],
        "kind": kind,
        "moved_on": day,
        "quantity": quantity,
        "location_id": location if kind in (MovementKind.RECEIVED, MovementKind.RETURNED_FROM_PRODUCTION) else None,
        "entered_by_id": user,
        "entered_at": row["created_at"],
    }
