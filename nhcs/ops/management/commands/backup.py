from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nhcs.ops import backup


class Command(BaseCommand):
    help = (
        "Write a backup archive: the database (pg_dump on PostgreSQL, a copy on SQLite) and the files under "
        "MEDIA_ROOT, with a manifest of SHA-256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Archive to write (default: var/backups/nhcs-<time>.tar).")

    def handle(self, *args, output=None, **options):
        try:
            summary = backup.backup(output=Path(output) if output else None)
        except (OSError, RuntimeError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(f"{summary.path} ({summary.files} members, {summary.bytes:,} bytes)")
