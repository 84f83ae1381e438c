"""Django's form widgets drawn in Python, with the HTML of their own templates.

Why: `str(boundfield)` renders a widget through Django's form renderer, i.e. `django/forms/widgets/*.html`
(input, attrs, select, options …) through the template engine; on a list page's filter card that was three
quarters of the card's time (issue 18). `render_widget(bf)` is `str(bf)` with the same work done by Django
(`BoundField.build_widget_attrs`, `Widget.get_context`: ids, `required`, `aria-*`, formatted and localised
values, option groups) and only the templates replaced by the functions below, which write what they write:
attribute order, escaping (`{{ … }}` and `|stringformat:'s'`), boolean attributes, newlines.

A template not listed here (radios, check box lists, a project's own widget templates, another form
renderer) is rendered by Django as before. tests/core/test_widgets_html.py holds every field of every form
of the project, unbound, bound and refused, to the same HTML as Django's.
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import SafeData, mark_safe

_CONTEXT = Context()  # autoescape on; localisation and time zone as a template has them


class _NotCovered(Exception):
    """A template this module does not draw: Django renders the widget."""


def text(value) -> str:
    """`{{ value }}`"""
    return render_value_in_context(value, _CONTEXT)


def formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (a safe value stays unescaped, as the filter is `is_safe`)."""
    out = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text(mark_safe(out) if isinstance(value, SafeData) else out)


def attrs_html(attrs: dict, skip: tuple = ()) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{formatted(value)}"'
        for name, value in attrs.items()
        if value is not False and name not in skip
    )


def _input(w) -> str:
    value = f' value="{formatted(w["value"])}"' if w["value"] is not None else ""
    return f'<input type="{text(w["type"])}" name="{text(w["name"])}"{value}{attrs_html(w["attrs"])}>\n'


def _textarea(w) -> str:
    value = text(w["value"]) if w["value"] else ""
    return f'<textarea name="{text(w["name"])}"{attrs_html(w["attrs"])}>\n{value}</textarea>\n'


def _select(w) -> str:
    html = f'<select name="{text(w["name"])}"{attrs_html(w["attrs"])}>'
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            html += f'\n  <optgroup label="{text(group_name)}">'
        for option in group_choices:
            html += "\n  " + _draw(option)
        if group_name:
            html += "\n  </optgroup>"
    return html + "\n</select>\n"


def _option(w) -> str:
    return f'<option value="{formatted(w["value"])}"{attrs_html(w["attrs"])}>{text(w["label"])}</option>\n'


def _clearable_file(w) -> str:
    html = ""
    if w["is_initial"]:
        html = f'{text(w["initial_text"])}: <a href="{text(w["value"].url)}">{text(w["value"])}</a>'
        if not w["required"]:
            box = text(w["checkbox_id"])
            flags = (" disabled" if w["attrs"].get("disabled") else "") + (
                " checked" if w["attrs"].get("checked") else ""
            )
            html += f'\n<input type="checkbox" name="{text(w["checkbox_name"])}" id="{box}"{flags}>'
            html += f'\n<label for="{box}">{text(w["clear_checkbox_label"])}</label>'
        html += f"<br>\n{text(w['input_text'])}:"
    return html + f'\n<input type="{text(w["type"])}" name="{text(w["name"])}"{attrs_html(w["attrs"])}>\n'


def _multiwidget(w) -> str:
    return strip_spaces_between_tags("".join(_draw(sub) for sub in w["subwidgets"]).strip()) + "\n"


def _filter_range(w) -> str:
    """django-filter's RangeWidget, DateRangeWidget …: the two inputs with a dash between them."""
    return "".join(_draw(sub) + ("-" if n == 0 else "") for n, sub in enumerate(w["subwidgets"])) + "\n"


_WIDGETS = "django/forms/widgets/"
_TEMPLATES = {
    **{
        f"{_WIDGETS}{name}.html": lambda w: _input(w) + "\n"
        for name in (
            *("text", "number", "email", "url", "password", "hidden", "date", "datetime", "time"),
            *("search", "tel", "color", "file", "checkbox"),
        )
    },
    f"{_WIDGETS}input.html": _input,
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}select_option.html": _option,
    f"{_WIDGETS}clearable_file_input.html": _clearable_file,
    f"{_WIDGETS}multiwidget.html": _multiwidget,
    **{
        f"{_WIDGETS}{name}.html": lambda w: _multiwidget(w) + "\n"
        for name in ("multiple_hidden", "splitdatetime", "splithiddendatetime", "select_date")
    },
    "django_filters/widgets/multiwidget.html": _filter_range,
}


def _draw(w) -> str:
    """A template's output (before the renderer strips it) for a widget's context."""
    draw = _TEMPLATES.get(w.get("template_name"))
    if draw is None:
        raise _NotCovered
    return draw(w)


class _Renderer:
    """A form renderer drawing the templates above in Python; any other through the form's renderer."""

    def __init__(self, fallback):
        self.fallback = fallback

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and widget.get("template_name") == template_name:
            try:
                return _draw(widget).strip()
            except _NotCovered:
                pass
        return self.fallback.render(template_name, context, request=request)


def render_widget(bf: BoundField) -> str:
    """`str(bf)`: the field's widget with its value and attributes, as Django renders it."""
    renderer = bf.form.renderer
    if (
        type(renderer) is not DjangoTemplates  # another renderer may use other templates
        or bf.field.show_hidden_initial
        or type(bf).as_widget is not BoundField.as_widget
        or type(bf).__str__ is not BoundField.__str__
    ):
        return str(bf)
    # BoundField.as_widget(), with the renderer above.
    widget = bf.field.widget
    if bf.field.localize:
        widget.is_localized = True
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return widget.render(name=bf.html_name, value=bf.value(), attrs=attrs, renderer=_Renderer(renderer))
