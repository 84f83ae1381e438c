"""The item's status over HTTP (NH-QP14 4.8.3–4.8.4): every change by the department that may make it,
refused to the others, each one signed; scrapping only with the customer's written consent; returning
only with their signed receipt; a failed verification ends with the customer's disposition."""

from decimal import Decimal

import pytest
from django.utils import timezone

from customer_property.models import Movement, PropertyItem
from nhcs.workflow.choices import AttachmentKind, TaskStatus
from nhcs.workflow.models import Attachment, SignOff, Task

from .conftest import pdf_upload, post_movement, post_transition, reload, verification

pytestmark = pytest.mark.django_db


def open_tasks(item):
    return {
        (t.department.code if t.department_id else None, t.transitions) for t in Task.objects.for_record(item).open()
    }


def test_registering_is_sales_own(demo, client_for, customer):
    data = {
        "customer": customer.pk,
        "kind": "mold",
        "name": "Housing mold",
        "quantity": "1",
        "unit": "set",
        "received_on": timezone.localdate().isoformat(),
        "received_from": "Customer's truck",
        "cavity_count": "4",
        "shots_at_receipt": "0",
        "shot_limit": "500000",
    }
    assert client_for(demo["qa"]).post("/property/new/", data).status_code == 403
    assert client_for(demo["warehouse"]).get("/property/new/").status_code == 403
    assert not PropertyItem.objects.exists()
    response = client_for(demo["sales"]).post("/property/new/", data)
    item = PropertyItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.number.startswith(f"CP-{timezone.localdate().year}-") and item.state == "registered"
    assert open_tasks(item) == {("SALES", "submit")}


def test_bad_registration_keeps_the_input_and_writes_nothing(demo, client_for, customer):
    data = {
        "customer": customer.pk,
        "kind": "parts",
        "name": "Terminal",
        "quantity": "10",
        "unit": "pcs",
        "received_on": timezone.localdate().isoformat(),
        "received_from": "Truck",
        "shot_limit": "100",
    }
    response = client_for(demo["sales"]).post("/property/new/", data)
    assert response.status_code == 400
    assert "Only a mold has cavities" in response.content.decode() and 'value="Terminal"' in response.content.decode()
    assert not PropertyItem.objects.exists()


def test_the_normal_life_of_a_mold_over_http(demo, client_for, make_item, mold_data, rack, shelf):
    item = make_item(**mold_data)
    sales, qa, wh, mfg = (client_for(demo[u]) for u in ("sales", "qa", "warehouse", "mfg"))

    # Only Sales submits it; only Quality verifies it (and not Sales).
    assert post_transition(qa, item, "submit").status_code == 403
    assert post_transition(sales, item, "submit").status_code == 302
    assert reload(item).state == "pending_verification"
    assert open_tasks(item) == {("QA", "accept,reject")}
    assert post_transition(sales, item, "accept", verification(item)).status_code == 403
    assert post_transition(wh, item, "accept", verification(item)).status_code == 403
    # The verification carries its data: what was checked, against what, found how many.
    missing = post_transition(qa, item, "accept", {**verification(item), "checks": []})
    assert missing.status_code == 400 and reload(item).state == "pending_verification"
    assert post_transition(qa, item, "accept", verification(item)).status_code == 302
    item = reload(item)
    assert item.state == "accepted"
    signoff = SignOff.objects.for_record(item).get(transition="accept")
    assert signoff.user == demo["qa"] and signoff.data["criteria"] == "Drawing 123"
    assert Movement.objects.get(item=item).kind == "received"
    assert open_tasks(item) == {("WH", "store")}

    # The warehouse stores it where it says; Sales cannot.
    assert post_transition(sales, item, "store", {"location": rack.pk}).status_code == 403
    assert post_transition(wh, item, "store", {"location": rack.pk}).status_code == 302
    page = wh.get(item.get_absolute_url()).content.decode()
    assert reload(item).state == "in_storage" and "R-01 Rack 01" in page
    # At rest in storage nobody has a task: its actions are offered, never tasks.
    assert open_tasks(item) == set()

    # Issued to production against an order: in use; back: in storage. Sales and Quality post no movement.
    assert post_movement(sales, item, kind="issued", quantity="1", order_number="DD-2026-0001").status_code == 403
    assert post_movement(qa, item, kind="issued", quantity="1").status_code == 403
    assert (
        post_movement(wh, item, kind="issued", quantity="1", order_number="DD-2026-0001", place="IM-3").status_code
        == 302
    )
    assert reload(item).state == "in_use"
    assert SignOff.objects.for_record(item).last().transition == "put_in_use"
    assert post_movement(mfg, item, kind="shots", shots="2500", order_number="DD-2026-0001").status_code == 302
    assert "3500 shots" in mfg.get(item.get_absolute_url()).content.decode()
    assert post_movement(mfg, item, kind="returned_from_production", quantity="1").status_code == 302
    assert reload(item).state == "in_storage"

    # Moved to another location: a movement, never an edit.
    assert post_movement(wh, item, kind="moved", location=shelf.pk).status_code == 302
    assert "S-02 Shelf 02" in wh.get(item.get_absolute_url()).content.decode()

    # Maintenance: sent by manufacturing, finished by the warehouse, with its record.
    assert (
        post_transition(sales, item, "send_to_maintenance", {"reason": "Worn", "place": "Tool room"}).status_code == 403
    )
    assert (
        post_transition(mfg, item, "send_to_maintenance", {"reason": "Worn", "place": "Tool room"}).status_code == 302
    )
    assert reload(item).state == "under_maintenance"
    done = {
        "done_on": timezone.localdate().isoformat(),
        "work_done": "Polished",
        "done_by": "Tool room",
        "new_shot_limit": "20000",
    }
    assert post_transition(wh, item, "maintenance_done", done).status_code == 302
    item = reload(item)
    assert item.state == "in_storage" and item.shot_limit == 20000
    assert Movement.objects.filter(item=item, kind="maintenance", reason="Polished").exists()

    # Returned to the customer only with their signed receipt.
    back = {"returned_on": timezone.localdate().isoformat(), "document_number": "RN-1", "signed_by": "Mr. Li"}
    refused = post_transition(sales, item, "return_to_customer", back)
    assert refused.status_code == 400 and reload(item).state == "in_storage"
    assert post_transition(sales, item, "return_to_customer", back, files=pdf_upload()).status_code == 302
    item = reload(item)
    assert item.state == "returned"
    returned = Movement.objects.get(item=item, kind="returned_to_customer")
    assert returned.quantity == 1 and returned.attachment.kind == AttachmentKind.WRITTEN_CONFIRMATION
    # Every change of status is signed, by whom and when.
    assert list(SignOff.objects.for_record(item).values_list("to_state", flat=True)) == [
        "pending_verification",
        "accepted",
        "in_storage",
        "in_use",
        "in_storage",
        "under_maintenance",
        "in_storage",
        "returned",
    ]


