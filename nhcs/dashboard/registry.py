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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
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

_PANELS: dict[str, tuple[int, Builder]] = {}
_DOSSIER: dict[str, tuple[int, Builder]] = {}


def panel(key: str, *, order: int = 100):
    def register(builder: Builder) -> Builder:
        _PANELS[key] = (order, builder)
        return builder

    return register


def dossier_section(key: str, *, order: int = 100):
    def register(builder: Builder) -> Builder:
        _DOSSIER[key] = (order, builder)
        return builder

    return register


def _build(registry: dict[str, tuple[int, Builder]], ctx: Context) -> list[Panel]:
    panels = []
    for _key, (order, builder) in sorted(registry.items(), key=lambda item: (item[1][0], item[0])):
        result = builder(ctx)
        for index, built in enumerate(result if isinstance(result, list) else [result]):
            if built is not None:
                built.order = order + index
                panels.append(built)
    return panels


def dashboard_panels(ctx: Context) -> list[Panel]:
    return _build(_PANELS, ctx)


def dossier_panels(ctx: Context) -> list[Panel]:
    return _build(_DOSSIER, ctx)


def registered() -> tuple[list[str], list[str]]:
    return sorted(_PANELS), sorted(_DOSSIER)
