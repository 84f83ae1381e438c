#!/usr/bin/env python
"""Benchmark of the record sheet exports (nhcs.sheets), not a timed test.

1. 100,000 rows to Excel through export_list (write-only workbook, streamed): seconds and peak memory
   of the exporting process (ru_maxrss, and tracemalloc's peak of Python allocations in a second run).
2. A one-page record PDF through export_record: first render (loads fonts) and second render.

Each measurement runs in its own subprocess, so the memory figure is that export's alone. The data
lives in a throw-away SQLite database under bench/out/ (or DATABASE_URL when --database-url is given).

    python bench/export_bench.py [--rows 100000] [--database-url postgres://...] [--engine openpyxl] [--tracemalloc]
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


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "nhcs.settings_test"
    os.environ.setdefault("NHCS_VAR_DIR", str(OUT / "var"))
    import django

    django.setup()


def prepare(rows: int) -> None:
    """Migrate, seed the demo users and make exactly `rows` memos (bulk, outside the workflow)."""
    from django.core.management import call_command

    from nhcs.accounts.models import User
    from tests.flowtest.models import Memo

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="sales").exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))
    bench_rows = Memo.objects.filter(number__startswith="MEMO-BENCH-")
    if bench_rows.count() == rows:
        return
    bench_rows.delete()
    sales = User.objects.get(username="sales")
    batch = []
    for i in range(rows):
        batch.append(
            Memo(
                number=f"MEMO-BENCH-{i:06d}",
                state="draft",
                created_by=sales,
                changed_by=sales,
                title=f"价格通知 {i} Price notice",
                body="x" * (i % 200),
                price_changed=bool(i % 3),
            )
        )
        if len(batch) == 5000:
            Memo.objects.bulk_create(batch)
            batch = []
    Memo.objects.bulk_create(batch)


def _request(username: str):
    from django.test import RequestFactory
    from django.utils import translation

    from nhcs.accounts.models import User

    translation.activate("zh-hans")
    request = RequestFactory().get("/flowtest/memos/export.xlsx")
    request.user = User.objects.get(username=username)
    return request


def measure_xlsx(use_tracemalloc: bool) -> dict:
    from django.conf import settings

    from nhcs.sheets.export import export_list
    from tests.flowtest.models import Memo
    from tests.flowtest.sheets import MEMO_LIST

    # The worker's own work: a list this long is otherwise handed to the background queue (a redirect).
    settings.NHCS_EXPORT_BACKGROUND_ROWS = 10**9
    request = _request("sales_head")  # a manager: every column, the hidden one included
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = time.process_time()
    started = time.perf_counter()
    queryset = Memo.objects.filter(number__startswith="MEMO-BENCH-").select_related("created_by").order_by("number")
    response = export_list(request=request, sheet=MEMO_LIST, queryset=queryset, fmt="xlsx", filename="bench")
    size = 0
    target = OUT / "bench-export.xlsx"
    with open(target, "wb") as fh:
        for chunk in response.streaming_content:
            size += len(chunk)
            fh.write(chunk)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    result = {
        "rows": queryset.count(),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average": os.getloadavg()[0],
        "bytes": size,
        "maxrss_mb_before": round(rss_before / 1024, 1),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if use_tracemalloc:
        import tracemalloc

        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
    from openpyxl import load_workbook

    ws = load_workbook(target, read_only=True).active
    result["xlsx_rows_read_back"] = sum(1 for _ in ws.iter_rows(values_only=True))
    return result


def measure_pdf() -> dict:
    from nhcs.accounts.models import User
    from nhcs.sheets.export import export_record
    from nhcs.workflow import services
    from tests.flowtest.models import Memo
    from tests.flowtest.sheets import MEMO_RECORD

    sales = User.objects.get(username="sales")
    memo = Memo.objects.filter(title="Bench record").first()
    if memo is None:
        memo = services.record_create(model=Memo, user=sales, data={"title": "Bench record", "body": "一页的记录。"})
        memo = services.transition_record(record=memo, name="submit", user=sales, comment="ok")
        memo = services.transition_record(
            record=memo, name="review", user=User.objects.get(username="sales_head"), comment="ok"
        )
    request = _request("qa")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = export_record(request=request, sheet=MEMO_RECORD, record=memo, fmt="pdf")
        timings.append(time.perf_counter() - started)
    cpu_started = time.process_time()
    export_record(request=request, sheet=MEMO_RECORD, record=memo, fmt="pdf")
    cpu = time.process_time() - cpu_started
    (OUT / "bench-record.pdf").write_bytes(response.content)
    from io import BytesIO

    from pypdf import PdfReader

    return {
        "first_seconds": round(timings[0], 3),
        "second_seconds": round(timings[1], 3),
        "third_seconds": round(timings[2], 3),
        "fourth_cpu_seconds": round(cpu, 3),
        "load_average": os.getloadavg()[0],
        "pages": len(PdfReader(BytesIO(response.content)).pages),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def child(args) -> None:
    setup_django(args.database_url)
    from django.conf import settings

    settings.NHCS_XLSX_LIST_ENGINE = args.engine
    if args.child == "prepare":
        prepare(args.rows)
        result = {"prepared": args.rows}
    elif args.child == "xlsx":
        result = measure_xlsx(use_tracemalloc=False)
    elif args.child == "xlsx-tracemalloc":
        result = measure_xlsx(use_tracemalloc=True)
    else:
        result = measure_pdf()
    print(json.dumps(result))


def run_child(name: str, args) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--rows",
        str(args.rows),
        "--database-url",
        args.database_url,
        "--engine",
        args.engine,
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", default="")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the peak of Python allocations (a slow second run)"
    )
    parser.add_argument(
        "--engine",
        default="stream",
        choices=["stream", "openpyxl"],
        help="list writer: the streaming writer (default) or openpyxl's write-only mode",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    args.database_url = args.database_url or f"sqlite:///{OUT / 'bench.sqlite3'}"
    if args.child:
        child(args)
        return {}
    started = time.perf_counter()
    run_child("prepare", args)
    print(f"prepared {args.rows} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    results = {"xlsx": run_child("xlsx", args), "pdf": run_child("pdf", args)}
    if args.tracemalloc:
        # Slow (tracemalloc costs about four times the CPU): the ru_maxrss figure above is the budget's.
        results["xlsx_tracemalloc"] = run_child("xlsx-tracemalloc", args)
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
