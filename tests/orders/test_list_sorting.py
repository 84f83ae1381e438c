"""The order list's sorting: its labels in the reader's language, states in the flow's order."""

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sort_options(client, language: str) -> dict[str, str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = lxml.html.fromstring(client.get(reverse("orders:order_list")).content.decode())
    return {o.get("value"): o.text_content().strip() for o in page.xpath("//select[@name='ordering']/option")}


def test_sort_labels_are_in_the_readers_language(demo, client_for):
    client = client_for(demo["sales"])
    english = sort_options(client, "en")
    chinese = sort_options(client, "zh-hans")
    assert {k: english[k] for k in ("customer", "-customer", "state", "-state", "-requested", "-committed")} == {
        "customer": "Customer",
        "-customer": "Customer (descending)",
        "state": "State",
        "-state": "State (descending)",
        "-requested": "Requested delivery (descending)",
        "-committed": "Committed date (descending)",
    }
    assert {k: chinese[k] for k in ("customer", "-customer", "-requested", "-committed")} == {
        "customer": "客户",
        "-customer": "客户（倒序）",
        "-requested": "要求交期（倒序）",
        "-committed": "承诺交期（倒序）",
    }
    # Every sort, both ways, has its own label in each language: none left in the other language.
    assert len(set(english.values())) == len(english) and len(set(chinese.values())) == len(chinese)
    assert not set(english.values()) & set(chinese.values()) - {"---------"}


def test_sorting_by_state_follows_the_flow_not_the_alphabet(demo, make_order, flow, client_for):
    draft = make_order(po_number="PO-S1")
    submitted = flow.go(make_order(po_number="PO-S2"), "submit", "sales")
    in_review = flow.go(flow.go(make_order(po_number="PO-S3"), "submit", "sales"), "start_review", "planner")
    cancelled = flow.go(make_order(po_number="PO-S4"), "cancel", "sales_head")
    client = client_for(demo["qa"])

    def numbers(ordering):
        response = client.get(reverse("orders:order_list") + f"?ordering={ordering}")
        assert response.status_code == 200
        return [row.get("data-number") for row in lxml.html.fromstring(response.content).xpath("//tr[@data-number]")]

    flow_order = [draft.number, submitted.number, in_review.number, cancelled.number]
    assert numbers("state") == flow_order  # alphabetically: cancelled, draft, in_review, submitted
    assert numbers("-state") == flow_order[::-1]
