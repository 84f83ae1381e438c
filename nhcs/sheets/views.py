"""The pages of a long export (nhcs.sheets.background): its progress, then its file — to the user who asked
for it only (anyone else: 404)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from . import background
from .models import ExportFile


def _own_export(request, token: str) -> ExportFile:
    export = get_object_or_404(ExportFile, token=token, user=request.user)
    if export.created_at < timezone.now() - background.keep():
        background.prune()
        raise Http404
    return export


@login_required
def export_status(request, token: str):
    export = _own_export(request, token)
    if background.requeue_if_lost(export):
        export.refresh_from_db()
    ready = export.status == ExportFile.Status.DONE
    download = reverse("sheets:export_download", args=[export.token]) if ready else ""
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"status": export.status, "label": export.get_status_display(), "percent": export.percent, "file": download}
        )
    reason = (
        export.error
        if export.status == ExportFile.Status.FAILED and export.error in background.user_reasons(export)
        else ""
    )
    return render(request, "sheets/export_status.html", {"export": export, "download": download, "reason": reason})


@login_required
def export_download(request, token: str):
    export = _own_export(request, token)
    if export.status != ExportFile.Status.DONE:
        raise Http404
    path = background.file_path(export)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=export.filename)
