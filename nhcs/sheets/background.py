"""Long exports in the background: `export_list` and `export_record` (nhcs.sheets.export) decide, so every
area's exports get it without a line of their own.

- A list of more than settings.NHCS_EXPORT_BACKGROUND_ROWS rows (2,000) in Excel, more than
  NHCS_EXPORT_BACKGROUND_PDF_ROWS (200) in PDF, up to the PDF cap NHCS_PDF_MAX_ROWS (500), or a record sheet whose `size(record)` (the rows it prints)
  passes NHCS_EXPORT_BACKGROUND_RECORD_ROWS (100, a few pages), is not made in the request: an ExportFile
  remembers who asked for which export address (with its filters) in which language, the job `export_run`
  is queued, and the user goes to the export's page (/exports/<token>/), where a progress bar follows the
  rows written and the file is offered once ready.
- The worker opens the same export address as that user (so the permission checks run again) with the
  ExportFile set as the current job: export_list/export_record then write the file instead of answering,
  counting the rows as they go. The file is written beside its final name and renamed when complete; a
  failure removes it.
- The file lies under MEDIA_ROOT/exports/ with an unguessable name, is served only to the user who asked
  (everyone else: 404) and deleted with its row after NHCS_EXPORT_KEEP_HOURS (24) — pruned whenever an
  export starts or finishes.
- A worker killed mid-job leaves the export "being made" without progress: when its page sees no progress
  for NHCS_EXPORT_STALE_MINUTES (10), it queues the job again (at most 3 attempts), so it is retried, not
  lost.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nhcs.jobs import task
from nhcs.ops.storage import is_disk_full

from .models import ExportFile

MAX_ATTEMPTS = 3
PROGRESS_EVERY = 250

_current: ContextVar[ExportFile | None] = ContextVar("nhcs_export_job", default=None)


def list_threshold(fmt: str) -> int:
    if fmt == "pdf":
        return int(getattr(settings, "NHCS_EXPORT_BACKGROUND_PDF_ROWS", 200))
    return int(getattr(settings, "NHCS_EXPORT_BACKGROUND_ROWS", 2000))


def record_threshold() -> int:
    return int(getattr(settings, "NHCS_EXPORT_BACKGROUND_RECORD_ROWS", 100))


def keep() -> timedelta:
    return timedelta(hours=float(getattr(settings, "NHCS_EXPORT_KEEP_HOURS", 24)))


def stale() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "NHCS_EXPORT_STALE_MINUTES", 10)))


def current() -> ExportFile | None:
    """The export this worker is making now (None in a web request)."""
    return _current.get()


def file_path(export: ExportFile) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"{export.token}.{export.fmt}"


def prune() -> int:
    """Remove the exports (files and rows) older than the retention period."""
    old = list(ExportFile.objects.filter(created_at__lt=timezone.now() - keep()))
    for export in old:
        file_path(export).unlink(missing_ok=True)
    ExportFile.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)


def start(request, *, filename: str, fmt: str, total: int) -> HttpResponse:
    """Queue the export the request asks for; the user goes to its page."""
    prune()
    export = ExportFile.objects.create(
        token=secrets.token_urlsafe(32),
        user=request.user,
        path=request.get_full_path()[:2000],
        filename=filename if filename.lower().endswith("." + fmt) else f"{filename}.{fmt}",
        fmt=fmt,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=total,
    )
    _enqueue(export)
    return HttpResponseRedirect(reverse("sheets:export_status", args=[export.token]))


def _enqueue(export: ExportFile) -> None:
    transaction.on_commit(lambda: export_run.enqueue(export_id=export.pk), robust=True)


def requeue_if_lost(export: ExportFile) -> bool:
    """An export without progress for a while (its worker was killed) is queued again, a few times."""
    if export.status not in (ExportFile.Status.QUEUED, ExportFile.Status.RUNNING):
        return False
    if export.updated_at > timezone.now() - stale():
        return False
    if export.attempts >= MAX_ATTEMPTS:
        ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.FAILED, error=interrupted_reason())
        return False
    ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.QUEUED, rows_done=0)
    _enqueue(export)
    return True


def interrupted_reason() -> str:
    return _("The export was interrupted several times.")


def disk_full_reason() -> str:
    return _(
        "The server's disk is full: the export could not be written. Please tell the system administrator and "
        "ask for it again later."
    )


def user_reasons(export: ExportFile) -> set[str]:
    """The failure reasons written for the user (in the export's language), shown on its page; any other
    error text is for the administrator."""
    with translation.override(export.language):
        return {interrupted_reason(), disk_full_reason()}


def progress(count: int) -> None:
    """Rows written so far (the job's writers call it every few hundred rows)."""
    export = current()
    if export is not None:
        ExportFile.objects.filter(pk=export.pk).update(rows_done=count, updated_at=timezone.now())


def counting(objects, total: int | None = None):
    """The objects, reporting progress as they are taken."""
    count = 0
    for obj in objects:
        yield obj
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count)
    progress(count)


@contextmanager
def writing(export: ExportFile):
    """A binary file to write the export into: renamed to its final name when complete, removed on failure
    (a full disk leaves no truncated file behind)."""
    final = file_path(export)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".part")
    try:
        with open(partial, "wb") as out:
            yield out
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.DONE, file=str(final.relative_to(settings.MEDIA_ROOT)), updated_at=timezone.now()
    )


def finished(export: ExportFile) -> HttpResponse:
    """What export_list/export_record answer in a job once the file is written."""
    return HttpResponse("done", content_type="text/plain")


@task()
def export_run(*, export_id: int) -> str:
    """Make one export (see the module docstring)."""
    from django.test import RequestFactory
    from django.urls import resolve

    export = ExportFile.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status in (ExportFile.Status.DONE, ExportFile.Status.FAILED):
        return "nothing to do"
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost") or "localhost"
    request = RequestFactory().get(export.path, HTTP_HOST=host)
    request.user = export.user
    match = resolve(request.path_info)
    token = _current.set(export)
    try:
        with translation.override(export.language):
            response = match.func(request, *match.args, **match.kwargs)
    except OSError as error:
        if not is_disk_full(error):
            ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.FAILED, error=str(error)[:2000])
            raise
        # `writing` removed the partial file; the user reads why in their language and may ask again later.
        with translation.override(export.language):
            ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.FAILED, error=disk_full_reason())
        return "disk full"
    except Exception as error:
        ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.FAILED, error=str(error)[:2000])
        raise
    finally:
        _current.reset(token)
    export.refresh_from_db()
    if export.status != ExportFile.Status.DONE:
        text = getattr(response, "content", b"")[:4000].decode("utf-8", "replace")
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportFile.Status.FAILED,
            error=_("The export was refused (%(status)s).") % {"status": response.status_code},
        )
        return f"refused: {response.status_code} {text[:200]}"
    prune()
    return f"{export.filename}: {export.rows_done} rows"
