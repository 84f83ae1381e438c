"""The complaint pages over HTTP: registering (the delivery picked from the shipments, earlier complaints
linked as repeats, refusals that keep the input), who reads, actions, costs and repeats on the complaint
page, the log's filters and sorting, the analysis, and the pages' query budgets."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.choices import ComplaintState
from complaints.models import Complaint, ComplaintCost, ComplaintLink
from complaints.services import due_dates
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.workflow.calendar import Calendar
from nhcs.workflow.models import CalendarPeriod

from .conftest import TODAY, go, messages_of, raise_action, registration, to_state

S = ComplaintState
pytestmark = pytest.mark.django_db


def listed(client, query="") -> list[str]:
    page = client.get(f"/complaints/{query}")
    assert page.status_code == 200, page.status_code
    return re.findall(r'class="complaint-row[^"]*" data-number="([^"]+)"', page.content.decode())


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


# --- registering ---------------------------------------------------------------------------------------


def test_registering_picks_the_delivery_from_the_shipments_and_copies_it(demo, client_for, delivered):
    delivery = delivered(lot="LOT-K7", quantity=800)
    delivered(lot="LOT-OTHER", part="NH-SW-0101", customer="C002", note="DN-C2")
    sales = client_for(demo["sales"])
    customer = Customer.objects.get(code="C001")
    # Look up: the customer's deliveries (not another customer's) fill the list, the typed input is kept.
    page = sales.post(
        "/complaints/new/", registration(customer=customer.pk, find="K7", description="毛刺", _lookup="1")
    )
    assert page.status_code == 200 and not Complaint.objects.exists()
    html = page.content.decode()
    assert f'value="{delivery.key}"' in html and "LOT-K7" in html and "LOT-OTHER" not in html
    assert "毛刺" in html
    response = sales.post("/complaints/new/", registration(delivery=delivery.key, part_number="", lot=""))
    assert response.status_code == 302, messages_of(response)
    complaint = Complaint.objects.get()
    assert response["Location"] == complaint.get_absolute_url()
    assert (complaint.delivery_key, complaint.order_number, complaint.part_number, complaint.lot) == (
        delivery.key,
        delivery.order_number,
        "NH-CN-2040",
        "LOT-K7",
    )
    assert (complaint.delivery_note, complaint.shipped_on, complaint.quantity_delivered) == (
        "DN-K1",
        delivery.shipped_on,
        Decimal(800),
    )
    page = sales.get(complaint.get_absolute_url()).content.decode()
    assert delivery.order_number in page and "LOT-K7" in page


def test_a_delivery_of_another_customer_is_refused_with_the_input_kept(demo, client_for, delivered):
    other = delivered(lot="LOT-C2", customer="C002", note="DN-C2")
    sales = client_for(demo["sales"])
    refused = sales.post("/complaints/new/", registration(delivery=other.key, description="很严重的问题"))
    assert refused.status_code == 400 and not Complaint.objects.exists()
    html = refused.content.decode()
    assert "not made to this customer" in html and "很严重的问题" in html
    gone = sales.post("/complaints/new/", registration(delivery="shipment:999999"))
    assert gone.status_code == 400 and "not on record" in gone.content.decode()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"description": ""}, "This field is required"),
        ({"category": ""}, "This field is required"),
        ({"received_at": "2099-01-01T10:00"}, "received in the future"),
        ({"quantity_delivered": "10", "quantity_affected": "20"}, "More pieces are affected than were delivered"),
        ({"quantity_affected": "-5"}, "greater than or equal to 0"),
        ({"customer": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_registrations_are_refused_clearly_and_nothing_is_written(demo, client_for, overrides, message):
    refused = client_for(demo["sales"]).post("/complaints/new/", registration(contact_name="陈先生", **overrides))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert message in html and "陈先生" in html
    assert not Complaint.objects.exists()


def test_quality_registers_quality_complaints_sales_any(demo, client_for):
    qa = client_for(demo["qa"])
    page = qa.get("/complaints/new/").content.decode()
    assert 'value="quality"' in page and 'value="delivery"' not in page
    refused = qa.post("/complaints/new/", registration(category="delivery"))
    assert refused.status_code == 400 and not Complaint.objects.exists()
    assert qa.post("/complaints/new/", registration(category="quality")).status_code == 302
    assert client_for(demo["sales"]).post("/complaints/new/", registration(category="service")).status_code == 302
    for name in ("rd", "planner", "warehouse"):
        assert client_for(demo[name]).get("/complaints/new/").status_code == 403
        assert client_for(demo[name]).post("/complaints/new/", registration()).status_code == 403
    assert Complaint.objects.count() == 2


def test_deadlines_come_from_the_customers_terms_in_working_days(demo, register):
    customer = Customer.objects.get(code="C002")
    customer.complaint_reply_days, customer.report_8d_days = 2, 8
    customer.save()
    friday = TODAY - timedelta(days=(TODAY.weekday() - 4) % 7 or 7)
    received = timezone.make_aware(timezone.datetime.combine(friday, timezone.datetime.min.time())).replace(hour=9)
    CalendarPeriod.objects.create(name="休假", starts_on=friday + timedelta(days=3), ends_on=friday + timedelta(days=3))
    complaint = register(customer=customer, received_at=received, category="delivery")
    # Friday + 2 working days, the Monday closed: Wednesday.
    assert complaint.reply_due_on == friday + timedelta(days=5)
    assert complaint.report_8d_due_on == Calendar(friday).add_working_days(friday, 8)
    assert due_dates(customer=customer, received_at=received)["reply_due_on"] == complaint.reply_due_on


def test_earlier_complaints_are_shown_on_entry_and_linked_as_repeats(demo, client_for, register):
    week_ago = timezone.now() - timedelta(days=7)
    same_product = register(
        customer=Customer.objects.get(code="C002"), part_number="NH-CN-2040", category="service", received_at=week_ago
    )
    same_customer = register(part_number="NH-SW-0101", category="delivery", description="Late", received_at=week_ago)
    unrelated = register(
        customer=Customer.objects.get(code="C003"), part_number="X-1", category="documentation", received_at=week_ago
    )
    withdrawn = register(part_number="NH-CN-2040", received_at=week_ago)
    received_later = register(part_number="NH-CN-2040", received_at=timezone.now())
    go(withdrawn, "withdraw", demo["sales"], comment="重复")
    sales = client_for(demo["sales"])
    page = sales.post(
        "/complaints/new/", registration(part_number="NH-CN-2040", category="quality", _lookup="1")
    ).content.decode()
    shown = re.findall(r'class="form-check earlier-complaint mb-2" data-number="([^"]+)"', page)
    assert set(shown) == {same_product.number, same_customer.number}
    assert shown[0] == same_product.number or shown[0] == same_customer.number
    assert unrelated.number not in page and withdrawn.number not in page
    assert received_later.number not in page  # received after the one being registered
    response = sales.post(
        "/complaints/new/", registration(part_number="NH-CN-2040", category="quality", earlier=[same_product.pk])
    )
    assert response.status_code == 302
    complaint = Complaint.objects.order_by("-pk").first()
    assert [link.earlier for link in complaint.links.all()] == [same_product]
    assert listed(sales, "?repeat=on") == [complaint.number]
    html = sales.get("/complaints/").content.decode()
    assert re.search(rf'data-number="{complaint.number}">.*?repeat-mark', html, re.S)
    # A complaint not offered (not earlier, or not readable) cannot be linked by posting its id.
    for not_offered in (received_later.pk, unrelated.pk, received_later.pk + 1000):
        refused = sales.post("/complaints/new/", registration(earlier=[not_offered]))
        assert refused.status_code == 400 and "not offered any more" in messages_of(refused)


def test_the_complaint_page_marks_and_unmarks_repeats(demo, client_for, register):
    earlier = register(received_at=timezone.now() - timedelta(days=40))
    complaint = register()
    sales = client_for(demo["sales"])
    assert 'id="find-earlier"' in sales.get(complaint.get_absolute_url()).content.decode()
    page = sales.get(f"/complaints/{complaint.pk}/repeats/").content.decode()
    assert f'data-number="{earlier.number}"' in page and "Mark as repeat" in page
    assert sales.post(f"/complaints/{complaint.pk}/repeats/", {"earlier": earlier.pk}).status_code == 302
    link = ComplaintLink.objects.get()
    assert (link.complaint, link.earlier, link.linked_by) == (complaint, earlier, demo["sales"])
    assert sales.post(f"/complaints/{complaint.pk}/repeats/", {"earlier": earlier.pk}).status_code == 302
    assert ComplaintLink.objects.count() == 1  # once
    assert complaint.number in sales.get(earlier.get_absolute_url()).content.decode()  # "repeated by"
    assert earlier.number in sales.get(complaint.get_absolute_url()).content.decode()
    page = sales.get(f"/complaints/{complaint.pk}/repeats/").content.decode()
    assert re.search(rf'data-number="{earlier.number}">.*?linked', page, re.S)
    # A later complaint is not repeated by an earlier one; nor is a complaint by itself.
    refused = sales.post(f"/complaints/{earlier.pk}/repeats/", {"earlier": complaint.pk})
    assert refused.status_code == 400 and "came later" in messages_of(refused)
    assert sales.post(f"/complaints/{complaint.pk}/repeats/", {"earlier": complaint.pk}).status_code == 400
    assert sales.post(f"/complaints/{complaint.pk}/repeats/", {"earlier": "x"}).status_code == 404
    assert client_for(demo["planner"]).post(f"/complaints/{complaint.pk}/repeats/", {"earlier": 1}).status_code == 404
    assert client_for(demo["rd"]).get(f"/complaints/{complaint.pk}/repeats/").status_code == 404
    assert client_for(demo["qa"]).get(f"/complaints/{complaint.pk}/repeats/").status_code == 200
    response = sales.post(f"/complaints/{complaint.pk}/repeats/{link.pk}/remove/")
    assert response.status_code == 302 and not ComplaintLink.objects.exists()


# --- who reads --------------------------------------------------------------------------------------------


def _urls(complaint) -> list[str]:
    base = f"/complaints/{complaint.pk}/"
    return [base, f"{base}sheet.pdf", f"{base}sheet.xlsx", f"{base}8d.pdf", f"{base}reply-letter.pdf"]


def test_readers_sales_quality_the_investigators_heads_and_above(demo, client_for, register):
    complaint = go(register(), "assign", demo["qa_head"], data={"investigators": [demo["engineer"].pk]})
    readers = ["sales", "sales_head", "qa", "qa_head", "engineer", "planning_head", "vgm", "gm", "admin"]
    others = ["planner", "buyer", "rd", "mfg", "warehouse"]
    for url in _urls(complaint):
        for name in readers:
            assert client_for(demo[name]).get(url).status_code == 200, (name, url)
        for name in others:
            assert client_for(demo[name]).get(url).status_code == 404, (name, url)
        assert Client().get(url).status_code == 302  # login first
    for name in readers:
        assert complaint.number in listed(client_for(demo[name])), name
    for name in others:
        assert complaint.number not in listed(client_for(demo[name])), name


# --- actions raised from the complaint ---------------------------------------------------------------------


def test_investigators_raise_actions_that_the_owner_departments_carry_out(demo, client_for, register):
    complaint = to_state(demo, register(), "investigating")
    rd = client_for(demo["rd"])
    assert 'id="raise-action"' in rd.get(complaint.get_absolute_url()).content.decode()
    assert 'id="action-form"' in rd.get(f"/complaints/{complaint.pk}/actions/").content.decode()
    post = {
        "act-kind": "preventive",
        "act-owner_department": demo["planner"].department_id,
        "act-title": "来料批次追溯",
        "act-analysis": "修模前批次仍在库",
        "act-measures": "追溯并复检库存",
        "act-due_on": (TODAY + timedelta(days=5)).isoformat(),
        "act-check_on": (TODAY + timedelta(days=35)).isoformat(),
    }
    refused = rd.post(
        f"/complaints/{complaint.pk}/actions/", {**post, "act-due_on": (TODAY - timedelta(days=1)).isoformat()}
    )
    assert refused.status_code == 400 and not CorrectiveAction.objects.exists()
    assert "due today or later" in refused.content.decode() and "来料批次追溯" in refused.content.decode()
    refused = rd.post(f"/complaints/{complaint.pk}/actions/", {**post, "act-check_on": TODAY.isoformat()})
    assert refused.status_code == 400 and "on or after the due date" in refused.content.decode()
    assert client_for(demo["sales"]).post(f"/complaints/{complaint.pk}/actions/", post).status_code == 403
    assert client_for(demo["planner"]).post(f"/complaints/{complaint.pk}/actions/", post).status_code == 404
    response = rd.post(f"/complaints/{complaint.pk}/actions/", post)
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (action.source, action.trigger, action.kind, action.owner_department.code) == (
        complaint,
        "complaint",
        "preventive",
        "PLAN",
    )
    assert action.created_by == demo["rd"] and action.source_number == complaint.number
    # Its owner department reads the action (not the complaint); the complaint's readers read it too.
    assert client_for(demo["planner"]).get(action.get_absolute_url()).status_code == 200
    assert client_for(demo["sales"]).get(action.get_absolute_url()).status_code == 200
    assert client_for(demo["mfg"]).get(action.get_absolute_url()).status_code == 404
    page = rd.get(complaint.get_absolute_url()).content.decode()
    assert f'data-number="{action.number}"' in page
    # The owner raises actions too; nobody once the investigation is handed over.
    assert client_for(demo["qa_head"]).post(f"/complaints/{complaint.pk}/actions/", post).status_code == 302
    complaint = to_state(demo, complaint, "verification", actions=0)
    assert rd.post(f"/complaints/{complaint.pk}/actions/", post).status_code == 403


# --- costs --------------------------------------------------------------------------------------------


def test_costs_are_recorded_and_taken_back_by_sales_and_quality(demo, client_for, register):
    complaint = register()
    sales = client_for(demo["sales"])
    post = {"cost-kind": "freight", "cost-amount": "350.50", "cost-incurred_on": TODAY.isoformat(), "cost-note": "顺丰"}
    for amount in ("0", "-3", "abc"):
        refused = sales.post(f"/complaints/{complaint.pk}/costs/", {**post, "cost-amount": amount})
        assert refused.status_code == 400 and "顺丰" in refused.content.decode()
    future = sales.post(f"/complaints/{complaint.pk}/costs/", {**post, "cost-incurred_on": "2099-01-01"})
    assert future.status_code == 400 and "future" in future.content.decode()
    assert not ComplaintCost.objects.exists()
    assert client_for(demo["rd"]).post(f"/complaints/{complaint.pk}/costs/", post).status_code == 404
    assert sales.post(f"/complaints/{complaint.pk}/costs/", post).status_code == 302
    assert (
        client_for(demo["qa"])
        .post(f"/complaints/{complaint.pk}/costs/", {**post, "cost-kind": "rework", "cost-amount": "1000"})
        .status_code
        == 302
    )
    assert sorted(ComplaintCost.objects.values_list("kind", "amount")) == [
        ("freight", Decimal("350.50")),
        ("rework", Decimal("1000.00")),
    ]
    row = re.findall(rf'data-number="{complaint.number}".*?</tr>', sales.get("/complaints/").content.decode(), re.S)
    assert "1350.50" in row[0]
    cost = ComplaintCost.objects.get(kind="freight")
    assert sales.post(f"/complaints/{complaint.pk}/costs/{cost.pk}/remove/").status_code == 302
    assert list(ComplaintCost.objects.values_list("kind", flat=True)) == ["rework"]
    assert ComplaintCost.history.filter(kind="freight", history_type="-").exists()  # kept in the history
    # Closed complaints take no more costs.
    Complaint.objects.filter(pk=complaint.pk).update(state=S.CLOSED)
    assert sales.post(f"/complaints/{complaint.pk}/costs/", post).status_code == 403


# --- the log -------------------------------------------------------------------------------------------------


def test_the_log_filters_and_sorts(demo, client_for, register):
    now = timezone.now()
    old = register(category="delivery", received_at=now - timedelta(days=50), description="Late")
    quality = register(category="quality", received_at=now - timedelta(hours=2))
    other = register(
        customer=Customer.objects.get(code="C002"),
        category="service",
        description="Rude",
        received_at=now - timedelta(hours=3),
    )
    go(other, "withdraw", demo["sales"], comment="误登")
    qa_head = client_for(demo["qa_head"])
    assert listed(qa_head) == [quality.number, other.number, old.number]
    assert listed(qa_head, "?owner=QA") == [quality.number]
    assert set(listed(qa_head, "?owner=SALES")) == {old.number, other.number}
    assert listed(qa_head, "?category=delivery") == [old.number]
    assert listed(qa_head, f"?customer={other.customer_id}") == [other.number]
    assert listed(qa_head, "?state=withdrawn") == [other.number]
    assert set(listed(qa_head, "?open_only=on")) == {quality.number, old.number}
    assert listed(qa_head, "?ordering=received") == [old.number, other.number, quality.number]
    assert listed(qa_head, "?ordering=-number")[0] == other.number
    assert listed(qa_head, f"?received_after={(TODAY - timedelta(days=10)).isoformat()}") == [
        quality.number,
        other.number,
    ]
    assert listed(qa_head, "?q=Rude") == [other.number]
    # Overdue: the first reply of the old complaint was due long ago.
    assert listed(qa_head, "?overdue=on") == [old.number]
    assert qa_head.get("/complaints/?state=nonsense").status_code == 400


def test_the_log_and_the_complaint_page_issue_a_constant_small_number_of_queries(demo, client_for, register, delivered):
    qa_head = client_for(demo["qa_head"])

    def build(n):
        complaints = [register(description=f"#{i}") for i in range(n)]
        complaint = to_state(demo, complaints[-1], "investigating")
        for i in range(n):
            raise_action(demo, complaint, title=f"措施 {i}")
        for earlier in complaints[:-1]:
            Complaint.objects.filter(pk=earlier.pk).update(received_at=timezone.now() - timedelta(days=5))
            ComplaintLink.objects.create(complaint=complaint, earlier=earlier, linked_by=demo["sales"])
        return complaint

    small = build(1)
    few, _sql = _queries(qa_head, small.get_absolute_url())
    big = build(4)
    many, sql = _queries(qa_head, big.get_absolute_url())
    assert many == few, sql
    assert many <= 20, sql
    # The log: the same whatever it lists.
    listing, _sql = _queries(qa_head, "/complaints/")
    register(description="one more")
    register(description="and another")
    again, sql = _queries(qa_head, "/complaints/")
    assert again == listing, sql
    analysis, _sql = _queries(qa_head, "/complaints/analysis/")
    register(description="a third")
    assert _queries(qa_head, "/complaints/analysis/")[0] == analysis


@pytest.mark.parametrize(
    "state", ["registered", "assigned", "investigating", "verification", "reply", "effectiveness_check", "closed"]
)
def test_the_complaint_page_stays_within_twenty_queries_in_every_state_for_each_of_its_people(
    demo, client_for, register, state
):
    complaint = to_state(demo, register(), state, actions=2)
    complaint.investigators.add(demo["rd"])  # named in every state, to read it
    for name in ("qa_head", "qa", "sales", "rd"):
        count, sql = _queries(client_for(demo[name]), complaint.get_absolute_url())
        assert count <= 20, (name, sql)


# --- the analysis -------------------------------------------------------------------------------------


def test_the_analysis_counts_by_month_category_defect_customer_and_cost(demo, client_for, register):
    from complaints.models import DefectType

    scratch, late = DefectType.objects.get(code="D02"), DefectType.objects.get(code="D09")
    a = register(defect=scratch, received_at=timezone.now() - timedelta(days=4))
    register(defect=scratch, customer=Customer.objects.get(code="C002"))
    register(defect=late, category="delivery")
    go(a, "first_reply", demo["sales"], data={"replied_on": TODAY.isoformat(), "channel": "email", "summary": "ok"})
    a = to_state(demo, a, "closed")
    ComplaintCost.objects.create(complaint=a, kind="rework", amount=Decimal(700), entered_by=demo["qa"])
    page = client_for(demo["qa_head"]).get("/complaints/analysis/")
    assert page.status_code == 200
    result = page.context["analysis"]
    assert result.count == 3 and result.open_count == 2 and result.closed_count == 1
    received = timezone.localtime(a.received_at).date()
    assert result.mean_days_to_first_reply == (TODAY - received).days
    assert result.mean_days_to_close == (TODAY - received).days
    assert [(label.split(" ")[0], n) for label, n, _cum in result.pareto] == [("D02", 2), ("D09", 1)]
    assert result.pareto[-1][2] == 100.0 and result.pareto[0][2] == 66.7
    assert [(code, n) for code, _label, n in result.by_category] == [("quality", 2), ("delivery", 1)]
    assert [(code, n) for code, _name, n in result.by_customer] == [("C001", 2), ("C002", 1)]
    assert result.cost_total == Decimal(700) and result.by_month[-1][1] >= 2
    chart = page.context["chart_data"]
    assert chart["pareto"]["counts"] == [2, 1] and chart["pareto"]["cumulative"] == [66.7, 100.0]
    html = page.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html and "cdn" not in html.lower()
    # The log's filters narrow it.
    narrowed = client_for(demo["qa_head"]).get("/complaints/analysis/?category=delivery").context["analysis"]
    assert narrowed.count == 1 and narrowed.pareto[0][0].startswith("D09")


def test_the_analysis_counts_by_the_local_month_late_first_replies_repeats_and_costs(demo, client_for, register):
    """Months are the local calendar's (a complaint at 00:30 on the 1st is this month's, one at 23:30 the
    evening before last month's); late first replies are those after the due day and those still owed
    past it; repeats are the complaints linked to an earlier one; costs go by kind and by month."""
    month_start = timezone.make_aware(datetime.combine(TODAY.replace(day=1), time()))
    on_the_first = register(received_at=month_start + timedelta(minutes=30))
    evening_before = register(received_at=month_start - timedelta(minutes=30))
    earlier = register(received_at=month_start - timedelta(days=40))  # the month before last
    last_day = TODAY.replace(day=1) - timedelta(days=1)
    Complaint.objects.filter(pk=on_the_first.pk).update(reply_due_on=TODAY + timedelta(days=5))
    Complaint.objects.filter(pk=evening_before.pk).update(
        reply_due_on=last_day + timedelta(days=1), first_replied_on=last_day + timedelta(days=3)
    )
    Complaint.objects.filter(pk=earlier.pk).update(reply_due_on=TODAY - timedelta(days=1))
    ComplaintLink.objects.create(complaint=on_the_first, earlier=earlier, linked_by=demo["sales"])
    ComplaintCost.objects.create(
        complaint=earlier,
        kind="freight",
        amount=Decimal("100"),
        incurred_on=last_day - timedelta(days=31),
        entered_by=demo["qa"],
    )
    ComplaintCost.objects.create(
        complaint=on_the_first, kind="rework", amount=Decimal("50.50"), incurred_on=TODAY, entered_by=demo["qa"]
    )
    result = client_for(demo["qa_head"]).get("/complaints/analysis/").context["analysis"]
    assert result.count == 3 and result.open_count == 3
    assert [n for _m, n in result.by_month[-3:]] == [1, 1, 1]
    assert result.by_month[-1][0] == f"{TODAY:%Y-%m}" and result.by_month[-2][0] == f"{last_day:%Y-%m}"
    assert result.first_reply_late == 2 and result.repeat_count == 1
    assert result.replied_count == 1 and result.mean_days_to_first_reply == 3
    assert result.cost_total == Decimal("150.50")
    assert [(kind, amount) for kind, _label, amount in result.cost_by_kind] == [
        ("rework", Decimal("50.50")),
        ("freight", Decimal("100")),
    ]
    assert [amount for _m, amount in result.cost_by_month[-3:]] == [Decimal("100"), Decimal(0), Decimal("50.50")]
    html = client_for(demo["qa_head"]).get("/complaints/analysis/").content.decode()
    assert re.search(r'id="stat-late">2<', html) and re.search(r'id="stat-repeats">1<', html)


def test_an_outsider_sees_an_empty_analysis(demo, client_for, register):
    register()
    result = client_for(demo["warehouse"]).get("/complaints/analysis/").context["analysis"]
    assert result.count == 0 and result.pareto == []


def test_home_warns_of_complaints_past_their_first_reply_deadline(demo, client_for, register):
    register(received_at=timezone.now() - timedelta(days=6))
    assert "past its first-reply deadline" in client_for(demo["sales"]).get("/").content.decode()
    assert "first-reply deadline" not in client_for(demo["rd"]).get("/").content.decode()


def test_the_customer_register_counts_the_complaints(demo, client_for, register):
    register()
    register(description="again")
    page = client_for(demo["sales"]).get("/customers/").content.decode()
    assert 'data-count="complaints"' in page
    row = re.search(r'data-code="C001">.*?</tr>', page, re.S).group(0)
    assert re.findall(r'text-end">(\d+)</td>', row)[-1] == "2"


def test_the_defect_catalogue_is_bilingual_and_kept_in_the_admin(demo, client_for, register):
    from django.utils import translation

    from complaints.models import DefectType

    defect = DefectType.objects.get(code="D06")
    with translation.override("zh-hans"):
        assert str(defect) == "D06 包装破损"
    assert str(defect) == "D06 Damaged packaging"
    admin = client_for(demo["admin"])
    assert admin.get("/admin/complaints/defecttype/").status_code == 200
    register(defect=defect)
    assert admin.post(f"/admin/complaints/defecttype/{defect.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DefectType.objects.filter(pk=defect.pk).exists()


def test_a_retired_customer_or_defect_stays_on_the_complaints_that_name_them(demo, client_for, register):
    from complaints.models import DefectType

    defect = DefectType.objects.get(code="D03")
    complaint = register(defect=defect, category="delivery", description="Late")
    Customer.objects.filter(code="C001").update(is_active=False)
    DefectType.objects.filter(pk=defect.pk).update(is_active=False)
    sales = client_for(demo["sales"])
    data = registration(defect=defect.pk, description="Late, corrected")
    assert sales.post(f"/complaints/{complaint.pk}/edit/", data).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).description == "Late, corrected"
    # A new complaint takes only active ones.
    refused = sales.post("/complaints/new/", registration())
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
