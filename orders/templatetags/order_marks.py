"""{% load order_marks %}: what change and delay notices amended, on the order's pages and sheets.

{% amended amended "lines" line.pk "quantity" as marks %}{% notice_marks marks %}
    each old value struck through, with the notice's number, the date and who signed (划改)
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..sheets import mark_value

register = template.Library()


@register.simple_tag
def notice_marks(marks):
    if not marks:
        return ""
    return format_html_join(
        " ",
        '<del class="struck amended-old">{}</del> <span class="change-note amended-by small text-body-secondary">'
        "(<span>{}</span> · <span>{}</span> · <span>{}</span>)</span>",
        ((mark_value(m.old), m.number, f"{timezone.localtime(m.when):%Y-%m-%d}", m.user) for m in marks),
    )


@register.simple_tag
def mark_source(marks):
    """The notice, date and signer of the latest mark: "BG-2026-0001 · 2026-11-26 · 王销售"."""
    if not marks:
        return ""
    m = marks[-1]
    return format_html("{} · {} · {}", m.number, f"{timezone.localtime(m.when):%Y-%m-%d}", m.user)


@register.filter
def plain(value):
    """An amended value as written (1500, not 1500.000)."""
    return mark_value(value)


@register.simple_tag
def marks_for(marks_by_key, key):
    """The marks of one field from a dict of them: {% marks_for field_marks row.key as marks %}."""
    return (marks_by_key or {}).get(key) or []
