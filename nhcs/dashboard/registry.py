"""What the areas contribute to the dashboard, the management review report and the customer dossier.

The dashboard knows no area. Each area has a module `<area>/dashboard.py` (found by the app registry when
the dashboard app is ready) that registers builders:

    from nhcs.dashboard.registry import Figure, Panel, dossier_section, panel

    @panel("complaints", order=40)
    def complaints_panel(ctx) -> Panel | None: ...        # dashboard and report, for ctx.start..ctx.end

    @dossier_section("complaints", order=40)
    def complaints_dossier(ctx) -> Panel | None: ...      # one customer's dossier (ctx.customer)

A builder returns None when the reader has no list of those records (`ctx.readable(qs)` is None), so a
section shows only what the reader may read. Builders compute their figures with aggregate queries: a
bounded number of queries whatever the data.

The dashboard and the dossier keep each reader's panels for NHCS_DASHBOARD_CACHE_SECONDS (5 minutes by
default; Django's cache) and say as of when their figures are: a year of figures does not change between
two clicks, and a manager's repeated visits cost nothing. A panel registered `live=True` (the reader's own
task load) is built on every visit; the management review report is always built afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString


@dataclass
class Figure:
    """One number with its label and the filtered list behind it."""

    key: str
    label: str | Promise
    value: Any
    link: str = ""
    unit: str = ""
    note: str | Promise = ""
    alert: bool = False  # shown in red (overdue, late, past the limit)

    @property
    def text(self) -> str:
        from nhcs.core.charts import figure

        return f"{figure(self.value)}{self.unit}" if self.value is not None else "—"


@dataclass
class Row:
    cells: list[Any]
    link: str = ""
    alert: bool = False


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[str | Promise]
    rows: list[Row]
    empty: str | Promise = ""


@dataclass
class Chart:
    key: str
    title: str | Promise
    svg: SafeString
    # The chart's figures as a table (the workbook writes them; the page offers them to screen readers).
    data: list[tuple[str, Any]] = field(default_factory=list)
    link: str = ""


@dataclass
class Panel:
    key: str
    title: str | Promise
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    order: int = 100
    note: str | Promise = ""
    as_of: datetime | None = None  # when its figures were read


@dataclass
class Context:
    """What a builder is asked for: the reader, the period (inclusive dates), an optional customer."""

    user: Any
    start: date
    end: date
    today: date
    customer: Any = None

    def readable(self, queryset):
        """The records of the queryset the reader may read, or None when they have no such list."""
        from nhcs.workflow import services

        if not services.can_list_records(user=self.user, flow=queryset.model.flow):
            return None
        return services.readable(queryset, user=self.user)

    def cache_key(self) -> str:
        """Who reads which period in which language: the panels built for one reader are theirs only."""
        from django.utils import translation

        customer = self.customer.pk if self.customer is not None else ""
        # The reader's department and position too: someone moved to another department reads its figures
        # at once, not the ones kept for their old post.
        who = f"{self.user.pk}:{self.user.department_id}:{self.user.position}:{int(self.user.is_superuser)}"
        return f"{who}:{translation.get_language()}:{self.start}:{self.end}:{self.today}:{customer}"

    def customer_filter(self, path: str = "customer") -> dict:
        return {path: self.customer} if self.customer is not None else {}

    def query(self, **params) -> str:
        """A list's query string with the customer of the dashboard when one is chosen."""
        from urllib.parse import urlencode

        if self.customer is not None and "customer" not in params:
            params["customer"] = self.customer.pk
        params = {k: v for k, v in params.items() if v not in (None, "", False)}
        return "?" + urlencode(params) if params else ""


# A builder returns a panel, several (figures that share their queries), or None.
Builder = Callable[[Context], "Panel | list[Panel] | None"]

_PANELS: dict[str, tuple[int, Builder, bool]] = {}
_DOSSIER: dict[str, tuple[int, Builder, bool]] = {}


def panel(key: str, *, order: int = 100, live: bool = False):
    def register(builder: Builder) -> Builder:
        _PANELS[key] = (order, builder, live)
        return builder

    return register


def dossier_section(key: str, *, order: int = 100, live: bool = False):
    def register(builder: Builder) -> Builder:
        _DOSSIER[key] = (order, builder, live)
        return builder

    return register


def _built(kind: str, key: str, builder: Builder, live: bool, ctx: Context, cached: bool):
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import timezone

    seconds = settings.NHCS_DASHBOARD_CACHE_SECONDS if cached and not live else 0
    cache_key = f"nhcs:{kind}:{key}:{ctx.cache_key()}"
    if seconds:
        hit = cache.get(cache_key)
        if hit is not None:
            return hit[0]
    as_of = timezone.now()
    result = builder(ctx)
    for built in result if isinstance(result, list) else [result]:
        if built is not None:
            built.as_of = as_of
    if seconds:
        cache.set(cache_key, (result,), seconds)
    return result


def _build(kind: str, registry: dict[str, tuple[int, Builder, bool]], ctx: Context, cached: bool) -> list[Panel]:
    panels = []
    for key, (order, builder, live) in sorted(registry.items(), key=lambda item: (item[1][0], item[0])):
        result = _built(kind, key, builder, live, ctx, cached)
        for index, built in enumerate(result if isinstance(result, list) else [result]):
            if built is not None:
                built.order = order + index
                panels.append(built)
    return panels


def dashboard_panels(ctx: Context, *, cached: bool = True) -> list[Panel]:
    return _build("dashboard", _PANELS, ctx, cached)


def dossier_panels(ctx: Context, *, cached: bool = True) -> list[Panel]:
    return _build("dossier", _DOSSIER, ctx, cached)


def as_of(panels: list[Panel]) -> datetime | None:
    """When the oldest figures shown were read."""
    moments = [p.as_of for p in panels if p.as_of is not None]
    return min(moments) if moments else None


def registered() -> tuple[list[str], list[str]]:
    return sorted(_PANELS), sorted(_DOSSIER)
