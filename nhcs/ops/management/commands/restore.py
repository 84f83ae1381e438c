from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nhcs.ops import backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive of `manage.py backup`: checks every checksum first (a damaged or changed "
        "archive is refused and nothing is touched), then replaces the database and MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar archive written by `manage.py backup`.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, archive, interactive=True, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        if interactive:
            answer = input(
                f"This replaces the whole database and every uploaded file with the content of {path}. "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            manifest = backup.restore(archive=path)
        except backup.ArchiveRefused as error:
            raise CommandError(str(error)) from error
        except (OSError, RuntimeError) as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(f"Restored {path}: backup of {manifest['created_at']}, {len(manifest['files'])} members.")
