"""The customer's pages of both link purposes, over HTTP: success, reuse, expiry and wrong tokens.
A refused link gets its own clear page (in the customer's language when the link is known, in both
otherwise), the right status, and nothing is stored."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nhcs.links.models import CustomerLink

from .conftest import row_counts

pytestmark = pytest.mark.django_db

PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"}
EN_WRONG = "This link is not valid"
ZH_WRONG = "此链接无效"
EN_USED = "This link has already been used"
ZH_USED = "此链接已使用过"
EN_EXPIRED = "This link has expired"
ZH_EXPIRED = "此链接已过期"


def url(link):
    return link.path


def test_the_link_is_the_customers_address(case):
    link = case.give("C001")
    assert link.purpose == case.purpose and link.customer.code == "C001" and link.language == "zh-hans"
    assert link.path == f"/{case.prefix}/{link.token}/" and link.url.endswith(link.path)
    assert len(link.token) >= 43 and link.used_at is None
    page = Client().get(url(link))
    assert page.status_code == 200 and 'name="viewport"' in page.content.decode()


def test_success_keeps_the_name_time_and_address(case):
    link = case.give("C001")
    before = timezone.now()
    response = Client().post(url(link), case.answer(link, "  李   主管 "), REMOTE_ADDR="198.51.100.23", **PHONE)
    assert response.status_code == case.success_status
    link.refresh_from_db()
    assert case.answered(link)
    assert link.answered_name == "李 主管"
    assert before <= link.used_at <= timezone.now()
    assert link.answered_ip == "198.51.100.23"
    assert "iPhone" in link.answered_user_agent


def test_behind_our_proxy_the_customers_own_address_is_kept(case):
    link = case.give("C003")
    response = Client().post(
        url(link),
        case.answer(link, "Ms. Weber"),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50",
    )
    assert response.status_code == case.success_status
    link.refresh_from_db()
    assert link.answered_ip == "203.0.113.50"
    # From anyone but our proxy the header is theirs to write: ignored.
    other = case.give("C004")
    Client().post(
        url(other), case.answer(other, "Mr. Chan"), REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    other.refresh_from_db()
    assert other.answered_ip == "198.51.100.9"


def test_reuse_gets_the_used_page_and_stores_nothing(case):
    link = case.give("C001")
    assert Client().post(url(link), case.answer(link, "张经理"), REMOTE_ADDR="198.51.100.23").status_code == (
        case.success_status
    )
    link.refresh_from_db()
    first = (link.used_at, link.answered_name, link.answered_ip)
    counts = row_counts()
    again = Client().post(url(link), case.answer(link, "别人"), REMOTE_ADDR="192.0.2.1")
    assert again.status_code == 410
    page = again.content.decode()
    assert 'data-kind="used"' in page and ZH_USED in page and EN_USED not in page  # the customer's language
    assert Client().get(url(link)).status_code == 410
    assert row_counts() == counts
    link.refresh_from_db()
    assert (link.used_at, link.answered_name, link.answered_ip) == first


def test_an_expired_link_gets_its_page_and_stores_nothing(case):
    link = case.give("C003")  # an English-speaking customer
    CustomerLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    counts = row_counts()
    for response in (Client().get(url(link)), Client().post(url(link), case.answer(link, "Ms. Weber"))):
        assert response.status_code == 410
        page = response.content.decode()
        assert 'data-kind="expired"' in page and EN_EXPIRED in page and ZH_EXPIRED not in page
        assert '<html lang="en">' in page and 'name="viewport"' in page
    assert row_counts() == counts
    link.refresh_from_db()
    assert link.used_at is None and not case.answered(link)


def test_a_wrong_token_gets_its_page_in_both_languages_and_stores_nothing(case, survey_case, date_case):
    other_purpose = (date_case if case.purpose == "survey" else survey_case).give("C001")
    counts = row_counts()
    for token in ["not-a-real-token", "x" * 200, other_purpose.token]:
        for response in (Client().get(f"/{case.prefix}/{token}/"), Client().post(f"/{case.prefix}/{token}/", {})):
            assert response.status_code == 404
            page = response.content.decode()
            assert 'data-kind="wrong"' in page and EN_WRONG in page and ZH_WRONG in page
            assert 'name="viewport"' in page
    assert row_counts() == counts
    assert not CustomerLink.objects.filter(used_at__isnull=False).exists()


def test_a_refused_answer_keeps_the_link_usable(case):
    link = case.give("C001")
    data = case.answer(link, "")
    if case.purpose == "survey":
        data = {"signed_name": "张经理"}  # no box ticked
    counts = row_counts()
    response = Client().post(url(link), data)
    assert response.status_code == 400
    assert row_counts() == counts
    link.refresh_from_db()
    assert link.used_at is None
    assert Client().get(url(link)).status_code == 200


def test_both_purposes_share_one_service(survey_case, date_case):
    survey = survey_case.give("C002")
    confirmation = date_case.give("C002")
    assert {survey.purpose, confirmation.purpose} == {"survey", "date_confirmation"}
    assert type(survey) is type(confirmation) is CustomerLink
    assert survey.target.customer == confirmation.target.customer
