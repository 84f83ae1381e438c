#!/usr/bin/env python
"""`make bench`: run the benchmarks and print the figures to copy into BENCHMARKS.md.

Runs bench/export_bench.py (100,000-row Excel export, one-page record PDF). Results are also written to
bench/out/results.json. Extra arguments go to export_bench.py (e.g. --rows 20000).
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    command = [sys.executable, str(HERE / "export_bench.py"), *sys.argv[1:]]
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    sys.stderr.write(done.stderr)
    if done.returncode:
        return done.returncode
    results = json.loads(done.stdout)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "results.json").write_text(json.dumps(results, indent=2))
    xlsx, pdf = results["xlsx"], results["pdf"]
    traced = results.get("xlsx_tracemalloc")
    print(
        f"Excel list export, {xlsx['rows']:,} rows (streamed): {xlsx['seconds']} s wall, {xlsx['cpu_seconds']} s CPU, "
        f"peak RSS {xlsx['maxrss_mb']} MB (process before export {xlsx['maxrss_mb_before']} MB), "
        + (f"tracemalloc peak {traced['tracemalloc_peak_mb']} MB, " if traced else "")
        + f"file {xlsx['bytes'] / 1e6:.1f} MB "
        f"[target < 15 s, < 300 MB]"
    )
    print(
        f"Record PDF, {pdf['pages']} page: first {pdf['first_seconds']} s (loads fonts), second "
        f"{pdf['second_seconds']} s, third {pdf['third_seconds']} s [target < 1 s]"
    )
    print(f"Load average during the runs: {xlsx['load_average']:.1f} / {pdf['load_average']:.1f} (2 cores)")
    ok = xlsx["seconds"] < 15 and xlsx["maxrss_mb"] < 300 and pdf["second_seconds"] < 1
    print("within targets" if ok else "OUTSIDE TARGETS")
    if not ok and xlsx["cpu_seconds"] < 15 and xlsx["load_average"] > 2:
        print("(the Excel export's CPU time is within 15 s: the wall time suffers from the machine's load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