def test_scrapping_only_by_the_sales_head_with_the_customers_written_consent(demo, client_for, make_item, drive):
    item = drive.stored(make_item())
    scrap = {"scrapped_on": timezone.localdate().isoformat(), "method": "Crushed", "consent_reference": "Mail 3 Nov"}
    assert post_transition(client_for(demo["sales"]), item, "scrap", scrap, files=pdf_upload()).status_code == 403
    head = client_for(demo["sales_head"])
    refused = post_transition(head, item, "scrap", scrap)
    assert refused.status_code == 400
    assert "Attach first: Customer&#x27;s written confirmation." in refused.content.decode()
    assert reload(item).state == "in_storage" and not Movement.objects.filter(kind="scrapped").exists()
    # The consent added while the item is in its present state counts (one from before would not, below).
    from nhcs.workflow import services as wf

    wf.attachment_add(record=reload(item), user=demo["sales"], upload=pdf_upload(), kind="written_confirmation")
    assert post_transition(head, item, "scrap", scrap).status_code == 302
    item = reload(item)
    assert item.state == "scrapped"
    assert Movement.objects.get(item=item, kind="scrapped").quantity == 100


def test_consent_attached_before_the_present_state_does_not_count(demo, client_for, make_item, drive):
    from nhcs.workflow import services as wf

    item = drive.accepted(make_item())
    wf.attachment_add(record=reload(item), user=demo["sales"], upload=pdf_upload(), kind="written_confirmation")
    item = drive.go(item, "store", "warehouse", {"location": drive_location(item)})
    scrap = {"scrapped_on": timezone.localdate().isoformat(), "method": "Crushed", "consent_reference": "Mail"}
    response = post_transition(client_for(demo["sales_head"]), item, "scrap", scrap)
    assert response.status_code == 400 and reload(item).state == "in_storage"


def drive_location(item):
    from customer_property.models import Location

    return Location.objects.first().pk


