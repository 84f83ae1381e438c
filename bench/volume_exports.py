#!/usr/bin/env python
"""Exports at volume (manage.py seed_volume data on PostgreSQL): the orders' review-detail list
(生产计划及评审明细表, every order the list shows) to Excel, and one order's review sheet to PDF.

Each measurement runs in its own process, so its peak memory (ru_maxrss) is that export's alone. The
Excel list runs the code the worker runs for a long export (export_list, streamed, chunks of 2,000).

    python bench/volume_exports.py --database nhcs_vol [--limit 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def _request(path: str, username: str):
    from django.test import RequestFactory
    from django.utils import translation

    from nhcs.accounts.models import User

    translation.activate("zh-hans")
    request = RequestFactory().get(path)
    request.user = User.objects.get(username=username)
    return request


def measure_review_xlsx(limit: int) -> dict:
    from django.conf import settings

    from nhcs.sheets.export import export_list
    from orders import sheets
    from orders.models import Order

    settings.NHCS_EXPORT_BACKGROUND_ROWS = 10**9  # the job's own work, without the queue around it
    request = _request("/orders/sheets/review-detail.xlsx", "sales_head")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = time.process_time()
    started = time.perf_counter()
    ids = Order.objects.order_by("number").values("pk")[:limit]
    queryset = sheets.review_queryset(Order.objects.filter(pk__in=ids).select_related("customer"))
    response = export_list(
        request=request, sheet=sheets.REVIEW_DETAIL, queryset=queryset, fmt="xlsx", filename="bench-review"
    )
    size = 0
    with open(OUT / "bench-review.xlsx", "wb") as fh:
        for chunk in response.streaming_content if response.streaming else [response.content]:
            size += len(chunk)
            fh.write(chunk)
    return {
        "rows": min(limit, Order.objects.count()),
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu_before, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "bytes": size,
        "maxrss_mb_before": round(rss_before / 1024, 1),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure_record_pdf() -> dict:
    from nhcs.sheets.export import export_record
    from orders import sheets
    from orders.models import Order

    order = Order.objects.filter(state="shipped").order_by("-pk").first()
    request = _request(f"/orders/{order.pk}/sheets/review.pdf", "sales_head")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        export_record(
            request=request,
            sheet=sheets.ORDER_REVIEW,
            record=order,
            fmt="pdf",
            context=sheets.order_review_context(order=order, user=request.user),
            filename="bench",
        )
        timings.append(round(time.perf_counter() - started, 3))
    return {
        "first_seconds": timings[0],
        "second_seconds": timings[1],
        "third_seconds": timings[2],
        "load_average": round(os.getloadavg()[0], 1),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--limit", type=int, default=100_000)
    parser.add_argument("--child", choices=["xlsx", "pdf"])
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        from pages import bench_env

        os.environ.update(bench_env(args.database))
        os.environ["DEBUG"] = "false"
        import django

        django.setup()
        result = measure_review_xlsx(args.limit) if args.child == "xlsx" else measure_record_pdf()
        print(json.dumps(result))
        return 0
    OUT.mkdir(exist_ok=True)
    results = {}
    for name in ("xlsx", "pdf"):
        done = subprocess.run(
            [sys.executable, __file__, "--database", args.database, "--limit", str(args.limit), "--child", name],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode:
            sys.stderr.write(done.stderr)
            return done.returncode
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    (OUT / f"exports-{args.database}.json").write_text(json.dumps(results, indent=2))
    x, p = results["xlsx"], results["pdf"]
    print(
        f"review-detail list to Excel, {x['rows']:,} orders: {x['seconds']} s wall, {x['cpu_seconds']} s CPU, "
        f"peak {x['maxrss_mb']} MB (before {x['maxrss_mb_before']} MB), {x['bytes'] / 1e6:.1f} MB, load {x['load_average']}"
    )
    print(
        f"order review sheet PDF: {p['first_seconds']} s first, {p['second_seconds']} s second, "
        f"{p['third_seconds']} s third, peak {p['maxrss_mb']} MB, load {p['load_average']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
