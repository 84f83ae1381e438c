#!/usr/bin/env python
"""Pages at volume: every list, a record of each type, My tasks, home, statistics — through gunicorn
(2 workers, DEBUG off) on PostgreSQL, each beside the Django admin's change list of the same model, in
one interleaved run. Not a test: `make bench` runs it on the volume databases (manage.py seed_volume).

    python bench/pages.py --database nhcs_vol [--rounds 15] [--label "scale 1"] [--only orders]

Per page: p50 and p95 of the wall time of a GET (client side, keep-alive), the ratio of the page's p50
and p95 to those of its admin change list in the same rounds, the queries it runs (counted in-process
with the test client, same database), and the size of the HTML. Results in bench/out/pages-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PASSWORD = "demo1234"


def bench_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        DEBUG="false",
        SECRET_KEY="bench-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        NHCS_LOGIN_FAILURE_LIMIT="1000",
        DJANGO_SETTINGS_MODULE="nhcs.settings",
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
    )
    return env


def setup_django(database: str) -> None:
    os.environ.update(bench_env(database))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def page_list() -> list[dict]:
    """(name, url, user, admin model) of every page measured, with ids read from the database."""
    from nhcs.accounts.models import User
    from nhcs.workflow.models import Task

    def first(model_path: str, **filters):
        from django.apps import apps

        model = apps.get_model(model_path)
        obj = model.objects.filter(**filters).order_by("-pk").first()
        return obj

    # The busiest head: most open tasks for their department.
    heads = User.objects.filter(position="head", is_active=True)
    busy = max(heads, key=lambda u: Task.objects.filter(status="open", department_id=u.department_id).count())
    pages = []

    def add(name, url, admin, user="sales_head"):
        pages.append({"name": name, "url": url, "admin": admin, "user": user})

    order = first("orders.Order", state="released") or first("orders.Order")
    change = first("orders.ChangeNotice")
    complaint = first("complaints.Complaint", state="investigating") or first("complaints.Complaint")
    action = first("capa.CorrectiveAction")
    item = first("customer_property.PropertyItem")
    campaign = first("satisfaction.Campaign", state="analysed") or first("satisfaction.Campaign")
    customer = first("customers.Customer")
    add(f"My tasks ({busy.username})", "/tasks/", "/admin/workflow/task/", busy.username)
    add("My tasks (planner)", "/tasks/", "/admin/workflow/task/", "planner")
    add(f"home ({busy.username})", "/", "/admin/workflow/task/", busy.username)
    add("orders list, first page", "/orders/", "/admin/orders/order/")
    add("orders sorted by requested date", "/orders/?ordering=requested", "/admin/orders/order/")
    from orders.models import Order

    # Page 500 of 25 (rows 12,476–12,500); the admin at the same depth (its pages of 100 count from 0).
    deep = min(500, max(1, Order.objects.count() // 25))
    add(f"orders, page {deep}", f"/orders/?page={deep}", f"/admin/orders/order/?p={(deep - 1) * 25 // 100}")
    add("orders search (PO)", "/orders/?q=PO2", "/admin/orders/order/?q=PO2")
    if order:
        add("one order", f"/orders/{order.pk}/", "/admin/orders/order/")
    add("shipments (open lines)", "/orders/shipments/", "/admin/orders/shipment/")
    add("shipment log", "/orders/shipments/log/", "/admin/orders/shipment/")
    add("change notices", "/changes/", "/admin/orders/changenotice/")
    if change:
        add("one change notice", f"/changes/{change.pk}/", "/admin/orders/changenotice/")
    add("delay notices", "/delays/", "/admin/orders/delaynotice/")
    add("complaints", "/complaints/", "/admin/complaints/complaint/")
    if complaint:
        add("one complaint", f"/complaints/{complaint.pk}/", "/admin/complaints/complaint/")
    add("complaint analysis", "/complaints/analysis/", "/admin/complaints/complaint/")
    add("corrective actions", "/actions/", "/admin/capa/correctiveaction/")
    if action:
        add("one corrective action", f"/actions/{action.pk}/", "/admin/capa/correctiveaction/")
    add("surveys", "/surveys/", "/admin/satisfaction/campaign/")
    if campaign:
        add("one survey", f"/surveys/{campaign.pk}/", "/admin/satisfaction/response/")
        add("survey statistics", f"/surveys/{campaign.pk}/statistics/", "/admin/satisfaction/response/")
    add("customer property", "/property/", "/admin/customer_property/propertyitem/")
    if item:
        add("one property item", f"/property/{item.pk}/", "/admin/customer_property/propertyitem/")
    add("stock counts", "/property/counts/", "/admin/customer_property/stockcount/")
    add("customers", "/customers/", "/admin/customers/customer/")
    if customer:
        add("one customer", f"/customers/{customer.code}/", "/admin/customers/customer/")
    return pages


def count_queries(pages: list[dict]) -> None:
    """Queries and status of each page and admin page, in-process (test client, same database)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from nhcs.accounts.models import User

    clients = {}
    for page in pages:
        for key, url, username in (("", page["url"], page["user"]), ("admin_", page["admin"], "admin")):
            client = clients.get(username)
            if client is None:
                client = clients[username] = Client()
                client.force_login(User.objects.get(username=username))
            client.get(url)  # warm (caches, templates)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            page[f"{key}status"] = response.status_code
            page[f"{key}queries"] = len(ctx.captured_queries)
            page[f"{key}kb"] = round(len(response.content) / 1024, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database: str, port: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "nhcs.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, cwd=ROOT, env=bench_env(database))
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def login(base: str, username: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    if done.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {done.status_code}")
    return session


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure(base: str, pages: list[dict], rounds: int) -> None:
    sessions = {}
    for page in pages:
        for username in (page["user"], "admin"):
            if username not in sessions:
                sessions[username] = login(base, username)
    for page in pages:  # warm both workers (each has its own caches: templates, the dashboard's figures)
        for _ in range(4):
            sessions[page["user"]].get(base + page["url"])
            sessions["admin"].get(base + page["admin"])
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for page in pages:
            for key, url, username in (("page", page["url"], page["user"]), ("admin", page["admin"], "admin")):
                t0 = time.perf_counter()
                response = sessions[username].get(base + url)
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code}")
                times.setdefault((page["name"], key), []).append(elapsed)
    for page in pages:
        own, admin = times[(page["name"], "page")], times[(page["name"], "admin")]
        page["p50"], page["p95"] = round(statistics.median(own), 1), round(pct(own, 0.95), 1)
        page["admin_p50"], page["admin_p95"] = round(statistics.median(admin), 1), round(pct(admin, 0.95), 1)
        page["ratio_p50"] = round(page["p50"] / page["admin_p50"], 2)
        page["ratio_p95"] = round(page["p95"] / page["admin_p95"], 2)


def table(pages: list[dict], title: str) -> str:
    lines = [
        f"| page ({title}) | p50 ms | p95 ms | admin p50 / p95 ms | × admin (p50 / p95) | queries (admin) | KB |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in pages:
        lines.append(
            f"| {p['name']} | {p['p50']:.0f} | {p['p95']:.0f} | {p['admin_p50']:.0f} / {p['admin_p95']:.0f} | "
            f"{p['ratio_p50']:.2f} / {p['ratio_p95']:.2f} | {p['queries']} ({p['admin_queries']}) | {p['kb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--label", default="")
    parser.add_argument("--only", default="", help="only pages whose name contains one of these (comma-separated)")
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=bench_env(args.database),
        check=True,
    )
    setup_django(args.database)
    pages = page_list()
    if args.only:
        wanted = args.only.split(",")
        pages = [p for p in pages if any(w in p["name"] for w in wanted)]
    count_queries(pages)
    bad = [p for p in pages if p["status"] != 200 or p["admin_status"] != 200]
    if bad:
        print("not 200:", [(p["name"], p["status"], p["admin_status"]) for p in bad], file=sys.stderr)
        return 1
    port = free_port()
    server = start_gunicorn(args.database, port)
    try:
        measure(f"http://127.0.0.1:{port}", pages, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = os.getloadavg()[0]
    OUT.mkdir(exist_ok=True)
    result = {"database": args.database, "label": args.label, "rounds": args.rounds, "load": load, "pages": pages}
    (OUT / f"pages-{args.database}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(table(pages, args.label or args.database))
    print(f"load average {load:.1f} (2 cores), {args.rounds} interleaved rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
