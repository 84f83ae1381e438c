"""Customer property (4.8) on the dashboard, in the management review report and in the customer dossier
(nhcs.dashboard.registry): items by status, verifications pending, molds near their shot limit, open
loss/damage incidents. Aggregate queries only; the property register is a state of today, not of a period
(the incidents count those reported in the period too)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from nhcs.core import charts
from nhcs.dashboard.registry import Chart, Figure, Panel, Row, Table, dossier_section, panel

from .choices import GONE_STATES, ItemState
from .models import Incident, PropertyItem
from .selectors import near_shot_limit, with_shot_count


def _figures(ctx):
    items = ctx.readable(PropertyItem.objects.filter(**ctx.customer_filter()))
    if items is None:
        return None
    by_state = dict(items.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n"))
    near = near_shot_limit(with_shot_count(items.order_by())).count()
    incidents = ctx.readable(Incident.objects.filter(**ctx.customer_filter("item__customer")))
    open_incidents = reported = None
    if incidents is not None:
        counts = incidents.order_by().aggregate(
            open=Count("pk", filter=~Q(state__in=Incident.flow.final_states)),
            reported=Count("pk", filter=Q(occurred_on__gte=ctx.start, occurred_on__lte=ctx.end)),
        )
        open_incidents, reported = counts["open"], counts["reported"]
    return by_state, near, open_incidents, reported


def _panel(ctx, key: str, title) -> Panel | None:
    found = _figures(ctx)
    if found is None:
        return None
    by_state, near, open_incidents, reported = found
    url = reverse("customer_property:item_list")
    labels = dict(ItemState.choices)
    held = sum(n for s, n in by_state.items() if s not in GONE_STATES)
    p = Panel(key, title)
    p.figures = [
        Figure("property_held", _("Items held"), held, url + ctx.query()),
        Figure(
            "property_pending_verification",
            _("Verifications pending"),
            by_state.get(ItemState.PENDING_VERIFICATION, 0),
            url + ctx.query(verification_pending="on"),
        ),
        Figure(
            "property_near_limit",
            _("Molds near their shot limit"),
            near,
            url + ctx.query(near_limit="on"),
            alert=bool(near),
        ),
    ]
    if open_incidents is not None:
        p.figures.append(
            Figure(
                "property_open_incidents",
                _("Open loss/damage incidents"),
                open_incidents,
                url + ctx.query(),
                note=_("%(n)s reported in the period") % {"n": reported},
                alert=bool(open_incidents),
            )
        )
    rows = [(s, by_state[s]) for s in ItemState.values if by_state.get(s)]
    p.tables.append(
        Table(
            "property_by_status",
            _("Items by status"),
            [_("Status"), _("Items")],
            [Row([str(labels[s]), n], url + ctx.query(state=s)) for s, n in rows],
            empty=_("No customer property registered."),
        )
    )
    items = [(str(labels[s]), n) for s, n in rows if s not in GONE_STATES]
    chart_title = _("Items held by status")
    p.charts.append(Chart("property_by_status", chart_title, charts.hbar_chart(items, title=chart_title), items))
    return p


@panel("customer_property", order=60)
def property_panel(ctx) -> Panel | None:
    return _panel(ctx, "customer_property", _("Customer property (4.8)"))


@dossier_section("customer_property", order=60)
def property_dossier(ctx) -> Panel | None:
    return _panel(ctx, "customer_property", _("Customer property held"))
