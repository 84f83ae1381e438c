"""{% load workflow %}: change marks of amendments on record pages.

{% amended amended "lines" line.pk "quantity" as marks %}{% for m in marks %}…{% endfor %}
{% struck amended "lines" line.pk "quantity" %}   old values struck through, with the amending
                                                  record's number, date and signer
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _marks(amended, relation, row_id, field):
    if not amended:
        return []
    return amended.get((relation or "", row_id if relation else None, field), [])


@register.simple_tag
def amended(amended, relation, row_id, field):
    return _marks(amended, relation, row_id, field)


@register.simple_tag
def struck(amended, relation, row_id, field):
    marks = _marks(amended, relation, row_id, field)
    if not marks:
        return ""
    return format_html_join(
        " ",
        '<del class="amended-old" title="{} {} {}">{}</del> <span class="small text-body-secondary amended-by">({} {})</span>',
        ((m.number, f"{m.when:%Y-%m-%d}", m.user, m.old, m.number, f"{m.when:%Y-%m-%d}") for m in marks),
    ) or format_html("")
