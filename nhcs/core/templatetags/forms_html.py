"""Forms drawn with crispy's bootstrap5 markup, in Python: `as_form_field` (as `|as_crispy_field` draws a field)
and `as_form` (as `|crispy` draws a form without a helper), the widgets inside through nhcs.core.widgets_html.

A list page's filter card (5–10 fields) and a record page's action forms rendered by crispy (bootstrap5/field.html
and its includes, through the template engine, per field) and Django's widget templates were the largest cost of
those pages that is ours (issue 18). The same markup is written here for the fields they use (inputs, selects,
text areas, check boxes, files, ranges); anything else (a form with a crispy helper, radios, check box lists, a
file field showing its current file) goes to crispy. tests/core/test_filter_fields.py and
tests/core/test_record_forms_html.py hold pages drawn both ways to the same HTML;
tests/core/test_widgets_html.py every form of the project.
"""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from nhcs.core.widgets_html import attrs_html, render_widget, text

register = template.Library()

_FALLBACK_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)
# True: every field and form through crispy (the tests compare pages both ways).
USE_CRISPY = False


def _with_classes(widget: forms.Widget, extra: str) -> None:
    """What crispy's `{% crispy_field field 'class' extra %}` does to the widget's attributes."""
    from django.conf import settings

    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for sub in getattr(widget, "widgets", [getattr(widget, "widget", widget)]):
        class_name = sub.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css = sub.attrs.get("class", "")
        if css:
            if css.find(class_name) == -1:
                css += f" {class_name}"
        else:
            css = class_name
        for name in extra.split():
            if name not in css.split():
                css += f" {name}"
        sub.attrs["class"] = css


def _errors_and_help(field) -> str:
    html = ""
    if field.errors:
        html += format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, error) for n, error in enumerate(field.errors, start=1)),
            ),
        )
    if field.help_text:
        if field.auto_id:
            html += format_html(
                '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, mark_safe(field.help_text)
            )
        else:
            html += format_html('<div class="form-text">{}</div>', mark_safe(field.help_text))
    return html


@register.filter
def as_form_field(field):
    """A form's field, as `|as_crispy_field` draws it (bootstrap5)."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    widget = field.field.widget
    if USE_CRISPY or getattr(field.form, "helper", None) is not None or isinstance(widget, _FALLBACK_WIDGETS):
        return as_crispy_field(field)
    if field.is_hidden:
        return render_widget(field)
    required = field.field.required
    star = mark_safe('<span class="asteriskField">*</span>') if required else ""
    req = " requiredField" if required else ""
    wrapper_extra = f" {field.css_classes()}" if field.css_classes() else ""
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, forms.CheckboxInput):
        _with_classes(widget, "form-check-input" + invalid)
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}<label for="{}" class="form-check-label{}">{}{}</label>{}</div></div>',
            field.auto_id,
            wrapper_extra,
            render_widget(field),
            field.id_for_label,
            req,
            field.label,
            star,
            mark_safe(_errors_and_help(field)),
        )
    if isinstance(widget, forms.FileInput):
        inner = _file_input(field)
        if inner is None:
            return as_crispy_field(field)
    else:
        _with_classes(widget, ("form-select" if isinstance(widget, forms.Select) else "form-control") + invalid)
        inner = render_widget(field) + _errors_and_help(field)
    label = ""
    if field.label:
        tag = "legend" if field.use_fieldset else "label"
        label_for = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
        label = format_html(
            '<{} {} class="form-label{}{}">{}{}</{}>',
            tag,
            label_for,
            req,
            " fs-6" if field.use_fieldset else "",
            field.label,
            star,
            tag,
        )
        if field.use_fieldset:
            described = format_html(' aria-describedby="{}"', field.aria_describedby) if field.aria_describedby else ""
            label = format_html("<fieldset{}>{}", described, label)
    closing = mark_safe("</fieldset>") if field.use_fieldset and field.label else ""
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>', field.auto_id, wrapper_extra, label, mark_safe(inner), closing
    )


def _file_input(field) -> str | None:
    """bootstrap5/layout/field_file.html, for a file input showing no current file (None: one that does)."""
    html = ""
    invalid = " is-invalid" if field.errors else ""
    disabled = " disabled" if field.field.disabled else ""
    for sub in field.subwidgets:
        w = sub.data
        if w.get("is_initial"):
            return None
        css = f" {text(w['attrs']['class'])}" if w["attrs"].get("class") else ""
        html += (
            ("<div" + (' class="is-invalid">' if invalid else ">"))
            + f'<input type="{text(w["type"])}" name="{text(w["name"])}" class="form-control{css}{invalid}"{disabled}'
            f"{attrs_html(w['attrs'], skip=('class',))}>{_errors_and_help(field)}</div>"
        )
    return html


@register.filter
def as_form(form):
    """A form without a crispy helper, as `|crispy` draws it (bootstrap5): its errors, then every field."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
    from django.template.defaultfilters import unordered_list

    if USE_CRISPY or getattr(form, "helper", None) is not None or not isinstance(form, forms.BaseForm):
        return as_crispy_form(form)
    html = ""
    if form.non_field_errors():
        html = format_html(
            '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
            unordered_list(form.non_field_errors(), autoescape=True),
        )
    return mark_safe(html + "".join(as_form_field(field) for field in form))
