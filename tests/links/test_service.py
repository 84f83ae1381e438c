"""The customer-link service itself: creating, finding and using links, the purpose registry, the
client's address, and the written answer printed for the file."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import Client
from django.utils import timezone

from nhcs.customers.models import Customer
from nhcs.links import registry, services
from nhcs.links.exceptions import LinkExpired, LinkUsed, LinkWrong
from nhcs.links.http import client_ip
from nhcs.links.models import CustomerLink
from nhcs.workflow.exceptions import Blocked
from tests.flowtest.models import DateConfirmation
from tests.sheets.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(demo):
    return DateConfirmation.objects.create(
        customer=Customer.objects.get(code="C003"), subject="PO 1", proposed_date=timezone.localdate()
    )


def make(target, user, **kwargs):
    values = {
        "purpose": "date_confirmation",
        "customer": target.customer,
        "target": target,
        "expires_at": timezone.now() + timedelta(days=3),
        "user": user,
    }
    values.update(kwargs)
    return services.link_create(**values)


def test_create_gives_a_long_random_token_in_the_customers_language(demo, target):
    a, b = make(target, demo["sales"]), make(target, demo["sales"])
    assert a.token != b.token and len(a.token) >= 43
    assert a.language == "en" and a.target == target and a.created_by == demo["sales"]
    assert make(target, demo["sales"], language="zh-hans").language == "zh-hans"


def test_create_refuses_what_cannot_work(demo, target):
    with pytest.raises(Blocked):
        make(target, demo["sales"], expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Blocked):
        make(target, demo["sales"], language="de")
    with pytest.raises(ImproperlyConfigured):
        make(target, demo["sales"], purpose="nothing_registered")
    assert not CustomerLink.objects.exists()


def test_for_use_raises_one_error_per_problem(demo, target):
    link = make(target, demo["sales"])
    assert services.link_for_use(token=link.token, purpose="date_confirmation") == link
    with pytest.raises(LinkWrong):
        services.link_for_use(token=link.token, purpose="survey")  # another purpose's page
    with pytest.raises(LinkWrong):
        services.link_for_use(token="", purpose="date_confirmation")
    CustomerLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    with pytest.raises(LinkExpired) as expired:
        services.link_for_use(token=link.token, purpose="date_confirmation")
    assert expired.value.link == link and expired.value.status == 410
    CustomerLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    with pytest.raises(LinkUsed):  # used says more than expired
        services.link_for_use(token=link.token, purpose="date_confirmation")
    with transaction.atomic(), pytest.raises(LinkUsed):
        services.link_for_use(token=link.token, purpose="date_confirmation", for_update=True)


def test_use_once_keeps_name_time_address_and_browser(demo, target):
    link = make(target, demo["sales"])
    used = services.link_use(link=link, name="x" * 200, ip="2001:db8::1", user_agent="A" * 1000)
    assert used.used_at is not None and len(used.answered_name) == 80
    assert used.answered_ip == "2001:db8::1" and len(used.answered_user_agent) == 400
    with pytest.raises(LinkUsed):
        services.link_use(link=link, name="again", ip="192.0.2.1")
    other = make(target, demo["sales"])
    assert services.link_use(link=other, name="n", ip="not an address").answered_ip is None
    late = make(target, demo["sales"])
    CustomerLink.objects.filter(pk=late.pk).update(expires_at=timezone.now())
    with pytest.raises(LinkExpired):
        services.link_use(link=late, name="n", ip=None)
    late.refresh_from_db()
    assert late.used_at is None


def test_registry_keeps_codes_and_prefixes_apart():
    survey = registry.get("survey")
    assert survey.url_prefix == "s" and registry.get("date_confirmation").url_prefix == "tc"
    registry.register(survey)  # the same again: nothing happens
    with pytest.raises(ImproperlyConfigured):
        registry.register(registry.LinkPurpose("other", "s", "x.y", "Other"))
    with pytest.raises(ImproperlyConfigured):
        registry.register(registry.LinkPurpose("survey", "q", "x.y", "Survey"))
    with pytest.raises(ImproperlyConfigured):
        registry.register(registry.LinkPurpose("Bad Code", "b", "x.y", "Bad"))
    assert "other" not in {p.code for p in registry.purposes()}


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("198.51.100.1", "", "198.51.100.1"),
        ("198.51.100.1", "203.0.113.9", "198.51.100.1"),  # not our proxy: the header is ignored
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.9, 127.0.0.1", "203.0.113.9"),
        ("127.0.0.1", "garbage", "127.0.0.1"),
        ("", "", None),
    ],
)
def test_client_address(remote, forwarded, expected):
    request = SimpleNamespace(META={"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded})
    assert client_ip(request) == expected


def test_the_written_answer_prints_for_the_file(demo, client_for, date_case):
    link = date_case.give("C001")
    page = f"/tc/{link.token}/"
    assert Client().post(page, {"name": "张经理"}, REMOTE_ADDR="198.51.100.23").status_code == 200
    confirmation = DateConfirmation.objects.get(link=link)
    pdf_url = f"/flowtest/confirmations/{confirmation.pk}/answer.pdf"
    response = client_for(demo["sales"]).get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.content).split())
    link.refresh_from_db()
    assert "张经理" in text and "198.51.100.23" in text and "2026-12-18" in text
    assert f"{timezone.localtime(link.used_at):%Y-%m-%d%H:%M:%S}" in text
    assert Client().get(pdf_url).status_code == 302  # staff only
    unanswered = DateConfirmation.objects.get(link=date_case.give("C002"))
    assert client_for(demo["sales"]).get(f"/flowtest/confirmations/{unanswered.pk}/answer.pdf").status_code == 404


def test_a_confirmation_needs_the_typed_name(date_case):
    link = date_case.give("C001")
    response = Client().post(f"/tc/{link.token}/", {"name": "   "})
    assert response.status_code == 400 and 'id="form-error"' in response.content.decode()
    link.refresh_from_db()
    assert link.used_at is None and DateConfirmation.objects.get(link=link).confirmed_date is None
