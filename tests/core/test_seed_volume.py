"""seed_volume at a tiny scale (the scale-1 data and the benchmarks stay in bench/), and pages whose query
count must not grow with the data."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import Min
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nhcs.accounts.models import User
from nhcs.workflow.models import Round, SignOff, Task

pytestmark = pytest.mark.django_db


def seed(scale):
    call_command("seed_volume", scale=scale, force=True, stdout=io.StringIO())


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_seed_volume_writes_records_with_their_workflow_rows_and_pages_keep_their_queries():
    from complaints.models import Complaint
    from customer_property.models import Movement, PropertyItem
    from nhcs.capa.models import CorrectiveAction
    from orders.models import ChangeNotice, Order, OrderLine
    from satisfaction.models import Answer, Campaign

    seed(0.0005)
    assert Order.objects.count() == 50
    head = User.objects.get(username="sales_head")
    client = Client()
    client.force_login(head)
    customer = Order.objects.select_related("customer").first().customer
    campaign = Campaign.objects.filter(state="analysed").first()
    pages = [
        "/",
        "/tasks/",
        "/orders/",
        f"/orders/?customer={customer.code}",
        f"/orders/?customer={customer.name_zh[:2]}",
        "/orders/?ordering=requested",
        "/orders/?q=PO",
        "/changes/",
        "/complaints/",
        "/actions/",
        "/property/",
        f"/surveys/{campaign.pk}/statistics/",
    ]
    few = {url: queries(client, url) for url in pages}

    seed(0.001)  # adds as much again, and more
    assert Order.objects.count() == 150
    assert OrderLine.objects.count() >= 2 * 150
    assert ChangeNotice.objects.count() == 30
    assert Complaint.objects.count() == 45
    assert CorrectiveAction.objects.count() > 0
    assert PropertyItem.objects.count() == 30 and Movement.objects.count() >= 250
    assert Campaign.objects.count() == 20 and Answer.objects.exists()
    # Gap-free numbers, one round per record, a sign-off per transition taken, tasks of the open states.
    assert Order.objects.values("number").distinct().count() == 150
    ct = ContentType.objects.get_for_model(Order)
    assert Round.objects.filter(content_type=ct).count() == 150
    shipped = Order.objects.filter(state="shipped").first()
    assert SignOff.objects.filter(content_type=ct, object_id=shipped.pk, to_state="shipped").exists()
    assert not Task.objects.filter(content_type=ct, object_id=shipped.pk, status="open").exists()
    waiting = Order.objects.filter(state="submitted").first()
    if waiting is not None:
        assert Task.objects.filter(content_type=ct, object_id=waiting.pk, status="open").exists()
    # The stored first requested date is the earliest line's.
    for order in Order.objects.annotate(m=Min("lines__requested_date"))[:20]:
        assert order.first_requested == order.m

    many = {url: queries(client, url) for url in pages}
    assert many == few


def test_review_rows_read_as_values_print_what_the_instances_print():
    from orders import sheets
    from orders.models import Order

    seed(0.0003)
    head = User.objects.get(username="sales_head")
    columns = sheets.REVIEW_DETAIL.excel_columns_for(head)
    queryset = sheets.review_queryset(Order.objects.select_related("customer"))
    from_instances = [[c.value(o) for c in columns] for o in queryset]
    from_values = [[c.value(r) for c in columns] for r in sheets.review_rows(queryset, chunk=7)]
    assert from_values == from_instances
    assert any(row[5] for row in from_values)  # an opinion printed
