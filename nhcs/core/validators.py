"""Validators every area shares.

Dates: every date a person types lies between SANE_DATE_MIN and SANE_DATE_MAX (2000–2100). A PO date of
9999-12-31 broke the order page for good (a due date computed from it overflows); a survey deadline of
9999-12-31 likewise. The bound is Django's default validator of every date field, form and model alike
(set once in nhcs.core.apps.CoreConfig.ready, so forms that areas add later get it too; as a default
validator it is not part of the migrations). `SaneDateField` is the form field that says so explicitly.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .widgets import DateInput

SANE_DATE_MIN = date(2000, 1, 1)
SANE_DATE_MAX = date(2100, 12, 31)


def validate_sane_date(value) -> None:
    """Refuse a date (or the date of a datetime) outside 2000-01-01 … 2100-12-31."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not (SANE_DATE_MIN <= day <= SANE_DATE_MAX):
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s."),
            code="date_out_of_range",
            params={"min": SANE_DATE_MIN.isoformat(), "max": SANE_DATE_MAX.isoformat()},
        )


class SaneDateField(forms.DateField):
    """A date between 2000 and 2100, typed with the browser's date picker (which is told the range too)."""

    widget = DateInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if validate_sane_date not in self.validators:
            self.validators.append(validate_sane_date)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": SANE_DATE_MIN.isoformat(), "max": SANE_DATE_MAX.isoformat()}


def _finite_decimal(to_python):
    """Django's DecimalField takes "NaN", "sNaN" and "Infinity" as numbers, refused later by validate(); but a
    formset compares them first (has_changed), and a signalling NaN raises there: a 500. Refused at once."""

    def wrapped(self, value):
        number = to_python(self, value)
        if number is not None and not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    wrapped.nhcs_finite = True
    return wrapped


def install_default_validators() -> None:
    """Make the date bound the default validator of every form and model date field (and datetime field), and
    refuse non-finite numbers in every form's DecimalField as they are read."""
    from django.db import models

    for field_class in (forms.DateField, forms.DateTimeField, models.DateField):
        if validate_sane_date not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, validate_sane_date]
    if not getattr(forms.DecimalField.to_python, "nhcs_finite", False):
        forms.DecimalField.to_python = _finite_decimal(forms.DecimalField.to_python)
