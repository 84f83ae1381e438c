"""Two purposes on the one customer-link service: the satisfaction survey (/s/<token>/) and the test-only
date confirmation (/tc/<token>/). Each `LinkCase` gives out a link to a demo customer and knows how the
customer answers it and what the area keeps."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from nhcs.customers.models import Customer
from nhcs.links.models import CustomerLink


@dataclass
class LinkCase:
    purpose: str
    prefix: str
    give: Callable[[str], CustomerLink]  # customer code -> a fresh link
    answer: Callable[[CustomerLink, str], dict]  # link, typed name -> the form the customer posts
    answered: Callable[[CustomerLink], bool]  # what the area keeps of the answer
    success_status: int


def row_counts() -> dict[str, int]:
    """Rows of every table: a page that refuses a link must leave them all as they were."""
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if model._meta.managed}


@pytest.fixture
def survey_case(demo):
    from nhcs.workflow import services as wf
    from satisfaction import services
    from satisfaction.models import Recipient, Response

    campaign = services.campaign_create(
        user=demo["sales"],
        title="Link test",
        period="2026",
        response_deadline=timezone.localdate() + timedelta(days=20),
    )
    services.sample_choose(campaign=campaign, user=demo["sales"], customers=Customer.objects.all())
    campaign = wf.transition_record(record=campaign, name="send", user=demo["sales"], comment="sent")
    aspects = list(campaign.aspects.all())
    ticks = list(campaign.ticks.all())

    def give(code):
        return Recipient.objects.get(campaign=campaign, customer__code=code).link

    def answer(link, name):
        return {**{f"aspect_{a.pk}": ticks[1].pk for a in aspects}, "signed_name": name, "comments": "ok"}

    def answered(link):
        return Response.objects.filter(recipient__link=link).exists()

    return LinkCase("survey", "s", give, answer, answered, 302)


@pytest.fixture
def date_case(demo):
    from tests.flowtest import services
    from tests.flowtest.models import DateConfirmation

    def give(code):
        confirmation = services.confirmation_request(
            customer=Customer.objects.get(code=code),
            subject="PO 4711: new delivery date",
            proposed_date=date(2026, 12, 18),
            user=demo["sales"],
            expires_at=timezone.now() + timedelta(days=7),
        )
        return confirmation.link

    def answer(link, name):
        return {"name": name}

    def answered(link):
        return DateConfirmation.objects.get(link=link).confirmed_date == date(2026, 12, 18)

    return LinkCase("date_confirmation", "tc", give, answer, answered, 200)


@pytest.fixture
def delay_case(demo):
    """A delay notice of a released order of the customer, negotiated by sales: the customer confirms the new
    date through the link; the written answer is kept with the notice."""
    from decimal import Decimal

    from nhcs.workflow import services as wf
    from nhcs.workflow.choices import AttachmentKind
    from nhcs.workflow.models import Attachment
    from orders import services
    from orders.demo import ALL_IDENTIFIED
    from orders.models import DelayNotice, Order

    def give(code):
        customer = Customer.objects.get(code=code)
        today = timezone.localdate()
        order = services.order_create(
            user=demo["sales"],
            data={"customer": customer, "po_number": "PO-LINK", "po_date": today, **ALL_IDENTIFIED},
            lines=[{"part_number": "P1", "quantity": Decimal(5), "unit": "pcs", "requested_date": today}],
        )
        Order.objects.filter(pk=order.pk).update(state="released", committed_date=today + timedelta(days=3))
        notice = services.delay_notice_create(
            user=demo["planner"], customer=customer, reason="x", items=[(order, today + timedelta(days=10))]
        )
        notice = wf.transition_record(record=notice, name="issue", user=demo["planner"])
        notice = wf.transition_record(record=notice, name="negotiate", user=demo["sales"], data={"negotiation": "ok"})
        return services.delay_link_give(notice=notice, user=demo["sales"])

    def answer(link, name):
        return {"name": name}

    def answered(link):
        notice = DelayNotice.objects.get(link=link)
        return Attachment.objects.for_record(notice).filter(kind=AttachmentKind.WRITTEN_CONFIRMATION).exists()

    return LinkCase("delay_confirmation", "c", give, answer, answered, 200)


@pytest.fixture(params=["survey", "date_confirmation", "delay_confirmation"])
def case(request):
    fixtures = {"survey": "survey_case", "date_confirmation": "date_case", "delay_confirmation": "delay_case"}
    return request.getfixturevalue(fixtures[request.param])
