"""Each figure of the dashboard against values computed by hand from the fixed data set (conftest.py),
period = the last 100 days."""

from datetime import timedelta
from decimal import Decimal

import pytest

from nhcs.dashboard import selectors


def figures(user, data, customer=None):
    panels = selectors.dashboard(user=user, start=data.day(100), end=data.today, customer=customer)
    found = {f.key: f.value for p in panels for f in p.figures}
    return found, {p.key: p for p in panels}


def chart_data(panel, key):
    return dict(next(c for c in panel.charts if c.key == key).data)


def test_orders_delivery_and_change_notices(data):
    f, panels = figures(data.demo["gm"], data)
    assert f["orders_in_review"] == 1
    assert f["orders_overdue"] == 1
    # Replies: 5, 12 and 2 days from the PO date; within 7 days: 2 of 3.
    assert f["orders_mean_reply_days"] == 6.3
    assert f["orders_reply_on_time"] == 66.7
    assert f["orders_awaiting_customer"] == 2  # an unanswered clarification, a date replied
    # Shipments: one on the committed date's side, one after it; the reversed pair left out.
    assert f["orders_on_time_delivery"] == 50.0
    assert f["orders_delivery_overdue"] == 1
    assert f["orders_delay_pending"] == 0
    assert f["delays_reconfirmed"] == 0
    assert f["changes_open"] == 1
    assert f["changes_rejected"] == 1
    assert f["changes_mean_days_to_issue"] is None
    assert chart_data(panels["orders"], "on_time_by_customer") == {"T102 客户T102": 50.0}


def test_complaints(data):
    f, panels = figures(data.demo["gm"], data)
    assert f["complaints_received"] == 2
    assert f["complaints_open"] == 2
    assert f["complaints_repeats"] == 1
    assert f["complaints_mean_reply"] == 3.0
    assert f["complaints_mean_close"] == 20.0
    assert f["complaints_overdue_actions"] == 0
    assert list(chart_data(panels["complaints"], "complaints_by_age").values()) == [0, 1, 0, 1]
    assert chart_data(panels["complaints"], "complaints_by_category") == {"Quality": 1, "Delivery": 1}


def test_satisfaction_property_and_tasks(data):
    f, panels = figures(data.demo["gm"], data)
    assert f["satisfaction_mean"] == Decimal("70.0")
    assert f["satisfaction_response_rate"] == 66.7
    assert f["satisfaction_open_items"] == 0
    assert panels["satisfaction"].warnings == []  # a survey went out 30 days ago
    bands = chart_data(panels["satisfaction"], "satisfaction_bands")
    assert bands == {
        "很满意 Very satisfied": 0,
        "比较满意 Fairly satisfied": 1,
        "满意 Satisfied": 0,
        "不太满意 Not very satisfied": 1,
        "很不满意 Very dissatisfied": 0,
    }
    assert f["property_held"] == 2
    assert f["property_pending_verification"] == 1
    assert f["property_near_limit"] == 1
    assert f["property_open_incidents"] == 1
    assert f["tasks_open"] == 2
    assert f["tasks_overdue"] == 1


def test_one_customer_and_a_head_sees_their_department(data):
    f, _panels = figures(data.demo["gm"], data, customer=data.rows["c2"])
    assert f["orders_in_review"] == 0
    assert f["orders_on_time_delivery"] == 50.0
    assert f["complaints_received"] == 0
    assert f["complaints_open"] == 1  # K3, received before the period
    assert f["satisfaction_mean"] == Decimal("55.0")
    assert f["satisfaction_response_rate"] == 100.0
    assert f["property_held"] == 1
    f, panels = figures(data.demo["qa_head"], data)
    assert (f["tasks_open"], f["tasks_overdue"]) == (1, 0)  # Quality's task only
    assert [t.key for t in panels["tasks"].tables] == ["tasks_by_person"]


def test_period_moves_the_figures(data):
    panels = selectors.dashboard(user=data.demo["gm"], start=data.day(20), end=data.today)
    f = {x.key: x.value for p in panels for x in p.figures}
    assert f["complaints_received"] == 1
    assert f["orders_mean_reply_days"] == 2.0  # O4 only
    assert f["orders_on_time_delivery"] == 0.0  # the late shipment only


@pytest.mark.parametrize("ago", [400])
def test_the_twelve_month_warning(demo, ago):
    from tests.dashboard.conftest import Data

    d = Data(demo)
    d.survey(sent_ago=ago, answers=[("90.0", "very_satisfied")], recipients=[d.customer("T201")])
    panels = selectors.dashboard(user=demo["gm"], start=d.today - timedelta(days=500), end=d.today)
    satisfaction = next(p for p in panels if p.key == "satisfaction")
    assert any("12 months" in str(w) for w in satisfaction.warnings)


def test_after_sales_feedback_and_advisory_notices(data, client_for):
    from complaints.models import AdvisoryAck, AdvisoryNotice, Feedback
    from tests.dashboard.conftest import at, number

    c1, c2 = data.rows["c1"], data.rows["c2"]
    record = {"created_by": data.sales, "changed_by": data.sales}
    for customer, sentiment, source, ago in [
        (c1, "negative", "phone", 5),
        (c2, "positive", "email", 8),
        (c1, "negative", "visit", 300),
    ]:
        Feedback.objects.create(
            number=number("FK"),
            customer=customer,
            sentiment=sentiment,
            source=source,
            text="x",
            received_at=at(data.day(ago)),
            state="open",
            **record,
        )
    notice = AdvisoryNotice.objects.create(
        number=number("ZG"),
        subject="Burr on lot 7",
        reason="x",
        measure="stop_use",
        respond_by=data.day(-7),
        state="sent",
        **record,
    )
    for customer, state in [(c1, "sent"), (c2, "acknowledged")]:
        AdvisoryAck.objects.create(number=number("ZGA"), notice=notice, customer=customer, state=state, **record)
    f, panels = figures(data.demo["gm"], data)
    assert (f["feedback_received"], f["feedback_negative"]) == (2, 1)  # the one of 300 days ago is out
    assert chart_data(panels["aftersales"], "feedback_by_source") == {"Phone": 1, "E-mail": 1}
    assert (f["advisories_open"], f["advisories_not_acknowledged"]) == (1, 1)
    html = client_for(data.demo["gm"]).get(f"/customers/{c1.code}/").content.decode()
    assert 'id="panel-advisories"' in html and "Burr on lot 7" in html
    html = client_for(data.demo["gm"]).get(f"/customers/{c2.code}/").content.decode()
    assert "Burr on lot 7" not in html
