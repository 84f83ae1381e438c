from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nhcs.accounts.models import Department
from nhcs.capa import services as capa
from nhcs.capa.choices import Trigger
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from tests.workflow.helpers import new_memo

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def evidence(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fresh(action) -> CorrectiveAction:
    return CorrectiveAction.objects.get(pk=action.pk)


def act(client, action, name, *, data=None, comment="", upload=None, kind="evidence"):
    """Take a transition on the action's page, as its form posts it."""
    action = fresh(action)
    post = {
        "_action": "transition",
        "transition_name": name,
        f"t-{name}-version": action.version,
        f"t-{name}-transition": name,
        f"t-{name}-comment": comment,
    }
    for key, value in (data or {}).items():
        post[f"d-{name}-{key}"] = value
    if upload is not None:
        post[f"t-{name}-attachment"] = upload
        post[f"t-{name}-attachment_kind"] = kind
    return client.post(f"/actions/{action.pk}/", post)


def edit(client, action, **changes):
    action = fresh(action)
    data = {
        "version": action.version,
        "kind": action.kind,
        "title": action.title,
        "owner_department": action.owner_department_id,
        "analysis": action.analysis,
        "measures": action.measures,
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "check_on": action.check_on.isoformat() if action.check_on else "",
        "change_reason": "",
    }
    data.update(changes)
    return client.post(f"/actions/{action.pk}/edit/", data)


def planned(days=10):
    """Dates of a plan: measures due in `days` days, effectiveness checked a month later."""
    due_on = timezone.localdate() + timedelta(days=days)
    return {"due_on": due_on.isoformat(), "check_on": (due_on + timedelta(days=30)).isoformat()}


@pytest.fixture
def memo_action(demo):
    """A corrective action raised from a memo (a workflow record of the test-only flow): not a customer's
    opinion, so no customer-feedback step."""

    def make(owner="PLAN", raised_by="sales", memo=None, **kwargs):
        memo = memo or new_memo(demo["sales"], title="Damaged cartons")
        kwargs.setdefault("trigger", Trigger.OTHER)
        kwargs.setdefault("title", "纸箱破损 Damaged cartons")
        return capa.action_raise(
            source=memo, user=demo[raised_by], owner_department=Department.objects.get(code=owner), **kwargs
        )

    return make


@pytest.fixture
def survey_actions(demo):
    """The corrective actions a low survey answer raised: (response, actions)."""
    from satisfaction import services as surveys

    def make(indexes=(2, 3, 2, 2, 2, 2, 2, 2), customer="C002"):
        campaign = surveys.campaign_create(
            user=demo["sales"],
            title="2026 survey",
            period="2026",
            response_deadline=timezone.localdate() + timedelta(days=30),
        )
        surveys.sample_choose(campaign=campaign, user=demo["sales"], customers=Customer.objects.filter(code=customer))
        campaign = wf.transition_record(record=campaign, name="send", user=demo["sales"], comment="sent")
        recipient = campaign.recipients.select_related("link").get()
        aspects = list(campaign.aspects.all())
        ticks = list(campaign.ticks.all())
        response = surveys.answer_submit_online(
            token=recipient.token, ticks_by_aspect={a.pk: ticks[i].pk for a, i in zip(aspects, indexes)}
        )
        return response, list(CorrectiveAction.objects.for_source(response).order_by("pk"))

    return make
