from datetime import timedelta

import pytest
from django.utils import timezone

from nhcs.customers.models import Customer
from nhcs.workflow import services as wf
from satisfaction import services
from satisfaction.models import Campaign


def ticks_for(campaign, indexes):
    """{aspect id: tick id} from tick positions (0 = 很满意 … 4 = 很不满意), one per aspect."""
    aspects = list(campaign.aspects.all())
    ticks = list(campaign.ticks.all())
    if isinstance(indexes, int):
        indexes = [indexes] * len(aspects)
    return {a.pk: ticks[i].pk for a, i in zip(aspects, indexes)}


@pytest.fixture
def new_campaign(demo):
    def make(title="2026 survey", customers=None, deadline_days=30):
        campaign = services.campaign_create(
            user=demo["sales"],
            title=title,
            period="2026",
            response_deadline=timezone.localdate() + timedelta(days=deadline_days),
        )
        customers = (
            customers if customers is not None else Customer.objects.filter(code__in=["C001", "C002", "C003", "C004"])
        )
        services.sample_choose(campaign=campaign, user=demo["sales"], customers=customers)
        return Campaign.objects.get(pk=campaign.pk)

    return make


@pytest.fixture
def sent_campaign(demo, new_campaign):
    def make(**kwargs):
        campaign = new_campaign(**kwargs)
        return wf.transition_record(record=campaign, name="send", user=demo["sales"], comment="sent")

    return make


@pytest.fixture
def answer_online():
    def make(recipient, indexes, **kwargs):
        return services.answer_submit_online(
            token=recipient.token, ticks_by_aspect=ticks_for(recipient.campaign, indexes), **kwargs
        )

    return make


@pytest.fixture
def survey_demo(demo):
    """The demo surveys of seed_demo (2024 and 2025, answered and analysed)."""
    import os

    from django.apps import apps

    apps.get_app_config("satisfaction").seed_demo(stdout=open(os.devnull, "w"))
    return demo