def test_a_failed_verification_notifies_the_customer_and_ends_with_their_disposition(
    demo, client_for, make_item, drive
):
    item = drive.submitted(make_item(kind="film", name="Silk-screen film", revision="A", quantity=Decimal(2)))
    qa, sales = client_for(demo["qa"]), client_for(demo["sales"])
    # A failure says what does not conform.
    assert post_transition(qa, item, "reject", verification(item)).status_code == 400
    assert post_transition(qa, item, "reject", verification(item, findings="Pattern incomplete")).status_code == 302
    item = reload(item)
    assert item.state == "nonconforming" and item.nonconformity == "Pattern incomplete"
    # The notice is in Sales' tasks.
    assert open_tasks(item) == {("SALES", "notify_customer")}
    tasks = sales.get("/tasks/").content.decode()
    assert item.number in tasks
    letter = sales.get(f"/property/{item.pk}/notice.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    # Only Sales sends it; the date and the channel are captured, the letter kept with the item.
    notice = {"sent_on": timezone.localdate().isoformat(), "channel": "email"}
    assert post_transition(qa, item, "notify_customer", notice).status_code == 403
    assert post_transition(sales, item, "notify_customer", notice).status_code == 302
    item = reload(item)
    assert (item.state, item.notice_sent_on, item.notice_channel) == (
        "customer_notified",
        timezone.localdate(),
        "email",
    )
    letter = Attachment.objects.for_record(item).get(kind=AttachmentKind.LETTER)
    assert letter.mime_type == "application/pdf" and letter.purpose == "property_notice"
    # It stays nonconforming until the customer disposes of it: they take it back, signed for.
    assert open_tasks(item) == {("SALES", "accept_as_is,repair,return_nonconforming")}
    back = {
        "decided_on": timezone.localdate().isoformat(),
        "customer_reference": "Their mail of today",
        "returned_on": timezone.localdate().isoformat(),
        "document_number": "RN-9",
        "signed_by": "Ms. Wang",
    }
    assert post_transition(sales, item, "return_nonconforming", back).status_code == 400
    assert post_transition(sales, item, "return_nonconforming", back, files=pdf_upload()).status_code == 302
    item = reload(item)
    assert (item.state, item.disposition) == ("returned", "return")
    assert Movement.objects.get(item=item, kind="returned_to_customer").quantity == 2
    assert Task.objects.for_record(item).open().count() == 0


def test_a_repair_disposition_is_verified_again(demo, client_for, make_item, drive):
    item = drive.rejected(make_item())
    item = drive.go(item, "notify_customer", "sales", {"sent_on": timezone.localdate(), "channel": "fax"})
    disposition = {"decided_on": timezone.localdate().isoformat(), "customer_reference": "Fax 12"}
    assert post_transition(client_for(demo["sales"]), item, "repair", disposition).status_code == 302
    item = reload(item)
    assert (item.state, item.disposition, item.reverify) == ("under_maintenance", "repair", True)
    done = {"done_on": timezone.localdate().isoformat(), "work_done": "Reworked", "done_by": "Supplier"}
    wh = client_for(demo["warehouse"])
    # Back to storage is not offered: it is verified again first.
    assert post_transition(wh, item, "maintenance_done", done).status_code == 403
    assert post_transition(wh, item, "repaired", done).status_code == 302
    assert reload(item).state == "pending_verification"
    assert post_transition(client_for(demo["qa"]), item, "accept", verification(item)).status_code == 302
    item = reload(item)
    assert (item.state, item.reverify) == ("accepted", False)
    assert Movement.objects.filter(item=item, kind="received").count() == 1  # received once


def test_accept_as_is_disposition(demo, client_for, make_item, drive):
    item = drive.rejected(make_item())
    item = drive.go(item, "notify_customer", "sales", {"sent_on": timezone.localdate(), "channel": "letter"})
    disposition = {"decided_on": timezone.localdate().isoformat(), "customer_reference": "Letter"}
    assert post_transition(client_for(demo["warehouse"]), item, "accept_as_is", disposition).status_code == 403
    assert post_transition(client_for(demo["sales"]), item, "accept_as_is", disposition).status_code == 302
    assert (reload(item).state, reload(item).disposition) == ("accepted", "accept_as_is")


def test_correcting_a_submitted_registration_recalls_it(demo, client_for, make_item, drive):
    item = drive.submitted(make_item())
    sales = client_for(demo["sales"])
    page = sales.get(f"/property/{item.pk}/edit/").content.decode()
    assert "reopen-warning" in page
    response = sales.post(
        f"/property/{item.pk}/edit/",
        {
            "customer": item.customer_id,
            "kind": "parts",
            "name": "Terminal T-21",
            "quantity": "100",
            "unit": "pcs",
            "received_on": item.received_on.isoformat(),
            "received_from": item.received_from,
            "version": reload(item).version,
            "change_reason": "Wrong type",
        },
    )
    assert response.status_code == 302
    item = reload(item)
    assert (item.state, item.name) == ("registered", "Terminal T-21")
    # Once verified, nobody edits it: no status or location is ever typed over.
    item = drive.accepted(item)
    assert sales.get(f"/property/{item.pk}/edit/").status_code == 403


def test_readers_and_others(demo, client_for, make_item):
    item = make_item()
    for username in ("sales", "qa", "warehouse", "mfg", "planning_head", "gm"):
        assert client_for(demo[username]).get(item.get_absolute_url()).status_code == 200, username
    for username in ("engineer", "buyer", "planner"):
        assert client_for(demo[username]).get(item.get_absolute_url()).status_code == 404, username
        assert client_for(demo[username]).get("/property/").status_code == 404, username
    assert Task.objects.filter(status=TaskStatus.OPEN, record_number=item.number).count() == 1


def test_the_phone_page_takes_the_same_actions_and_comes_back_to_itself(demo, client_for, make_item, drive, rack):
    item = drive.accepted(make_item())
    wh = client_for(demo["warehouse"])
    scan = f"/property/{item.pk}/scan/"
    response = post_transition(wh, item, "store", {"location": rack.pk}, url=scan)
    assert response.status_code == 302 and response["Location"] == scan
    assert reload(item).state == "in_storage"
    response = post_movement(wh, item, kind="issued", quantity="1000", next="scan")
    assert response.status_code == 400 and "scan-number" in response.content.decode()
    response = post_movement(wh, item, kind="issued", quantity="10", next="scan")
    assert response.status_code == 302 and response["Location"] == scan
    # Those who may not act on it see it, without the forms.
    page = client_for(demo["sales"]).get(scan).content.decode()
    assert item.number in page and "movement-form" not in page


def test_the_remaining_changes_of_status_over_http(demo, client_for, make_item, mold_data, drive, rack, shelf):
    wh, mfg, sales = client_for(demo["warehouse"]), client_for(demo["mfg"]), client_for(demo["sales"])
    # A mold sent to maintenance while issued comes back in use.
    mold = drive.stored(make_item(**mold_data))
    drive.move(mold, "issued", quantity=Decimal(1))
    assert (
        post_transition(mfg, mold, "send_to_maintenance", {"reason": "Flash", "place": "Tool room"}).status_code == 302
    )
    done = {"done_on": timezone.localdate().isoformat(), "work_done": "Cleaned", "done_by": "Tool room"}
    assert post_transition(wh, mold, "maintenance_done", done).status_code == 403  # not offered: it is at production
    assert post_transition(wh, mold, "maintenance_done_in_use", done).status_code == 302
    assert reload(mold).state == "in_use"
    # Everything consumed: used up.
    parts = drive.stored(make_item(quantity=Decimal(5)))
    assert post_movement(wh, parts, kind="issued", quantity="5").status_code == 302
    assert post_movement(mfg, parts, kind="consumed", quantity="5").status_code == 302
    assert reload(parts).state == "used_up"
    # Damaged, then found fit for use again (only the warehouse puts it back).
    fixture = drive.stored(make_item(kind="tooling", name="Fixture", quantity=Decimal(1)))
    sales.post(
        f"/property/{fixture.pk}/incidents/new/",
        {
            "kind": "damage",
            "occurred_on": timezone.localdate().isoformat(),
            "found_how": "x",
            "description": "x",
            "extent": "x",
        },
    )
    assert reload(fixture).state == "damaged"
    assert post_transition(sales, fixture, "damage_cleared", {"location": shelf.pk}).status_code == 403
    assert post_transition(wh, fixture, "damage_cleared", {"location": shelf.pk}).status_code == 302
    assert reload(fixture).state == "in_storage"
    # Lost, then found again.
    sales.post(
        f"/property/{fixture.pk}/incidents/new/",
        {
            "kind": "loss",
            "occurred_on": timezone.localdate().isoformat(),
            "found_how": "x",
            "description": "x",
            "extent": "x",
        },
    )
    assert reload(fixture).state == "lost"
    assert post_transition(wh, fixture, "found", {"location": rack.pk}).status_code == 302
    assert reload(fixture).state == "in_storage"
    # The ledger's and the incidents' transitions are never offered as actions on the page.
    page = wh.get(fixture.get_absolute_url()).content.decode()
    for name in ("put_in_use", "back_in_storage", "use_up", "report_lost", "report_damaged"):
        assert f'data-transition="{name}"' not in page
    assert post_transition(wh, fixture, "report_lost").status_code == 403


def test_a_count_sent_back_or_cancelled(demo, client_for, make_item, drive, rack):
    from customer_property.models import StockCount

    drive.stored(make_item())
    wh = client_for(demo["warehouse"])
    wh.post("/property/counts/", {"location": rack.pk, "counted_on": timezone.localdate().isoformat()})
    count = StockCount.objects.get()
    line = count.lines.get()
    wh.post(f"/property/counts/{count.pk}/counted/", {"version": count.version, f"counted-{line.pk}": "100"})
    assert post_transition(wh, count, "submit").status_code == 302
    assert post_transition(client_for(demo["sales_head"]), count, "recount", comment="").status_code == 400
    assert post_transition(client_for(demo["sales_head"]), count, "recount", comment="Rack B missed").status_code == 302
    assert reload(count).state == "draft"
    assert post_transition(wh, count, "cancel", comment="Started by mistake").status_code == 302
    assert reload(count).state == "cancelled"
