"""Demo customer property for `manage.py seed_demo`: a few locations; a mold in use near its shot limit, a
lot of parts in store, a drawing superseded by its next revision, a film found nonconforming and notified,
an item waiting for verification, a fixture damaged and its incident notified."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf

from . import services
from .models import Location, PropertyItem

LOCATIONS = [
    ("WH-A-01", "仓库A区01架 Warehouse A rack 01"),
    ("WH-A-02", "仓库A区02架 Warehouse A rack 02"),
    ("MOLD-R1", "模具架1 Mold rack 1"),
    ("DOC-C1", "资料柜1 Document cabinet 1"),
]


def _verify(item, qa, quantity=None, accept=True, findings=""):
    data = {
        "inspected_on": timezone.localdate(),
        "checks": ["appearance", "quantity", "identification"],
        "criteria": item.acceptance_criteria or "Delivery note and drawing",
        "quantity_found": quantity if quantity is not None else item.quantity,
        "findings": findings,
    }
    return wf.transition_record(record=item, name="accept" if accept else "reject", user=qa, data=data)


def seed(stdout=None) -> None:
    for code, name in LOCATIONS:
        Location.objects.get_or_create(code=code, defaults={"name": name})
    if PropertyItem.objects.filter(customer_asset_number__startswith="DEMO-").exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["sales", "qa", "warehouse", "mfg"])}
    c1 = Customer.objects.filter(code="C001").first()
    c2 = Customer.objects.filter(code="C002").first()
    if len(users) < 4 or not (c1 and c2):
        return
    sales, qa, wh, mfg = users["sales"], users["qa"], users["warehouse"], users["mfg"]
    today = timezone.localdate()
    loc = {lo.code: lo for lo in Location.objects.all()}

    def register(**data):
        data.setdefault("received_on", today - timedelta(days=20))
        data.setdefault("received_from", "客户送货 customer's truck")
        item = services.item_register(user=sales, data=data)
        return wf.transition_record(record=item, name="submit", user=sales)

    def store(item, code):
        return wf.transition_record(record=item, name="store", user=wh, data={"location": loc[code].pk})

    # A mold in use, near its shot limit.
    mold = register(
        customer=c1,
        kind="mold",
        name="4P连接器外壳模具 Housing mold 4P",
        customer_asset_number="DEMO-M-001",
        quantity=Decimal(1),
        unit="set",
        cavity_count=4,
        shots_at_receipt=180000,
        shot_limit=250000,
        acceptance_criteria="模具验收单 Mold acceptance list MA-01",
        storage_requirements="防锈油, 合模存放 Rust-preventive oil, stored closed",
    )
    mold = store(_verify(mold, qa), "MOLD-R1")
    services.movement_post(
        item=mold,
        user=wh,
        entry=services.MovementEntry(
            kind="issued", quantity=Decimal(1), moved_on=today, order_number="DD-2026-0004", place="注塑3号机 IM-3"
        ),
    )
    services.movement_post(
        item=PropertyItem.objects.get(pk=mold.pk),
        user=mfg,
        entry=services.MovementEntry(
            kind="shots", shots=48000, moved_on=today, order_number="DD-2026-0004", place="IM-3"
        ),
    )
    # A lot of parts, partly issued.
    parts = register(
        customer=c2,
        kind="parts",
        name="端子 Terminal T-20",
        customer_asset_number="DEMO-P-020",
        quantity=Decimal(5000),
        unit="pcs",
        storage_requirements="防潮 Keep dry",
    )
    parts = store(_verify(parts, qa), "WH-A-01")
    services.movement_post(
        item=parts,
        user=wh,
        entry=services.MovementEntry(
            kind="issued", quantity=Decimal(1200), moved_on=today, order_number="DD-2026-0004"
        ),
    )
    # A drawing superseded by its next revision.
    old = register(
        customer=c1,
        kind="drawing",
        name="外壳图纸 Housing drawing",
        customer_asset_number="DEMO-D-7",
        quantity=Decimal(1),
        unit="set",
        revision="B",
    )
    store(_verify(old, qa), "DOC-C1")
    new = register(
        customer=c1,
        kind="drawing",
        name="外壳图纸 Housing drawing",
        customer_asset_number="DEMO-D-7",
        quantity=Decimal(1),
        unit="set",
        revision="C",
        supersedes=PropertyItem.objects.get(pk=old.pk),
    )
    store(_verify(new, qa), "DOC-C1")
    # A film that failed verification, the customer notified.
    film = register(
        customer=c2,
        kind="film",
        name="丝印菲林 Silk-screen film",
        customer_asset_number="DEMO-F-3",
        quantity=Decimal(2),
        unit="pcs",
        revision="A",
    )
    film = _verify(film, qa, accept=False, findings="菲林划伤, 图案缺损 Film scratched, pattern incomplete")
    wf.transition_record(record=film, name="notify_customer", user=sales, data={"sent_on": today, "channel": "email"})
    # Waiting for verification.
    register(
        customer=c2,
        kind="tooling",
        name="检具 Checking fixture CF-9",
        customer_asset_number="DEMO-T-9",
        quantity=Decimal(1),
        unit="set",
    )
    # A fixture damaged, the customer notified.
    fixture = register(
        customer=c1,
        kind="tooling",
        name="装配治具 Assembly fixture AF-2",
        customer_asset_number="DEMO-T-2",
        quantity=Decimal(1),
        unit="set",
    )
    fixture = store(_verify(fixture, qa), "WH-A-02")
    incident = services.incident_report(
        item=fixture,
        user=wh,
        data={
            "kind": "damage",
            "occurred_on": today - timedelta(days=1),
            "found_how": "搬运时掉落 Dropped while moving",
            "description": "定位销断裂 Locating pin broken",
            "extent": "一个定位销 One locating pin",
            "quantity": Decimal(1),
        },
    )
    wf.transition_record(
        record=incident, name="notify_customer", user=sales, data={"sent_on": today, "channel": "email"}
    )
    if stdout is not None:
        stdout.write("Demo customer property ready.")
