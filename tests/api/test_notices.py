"""Change and delay notices written and edited through the API, as their pages allow (and refuse)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission

from orders.models import ChangeNotice, DelayNotice
from tests.orders.conftest import flow, make_order, released  # noqa: F401  (the orders' fixtures)

pytestmark = pytest.mark.django_db


def test_change_notice_create_and_edit_with_the_pages_rules(api, demo, released):  # noqa: F811
    order = released()
    line = order.lines.get()
    body = {"order": order.pk, "reason": "Customer fax", "lines": [{"line": line.pk, "quantity": "1200"}]}
    assert api("engineer").post("/api/v1/change-notices/", body).status_code == 403
    sales = api("sales")
    created = sales.post("/api/v1/change-notices/", body)
    assert created.status_code == 201, created.content
    notice = ChangeNotice.objects.get(pk=created.json()["id"])
    # Texts left out stay as the order has them: only the quantity changes.
    assert [i.kind for i in notice.items.all()] == ["quantity"]
    bad = sales.post("/api/v1/change-notices/", {**body, "lines": [{"line": line.pk, "quantity": "x"}]})
    assert bad.status_code == 400 and "lines[0].quantity" in bad.json()["errors"]
    # An edit that leaves the lines out keeps them.
    edited = sales.patch(f"/api/v1/change-notices/{notice.pk}/", {"version": notice.version, "reason": "Fax 2"})
    assert edited.status_code == 200, edited.content
    notice = ChangeNotice.objects.get(pk=notice.pk)
    assert notice.reason == "Fax 2" and [i.kind for i in notice.items.all()] == ["quantity"]
    assert api("planner").patch(f"/api/v1/change-notices/{notice.pk}/", {"version": notice.version}).status_code in (
        403,
        404,
    )
    # Writing a change notice needs the permission to see prices (the page's rule, in the service).
    demo["sales"].user_permissions.remove(Permission.objects.get(codename="view_prices"))
    for group in demo["sales"].groups.all():
        group.permissions.remove(Permission.objects.get(codename="view_prices"))
    assert api("sales").post("/api/v1/change-notices/", body).status_code == 403


def test_delay_notice_edit_where_the_page_allows_it(api, released):  # noqa: F811
    order = released()
    planner = api("planner")
    proposed = (order.committed_date + timedelta(days=10)).isoformat()
    created = planner.post(
        "/api/v1/delay-notices/",
        {
            "customer": order.customer.code,
            "reason": "Material late",
            "items": [{"order": order.pk, "proposed_date": proposed}],
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api("sales").patch(f"/api/v1/delay-notices/{pk}/", {"version": 1, "reason": "x"}).status_code == 403
    edited = planner.patch(f"/api/v1/delay-notices/{pk}/", {"version": 1, "reason": "Material late again"})
    assert edited.status_code == 200, edited.content
    notice = DelayNotice.objects.get(pk=pk)
    assert notice.reason == "Material late again" and [i.order_id for i in notice.items.all()] == [order.pk]
    stale = planner.patch(f"/api/v1/delay-notices/{pk}/", {"version": 1, "reason": "old"})
    assert stale.status_code == 409


def test_order_clarification_raised_and_answer_needs_the_confirmation(api, order):
    url = f"/api/v1/orders/{order.pk}/clarifications/"
    body = {"topic": "materials", "question": "Which plating?", "channel": "email"}
    assert api("warehouse").post(url, body).status_code in (403, 404)
    raised = api("sales").post(url, body)
    assert raised.status_code == 201, raised.content
    assert [c["question"] for c in api("sales").get(url).json()] == ["Which plating?"]
    answer = f"{url}{raised.json()['id']}/answer/"
    assert api("sales").post(answer, {}).status_code == 400
    # The first answer needs the customer's written confirmation, attached on the page only.
    refused = api("sales").post(answer, {"answer": "Tin"})
    assert refused.status_code == 400 and refused.json()["detail"], refused.content
