#!/usr/bin/env python
"""`make bench`: every benchmark, printed and written into BENCHMARKS.md (between the volume markers).

1. bench/export_bench.py — the record-sheet machinery alone (100,000 memo rows to Excel, a record PDF).
2. Volume data on PostgreSQL (manage.py seed_volume; created when missing): --database at scale 1 and
   --small at scale 0.01.
3. bench/pages.py on both: every list, a record of each type, My tasks, home, statistics, through
   gunicorn (2 workers, DEBUG off), interleaved with the Django admin's change list of the same model.
4. bench/volume_exports.py: the 100,000-order review-detail list to Excel, an order's review sheet PDF.
5. locust, headless: 50 users for 60 s against gunicorn (bench/locustfile.py).

    python bench/run.py [--database nhcs_vol] [--small nhcs_vol001] [--rounds 15] [--skip memo,pages,exports,load]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
START, END = "<!-- bench:volume:start -->", "<!-- bench:volume:end -->"
# On a machine shared with other work, NHCS_BENCH_NICE=15 keeps the benchmark from taking it over.
NICE = ["nice", "-n", os.environ["NHCS_BENCH_NICE"]] if os.environ.get("NHCS_BENCH_NICE") else []


def run(command, **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(str(c) for c in command), file=sys.stderr)
    return subprocess.run(NICE + [str(c) for c in command], cwd=ROOT, **kwargs)


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def ensure_volume(name: str, scale: float) -> str:
    if database_exists(name):
        return f"{name}: kept (drop it to seed again)"
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}", DEBUG="true")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, check=True)
    started = time.monotonic()
    cpu = os.times()
    run([sys.executable, "manage.py", "seed_volume", "--scale", scale], env=env, check=True)
    after = os.times()
    return (
        f"{name}: seed_volume --scale {scale} in {time.monotonic() - started:.0f} s wall, "
        f"{after.children_user - cpu.children_user:.0f} s CPU (load {os.getloadavg()[0]:.1f})"
    )


def memo_exports() -> str:
    done = run([sys.executable, HERE / "export_bench.py"], capture_output=True, text=True)
    if done.returncode:
        return f"export_bench failed: {done.stderr[-500:]}"
    r = json.loads(done.stdout)
    x, p = r["xlsx"], r["pdf"]
    return (
        f"Memo list, {x['rows']:,} rows to Excel: {x['seconds']} s wall, {x['cpu_seconds']} s CPU, peak "
        f"{x['maxrss_mb']} MB; record PDF second render {p['second_seconds']} s"
    )


def pages(database: str, rounds: int, label: str) -> str:
    done = run(
        [sys.executable, HERE / "pages.py", "--database", database, "--rounds", rounds, "--label", label],
        capture_output=True,
        text=True,
    )
    sys.stderr.write(done.stderr[-2000:])
    return done.stdout.strip()


def volume_exports(database: str) -> str:
    done = run([sys.executable, HERE / "volume_exports.py", "--database", database], capture_output=True, text=True)
    sys.stderr.write(done.stderr[-2000:])
    return done.stdout.strip()


def load_run(database: str, users: int = 50, seconds: int = 60) -> str:
    sys.path.insert(0, str(HERE))
    from pages import bench_env, free_port, start_gunicorn

    env = bench_env(database)
    targets = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json; django.setup();"
            "from bench_sessions import sessions;"
            "from orders.models import Order; from complaints.models import Complaint;"
            "print(json.dumps({'orders': list(Order.objects.order_by('-pk').values_list('pk', flat=True)[:2000]),"
            "'complaints': list(Complaint.objects.order_by('-pk').values_list('pk', flat=True)[:500]),"
            "'submitted_orders': list(Order.objects.filter(state='submitted').values_list('pk', 'version')),"
            "'sessions': sessions()}))",
        ],
        cwd=ROOT,
        env=dict(env, PYTHONPATH=str(HERE)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    OUT.mkdir(exist_ok=True)
    (OUT / "locust-targets.json").write_text(targets)
    port = free_port()
    server = start_gunicorn(database, port)
    try:
        run(
            [
                Path(sys.executable).parent / "locust",
                "-f",
                HERE / "locustfile.py",
                "--headless",
                "-u",
                users,
                "-r",
                10,
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                OUT / "locust",
                "--only-summary",
            ],
            capture_output=True,
            text=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = list(csv.DictReader(open(OUT / "locust_stats.csv")))
    lines = ["| request | count | failures | req/s | p50 ms | p95 ms |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {float(r['Requests/s']):.1f} | "
            f"{r['50%']} | {r['95%']} |"
        )
    total = rows[-1]
    ok = float(total["Requests/s"]) >= 100 and float(total["95%"]) < 500 and total["Failure Count"] == "0"
    lines.append(
        f"\n{users} users, {seconds} s, gunicorn 2 workers, load {os.getloadavg()[0]:.1f}: "
        f"**{float(total['Requests/s']):.1f} req/s, p95 {total['95%']} ms, {total['Failure Count']} failures** "
        f"(target ≥ 100 req/s, p95 < 500 ms, 0 failures: {'met' if ok else 'MISSED'})"
    )
    return "\n".join(lines)


def write_benchmarks(sections: list[tuple[str, str]]) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    body = "\n\n".join(f"### {title}\n\n{content}" for title, content in sections)
    block = f"{START}\n## Volume: latest `make bench` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n{body}\n{END}"
    if START in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="nhcs_vol")
    parser.add_argument("--small", default="nhcs_vol001")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sections = []
    if "memo" not in skip:
        sections.append(("Record-sheet machinery (memos, SQLite)", memo_exports()))
    seeds = [ensure_volume(args.database, 1), ensure_volume(args.small, 0.01)]
    sections.append(("Volume data", "\n".join(f"- {s}" for s in seeds)))
    if "pages" not in skip:
        sections.append(("Pages at scale 1 (100,000 orders)", pages(args.database, args.rounds, "scale 1")))
        sections.append(("Pages at scale 0.01 (1,000 orders)", pages(args.small, args.rounds, "scale 0.01")))
    if "exports" not in skip:
        sections.append(("Exports at scale 1", volume_exports(args.database)))
    if "load" not in skip:
        sections.append(("Load run (locust)", load_run(args.database)))
    for title, content in sections:
        print(f"\n## {title}\n{content}")
    write_benchmarks(sections)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
