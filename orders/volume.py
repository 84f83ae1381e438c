"""Orders at volume (manage.py seed_volume, see nhcs/core/volume.py): at scale 1, 100,000 orders over ten
years with 300,000 lines (the delivered ones with their shipments) and 20,000 change notices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from nhcs.customers.models import Customer

from .choices import ChangeKind, ChangeNoticeState, Currency, OrderState, RequirementItem, RequirementStatus
from .models import ChangeItem, ChangeNotice, Order, OrderLine, Shipment

S = OrderState
# Where the last months' orders rest: spread over the review flow.
ACTIVE = [
    (S.DRAFT, 4),
    (S.SUBMITTED, 3),
    (S.IN_REVIEW, 6),
    (S.REVIEWED, 2),
    (S.RETURNED, 1),
    (S.DATE_REPLIED, 3),
    (S.DATE_CONFIRMED, 2),
    (S.VGM_APPROVED, 1),
    (S.APPROVED, 1),
    (S.RELEASED, 8),
    (S.PARTLY_SHIPPED, 5),
]
PARTS = [f"NH-{k:04d}" for k in range(1, 400)]
C = ChangeNoticeState
CHANGE_ACTIVE = [
    (C.DRAFT, 2),
    (C.SUBMITTED, 2),
    (C.UNDER_REVIEW, 3),
    (C.NEGOTIATED, 1),
    (C.ACCEPTED, 1),
    (C.HEAD_REVIEWED, 1),
    (C.VGM_APPROVED, 1),
    (C.GM_APPROVED, 1),
    (C.ISSUED, 2),
]


def _weighted(rng, choices):
    states = [s for s, _w in choices]
    weights = [w for _s, w in choices]
    return rng.choices(states, weights)[0]


def seed(volume) -> None:
    orders = seed_orders(volume)
    seed_change_notices(volume, orders)


def seed_orders(volume) -> list[dict]:
    rng = volume.rng
    count = volume.n(100_000)
    moments = volume.spread(count)
    recent = volume.now - timedelta(days=120)
    sales = volume.users_by_role.get(("SALES", "staff")) or [volume.user("SALES")]
    rows, states, lines, shipments = [], [], [], []
    line_ids = iter(volume.new_ids(OrderLine, count * 4))
    for i, at in enumerate(moments):
        if at > recent:
            state = _weighted(rng, ACTIVE)
        else:
            state = S.CANCELLED if rng.random() < 0.04 else S.SHIPPED
        po_date = (at - timedelta(days=rng.randint(0, 5))).date()
        row = {
            "customer_id": rng.choice(volume.customer_ids),
            "po_number": f"PO{at:%y%m}{i:06d}",
            "po_date": po_date,
            "created_by_id": rng.choice(sales),
            "created_at": at,
            "remarks": "" if rng.random() < 0.8 else "按客户图纸 rev.B 包装",
        }
        for item in RequirementItem:
            row[f"req_{item.value}"] = RequirementStatus.IDENTIFIED if state != S.DRAFT else ""
        if state not in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.RETURNED):
            row["committed_date"] = po_date + timedelta(days=rng.randint(20, 60))
            row["confirmed_on"] = po_date + timedelta(days=rng.randint(2, 6))
        rows.append(row)
        states.append(state)
    for row in rows:
        row["_lines"] = []
        currency = Currency.CNY if rng.random() < 0.8 else Currency.USD
        for k in range(rng.choice((2, 3, 3, 4))):
            line = {
                "id": next(line_ids),
                "part_number": rng.choice(PARTS),
                "description": f"精密零件 {k + 1}",
                "quantity": Decimal(rng.randint(1, 200) * 50),
                "unit": "pcs",
                "unit_price": Decimal(rng.randint(100, 99999)) / 100,
                "currency": currency,
                "requested_date": row["po_date"] + timedelta(days=rng.randint(25, 70)),
                "cancelled": False,
            }
            row["_lines"].append(line)
        row["first_requested"] = min(line["requested_date"] for line in row["_lines"])
    codes = dict(Customer.objects.values_list("pk", "code"))
    rows = volume.records(
        Order,
        rows,
        states=states,
        content=_order_content,
        title=lambda r: f"{codes[r['customer_id']]} PO {r['po_number']}",
    )
    shipper = volume.user("WH")
    for row in rows:
        row["_first_line"] = row["_lines"][0]["id"]
        for line in row.pop("_lines"):
            line["order_id"] = row["id"]
            line["_at"], line["_by"] = row["created_at"], row["created_by_id"]
            lines.append(line)
            if row["state"] in (S.SHIPPED, S.PARTLY_SHIPPED):
                full = row["state"] == S.SHIPPED or volume.rng.random() < 0.5
                quantity = line["quantity"] if full else (line["quantity"] / 2).quantize(Decimal("1"))
                shipped_on = min(row["committed_date"], volume.now.date())
                shipments.append(
                    {
                        "line_id": line["id"],
                        "shipped_on": shipped_on,
                        "quantity": quantity,
                        "delivery_note": f"SH{row['id']:07d}",
                        "entered_by_id": shipper,
                        "entered_at": row["state_changed_at"],
                        "source": "hand",
                    }
                )
    for i in range(0, len(lines), 20000):
        volume.insert(OrderLine, lines[i : i + 20000])
    volume.child_history(OrderLine, lines)
    for i in range(0, len(shipments), 20000):
        volume.insert(Shipment, shipments[i : i + 20000])
    volume.log(f"orders: {len(rows):,}, lines {len(lines):,}, shipments {len(shipments):,}")
    return rows


def _order_content(row) -> dict:
    """Order.content_for_hash() of the row as written (lines; no BOM or clarifications at volume)."""
    data = {}
    for f in Order._meta.concrete_fields:
        if f.name in Order.BOOKKEEPING_FIELDS:
            continue
        data[f.attname] = row.get(f.attname, f.get_default() if f.has_default() else None)
    data.pop("approval_rule_id", None)
    keys = ("part_number", "description", "quantity", "unit", "unit_price", "currency", "requested_date")
    data["lines"] = [{k: line[k] for k in keys} for line in row["_lines"]]
    data["bom"] = []
    data["clarifications"] = []
    return data


def seed_change_notices(volume, orders: list[dict]) -> None:
    rng = volume.rng
    released = [o for o in orders if o["state"] in (S.RELEASED, S.PARTLY_SHIPPED, S.SHIPPED)]
    if not released:
        return
    count = volume.n(20_000)
    picked = sorted(rng.choices(released, k=count), key=lambda o: o["created_at"])
    recent = volume.now - timedelta(days=60)
    rows, states, items = [], [], []
    for order in picked:
        at = min(order["created_at"] + timedelta(days=rng.randint(3, 30)), volume.now - timedelta(hours=1))
        state = _weighted(rng, CHANGE_ACTIVE) if at > recent else (C.CLOSED if rng.random() < 0.93 else C.WITHDRAWN)
        rows.append(
            {
                "order_id": order["id"],
                "reason": "客户来函要求调整交期",
                "customer_request_on": at.date(),
                "created_by_id": order["created_by_id"],
                "created_at": at,
                "_order": order,
            }
        )
        states.append(state)
    codes = dict(Customer.objects.values_list("pk", "code"))
    rows = volume.records(
        ChangeNotice,
        rows,
        states=states,
        content=_change_content,
        title=lambda r: f"{r['_order']['number']} · {codes[r['_order']['customer_id']]} PO {r['_order']['po_number']}",
    )
    for row in rows:
        order = row.pop("_order")
        row.pop("_items", None)
        items.append(
            {
                "notice_id": row["id"],
                "kind": ChangeKind.REQUESTED_DATE,
                "line_id": order["_first_line"],
                "old_date": order["po_date"] + timedelta(days=40),
                "new_date": order["po_date"] + timedelta(days=50),
                "_at": row["created_at"],
                "_by": row["created_by_id"],
            }
        )
    volume.insert(ChangeItem, items)
    volume.child_history(ChangeItem, items)
    volume.log(f"change notices: {len(rows):,}")


def _change_content(row) -> dict:
    data = {}
    for f in ChangeNotice._meta.concrete_fields:
        if f.name in ChangeNotice.BOOKKEEPING_FIELDS:
            continue
        data[f.attname] = row.get(f.attname, f.get_default() if f.has_default() else None)
    return data
