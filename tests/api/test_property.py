"""Customer property movements and stock counts through the API, as the item's and the count's pages."""

import pytest

from customer_property.models import PropertyItem, StockCount
from tests.customer_property.conftest import drive, make_item, rack  # noqa: F401  (the area's fixtures)

pytestmark = pytest.mark.django_db


def test_movement_posted_as_the_items_page_does(api, drive, make_item):  # noqa: F811
    item = drive.stored(make_item())
    url = f"/api/v1/property-items/{item.pk}/movements/"
    body = {"kind": "issued", "quantity": "10", "order_number": "PO-1", "place": "Line 3"}
    assert api("sales").post(url, body).status_code == 403
    assert api("warehouse").post(url, {**body, "kind": "shots"}).status_code == 400  # not a mold
    posted = api("warehouse").post(url, body)
    assert posted.status_code == 201, posted.content
    assert posted.json()["kind"] == "issued"
    assert posted.json()["id"] in [m["id"] for m in api("sales").get(url).json()]
    assert PropertyItem.objects.get(pk=item.pk).state == "in_use"


def test_stock_count_started_and_entered(api, drive, make_item, rack):  # noqa: F811
    item = drive.stored(make_item())
    assert api("sales").post("/api/v1/property-counts/", {"location": rack.pk}).status_code == 403
    warehouse = api("warehouse")
    started = warehouse.post("/api/v1/property-counts/", {"location": rack.pk})
    assert started.status_code == 201, started.content
    count = started.json()
    [line] = count["lines"]
    assert line["item"] == item.pk
    url = f"/api/v1/property-counts/{count['id']}/counts/"
    bad = warehouse.post(url, {"version": count["version"], "lines": [{"line": line["id"], "counted": "x"}]})
    assert bad.status_code == 400 and "lines[0].counted" in bad.json()["errors"]
    entered = warehouse.post(url, {"version": count["version"], "lines": [{"line": line["id"], "counted": "98"}]})
    assert entered.status_code == 200, entered.content
    assert str(StockCount.objects.get(pk=count["id"]).lines.get().counted) == "98.000"
    assert warehouse.post(url, {"version": count["version"], "lines": []}).status_code == 409
