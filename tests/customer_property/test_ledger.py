"""The movement ledger (4.8.3, issue item 5): append-only rows whose quantities reconcile with the register,
a movement that would take stock below zero refused with nothing changed, the status following the ledger,
mold shots with a task at 90% of the shot limit, superseded revisions kept off the shop floor."""

import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from customer_property.choices import PRODUCTION_EFFECT, STOCK_EFFECT
from customer_property.models import Movement, PropertyItem
from customer_property.selectors import balance_of, register_qs
from nhcs.workflow.choices import TaskKind, TaskStatus
from nhcs.workflow.exceptions import Blocked
from nhcs.workflow.models import SignOff, Task
from nhcs.workflow.services import date_tasks_refresh

from .conftest import post_movement, reload, verification

pytestmark = pytest.mark.django_db


@contextmanager
def refused(text):
    """The service refuses, saying `text` (among its reasons)."""
    with pytest.raises(Blocked) as error:
        yield
    assert re.search(text, " ".join(error.value.messages())), error.value.messages()


def test_quantities_reconcile_with_the_register(demo, make_item, drive):
    item = drive.stored(
        make_item(quantity=Decimal(100)),
    )
    drive.move(item, "issued", quantity=Decimal(60), order_number="DD-1")
    drive.move(item, "consumed", "mfg", quantity=Decimal(30))
    drive.move(item, "scrapped_in_production", "mfg", quantity=Decimal(5), reason="Bent pins")
    drive.move(item, "returned_from_production", "mfg", quantity=Decimal(10))
    balance = balance_of(item)
    assert (balance.stock, balance.at_production) == (Decimal(50), Decimal(15))
    row = register_qs().get(pk=item.pk)
    assert (row.qty_in_store, row.qty_at_production) == (Decimal(50), Decimal(15))
    # Received = in store + at production + consumed + scrapped.
    assert row.quantity == balance.on_hand + 30 + 5
    assert reload(item).state == "in_use"


def test_a_movement_that_would_make_stock_negative_is_refused_and_nothing_changes(demo, client_for, make_item, drive):
    item = drive.stored(make_item(quantity=Decimal(10)))
    wh = client_for(demo["warehouse"])
    before = (Movement.objects.count(), SignOff.objects.count(), reload(item).version)
    response = post_movement(wh, item, kind="issued", quantity="11", order_number="DD-7")
    assert response.status_code == 400
    assert "Only 10 pcs are in store: 11 cannot be taken out." in response.content.decode()
    assert 'value="DD-7"' in response.content.decode()  # the input kept
    assert (Movement.objects.count(), SignOff.objects.count(), reload(item).version) == before
    assert reload(item).state == "in_storage"
    # Nothing at production: nothing comes back from it.
    drive.move(item, "issued", quantity=Decimal(4))
    with refused("Only 4 pcs are at production"):
        drive.move(item, "consumed", "mfg", quantity=Decimal(5))
    assert balance_of(item).at_production == 4


def test_the_status_follows_the_ledger(demo, make_item, drive):
    item = drive.stored(make_item(quantity=Decimal(10)))
    drive.move(item, "issued", quantity=Decimal(10))
    assert reload(item).state == "in_use"
    drive.move(item, "returned_from_production", "mfg", quantity=Decimal(2))
    assert reload(item).state == "in_use"  # still some at production
    drive.move(item, "consumed", "mfg", quantity=Decimal(8))
    assert reload(item).state == "in_storage"  # the 2 back in store
    drive.move(item, "issued", quantity=Decimal(2))
    drive.move(item, "consumed", "mfg", quantity=Decimal(2))
    item = reload(item)
    assert item.state == "used_up" and item.is_final
    assert [s.transition for s in SignOff.objects.for_record(item)][-4:] == [
        "put_in_use",
        "back_in_storage",
        "put_in_use",
        "use_up",
    ]
    # These follow the ledger only: never offered on the page, never tasks.
    assert not Task.objects.for_record(item).open().exists()


