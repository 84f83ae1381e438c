from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _

from nhcs.workflow.selectors import task_count_for_user, tasks_for_user


@login_required
def home(request):
    context = {
        "tasks": tasks_for_user(user=request.user, limit=10),
        "task_total": task_count_for_user(user=request.user),
        "overdue_total": task_count_for_user(user=request.user, overdue=True),
        "warnings": home_warnings(request),
        "sheet_links": home_sheet_links(request),
    }
    return render(request, "core/home.html", context)


def home_warnings(request) -> list[str]:
    """Warnings that areas raise for the home page (e.g. no satisfaction survey in 12 months)."""
    from django.apps import apps

    warnings: list[str] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "home_warnings", None)
        if hook:
            warnings.extend(hook(request.user))
    return warnings


def home_sheet_links(request) -> list[dict]:
    """Blank record sheets that areas offer on the home page: dicts with key, label and url."""
    from django.apps import apps

    links: list[dict] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "home_sheet_links", None)
        if hook:
            links.extend(hook(request.user))
    return links


def _error_page(request, template: str, status: int) -> HttpResponse:
    """An error page in the site's layout; when that cannot be built (the database is down: the layout
    reads the user and their task count), the same message on a plain page that needs nothing."""
    try:
        return render(request, template, status=status)
    except DatabaseError:
        return _plain_error_page(status)


def _plain_error_page(status: int) -> HttpResponse:
    titles = {403: _("Not allowed"), 404: _("Not found"), 500: _("Server error")}
    texts = {
        403: _("Your department or position may not open this page or take this action."),
        404: _("This page or record does not exist, or it was removed."),
        500: _(
            "Something went wrong on our side. Nothing you entered was saved half-way; please try again, "
            "and tell the administrator if it happens again."
        ),
    }
    # No request: no context processor runs, so nothing here touches the database.
    html = render_to_string("error_plain.html", {"status": status, "title": titles[status], "text": texts[status]})
    return HttpResponse(html, status=status)


def error_403(request, exception=None):
    return _error_page(request, "403.html", 403)


def error_404(request, exception=None):
    return _error_page(request, "404.html", 404)


def error_500(request):
    # Never the site's layout: the error may be the database itself.
    return _plain_error_page(500)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; resolved per request (hashed name in production).
    return redirect(static("favicon.svg"), permanent=True)
