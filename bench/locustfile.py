"""The load run of `make bench` (bench/run.py starts gunicorn and runs locust headless against it): 50
logged-in users for 60 s mixing lists, records, My tasks and the home page with form posts — the
planner opening the technical review of submitted orders (an approval through the engine, one per order)
and filtered list searches. Targets (record ids, submitted orders with their versions) come from
bench/out/locust-targets.json, written by bench/run.py from the volume database."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

TARGETS = json.loads((Path(__file__).resolve().parent / "out" / "locust-targets.json").read_text())
# Heads read every kind of record (a staff member would get 404 for another department's records).
READERS = itertools.cycle(["sales_head", "qa_head", "planning_head"])
SUBMITTED = list(TARGETS["submitted_orders"])  # (pk, version): each is approved once
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)
    username = ""

    def on_start(self):
        # A session made beforehand (bench/bench_sessions.py): the run measures pages, not password hashing.
        self.username = self.username or next(READERS)
        self.client.cookies.set("sessionid", TARGETS["sessions"][self.username])


class Staff(Session):
    weight = 9

    @task(4)
    def orders(self):
        page = random.choice(["", "?page=2", "?ordering=requested", "?page=400", "?state=released"])
        self.client.get(f"/orders/{page}", name="/orders/")

    @task(2)
    def order_search(self):
        self.client.get(f"/orders/?q=PO{random.randint(10, 26)}", name="/orders/?q=")

    @task(3)
    def order(self):
        self.client.get(f"/orders/{random.choice(TARGETS['orders'])}/", name="/orders/<pk>/")

    @task(3)
    def my_tasks(self):
        self.client.get("/tasks/", name="/tasks/")

    @task(2)
    def home(self):
        self.client.get("/", name="/")

    @task(2)
    def complaints(self):
        self.client.get("/complaints/", name="/complaints/")

    @task(1)
    def complaint(self):
        self.client.get(f"/complaints/{random.choice(TARGETS['complaints'])}/", name="/complaints/<pk>/")

    @task(1)
    def changes(self):
        self.client.get("/changes/", name="/changes/")

    @task(1)
    def property(self):
        self.client.get("/property/", name="/property/")

    @task(1)
    def actions(self):
        self.client.get("/actions/", name="/actions/")


class Planner(Session):
    """Approves: opens the technical review of submitted orders (a signed transition each), and reads
    the orders and the tasks (a planner reads no complaint or property record: those would be 404s)."""

    weight = 1
    username = "planner"

    @task(6)
    def open_review(self):
        if not SUBMITTED:
            return
        pk, version = SUBMITTED.pop()
        page = self.client.get(f"/orders/{pk}/", name="/orders/<pk>/")
        token = TOKEN.search(page.text)
        if token is None:
            return
        self.client.post(
            f"/orders/{pk}/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "_action": "transition",
                "transition_name": "start_review",
                "t-start_review-transition": "start_review",
                "t-start_review-comment": "评审开始",
                "t-start_review-version": version,
            },
            headers={"Referer": f"{self.client.base_url}/orders/{pk}/"},
            name="POST /orders/<pk>/ (open review)",
        )

    @task(2)
    def orders(self):
        Staff.orders(self)

    @task(2)
    def my_tasks(self):
        Staff.my_tasks(self)

    @task(2)
    def order(self):
        Staff.order(self)
