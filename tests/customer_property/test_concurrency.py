"""Two movements posted at once on PostgreSQL: the item's row lock decides, so stock never goes below zero
and exactly one of two issues of the last piece wins."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from customer_property import services
from customer_property.models import Movement, PropertyItem
from customer_property.selectors import balance_of
from nhcs.workflow.exceptions import Blocked

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_issues_of_the_last_pieces_at_once_exactly_one_wins(demo, make_item, drive):
    item = drive.stored(make_item(quantity=Decimal(5)))

    def issue(username, order):
        with translation.override("en"):
            return _issue(username, order)

    def _issue(username, order):
        return services.movement_post(
            item=PropertyItem.objects.get(pk=item.pk),
            user=demo[username],
            entry=services.MovementEntry(
                kind="issued", quantity=Decimal(4), moved_on=timezone.localdate(), order_number=order
            ),
        ).order_number

    results = run_together([lambda: issue("warehouse", "DD-A"), lambda: issue("mfg", "DD-B")])
    oks = [value for status, value in results if status == "ok"]
    errors = [value for status, value in results if status == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], Blocked) and "Only 1 pcs are in store" in str(errors[0].messages())
    assert list(Movement.objects.filter(item=item, kind="issued").values_list("order_number", flat=True)) == oks
    balance = balance_of(item)
    assert (balance.stock, balance.at_production) == (Decimal(1), Decimal(4))
    assert PropertyItem.objects.get(pk=item.pk).state == "in_use"
