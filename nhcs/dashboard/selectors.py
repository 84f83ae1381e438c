"""The figures of the dashboard, the report and the dossier: the areas' panels for a reader and a period."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from . import registry


def may_see_dashboard(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("dashboard.view_dashboard"))


def dashboard(*, user, start: date, end: date, customer=None, cached: bool = True) -> list[registry.Panel]:
    """The reader's panels; the page's may be up to NHCS_DASHBOARD_CACHE_SECONDS old, the report's are not."""
    ctx = registry.Context(user=user, start=start, end=end, today=timezone.localdate(), customer=customer)
    return registry.dashboard_panels(ctx, cached=cached)


def dossier(*, customer, user, cached: bool = True) -> list[registry.Panel]:
    """One customer's dossier: open matters and totals over all time (the period is the last ten years)."""
    today = timezone.localdate()
    ctx = registry.Context(user=user, start=date(today.year - 10, 1, 1), end=today, today=today, customer=customer)
    return registry.dossier_panels(ctx, cached=cached)
