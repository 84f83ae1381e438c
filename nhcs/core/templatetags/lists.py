"""Template tags of the list pages."""

from django import forms, template

register = template.Library()


def _in_use(field: forms.Field, value) -> bool:
    if isinstance(field.widget, forms.CheckboxInput):
        return value is True  # an unticked box filters nothing
    if isinstance(value, slice):
        return value.start is not None or value.stop is not None  # a date range
    return value not in (None, "", [], ())


@register.simple_tag
def filters_in_use(filterset) -> int:
    """How many of a list's filters are set, sorting aside: the folded filter card's button shows it."""
    if filterset is None or not filterset.is_bound:
        return 0
    form = filterset.form
    form.is_valid()
    return sum(
        1
        for name, field in form.fields.items()
        if name != "ordering" and name in form.cleaned_data and _in_use(field, form.cleaned_data[name])
    )


# --- a list's filter fields, without crispy's template per field ------------------------------------------
#
# A list page's filter card draws 5–10 fields. Rendered by crispy (`as_crispy_field`: bootstrap5/field.html and
# its includes, through the template engine, per field) they were a quarter of a list page's time. `as_filter_field`
# writes the same markup in Python for the widgets a filter card uses (inputs, selects, check boxes, ranges);
# anything else (a form helper, files, radios, multiple check boxes) goes to crispy. tests/core/test_filter_fields.py
# holds the two to the same HTML on every list page.

_FALLBACK_WIDGETS = (forms.FileInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
# True: every field through crispy (the test compares the pages both ways).
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
    from django.utils.html import format_html, format_html_join

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
        from django.utils.safestring import mark_safe

        if field.auto_id:
            html += format_html(
                '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, mark_safe(field.help_text)
            )
        else:
            html += format_html('<div class="form-text">{}</div>', mark_safe(field.help_text))
    return html


@register.filter
def as_filter_field(field):
    """A filter card's field, as `as_crispy_field` draws it (bootstrap5)."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    widget = field.field.widget
    if USE_CRISPY or getattr(field.form, "helper", None) is not None or isinstance(widget, _FALLBACK_WIDGETS):
        return as_crispy_field(field)
    if field.is_hidden:
        return mark_safe(str(field))
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
            mark_safe(str(field)),
            field.id_for_label,
            req,
            field.label,
            star,
            mark_safe(_errors_and_help(field)),
        )
    _with_classes(widget, ("form-select" if isinstance(widget, forms.Select) else "form-control") + invalid)
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
        '<div id="div_{}" class="mb-3{}">{}{}{}{}</div>',
        field.auto_id,
        wrapper_extra,
        label,
        mark_safe(str(field)),
        mark_safe(_errors_and_help(field)),
        closing,
    )
