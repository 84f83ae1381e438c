"""`manage.py db_worker` with the hang points of tests/resilience/hang.py (test glue)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

if __name__ == "__main__":
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from tests.resilience import hang

    hang.install_from_env()
    execute_from_command_line(["manage.py", "db_worker", *sys.argv[1:]])
