"""`manage.py seed_volume --scale N`: years of records in bulk, for benchmarks (see nhcs/core/volume.py).

At --scale 1: 2,000 customers, 100,000 orders with 300,000 lines, 20,000 change notices, 30,000
complaints with 60,000 corrective actions, ten yearly survey campaigns of 500 answers, 20,000 customer
property items with 200,000 movements. Each area adds its part through `seed_volume(volume)` on its
AppConfig; this command never imports an area.
"""

import time

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def volume_hooks():
    return [(config.label, config.seed_volume) for config in apps.get_app_configs() if hasattr(config, "seed_volume")]


class Command(BaseCommand):
    help = "Fill the database with years of records in bulk (benchmarks). Refuses in production unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="1 = ten years of a busy site (default 0.01)")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument("--seed", type=int, default=18, help="Seed of the random generator.")

    def handle(self, *args, scale, force=False, seed=18, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to write benchmark data. Use --force.")
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        from nhcs.core.volume import Volume

        started = time.monotonic()
        call_command("seed_demo", force=True, people_only=True, stdout=self.stdout)
        volume = Volume(scale=scale, stdout=self.stdout, seed=seed)
        # One transaction per area: PostgreSQL checks the deferred foreign keys of an area's rows at its
        # COMMIT, which costs far less in several smaller commits than in one of ~3 million rows. An area
        # that fails leaves the areas before it written (this is benchmark data; re-seed an empty database).
        for label, hook in volume_hooks():
            t0 = time.monotonic()
            with transaction.atomic():
                hook(volume)
                volume.reset_sequences()
            self.stdout.write(f"{label}: {time.monotonic() - t0:.1f} s")
        if volume.counts:
            from django.db import connection

            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # As autovacuum leaves a live database: statistics for the planner, and the visibility
                    # map that lets index-only scans skip the table.
                    # (VACUUM cannot run in a transaction: inside one, as in the tests, statistics only.)
                    cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        summary = ", ".join(f"{label} {count:,}" for label, count in sorted(volume.counts.items()))
        self.stdout.write(
            self.style.SUCCESS(f"Volume data (scale {scale}) in {time.monotonic() - started:.0f} s: {summary}")
        )
