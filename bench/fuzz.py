"""The forms fuzzer for longer than the suite gives it: `python bench/fuzz.py [SECONDS]` (default 900).

Runs tests/fuzz with NHCS_FUZZ_SECONDS set; the figures land in var/fuzz-figures.json."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    seconds = sys.argv[1] if len(sys.argv) > 1 else "900"
    env = {**os.environ, "NHCS_FUZZ_SECONDS": seconds}
    sys.exit(
        subprocess.call([sys.executable, "-m", "pytest", "-q", "-s", "-m", "fuzz", "tests/fuzz"], cwd=ROOT, env=env)
    )
