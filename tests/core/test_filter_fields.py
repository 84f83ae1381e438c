"""The list pages' filter fields are drawn in Python (`as_filter_field`, nhcs/core/templatetags/forms_html.py) with
the markup crispy's bootstrap5 field template gives them: every list page, empty and with every field given
bad input (errors shown), is the same page either way."""

import re

import pytest

from nhcs.core.templatetags import forms_html

LISTS = [
    "/orders/",
    "/orders/shipments/",
    "/orders/shipments/log/",
    "/changes/",
    "/delays/",
    "/customers/",
    "/actions/",
    "/complaints/",
    "/complaints/analysis/",
    "/feedback/",
    "/advisories/",
    "/property/",
]


def normalised(html: str) -> str:
    html = re.sub(r'(nonce|value)="[^"]*"', r'\1=""', html)  # CSP nonces, CSRF tokens differ per request
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html)


def both_ways(client, url, monkeypatch) -> tuple[str, str]:
    fast = client.get(url)
    monkeypatch.setattr(forms_html, "USE_CRISPY", True)
    slow = client.get(url)
    monkeypatch.setattr(forms_html, "USE_CRISPY", False)
    assert fast.status_code == slow.status_code
    return normalised(fast.content.decode()), normalised(slow.content.decode())


@pytest.mark.parametrize("url", LISTS)
def test_filter_fields_are_drawn_as_crispy_draws_them(demo, client_for, url, monkeypatch):
    client = client_for(demo["sales_head"])
    page = client.get(url)
    assert page.status_code == 200, url
    filterset = page.context["filter"]
    fast, slow = both_ways(client, url, monkeypatch)
    assert 'class="mb-3' in fast and fast == slow
    # Every field given input it refuses (a word for a date, a choice that is none): the errors shown.
    names = list(filterset.form.fields)
    query = "&".join(f"{name}=%3Cb%3E{i}" for i, name in enumerate(names))
    query += "&" + "&".join(f"{name}_after=x&{name}_before=x&{name}_min=x&{name}_max=x" for name in names)
    fast, slow = both_ways(client, f"{url}?{query}", monkeypatch)
    assert fast == slow


def test_the_comparison_sees_a_difference(demo, client_for, monkeypatch):
    """The two ways really differ in their text (crispy's template whitespace), and bad input shows errors."""
    client = client_for(demo["sales_head"])
    url = "/orders/?po_date_after=x&state=nope"
    fast = client.get(url).content.decode()
    monkeypatch.setattr(forms_html, "USE_CRISPY", True)
    slow = client.get(url).content.decode()
    assert fast != slow
    assert "is-invalid" in fast and 'class="invalid-feedback"' in fast
