"""Template tags of the list pages."""

from django import forms, template

from .forms_html import as_form_field

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


# A list's filter card draws its fields as crispy's `as_crispy_field` does, in Python (forms_html.as_form_field).
register.filter("as_filter_field", as_form_field)
