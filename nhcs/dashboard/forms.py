"""The period of the dashboard and the report: from, to (inclusive) and, optionally, one customer typed by
its code (a list of two thousand customers is no choice)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.core.validators import SaneDateField
from nhcs.customers.models import Customer

# The longest period one page or report covers: ten years.
MAX_DAYS = 3660


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months: the first of the month a year ago, to today."""
    today = today or timezone.localdate()
    start = date(today.year - 1, today.month, 1)
    return start, today


class PeriodForm(forms.Form):
    start = SaneDateField(label=_("From"), required=False)
    end = SaneDateField(label=_("To"), required=False)
    customer = forms.CharField(
        label=_("Customer code"),
        required=False,
        max_length=20,
        help_text=_("Optional: type a customer's code to see only that customer."),
        widget=forms.TextInput(attrs={"placeholder": _("all customers"), "autocomplete": "off"}),
    )

    def clean_customer(self):
        code = (self.cleaned_data.get("customer") or "").strip()
        if not code:
            return None
        customer = Customer.objects.filter(code__iexact=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has the code %(code)s."), params={"code": code})
        return customer

    def clean(self):
        data = super().clean()
        default_start, default_end = default_period()
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        if "start" in self.errors or "end" in self.errors:
            return data
        if end < start:
            self.add_error(
                "end",
                _("The end of the period (%(end)s) is before its start (%(start)s).")
                % {
                    "end": end.isoformat(),
                    "start": start.isoformat(),
                },
            )
        elif (end - start).days > MAX_DAYS:
            self.add_error("start", _("A period covers at most ten years."))
        data["start"], data["end"] = start, end
        return data
