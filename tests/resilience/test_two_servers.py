"""Two app servers and two workers on one database (tests/resilience/cluster.py), and what survives a kill.

Conflicting approvals, edits, stock movements and creations are posted at both servers at once by real
sessions: exactly one of two conflicting actions wins, the other is refused with a message (never a 500),
numbers never repeat, nothing is lost. Jobs are taken by the workers of both machines, each run once. A
server killed in the middle of a transition and a worker killed in the middle of an export leave nothing
half-written, and the export is made again by the other worker (the reaper of `db_worker`).
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from . import cluster

pytestmark = [
    pytest.mark.postgres,
    # Under pytest-xdist with --dist loadgroup the module stays on one worker: its servers start once.
    pytest.mark.xdist_group("two_servers"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two servers share one PostgreSQL database"),
]

USERS = ("sales", "qa", "warehouse", "mfg")


class Cluster:
    def __init__(self, db_name, blocker, machines, browsers, items, workdir):
        self.db_name = db_name
        self.blocker = blocker
        self.servers = machines["servers"]
        self.workers = machines["workers"]
        self.browsers = browsers
        self.items = items
        self.workdir = workdir

    @contextmanager
    def db(self):
        with self.blocker.unblock(), cluster.on_database(self.db_name):
            yield

    @property
    def ports(self):
        return [s.port for s in self.servers]


def _seed(items: dict) -> None:
    from django.core.management import call_command

    from customer_property import services
    from customer_property.models import Location
    from nhcs.accounts.models import User
    from nhcs.customers.models import Customer
    from nhcs.workflow import services as wf
    from tests.conftest import rerun_data_migrations

    rerun_data_migrations()
    call_command("seed_demo", force=True, people_only=True, stdout=open(os.devnull, "w"))
    users = {u.username: u for u in User.objects.all()}
    customer = Customer.objects.create(
        code="R001", name_zh="韧性客户", name_en="Resilience customer", language="zh-hans"
    )
    rack = Location.objects.create(code="R-01", name="Rack 01")

    def item(name, quantity=Decimal(5)):
        return services.item_register(
            user=users["sales"],
            data={
                "customer": customer,
                "kind": "parts",
                "name": name,
                "quantity": quantity,
                "unit": "pcs",
                "received_on": timezone.localdate() - timedelta(days=2),
                "received_from": "Customer's truck",
            },
        )

    def go(record, name, username, data=None):
        record = type(record).objects.get(pk=record.pk)
        return wf.transition_record(record=record, name=name, user=users[username], data=data, comment="ok")

    def submitted(name):
        return go(item(name), "submit", "sales")

    def stored(name):
        it = submitted(name)
        it = go(it, "accept", "qa", verification(it))
        return go(it, "store", "warehouse", {"location": rack.pk})

    items["approve"] = submitted("approve me").pk
    items["edit"] = item("edit me").pk
    items["stock"] = stored("issue me").pk
    items["killed_transition"] = submitted("kill me").pk


def verification(item, findings=""):
    return {
        "inspected_on": timezone.localdate().isoformat(),
        "checks": ["appearance", "quantity"],
        "criteria": "Drawing 123",
        "quantity_found": str(item.quantity),
        "findings": findings,
    }


@pytest.fixture(scope="module")
def two(django_db_setup, django_db_blocker, worker_id, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"two-servers-{worker_id}")
    db_name = f"nhcs_two_{worker_id}_{os.getpid()}"
    items: dict = {}
    machines: dict = {"servers": [], "workers": []}
    with django_db_blocker.unblock():
        cluster.copy_database(db_name)
    try:
        with django_db_blocker.unblock(), cluster.on_database(db_name):
            _seed(items)
        ports = [cluster.free_port(), cluster.free_port()]
        env = cluster.environment(db_name, workdir, ports)
        for name, port in zip("AB", ports):
            machines["servers"].append(cluster.start_server(name, env, workdir, port))
            machines["workers"].append(cluster.start_worker(f"worker{name}", env, workdir))
        for server in machines["servers"]:
            cluster.wait_for(lambda s=server: _ready(s), f"server {server.name} to answer")
        browsers = {u: cluster.Browser().login(ports[i % 2], u) for i, u in enumerate(USERS)}
        yield Cluster(db_name, django_db_blocker, machines, browsers, items, workdir)
        for machine in machines["servers"] + machines["workers"]:
            assert "Traceback" not in machine.text(), machine.text()[-3000:]
    finally:
        for machine in machines["servers"] + machines["workers"]:
            machine.terminate()  # all at once, then wait for each
        for machine in machines["servers"] + machines["workers"]:
            machine.stop()
        with django_db_blocker.unblock():
            cluster.drop_database(db_name)


def _ready(server) -> bool:
    if server.proc.poll() is not None:
        raise AssertionError(f"server {server.name} stopped:\n{server.text()[-3000:]}")
    try:
        return cluster.Browser().get(server.port, "/accounts/login/")[0] == 200
    except OSError:
        return False


def _transition_fields(item, name, data=None):
    fields = [
        ("_action", "transition"),
        ("transition_name", name),
        (f"t-{name}-version", item.version),
        (f"t-{name}-transition", name),
        (f"t-{name}-comment", f"{name} by {os.getpid()}"),
    ]
    for key, value in (data or {}).items():
        fields += [(f"d-{name}-{key}", v) for v in (value if isinstance(value, list) else [value])]
    return fields


def _statuses(results):
    for result in results:
        if isinstance(result, Exception):
            raise result
    return sorted(r[0] for r in results)


def test_conflicting_approvals_at_both_servers_exactly_one_wins(two):
    from customer_property.models import PropertyItem
    from nhcs.workflow.models import SignOff

    with two.db():
        item = PropertyItem.objects.get(pk=two.items["approve"])
    qa = two.browsers["qa"]
    url = f"/property/{item.pk}/"
    accept = _transition_fields(item, "accept", verification(item))
    reject = _transition_fields(item, "reject", verification(item, findings="Scratched"))
    a, b = two.ports
    results = cluster.together(
        [
            lambda: qa.tab().post(a, url, accept),
            lambda: qa.tab().post(b, url, reject),
            lambda: qa.tab().post(b, url, accept),  # the same click again, through the other server
        ]
    )
    statuses = _statuses(results)
    assert statuses.count(302) == 1 and all(s in (400, 409) for s in statuses if s != 302), statuses
    refused = next(r for r in results if r[0] != 302)
    assert "alert" in refused[2]  # the reason is shown on the page, the input kept
    with two.db():
        item = PropertyItem.objects.get(pk=item.pk)
        signed = list(SignOff.objects.for_record(item).values_list("transition", flat=True))
    assert signed.count("accept") + signed.count("reject") == 1
    assert item.state == {"accept": "accepted", "reject": "nonconforming"}[signed[-1]]


def test_conflicting_edits_at_both_servers_no_lost_update(two):
    from customer_property.models import PropertyItem

    sales = two.browsers["sales"]
    a, b = two.ports
    path = f"/property/{two.items['edit']}/edit/"
    status, _, html = sales.get(a, path)
    assert status == 200
    form = cluster.Form(html).with_field("version")
    results = cluster.together(
        [
            lambda: sales.tab().post(a, path, {**form, "name": "name typed at A"}),
            lambda: sales.tab().post(b, path, {**form, "name": "name typed at B"}),
        ]
    )
    statuses = _statuses(results)
    assert statuses == [302, 409], statuses
    loser = next(r for r in results if r[0] == 409)
    winner_name = "name typed at A" if results[0][0] == 302 else "name typed at B"
    assert "name typed at" in loser[2] and winner_name not in loser[2].split("<form", 1)[-1]  # the loser's input kept
    with two.db():
        item = PropertyItem.objects.get(pk=two.items["edit"])
    assert item.name == winner_name
    assert item.version == int(form["version"]) + 1


def test_issues_of_the_last_pieces_at_both_servers_never_below_zero(two):
    from customer_property.models import Movement, PropertyItem
    from customer_property.selectors import balance_of

    a, b = two.ports
    pk = two.items["stock"]
    path = f"/property/{pk}/movements/"

    def issue(user, port, order):
        fields = {
            "mv-kind": "issued",
            "mv-quantity": "4",
            "mv-moved_on": timezone.localdate().isoformat(),
            "mv-order_number": order,
        }
        return two.browsers[user].post(port, path, fields)

    results = cluster.together([lambda: issue("warehouse", a, "DD-A"), lambda: issue("mfg", b, "DD-B")])
    statuses = _statuses(results)
    assert statuses.count(302) == 1 and statuses.count(400) == 1, statuses
    with two.db():
        item = PropertyItem.objects.get(pk=pk)
        balance = balance_of(item)
        issued = list(Movement.objects.filter(item=item, kind="issued").values_list("order_number", flat=True))
    assert (balance.stock, balance.at_production) == (Decimal(1), Decimal(4))
    assert len(issued) == 1 and item.state == "in_use"


def test_creations_at_both_servers_get_unique_gap_free_numbers(two):
    from customer_property.models import PropertyItem

    sales = two.browsers["sales"]
    a, b = two.ports
    status, _, html = sales.get(a, "/property/new/")
    assert status == 200
    form = cluster.Form(html).with_field("received_from")
    with two.db():
        customer = str(PropertyItem.objects.values_list("customer_id", flat=True).first())
        before = set(PropertyItem.objects.values_list("number", flat=True))
    form.update(
        {
            "customer": customer,
            "kind": "parts",
            "quantity": "3",
            "unit": "pcs",
            "received_on": timezone.localdate().isoformat(),
            "received_from": "Truck",
        }
    )
    calls = [
        lambda i=i: sales.tab().post((a, b)[i % 2], "/property/new/", {**form, "name": f"new {i}"}) for i in range(6)
    ]
    statuses = _statuses(cluster.together(calls))
    assert statuses == [302] * 6, statuses
    with two.db():
        numbers = sorted(set(PropertyItem.objects.values_list("number", flat=True)) - before)
        everything = sorted(PropertyItem.objects.values_list("number", flat=True))
    assert len(numbers) == 6
    sequence = [int(n.rsplit("-", 1)[1]) for n in everything]
    assert sequence == list(range(sequence[0], sequence[0] + len(sequence))), everything


def test_jobs_are_taken_by_the_workers_of_both_machines_each_run_once(two):
    from django_tasks_db.models import DBTaskResult

    from nhcs.mail.models import Mail
    from nhcs.mail.services import mail_queue

    with two.db():
        mails = [
            m.pk
            for i in range(24)
            for m in mail_queue(to=[f"user{i}@example.com"], subject=f"load-{i}", body="x", kind="task")
        ]

    def all_sent():
        with two.db():
            return Mail.objects.filter(pk__in=mails, status="sent").count() == len(mails)

    cluster.wait_for(all_sent, "the 24 mails to be sent", every=0.3)
    with two.db():
        jobs = list(DBTaskResult.objects.filter(task_path__endswith="send_mail").values_list("worker_ids", "status"))
    assert all(len(ids) == 1 and status == "SUCCESSFUL" for ids, status in jobs), jobs
    sent = "".join(p.read_text(errors="replace") for p in (two.workdir / "mails").glob("*.log"))
    for i in range(24):
        assert sent.count(f"Subject: load-{i}\n") == 1, i
    takers = {ids[0].rsplit("-", 1)[0] for ids, _ in jobs}
    assert takers <= {"workerA", "workerB"}


def test_a_server_killed_in_the_middle_of_a_transition_leaves_nothing_half_written(two):
    from customer_property.models import PropertyItem
    from nhcs.workflow.models import SignOff

    qa = two.browsers["qa"]
    a, b = two.ports
    server = two.servers[0]
    with two.db():
        item = PropertyItem.objects.get(pk=two.items["killed_transition"])
        signed = SignOff.objects.for_record(item).count()
    url = f"/property/{item.pk}/"
    fields = _transition_fields(item, "accept", verification(item))
    server.hang()  # the next commit on server A waits: every row of the transition written, none committed
    try:
        post = cluster.in_background(lambda: qa.tab().request(a, "POST", url, fields))
        pid = cluster.wait_for(server.reached, "server A to reach the commit of the transition")
        os.kill(pid, signal.SIGKILL)
        post.join(cluster.TIMEOUT)
    finally:
        server.release()
    with two.db():
        again = PropertyItem.objects.get(pk=item.pk)
        assert (again.state, again.version) == (item.state, item.version)
        assert SignOff.objects.for_record(item).count() == signed
    # The row lock died with the server's connection: the same approval through the other server goes through.
    status, _, html = qa.post(b, url, fields)
    assert status == 302, html[:500]
    with two.db():
        assert PropertyItem.objects.get(pk=item.pk).state == "accepted"
        assert list(SignOff.objects.for_record(item).values_list("transition", flat=True)).count("accept") == 1
    cluster.wait_for(lambda: _ready(server), "server A's new worker")


def test_a_worker_killed_in_the_middle_of_an_export_leaves_no_file_and_the_export_is_made_again(two):
    from django_tasks_db.models import DBTaskResult
    from openpyxl import load_workbook

    from nhcs.sheets.models import ExportFile

    sales = two.browsers["sales"]
    a, b = two.ports
    for worker in two.workers:
        worker.hang()  # whichever worker takes the export stops at its progress report, inside the file
    try:
        status, where, _ = sales.get(a, "/property/register.xlsx")
        assert status == 302 and "/exports/" in where, (status, where)
        token = where.rstrip("/").rsplit("/", 1)[1]
        pid = cluster.wait_for(
            lambda: next(filter(None, (w.reached() for w in two.workers)), None), "a worker mid-export"
        )
        killed = next(w for w in two.workers if w.reached() == pid)
        os.kill(pid, signal.SIGKILL)
        killed.proc.wait(30)
    finally:
        for worker in two.workers:
            worker.release()
    with two.db():
        export = ExportFile.objects.get(token=token)
        final = Path(two.workdir / "media" / "exports" / f"{token}.xlsx")
        assert export.status == "running" and not final.exists()

    def made():
        with two.db():
            return ExportFile.objects.get(token=token).status == "done"

    cluster.wait_for(made, "the surviving worker to make the export again", every=0.3)
    with two.db():
        job = DBTaskResult.objects.get(task_path__endswith="export_run", args_kwargs__kwargs__export_id=export.pk)
    assert job.status == "SUCCESSFUL" and len(job.worker_ids) == 2, (job.status, job.worker_ids)
    assert not final.with_name(final.name + ".part").exists()
    sheet = load_workbook(final, read_only=True).active
    assert sheet.max_row >= 4  # the register's heading rows and the items
    status, _, html = sales.get(b, f"/exports/{token}/")
    assert status == 200 and f"/exports/{token}/file/" in html
