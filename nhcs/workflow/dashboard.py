"""Tasks on the dashboard (nhcs.dashboard.registry): open and overdue tasks by department and by person
("who is holding what"). A department head sees their own department's; the deputy GM, the GM and the
administrators see every department. Two aggregate queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.accounts.choices import Position
from nhcs.dashboard.registry import Figure, Panel, Row, Table, panel

from .choices import TaskStatus
from .models import Task

PEOPLE_SHOWN = 30


@panel("tasks", order=90, live=True)
def tasks_panel(ctx) -> Panel | None:
    user = ctx.user
    tasks = Task.objects.filter(status=TaskStatus.OPEN).order_by()
    whole_company = user.is_superuser or user.position in (Position.VGM, Position.GM)
    if not whole_company:
        if user.department_id is None:
            return None
        tasks = tasks.filter(Q(department_id=user.department_id) | Q(assignee__department_id=user.department_id))
    overdue = Q(due_at__lt=timezone.now())
    totals = tasks.aggregate(n=Count("pk"), overdue=Count("pk", filter=overdue))
    by_department = list(
        tasks.values(
            "department__code", "department__name_zh", "assignee__department__code", "assignee__department__name_zh"
        )
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue))
        .values_list("department__name_zh", "assignee__department__name_zh", "n", "overdue")
    )
    departments: dict[str, list[int]] = {}
    for own, of_assignee, n, late in by_department:
        name = own or of_assignee or "—"
        counts = departments.setdefault(name, [0, 0])
        counts[0] += n
        counts[1] += late
    by_person = list(
        tasks.values("assignee__username", "assignee__display_name", "department__name_zh", "position")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("-overdue", "-n", "assignee__username")
        .values_list("assignee__username", "assignee__display_name", "department__name_zh", "position", "n", "overdue")[
            :PEOPLE_SHOWN
        ]
    )
    positions = dict(Position.choices)
    holders = []
    for username, display, department, position, n, late in by_person:
        if username:
            holder = display or username
        else:
            # A task for a role: whoever holds it in that department.
            holder = " ".join(
                x for x in (department or "", str(positions.get(position, "")) if position else _("anyone")) if x
            )
        holders.append(Row([holder, n, late], alert=bool(late)))
    url = reverse("workflow:my_tasks")
    p = Panel("tasks", _("Tasks"))
    p.figures = [
        Figure("tasks_open", _("Open tasks"), totals["n"], url),
        Figure("tasks_overdue", _("Overdue tasks"), totals["overdue"], url, alert=bool(totals["overdue"])),
    ]
    if whole_company:
        p.tables.append(
            Table(
                "tasks_by_department",
                _("Open tasks by department"),
                [_("Department"), _("Open"), _("Overdue")],
                [Row([name, n, late], alert=bool(late)) for name, (n, late) in sorted(departments.items())],
                empty=_("No open tasks."),
            )
        )
    p.tables.append(
        Table(
            "tasks_by_person",
            _("Who is holding what"),
            [_("Held by"), _("Open"), _("Overdue")],
            holders,
            empty=_("No open tasks."),
        )
    )
    return p
