"""A customer's answer taken by staff (phone), entered through the API as the survey's answer page."""

import pytest
from django.utils import timezone

from satisfaction.models import Response
from tests.satisfaction.conftest import new_campaign, sent_campaign, ticks_for  # noqa: F401  (the area's fixtures)

pytestmark = pytest.mark.django_db


def test_phone_answer_entered_by_sales(api, customer, sent_campaign):  # noqa: F811
    campaign = sent_campaign(customers=[customer])
    recipients = api("sales").get(f"/api/v1/surveys/{campaign.pk}/recipients/").json()
    assert [(r["customer"], r["answered"]) for r in recipients] == [(customer.pk, False)]
    url = f"/api/v1/surveys/{campaign.pk}/recipients/{recipients[0]['id']}/answer/"
    ticks = [{"aspect": a, "tick": t} for a, t in ticks_for(campaign, 1).items()]
    body = {"source": "phone", "respondent": "Ms Li", "received_on": timezone.localdate().isoformat(), "ticks": ticks}
    assert api("planner").post(url, body).status_code in (403, 404)
    bad = api("sales").post(url, {**body, "source": "online"})
    assert bad.status_code == 400 and "source" in bad.json()["errors"]
    entered = api("sales").post(url, body)
    assert entered.status_code == 201, entered.content
    response = Response.objects.get(pk=entered.json()["id"])
    assert response.respondent == "Ms Li" and response.answers.count() == len(ticks)
    assert api("sales").post(url, body).status_code == 409  # recorded already
