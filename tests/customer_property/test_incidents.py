"""Loss or damage (4.8.5): reported by anyone who reads the item, the item marked at once, the customer told
(a letter kept, date and channel), the outcome negotiated and recorded, a corrective action raised from it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from customer_property.models import Incident
from nhcs.accounts.models import Department
from nhcs.capa.models import CorrectiveAction
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.models import Attachment, SignOff, Task

from .conftest import post_transition, reload

pytestmark = pytest.mark.django_db


def report(client, item, **data):
    values = {
        "kind": "damage",
        "occurred_on": timezone.localdate().isoformat(),
        "found_how": "Dropped while moving",
        "description": "Locating pin broken",
        "extent": "One pin",
        "quantity": "1",
    }
    values.update(data)
    return client.post(f"/property/{item.pk}/incidents/new/", values)


def test_the_damage_path_ends_with_the_outcome(demo, client_for, make_item, mold_data, drive):
    item = drive.stored(make_item(**mold_data))
    # Anyone who reads the item reports it (manufacturing here); the item is damaged at once.
    response = report(client_for(demo["mfg"]), item)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.number == f"{item.number}/1"
    item = reload(item)
    assert item.state == "damaged"
    assert SignOff.objects.for_record(item).last().user == demo["mfg"]
    # Sales tells the customer at once: their task, a letter in the customer's language, kept.
    assert {t.department.code for t in Task.objects.for_record(incident).open()} == {"SALES"}
    sales = client_for(demo["sales"])
    letter = sales.get(f"/property/incidents/{incident.pk}/notice.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    notice = {"sent_on": timezone.localdate().isoformat(), "channel": "email"}
    url = incident.get_absolute_url()
    assert post_transition(client_for(demo["mfg"]), incident, "notify_customer", notice, url=url).status_code == 403
    assert post_transition(sales, incident, "notify_customer", notice, url=url).status_code == 302
    incident = reload(incident)
    assert (incident.state, incident.notice_sent_on) == ("customer_notified", timezone.localdate())
    assert Attachment.objects.for_record(incident).get().kind == AttachmentKind.LETTER

    # A corrective action raised from it must be verified before the incident is settled.
    head = client_for(demo["sales_head"])
    raised = head.post(
        f"/property/incidents/{incident.pk}/actions/",
        {"capa-title": "Carry molds on the trolley", "capa-owner_department": Department.objects.get(code="WH").pk},
    )
    assert raised.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (action.source_number, action.trigger) == (incident.number, "incident")
    outcome = {
        "outcome": "repair",
        "agreed_on": timezone.localdate().isoformat(),
        "details": "We repair the pin at our cost",
    }
    assert post_transition(sales, incident, "settle", outcome, url=url).status_code == 403  # the Sales head settles
    blocked = post_transition(head, incident, "settle", outcome, url=url)
    assert blocked.status_code == 400 and action.number in blocked.content.decode()
    CorrectiveAction.objects.filter(pk=action.pk).update(state="cancelled")
    # Compensation needs its amount.
    assert post_transition(head, incident, "settle", {**outcome, "outcome": "compensation"}, url=url).status_code == 400
    assert post_transition(head, incident, "settle", outcome, url=url).status_code == 302
    incident = reload(incident)
    assert (incident.state, incident.outcome, incident.outcome_details) == (
        "settled",
        "repair",
        "We repair the pin at our cost",
    )
    page = sales.get(url).content.decode()
    assert "incident-outcome" in page and "We repair the pin at our cost" in page
    # The item goes on: repaired, then back in storage.
    item = drive.go(item, "send_to_maintenance", "mfg", {"reason": "Pin", "place": "Tool room"})
    assert reload(item).state == "under_maintenance"


def test_a_loss_marks_the_item_lost_and_found_again_puts_it_back(demo, client_for, make_item, drive, shelf):
    item = drive.stored(make_item(quantity=Decimal(10)))
    drive.move(item, "issued", quantity=Decimal(3))
    assert report(client_for(demo["warehouse"]), item, kind="loss", quantity="10").status_code == 302
    assert reload(item).state == "lost"
    # Not offered as an action on the page: only reporting an incident does it.
    item = drive.go(item, "found", "warehouse", {"location": shelf.pk})
    assert item.state == "in_storage"
    page = client_for(demo["warehouse"]).get(item.get_absolute_url()).content.decode()
    assert "S-02 Shelf 02" in page


def test_reporting_is_refused_where_it_makes_no_sense_and_to_non_readers(demo, client_for, make_item, drive):
    item = make_item()  # registered, not yet ours
    response = report(client_for(demo["sales"]), item)
    assert response.status_code == 400 and not Incident.objects.exists()
    assert report(client_for(demo["engineer"]), drive.stored(make_item()), kind="loss").status_code == 404
    future = report(client_for(demo["sales"]), drive.stored(make_item()), occurred_on="2099-01-01")
    assert future.status_code == 400 and not Incident.objects.exists()


def test_only_the_reporter_corrects_a_report_before_the_customer_is_told(demo, client_for, make_item, drive):
    item = drive.stored(make_item())
    report(client_for(demo["warehouse"]), item)
    incident = Incident.objects.get()
    edit = f"/property/incidents/{incident.pk}/edit/"
    assert client_for(demo["sales"]).get(edit).status_code == 403
    response = client_for(demo["warehouse"]).post(
        edit,
        {
            "occurred_on": incident.occurred_on.isoformat(),
            "found_how": "Seen at stock-take",
            "description": "Pin broken",
            "extent": "One pin",
            "quantity": "1",
            "version": incident.version,
        },
    )
    assert response.status_code == 302 and reload(incident).found_how == "Seen at stock-take"


def test_raising_an_action_needs_a_title_an_open_incident_and_the_right_people(demo, client_for, make_item, drive):
    from customer_property import services
    from nhcs.workflow.exceptions import Blocked, NotAllowed

    item = drive.stored(make_item())
    report(client_for(demo["warehouse"]), item)
    incident = Incident.objects.get()
    wh = Department.objects.get(code="WH")
    with pytest.raises(NotAllowed):
        services.incident_action_raise(incident=incident, user=demo["warehouse"], owner_department=wh, title="x")
    with pytest.raises(Blocked):
        services.incident_action_raise(incident=incident, user=demo["qa"], owner_department=wh, title=" ")
    refused = client_for(demo["qa"]).post(f"/property/incidents/{incident.pk}/actions/", {"capa-title": ""})
    assert refused.status_code == 400 and not CorrectiveAction.objects.exists()
    assert client_for(demo["warehouse"]).post(f"/property/incidents/{incident.pk}/actions/", {}).status_code == 403
    too_many = report(client_for(demo["warehouse"]), item, quantity="1000")
    assert too_many.status_code == 400 and Incident.objects.count() == 1
