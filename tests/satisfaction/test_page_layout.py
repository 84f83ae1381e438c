"""A record page leads with what waits for the reader (the actions), then the record's data, then its
sign-offs, files and history: the survey page, as the order page does (improvement items:
test_improvement_pages.py)."""

import pytest
from django.conf import settings

from satisfaction.models import Campaign

pytestmark = pytest.mark.django_db


def positions(client, url, *ids) -> list[int]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    found = [page.find(f'id="{i}"') for i in ids]
    assert -1 not in found, dict(zip(ids, found))
    return found


def test_survey_page_actions_then_data_then_tabs(survey_demo, client_for, sent_campaign):
    campaign = sent_campaign()  # "Close the survey" waits for sales
    where = positions(
        client_for(survey_demo["sales"]),
        campaign.get_absolute_url(),
        "workflow-actions",
        "recipient-table",
        "aspect-table",
        "tab-signoffs",
    )
    assert where == sorted(where)
    assert (
        'data-transition="close"' in client_for(survey_demo["sales"]).get(campaign.get_absolute_url()).content.decode()
    )
    analysed = Campaign.objects.get(number="MY-2026-002")
    where = positions(
        client_for(survey_demo["qa"]),
        analysed.get_absolute_url(),
        "workflow-actions",
        "recipient-table",
        "tab-signoffs",
    )
    assert where == sorted(where)
