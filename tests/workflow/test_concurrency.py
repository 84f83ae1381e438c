"""Concurrency on PostgreSQL: row locks decide, so exactly one of two simultaneous actors wins and
record numbers never repeat or skip."""

import threading

import pytest
from django.db import connection, connections

from nhcs.workflow import services
from nhcs.workflow.exceptions import StaleRecord
from nhcs.workflow.models import SignOff
from tests.flowtest.models import Memo

from .helpers import advance, new_memo

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


def test_parallel_creators_get_unique_gap_free_numbers(demo):
    results = run_together([lambda: new_memo(demo["sales"]).number for _ in range(8)])
    numbers = sorted(value for status, value in results if status == "ok")
    assert len(numbers) == 8, results
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 9))


def test_two_actors_one_transition_exactly_one_wins(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    version = memo.version

    def review():
        return services.transition_record(
            record=Memo.objects.get(pk=memo.pk), name="review", user=demo["sales_head"], expected_version=version
        ).state

    def send_back():
        return services.transition_record(
            record=Memo.objects.get(pk=memo.pk),
            name="return_to_draft",
            user=demo["vgm"],
            comment="not now",
            expected_version=version,
        ).state

    results = run_together([review, send_back])
    oks = [r for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], StaleRecord)
    memo.refresh_from_db()
    assert memo.state == oks[0][1]
    assert SignOff.objects.for_record(memo).count() == 2  # submit + the winner


def test_same_transition_twice_without_versions_only_once(demo):
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))

    def review():
        return services.transition_record(
            record=Memo.objects.get(pk=memo.pk), name="review", user=demo["sales_head"]
        ).state

    results = run_together([review, review])
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert SignOff.objects.for_record(memo).filter(transition="review").count() == 1


def test_no_lost_update_on_edits(demo):
    memo = new_memo(demo["sales"])
    version = memo.version

    def edit(text):
        return lambda: (
            services.record_update(
                record=Memo.objects.get(pk=memo.pk),
                user=demo["sales"],
                changes={"body": text},
                expected_version=version,
            ).body
        )

    results = run_together([edit("first"), edit("second")])
    assert sorted(r[0] for r in results) == ["error", "ok"]
    memo.refresh_from_db()
    assert memo.body == next(r[1] for r in results if r[0] == "ok")