def test_movements_by_state_and_their_reasons(demo, make_item, drive):
    item = drive.accepted(make_item())
    with refused("cannot be “Issued to production”"):
        drive.move(item, "issued", quantity=Decimal(1))
    item = drive.go(item, "store", "warehouse", {"location": drive_location()})
    drive.move(item, "issued", quantity=Decimal(5))
    with refused("Say why it was scrapped"):
        drive.move(item, "scrapped_in_production", "mfg", quantity=Decimal(1))
    with refused("Only a mold records shots"):
        drive.move(item, "shots", "mfg", shots=100)
    with refused("The date cannot be in the future"):
        drive.move(item, "consumed", "mfg", quantity=Decimal(1), moved_on=timezone.localdate().replace(year=2099))


def drive_location():
    from customer_property.models import Location

    return Location.objects.first().pk


def test_movements_are_never_changed_or_deleted(demo, make_item, drive):
    item = drive.stored(make_item())
    movement = Movement.objects.filter(item=item).first()
    with pytest.raises(PermissionError):
        movement.save()
    with pytest.raises(PermissionError):
        movement.delete()
    with pytest.raises(PermissionError):
        Movement.objects.filter(item=item).update(quantity=1)
    with pytest.raises(PermissionError):
        Movement.objects.filter(item=item).delete()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE customer_property_movement SET quantity = 1 WHERE id = %s", [movement.pk])
    assert Movement.objects.get(pk=movement.pk).quantity == 100


def test_a_mold_at_90_percent_of_its_shot_limit_raises_a_task(demo, client_for, make_item, mold_data, drive):
    mold = drive.stored(make_item(**{**mold_data, "shots_at_receipt": 1000, "shot_limit": 10000}))
    drive.move(mold, "issued", quantity=Decimal(1), order_number="DD-2")
    drive.move(mold, "shots", "mfg", shots=7999, order_number="DD-2")
    assert date_tasks_refresh()["raised"] == 0  # 8999 shots: below 90%
    drive.move(mold, "shots", "mfg", shots=1, order_number="DD-2")
    assert date_tasks_refresh()["raised"] == 1
    task = Task.objects.get(kind=TaskKind.DATE, step="shot_limit", status=TaskStatus.OPEN)
    assert task.record_number == mold.number and task.department.code == "SALES"
    assert mold.number in client_for(demo["sales"]).get("/tasks/").content.decode()
    # The register's filter finds it; the limit raised at maintenance (agreed in writing) clears the task.
    listed = client_for(demo["sales"]).get("/property/?near_limit=on").content.decode()
    assert mold.number in listed
    drive.move(mold, "returned_from_production", "mfg", quantity=Decimal(1))
    mold = drive.go(mold, "send_to_maintenance", "mfg", {"reason": "Near limit", "place": "Tool room"})
    mold = drive.go(
        mold,
        "maintenance_done",
        "warehouse",
        {"done_on": timezone.localdate(), "work_done": "Refurbished", "done_by": "Tool room", "new_shot_limit": 50000},
    )
    assert date_tasks_refresh()["cleared"] == 1
    assert mold.number not in client_for(demo["sales"]).get("/property/?near_limit=on").content.decode()


def test_a_superseded_revision_is_marked_obsolete_and_never_issued(demo, client_for, make_item, drive):
    old = drive.stored(make_item(kind="drawing", name="Housing drawing", quantity=Decimal(1), revision="B"))
    drive.move(old, "issued", quantity=Decimal(1))
    new = make_item(kind="drawing", name="Housing drawing", quantity=Decimal(1), revision="C", supersedes=old)
    assert not register_qs().get(pk=old.pk).is_obsolete  # not before the new one is verified
    drive.accepted(new)
    assert register_qs().get(pk=old.pk).is_obsolete
    page = client_for(demo["mfg"]).get(old.get_absolute_url()).content.decode()
    assert "obsolete-warning" in page and new.number in page
    # A superseded one still at production: the warehouse is told to take it back.
    date_tasks_refresh()
    assert Task.objects.get(step="obsolete_at_production", status=TaskStatus.OPEN).record_number == old.number
    drive.move(old, "returned_from_production", "mfg", quantity=Decimal(1))
    with refused(f"Revision B is superseded by {new.number} \\(revision C\\)"):
        drive.move(old, "issued", quantity=Decimal(1))
    date_tasks_refresh()
    assert not Task.objects.filter(step="obsolete_at_production", status=TaskStatus.OPEN).exists()
    assert client_for(demo["sales"]).get("/property/?obsolete=on").content.decode().count('class="item-row"') == 1


