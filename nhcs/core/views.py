from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static

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


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; resolved per request (hashed name in production).
    return redirect(static("favicon.svg"), permanent=True)
