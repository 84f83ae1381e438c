"""Feedback (list, detail, create, to a complaint) and advisory notices (list, detail, create, actions,
acknowledgements as child records) through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import AdvisoryNotice, Complaint, Feedback

pytestmark = pytest.mark.django_db


def _feedback_body(customer, **extra):
    body = {"customer": customer.pk, "source": "phone", "sentiment": "negative", "text": "Insertion force too high"}
    body["received_at"] = (timezone.now() - timedelta(hours=2)).isoformat()
    return {**body, **extra}


def test_feedback_create_list_detail_and_to_complaint(api, customer):
    sales = api("sales")
    created = sales.post("/api/v1/feedback/", _feedback_body(customer))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert [r["id"] for r in sales.get("/api/v1/feedback/", sentiment="negative").json()["results"]] == [pk]
    assert sales.get("/api/v1/feedback/", sentiment="positive").json()["results"] == []
    assert sales.get(f"/api/v1/feedback/{pk}/").json()["complaint"] is None
    assert sales.post("/api/v1/feedback/", {"customer": customer.pk}).status_code == 400
    assert api("engineer").post(f"/api/v1/feedback/{pk}/to-complaint/", {"category": "quality"}).status_code in (
        403,
        404,
    )
    bad = sales.post(f"/api/v1/feedback/{pk}/to-complaint/", {"category": "nonsense"})
    assert bad.status_code == 400 and "category" in bad.json()["errors"]
    raised = sales.post(f"/api/v1/feedback/{pk}/to-complaint/", {"category": "quality", "severity": "major"})
    assert raised.status_code == 201, raised.content
    complaint = Complaint.objects.get(pk=raised.json()["id"])
    assert complaint.from_feedback_id == pk
    assert sales.get(f"/api/v1/feedback/{pk}/").json()["complaint"] == complaint.pk
    again = sales.post(f"/api/v1/feedback/{pk}/to-complaint/", {"category": "quality", "severity": "major"})
    assert again.status_code in (400, 403, 409)
    assert Feedback.objects.get(pk=pk).state != "open"


def test_advisory_notice_create_actions_and_acknowledgements(api):
    today = timezone.localdate()
    body = {
        "subject": "Plating may peel",
        "reason": "Adhesion too low",
        "parts": "NH-CN-2040",
        "lots": "LOT-A",
        "measure": "stop_use",
        "respond_by": (today + timedelta(days=10)).isoformat(),
        "shipped_from": (today - timedelta(days=30)).isoformat(),
        "shipped_to": today.isoformat(),
    }
    qa = api("qa")
    created = qa.post("/api/v1/advisory-notices/", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api("engineer").post("/api/v1/advisory-notices/", body).status_code in (403, 404)
    assert [r["id"] for r in qa.get("/api/v1/advisory-notices/", q="Plating").json()["results"]] == [pk]
    submitted = qa.post(f"/api/v1/advisory-notices/{pk}/actions/submit/", {"version": 1})
    assert submitted.status_code == 200, submitted.content
    own = qa.post(f"/api/v1/advisory-notices/{pk}/actions/review/", {"version": 2})
    assert own.status_code == 403  # nobody judges what they drafted
    reviewed = api("qa_head").post(f"/api/v1/advisory-notices/{pk}/actions/review/", {"version": 2})
    assert reviewed.status_code == 200, reviewed.content
    notice = AdvisoryNotice.objects.get(pk=pk)
    assert notice.state == reviewed.json()["state"]
    detail = qa.get(f"/api/v1/advisory-notices/{pk}/").json()
    assert detail["acknowledgements"] == []
    assert qa.get("/api/v1/advisory-acknowledgements/").status_code == 200


def test_advisory_remind_and_no_online_acknowledgement_over_the_api(api, customer):
    today = timezone.localdate()
    qa = api("qa")
    body = {
        "subject": "Plating may peel",
        "reason": "Adhesion too low",
        "parts": "NH-CN-2040",
        "lots": "LOT-A",
        "measure": "stop_use",
        "respond_by": (today + timedelta(days=10)).isoformat(),
    }
    pk = qa.post("/api/v1/advisory-notices/", body).json()["id"]
    assert qa.post(f"/api/v1/advisory-notices/{pk}/remind/").status_code == 403  # not sent yet
    for user, name, extra in (
        ("qa", "submit", {}),
        ("qa_head", "review", {}),
        ("vgm", "approve", {}),
        ("qa", "send", {"selection": "chosen", "customers": [customer.pk]}),
    ):
        version = AdvisoryNotice.objects.get(pk=pk).version
        done = api(user).post(f"/api/v1/advisory-notices/{pk}/actions/{name}/", {"version": version, **extra})
        assert done.status_code == 200, (name, done.content)
    assert api("engineer").post(f"/api/v1/advisory-notices/{pk}/remind/").status_code == 404
    reminded = qa.post(f"/api/v1/advisory-notices/{pk}/remind/")
    assert reminded.status_code == 200 and reminded.json() == {"reminders": 1}, reminded.content
    ack = AdvisoryNotice.objects.get(pk=pk).acknowledgements.get()
    names = [t["name"] for t in qa.get(f"/api/v1/advisory-acknowledgements/{ack.pk}/actions/").json()["transitions"]]
    assert "acknowledge_online" not in names
    url = f"/api/v1/advisory-acknowledgements/{ack.pk}/actions/acknowledge_online/"
    assert qa.post(url, {"version": ack.version}).status_code == 404
