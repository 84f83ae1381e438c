"""{% export_buttons "area:url_name" pk=record.pk %} and {% struck changes "field" value %}."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.inclusion_tag("sheets/_export_buttons.html", takes_context=True)
def export_buttons(context, url_name, *args, **kwargs):
    """Excel and PDF buttons for an export URL that takes a `fmt` keyword (see nhcs.sheets.converters).

    Positional args go to reverse() before fmt is added as a keyword, so either use keywords for
    everything (pk=record.pk) or give none. The current query string (the list's filters) is kept.
    """
    request = context.get("request")
    query = request.GET.urlencode() if request is not None else ""
    urls = {}
    for fmt in ("xlsx", "pdf"):
        try:
            url = reverse(url_name, args=args or None, kwargs={**kwargs, "fmt": fmt})
        except NoReverseMatch:
            url = ""
        urls[fmt] = f"{url}?{query}" if url and query else url
    return {"xlsx_url": urls["xlsx"], "pdf_url": urls["pdf"]}


@register.simple_tag
def struck(changes, field_name, current):
    """Old values struck through, the current one beside, with the date and who changed it."""
    marks = (changes or {}).get(field_name) or []
    if not marks:
        return format_html("{}", "" if current is None else current)
    olds = format_html_join(" ", '<del class="struck">{}</del>', ((m.old,) for m in marks))
    last = marks[-1]
    note = f"{timezone.localtime(last.when):%Y-%m-%d} {last.user or ''}".strip()
    return format_html(
        '{} <span class="changed">{}</span> <span class="change-note">({})</span>',
        olds,
        "" if current is None else current,
        note,
    )
