"""Pages of long lists whose rows carry computed columns (subqueries per row)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_of(queryset: QuerySet, size: int, number) -> Page:
    """The page `number` of an ordered queryset: the page's ids are found first, with the list's filters
    and order but without its computed columns, then only those rows are read with them. The database
    then computes a row's columns (overdue, counts …) for the 25 rows shown, not for every row it skips
    on the way to a deep page or sorts before slicing."""
    page = Paginator(queryset.values_list("pk", flat=True), size).get_page(number)
    ids = list(page.object_list)
    rows = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