def test_drawings_need_a_revision_and_molds_their_shot_data(demo, client_for, make_item, drive):
    drawing = make_item(kind="drawing", name="Drawing", quantity=Decimal(1))
    with refused("Drawings and film need their revision"):
        drive.submitted(drawing)
    mold = make_item(kind="mold", name="Mold", quantity=Decimal(1))
    with refused("A mold needs its cavity count"):
        drive.submitted(mold)


def test_the_quantity_received_is_what_quality_found(demo, make_item, drive):
    item = drive.submitted(make_item(quantity=Decimal(100)))
    item = drive.go(item, "accept", "qa", verification(item, quantity=Decimal(98)))
    assert balance_of(item).stock == 98
    assert PropertyItem.objects.get(pk=item.pk).quantity == 100  # as delivered, on the register


def test_more_refusals_of_the_movement_form(demo, client_for, make_item, mold_data, drive):
    item = drive.stored(make_item(**mold_data))
    with refused("Give the shots of the production run"):
        drive.move(item, "shots", "mfg")
    with refused("Choose the location"):
        drive.move(item, "moved")
    with refused("The date is before the item was received"):
        drive.move(item, "issued", quantity=Decimal(1), moved_on=item.received_on.replace(year=2000))
    with refused("Give the date"):
        drive.move(item, "issued", quantity=Decimal(1), moved_on=None)
    # Sales posts no movement, by the service either.
    from customer_property import services
    from nhcs.workflow.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        services.movement_post(
            item=item, user=demo["sales"], entry=services.MovementEntry(kind="issued", quantity=Decimal(1))
        )
    with pytest.raises(NotAllowed):
        drive.move(item, "received", quantity=Decimal(1))  # a receipt is Quality's verification, not a hand movement


def test_a_move_keeps_no_quantity_typed_with_it(demo, client_for, make_item, drive, shelf):
    item = drive.stored(make_item())
    response = post_movement(client_for(demo["warehouse"]), item, kind="moved", location=shelf.pk, quantity="7")
    assert response.status_code == 302
    moved = Movement.objects.filter(item=item, kind="moved").last()
    assert (moved.location, moved.quantity) == (shelf, 0) and balance_of(item).stock == 100


def test_the_item_page_reads_the_figures_the_register_reads(demo, make_item, mold_data, rack, shelf):
    """The item's page takes its quantities, shots and location from the movements it lists
    (selectors.read_ledger); the register computes them in SQL. Random ledgers of every kind: equal."""
    import random
    from datetime import timedelta

    from customer_property.choices import MovementKind as M
    from customer_property.selectors import location_label_subquery, movements_of, read_ledger

    rng = random.Random(18)
    kinds = list(M)
    start = timezone.now() - timedelta(days=30)
    items = [make_item(quantity=Decimal(100)), make_item(**mold_data), make_item(quantity=Decimal(7))]
    rows = []
    for n, item in enumerate(items):
        for i in range(rng.randrange(0, 40) if n else 0, 40):
            kind = rng.choice(kinds)
            quantity = Decimal(rng.randrange(1, 5000)) / 1000
            if kind == M.ADJUSTED and rng.random() < 0.5:
                quantity = -quantity
            rows.append(
                Movement(
                    item=item,
                    kind=kind,
                    quantity=quantity if kind in (*STOCK_EFFECT, *PRODUCTION_EFFECT, M.ADJUSTED) else 0,
                    shots=rng.randrange(1, 900) if kind == M.SHOTS else None,
                    location=rng.choice([rack, shelf]) if kind == M.MOVED else None,
                    reason="Counted",
                    entered_by=demo["warehouse"],
                    # Several at the same moment: the order falls back to the id, as in the SQL.
                    entered_at=start + timedelta(hours=i // 3),
                )
            )
    Movement.objects.bulk_create(rows)
    figures = ("qty_in_store", "qty_at_production", "shot_count", "current_location_id", "current_location_code")
    for item in [*items, make_item(quantity=Decimal(3))]:  # the last one without any movement
        sql = register_qs().annotate(current_location_code=location_label_subquery()).get(pk=item.pk)
        page = PropertyItem.objects.get(pk=item.pk)
        read_ledger(page, movements_of(page))
        assert [getattr(page, f) for f in figures] == [getattr(sql, f) for f in figures], item.number
    assert any(
        getattr(sql, "current_location_code", None)
        for sql in register_qs().annotate(current_location_code=location_label_subquery())
    )
