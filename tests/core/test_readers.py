"""Who may read (issue 10): every URL pattern that names a record (an id, a code), walked from the URL
configuration, answers 404 to a member of staff of an unrelated department — pages, sheets, attachments.
A new URL that names a record fails this test until it says here whose it is and who must not read it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.sheets.models import ExportFile
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.models import Delegation
from orders import services as order_services
from orders.demo import ALL_IDENTIFIED
from tests.orders.conftest import pdf_upload
from tests.satisfaction.conftest import answer_online, new_campaign, sent_campaign  # noqa: F401,F811 - fixtures
from tests.workflow.helpers import advance, new_memo

pytestmark = pytest.mark.django_db

# URL names that name no record of anyone's: public customer links (a token is its own key), the
# password reset, and the admin.
PUBLIC = {
    "links:survey",
    "links:date_confirmation",
    "links:delay_confirmation",
    "links:advisory_ack",
    "password_reset_confirm",
}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, p


def record_urls():
    """(route, name) of every pattern with a record parameter (not the format of an export)."""
    out = []
    for route, name, pattern in walk(get_resolver().url_patterns):
        params = set(pattern.pattern.converters) - {"fmt"}
        if not params or route.startswith("admin/") or name in PUBLIC:
            continue
        out.append((route, name, pattern))
    return out


@pytest.fixture
def world(demo, sent_campaign, answer_online):  # noqa: F811
    """One record of every kind, and its unrelated reader."""
    customer = Customer.objects.get(code="C001")
    order = order_services.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-RD", "po_date": "2026-11-01", **ALL_IDENTIFIED},
        lines=[{"part_number": "P1", "quantity": Decimal(5), "unit": "pcs", "requested_date": "2026-12-31"}],
    )
    clarification = order_services.clarification_raise(
        order=order, user=demo["sales"], topic="special", question="?", channel="fax", sent_on=order.po_date
    )
    attachment = wf.attachment_add(
        record=order, user=demo["sales"], upload=pdf_upload(), kind=AttachmentKind.WRITTEN_CONFIRMATION
    )
    Customer.objects.filter(pk=customer.pk).update(is_key_account=True)
    campaign = sent_campaign()
    recipient = campaign.recipients.order_by("pk").first()
    response = answer_online(recipient, [4] * 8)  # a total below 60: an item for Sales
    from nhcs.capa.models import CorrectiveAction

    item = CorrectiveAction.objects.for_source(response).get(trigger="low_total")
    memo = advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        principal=demo["qa_head"], deputy=demo["qa"], starts_on=today, ends_on=today + timedelta(days=3)
    )
    from tests.flowtest.models import DateConfirmation, MemoAck

    ack = wf.record_create(model=MemoAck, user=demo["sales"], data={"memo": memo, "department": demo["qa"].department})
    confirmation = DateConfirmation.objects.create(customer=customer, subject="x", proposed_date=today)
    # A delivery recorded against a released order (forced into that state for the walk).
    shipped = order_services.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-SH", "po_date": today - timedelta(days=5), **ALL_IDENTIFIED},
        lines=[{"part_number": "P2", "quantity": Decimal(5), "unit": "pcs", "requested_date": today}],
    )
    type(shipped).objects.filter(pk=shipped.pk).update(state="released", committed_date=today)
    shipment = order_services.shipments_record(
        user=demo["warehouse"],
        delivery_note="DN-RD",
        shipped_on=today,
        entries=[order_services.ShipmentEntry(line=shipped.lines.get(), quantity=Decimal(2))],
    )[0]
    # Customer property: an item in storage, a damage reported, a count of its location.
    from customer_property import services as property_services
    from customer_property.models import Location

    rack = Location.objects.create(code="RD-1", name="Rack")
    prop = property_services.item_register(
        user=demo["sales"],
        data={"customer": customer, "kind": "parts", "name": "P", "quantity": Decimal(5), "received_from": "x"},
    )
    prop = wf.transition_record(record=prop, name="submit", user=demo["sales"])
    verified = {"inspected_on": today, "checks": ["quantity"], "criteria": "x", "quantity_found": Decimal(5)}
    prop = wf.transition_record(record=prop, name="reject", user=demo["qa"], data={**verified, "findings": "bad"})
    prop = wf.transition_record(
        record=prop, name="notify_customer", user=demo["sales"], data={"sent_on": today, "channel": "email"}
    )
    prop = wf.transition_record(
        record=prop, name="accept_as_is", user=demo["sales"], data={"decided_on": today, "customer_reference": "x"}
    )
    prop = wf.transition_record(record=prop, name="store", user=demo["warehouse"], data={"location": rack.pk})
    incident = property_services.incident_report(
        item=prop,
        user=demo["warehouse"],
        data={"kind": "damage", "occurred_on": today, "found_how": "x", "description": "x", "extent": "x"},
    )
    count = property_services.count_start(user=demo["warehouse"], location=rack, customer=None, counted_on=today)
    from complaints import services as complaint_services

    complaint_data = {"customer": customer, "channel": "email", "description": "?", "category": "delivery"}
    earlier = complaint_services.complaint_register(
        user=demo["sales"], data={**complaint_data, "received_at": timezone.now() - timedelta(days=1)}
    )
    complaint = complaint_services.complaint_register(
        user=demo["sales"], data={**complaint_data, "received_at": timezone.now()}, earlier=[earlier]
    )
    complaint_cost = complaint_services.cost_add(
        complaint=complaint, user=demo["sales"], kind="freight", amount=Decimal(10), incurred_on=today
    )
    from nhcs.accounts.services import user_create

    user_create(username="clerk", password="x-pass-123", department_code="GMO", position="staff")
    # A change notice on the released order, acknowledged by Quality; a delay notice of its date.
    from orders.models import ChangeAck

    notice = order_services.change_notice_create(
        order=shipped, user=demo["sales"], reason="x", request=order_services.ChangeRequest(texts={"other": "Pallets"})
    )
    ack = wf.record_create(
        model=ChangeAck, user=demo["planner"], data={"notice": notice, "department": demo["qa"].department}
    )
    delay = order_services.delay_notice_create(
        user=demo["planner"], customer=customer, reason="x", items=[(shipped, today + timedelta(days=5))]
    )
    # After-sales: a feedback, and an advisory notice sent to one customer (its acknowledgement).
    feedback = complaint_services.feedback_register(
        user=demo["sales"], data={"customer": customer, "source": "visit", "text": "x"}
    )
    advisory = complaint_services.advisory_create(
        user=demo["qa"], data={"subject": "x", "reason": "x", "measure": "inspect", "respond_by": today}
    )
    for transition, user, data in (
        ("submit", "qa", None),
        ("review", "qa_head", None),
        ("approve", "vgm", None),
        ("send", "sales", {"selection": "chosen", "customers": [customer.pk]}),
    ):
        advisory = wf.transition_record(record=advisory, name=transition, user=demo[user], data=data)
    return {
        "feedback": feedback,
        "advisory": advisory,
        "advisory_ack": advisory.acknowledgements.get(),
        "change_notice": notice,
        "change_ack": ack,
        "delay_notice": delay,
        "shipment": shipment,
        "order": order,
        "clarification": clarification,
        "attachment": attachment,
        "customer": customer,
        "campaign": campaign,
        "recipient": recipient,
        "item": item,
        "memo": memo,
        "ack": ack,
        "delegation": delegation,
        "confirmation": confirmation,
        "property_item": prop,
        "incident": incident,
        "count": count,
        # A long export's page and file: only whoever asked for it (here Sales) reads them.
        "export": ExportFile.objects.create(
            token="readers-export-token",
            user=demo["sales"],
            path="/customers/export.xlsx",
            filename="x.xlsx",
            fmt="xlsx",
        ),
        "complaint": complaint,
        "complaint_cost": complaint_cost,
        "complaint_link": complaint.links.get(),
    }


# The API's record addresses (/api/v1/<kind>/<id>/…) name the record its page names: the same outsider.
API_PAGES = {
    "orders": "orders:order_detail",
    "shipments": "orders:shipment_reverse",
    "change-notices": "orders:change_detail",
    "change-acknowledgements": "orders:change_ack_detail",
    "delay-notices": "orders:delay_detail",
    "complaints": "complaints:complaint_detail",
    "corrective-actions": "capa:action_detail",
    "surveys": "satisfaction:campaign_detail",
    "property-items": "customer_property:item_detail",
    "property-incidents": "customer_property:incident_detail",
    "property-counts": "customer_property:count_detail",
    "customers": "customers:customer_detail",
    "feedback": "complaints:feedback_detail",
    "advisory-notices": "complaints:advisory_detail",
    "advisory-acknowledgements": "complaints:advisory_ack_detail",
}


def api_kwargs_and_outsider(name, world):
    kind = max((k for k in API_PAGES if name[len("api:") :].startswith(f"{k}-")), key=len, default=None)
    page = kwargs_and_outsider(API_PAGES[kind], world) if kind else None
    if page is None:
        return None
    kwargs, outsider = page
    # The rows below a record (an order's clarification, a survey's recipient, a customer's contact).
    rows = {
        "api:orders-clarification-answer": {"cpk": world["clarification"].pk},
        "api:surveys-answer-enter": {"recipient_pk": world["recipient"].pk},
        "api:customers-contact-remove": {"row": 1},
        "api:customers-certificate-remove": {"row": 1},
    }
    if name.endswith("-attachment"):  # a record's attachment by its number
        rows[name] = {"number": 1}
    return {"pk": kwargs["pk"] if "pk" in kwargs else world["customer"].pk, **rows.get(name, {})}, outsider


def kwargs_and_outsider(name, world):
    """What each record URL names, and a member of staff who must not read it."""
    if name.startswith("api:"):
        return api_kwargs_and_outsider(name, world)
    o, c = world["order"], world["campaign"]
    table = {
        "workflow:attachment_download": ({"pk": world["attachment"].pk}, "warehouse"),
        "workflow:delegation_end": ({"pk": world["delegation"].pk}, "warehouse"),
        "customers:customer_detail": ({"code": world["customer"].code}, "engineer"),
        "customers:customer_edit": ({"code": world["customer"].code}, "engineer"),
        "dashboard:dossier_pdf": ({"code": world["customer"].code}, "engineer"),
        "orders:order_detail": ({"pk": o.pk}, "warehouse"),
        "orders:order_edit": ({"pk": o.pk}, "warehouse"),
        "orders:order_lines": ({"pk": o.pk}, "warehouse"),
        "orders:order_bom": ({"pk": o.pk}, "warehouse"),
        "orders:order_lead_times": ({"pk": o.pk}, "warehouse"),
        "orders:clarification_add": ({"pk": o.pk}, "warehouse"),
        "orders:clarification_answer": ({"pk": o.pk, "cpk": world["clarification"].pk}, "warehouse"),
        "orders:discrepancy_letter": ({"pk": o.pk}, "warehouse"),
        "orders:discrepancy_sent": ({"pk": o.pk}, "warehouse"),
        "orders:order_review_sheet": ({"pk": o.pk, "fmt": "pdf"}, "warehouse"),
        "satisfaction:campaign_detail": ({"pk": c.pk}, "warehouse"),
        "satisfaction:campaign_edit": ({"pk": c.pk}, "warehouse"),
        "satisfaction:questionnaire_edit": ({"pk": c.pk}, "warehouse"),
        "satisfaction:sample_edit": ({"pk": c.pk}, "warehouse"),
        "satisfaction:follow_up": ({"pk": c.pk}, "warehouse"),
        "satisfaction:statistics": ({"pk": c.pk}, "warehouse"),
        "satisfaction:response_detail": ({"pk": c.pk, "recipient_pk": world["recipient"].pk}, "warehouse"),
        "satisfaction:answer_enter": ({"pk": c.pk, "recipient_pk": world["recipient"].pk}, "warehouse"),
        "satisfaction:statistics_export": ({"pk": c.pk, "fmt": "xlsx"}, "warehouse"),
        "satisfaction:form_export": ({"pk": c.pk, "fmt": "pdf"}, "warehouse"),
        "satisfaction:letters_export": ({"pk": c.pk}, "warehouse"),
        "satisfaction:response_export": (
            {"pk": c.pk, "recipient_pk": world["recipient"].pk, "fmt": "xlsx"},
            "warehouse",
        ),
        "satisfaction:improvement_detail": ({"pk": world["item"].pk}, "warehouse"),
        "satisfaction:improvement_edit": ({"pk": world["item"].pk}, "warehouse"),
        "capa:action_detail": ({"pk": world["item"].pk}, "warehouse"),
        "capa:action_edit": ({"pk": world["item"].pk}, "warehouse"),
        "capa:action_sheet": ({"pk": world["item"].pk, "fmt": "pdf"}, "warehouse"),
        "flowtest:memo_detail": ({"pk": world["memo"].pk}, "warehouse"),
        "flowtest:memo_edit": ({"pk": world["memo"].pk}, "warehouse"),
        "flowtest:memo_export": ({"pk": world["memo"].pk, "fmt": "pdf"}, "warehouse"),
        "flowtest:ack_detail": ({"pk": world["ack"].pk}, "warehouse"),
        "flowtest:confirmation_answer_pdf": ({"pk": world["confirmation"].pk}, "warehouse"),
        # Customer property: Sales, Quality, the warehouse and manufacturing read it; Engineering does not.
        **{
            f"customer_property:{name}": ({"pk": world["property_item"].pk}, "engineer")
            for name in (
                "item_detail",
                "item_scan",
                "item_edit",
                "movement_post",
                "item_label",
                "notice_letter",
                "incident_create",
            )
        },
        "customer_property:item_card": ({"pk": world["property_item"].pk, "fmt": "pdf"}, "engineer"),
        **{
            f"customer_property:{name}": ({"pk": world["incident"].pk}, "engineer")
            for name in ("incident_detail", "incident_edit", "incident_letter", "incident_action")
        },
        "customer_property:count_detail": ({"pk": world["count"].pk}, "engineer"),
        "customer_property:count_enter": ({"pk": world["count"].pk}, "engineer"),
        "customer_property:count_sheet": ({"pk": world["count"].pk, "fmt": "xlsx"}, "engineer"),
        "complaints:complaint_detail": ({"pk": world["complaint"].pk}, "warehouse"),
        "complaints:complaint_edit": ({"pk": world["complaint"].pk}, "warehouse"),
        "complaints:action_raise": ({"pk": world["complaint"].pk}, "warehouse"),
        "complaints:cost_add": ({"pk": world["complaint"].pk}, "warehouse"),
        "complaints:cost_remove": ({"pk": world["complaint"].pk, "cost_pk": world["complaint_cost"].pk}, "warehouse"),
        "complaints:link_add": ({"pk": world["complaint"].pk}, "warehouse"),
        "complaints:link_remove": ({"pk": world["complaint"].pk, "link_pk": world["complaint_link"].pk}, "warehouse"),
        "complaints:complaint_sheet": ({"pk": world["complaint"].pk, "fmt": "pdf"}, "warehouse"),
        "complaints:report_8d": ({"pk": world["complaint"].pk}, "warehouse"),
        "complaints:reply_letter": ({"pk": world["complaint"].pk}, "warehouse"),
        **{
            f"complaints:{name}": ({"pk": world["feedback"].pk}, "warehouse")
            for name in ("feedback_detail", "feedback_edit", "feedback_to_complaint", "feedback_action_raise")
        },
        **{
            f"complaints:{name}": ({"pk": world["advisory"].pk}, "warehouse")
            for name in ("advisory_detail", "advisory_edit", "advisory_letter", "advisory_remind")
        },
        "complaints:advisory_sheet": ({"pk": world["advisory"].pk, "fmt": "pdf"}, "warehouse"),
        "complaints:advisory_ack_detail": ({"pk": world["advisory_ack"].pk}, "warehouse"),
        "complaints:advisory_ack_letter": ({"pk": world["advisory_ack"].pk}, "warehouse"),
        # Deliveries: neither shipping nor reading orders, the general management office's clerk.
        "orders:shipment_reverse": ({"pk": world["shipment"].pk}, "clerk"),
        # Someone else's export, even for the head of the same department.
        "sheets:export_status": ({"token": world["export"].token}, "sales_head"),
        "sheets:export_download": ({"token": world["export"].token}, "sales_head"),
        # Change and delay notices: the warehouse reads neither the order nor its notices (only its own
        # acknowledgements: Quality's is not its own).
        "orders:change_create": ({"order_pk": o.pk}, "warehouse"),
        "orders:change_detail": ({"pk": world["change_notice"].pk}, "warehouse"),
        "orders:change_edit": ({"pk": world["change_notice"].pk}, "warehouse"),
        "orders:change_sheet": ({"pk": world["change_notice"].pk, "fmt": "pdf"}, "warehouse"),
        "orders:change_ack_detail": ({"pk": world["change_ack"].pk}, "warehouse"),
        "orders:delay_detail": ({"pk": world["delay_notice"].pk}, "engineer"),
        "orders:delay_edit": ({"pk": world["delay_notice"].pk}, "engineer"),
        "orders:delay_sheet": ({"pk": world["delay_notice"].pk, "fmt": "xlsx"}, "engineer"),
        "orders:delay_link": ({"pk": world["delay_notice"].pk}, "engineer"),
    }
    return table.get(name)


def test_every_record_url_is_covered_here():
    names = {name for _route, name, _p in record_urls()}
    unnamed = [route for route, name, _p in record_urls() if not name]
    # The old /orders/customers/<pk>/ addresses are redirects (checked below).
    assert all(route.startswith("orders/customers/") for route in unnamed), unnamed
    missing = sorted(n for n in names if n and kwargs_and_outsider(n, {k: _Any() for k in WORLD_KEYS}) is None)
    assert missing == [], f"say whose record these URLs name and who must not read it: {missing}"


WORLD_KEYS = [
    "change_notice",
    "change_ack",
    "delay_notice",
    "shipment",
    "order",
    "clarification",
    "attachment",
    "customer",
    "campaign",
    "recipient",
    "item",
    "memo",
    "ack",
    "delegation",
    "confirmation",
    "property_item",
    "incident",
    "count",
    "export",
    "complaint",
    "complaint_cost",
    "complaint_link",
    "feedback",
    "advisory",
    "advisory_ack",
]


class _Any:
    pk = 1
    code = "X"
    token = "x"


def test_an_unrelated_department_gets_404_on_every_record_url(demo, client_for, world):
    checked = 0
    clients = {}  # one logged-in session per outsider, as a person trying the addresses one after another
    for _route, name, _pattern in record_urls():
        if not name:
            continue
        kwargs, outsider = kwargs_and_outsider(name, world)
        url = reverse(name, kwargs=kwargs)
        if outsider not in clients:
            clients[outsider] = client_for(demo.get(outsider) or User.objects.get(username=outsider))
        client = clients[outsider]
        got = client.get(url).status_code
        assert got in (404, 405), f"GET {url} as {outsider}: {got}"
        posted = client.post(url, {}).status_code
        # An API address that takes no POST says so (405) before it looks for the record.
        assert posted == 404 or (name.startswith("api:") and posted == 405), f"POST {url} as {outsider}: {posted}"
        checked += 1
    assert checked >= 30
    # The readers of each record do get it (the walk is not passing because everything is 404).
    assert client_for(demo["planner"]).get(world["order"].get_absolute_url()).status_code == 200
    assert client_for(demo["sales"]).get(world["campaign"].get_absolute_url()).status_code == 200
    assert client_for(demo["qa"]).get(world["memo"].get_absolute_url()).status_code == 200
    assert client_for(demo["sales"]).get(world["complaint"].get_absolute_url()).status_code == 200
    assert client_for(demo["planner"]).get(world["customer"].get_absolute_url()).status_code == 200
    assert client_for(demo["mfg"]).get(world["property_item"].get_absolute_url()).status_code == 200
    assert client_for(demo["sales"]).get(world["incident"].get_absolute_url()).status_code == 200
    attachment_url = reverse("workflow:attachment_download", args=[world["attachment"].pk])
    assert client_for(demo["engineer"]).get(attachment_url).status_code == 200
    assert client_for(demo["engineer"]).get(world["change_notice"].get_absolute_url()).status_code == 200
    assert client_for(demo["qa"]).get(world["change_ack"].get_absolute_url()).status_code == 200
    assert client_for(demo["sales"]).get(world["delay_notice"].get_absolute_url()).status_code == 200


def test_old_customer_addresses_redirect_only_for_readers(demo, client_for, world):
    pk = world["customer"].pk
    assert client_for(demo["engineer"]).get(f"/orders/customers/{pk}/").status_code == 404
    response = client_for(demo["planner"]).get(f"/orders/customers/{pk}/")
    assert response.status_code == 301 and response["Location"].endswith(f"/customers/{world['customer'].code}/")


@pytest.mark.parametrize(
    "url,outsider",
    [
        ("/orders/", "warehouse"),
        ("/orders/sheets/demand-plan.xlsx", "warehouse"),
        ("/orders/sheets/review-detail.pdf", "warehouse"),
        ("/surveys/", "warehouse"),
        ("/surveys/export.xlsx", "warehouse"),
        ("/customers/", "engineer"),
        ("/customers/export.xlsx", "engineer"),
        ("/flowtest/memos/export.xlsx", "warehouse"),
        ("/property/", "engineer"),
        ("/property/register.xlsx", "engineer"),
        ("/property/labels.pdf", "engineer"),
        ("/property/counts/", "engineer"),
        ("/delays/", "warehouse"),
        ("/delays/export.xlsx", "engineer"),
    ],
)
def test_lists_and_their_sheets_are_404_to_those_who_read_none_of_them(demo, client_for, url, outsider):
    assert client_for(demo[outsider]).get(url).status_code == 404


def test_action_lists_show_each_department_its_own_actions(demo, client_for, world):
    """Any department may own a corrective action (packaging is the warehouse's): its list shows its own."""
    from nhcs.capa.models import CorrectiveAction

    page = client_for(demo["warehouse"]).get("/actions/").content.decode()
    assert world["item"].number not in page  # Sales' action
    own = CorrectiveAction.objects.get(source_number=world["item"].source_number, owner_department__code="WH")
    assert own.number in page


def test_a_list_shows_only_what_its_reader_may_read(demo, client_for, world):
    """Purchasing reads orders; a memo is Sales' and Quality's: Purchasing's memo list is what it acts on."""
    other = new_memo(demo["sales"], title="Not for purchasing")
    mine = advance(new_memo(demo["sales"], title="For purchasing"), ("submit", demo["sales"]))
    wf.steps_open(record=mine, keys=["impact"])  # Purchasing gives an opinion on this one
    import io

    from openpyxl import load_workbook

    response = client_for(demo["buyer"]).get("/flowtest/memos/export.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    values = {c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row}
    assert mine.number in values and other.number not in values and world["memo"].number not in values
