"""A Django form described as a DRF serializer, for the OpenAPI schema only: the input is always checked by
the form itself (the same fields and checks as in the browser)."""

from __future__ import annotations

import copy

from django import forms
from rest_framework import serializers


def _choices(field) -> list:
    out = []
    for value, label in field.choices:
        if isinstance(label, (list, tuple)):  # an option group
            out.extend(label)
        else:
            out.append((value, label))
    return out


def _field(f: forms.Field) -> serializers.Field | None:
    common: dict = {"required": f.required, "label": f.label, "help_text": f.help_text or None}
    if f.disabled:
        return None
    if isinstance(f, forms.FileField):
        return None
    if isinstance(f, (forms.BooleanField, forms.NullBooleanField)):
        return serializers.BooleanField(**{**common, "required": False})
    if not f.required:
        common["allow_null"] = True
    if isinstance(f, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(f, forms.ModelChoiceField):
        return serializers.CharField(**common) if f.to_field_name else serializers.IntegerField(**common)
    if isinstance(f, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=_choices(f)), **common)
    if isinstance(f, forms.ChoiceField):
        choices = [c for c in _choices(f) if c[0] != ""]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(**common)
    if isinstance(f, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(f, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=f.max_digits, decimal_places=f.decimal_places, coerce_to_string=True, **common
        )
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(min_value=f.min_value, max_value=f.max_value, **common)
    if isinstance(f, forms.FloatField):
        return serializers.FloatField(**common)
    if isinstance(f, forms.EmailField):
        return serializers.EmailField(allow_blank=not f.required, max_length=f.max_length, **common)
    if isinstance(f, forms.CharField):
        return serializers.CharField(
            allow_blank=not f.required, max_length=f.max_length, min_length=f.min_length or None, **common
        )
    return serializers.CharField(allow_blank=not f.required, **common)


def form_serializer(
    form_class, *, name: str, kwargs: dict | None = None, extra: dict | None = None, partial: bool = False
) -> type[serializers.Serializer]:
    """A serializer with the form's fields (and `extra` ones), named `name` in the schema. The form is read
    when the schema asks for the fields, never at import (a form's choices may come from the database)."""

    def get_fields(self):
        fields = {}
        if form_class is not None:
            try:
                form = form_class(**(kwargs or {}))
            except TypeError:
                form = form_class()
            for fname, f in form.fields.items():
                described = _field(f)
                if described is not None:
                    if partial:
                        described.required = False
                    fields[fname] = described
        for key, value in (extra or {}).items():
            fields[key] = (
                value() if callable(value) and not isinstance(value, serializers.Field) else copy.deepcopy(value)
            )
        return fields

    return type(name, (serializers.Serializer,), {"get_fields": get_fields})
