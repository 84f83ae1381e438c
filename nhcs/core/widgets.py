from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (2026-11-26) whatever the user's language:
    a localised value such as 2026/11/26 is silently dropped by the browser, and the date is lost."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        # The browser's picker offers the dates the server takes (nhcs.core.validators).
        super().__init__({"min": "2000-01-01", "max": "2100-12-31", **(attrs or {})}, format=format or "%Y-%m-%d")
