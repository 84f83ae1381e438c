from datetime import timedelta

import lxml.html
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.links.models import CustomerLink
from satisfaction.models import Campaign, FollowUp, Response

from .conftest import ticks_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post_ticks(campaign, indexes):
    return {f"aspect_{a}": t for a, t in ticks_for(campaign, indexes).items()}


# --- the public page -------------------------------------------------------------------------------


def test_public_page_in_the_customers_language(demo, sent_campaign):
    campaign = sent_campaign()
    en = campaign.recipients.get(customer__code="C003")  # language en
    zh = campaign.recipients.get(customer__code="C001")
    page = Client().get(f"/s/{en.token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Product quality" in text and "Bosch" in text and 'name="viewport"' in text
    page = Client().get(f"/s/{zh.token}/")
    assert "产品质量" in page.content.decode() and "深圳华强" in page.content.decode()
    # the customer may switch language; a refused post keeps the chosen one
    page = Client().post(f"/s/{zh.token}/?lang=en", {"comments": "x"})
    assert page.status_code == 400 and "Product quality" in page.content.decode()
    assert 'action="?lang=en"' in page.content.decode()


def test_public_submission_once(demo, sent_campaign):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C001")
    client = Client(enforce_csrf_checks=False)
    # missing rows: a clear message, what was typed kept, nothing stored
    partial = dict(list(_post_ticks(campaign, 0).items())[:3])
    page = client.post(f"/s/{r.token}/", {**partial, "comments": "很好", "signed_name": "张经理"})
    assert page.status_code == 400
    form = lxml.html.fromstring(page.content.decode())
    missing = "、".join(a.label_zh for a in campaign.aspects.all()[3:])
    assert form.xpath("//*[@id='form-error']")[0].text_content() == f"请在每行对应栏内打“√”。未填写：{missing}。"
    assert form.xpath("//input[@name='signed_name']")[0].get("value") == "张经理"
    assert form.xpath("//textarea[@name='comments']")[0].text_content() == "很好"
    assert not Response.objects.filter(recipient=r).exists()
    page = client.post(f"/s/{r.token}/", {**_post_ticks(campaign, 0), "comments": "很好", "signed_name": "张经理"})
    assert page.status_code == 302 and "s-thanks" in page["Location"]
    assert Response.objects.get(recipient=r).signed_name == "张经理"
    again = client.post(f"/s/{r.token}/", _post_ticks(campaign, 4))
    assert again.status_code == 410 and b'data-kind="used"' in again.content
    assert Response.objects.get(recipient=r).total == 100
    assert client.get(f"/s/{r.token}/").status_code == 410


def test_public_wrong_and_expired_links(demo, sent_campaign):
    campaign = sent_campaign()
    page = Client().get("/s/not-a-real-token/")
    assert page.status_code == 404 and b'data-kind="wrong"' in page.content
    r = campaign.recipients.get(customer__code="C002")
    CustomerLink.objects.filter(pk=r.link_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().post(f"/s/{r.token}/", _post_ticks(campaign, 0))
    # C002 reads Chinese: the page says so in Chinese
    assert (
        page.status_code == 410 and b'data-kind="expired"' in page.content and "此链接已过期" in page.content.decode()
    )
    assert not Response.objects.filter(recipient=r).exists()


# --- staff pages and permissions -----------------------------------------------------------------


def test_campaign_pages_and_permissions(demo, client_for, sent_campaign, new_campaign):
    campaign = sent_campaign()
    draft = new_campaign(title="draft one")
    sales, qa = client_for(demo["sales"]), client_for(demo["qa"])
    for url in [
        "/surveys/",
        f"/surveys/{campaign.pk}/",
        f"/surveys/{campaign.pk}/statistics/",
        f"/surveys/{campaign.pk}/follow-up/",
        "/actions/",
        "/actions/?source_kind=survey_answer",
    ]:
        assert sales.get(url).status_code == 200, url
        assert qa.get(url).status_code == 200, url
        assert Client().get(url).status_code == 302, url  # login required
    # only Sales creates, edits the questionnaire and sample, enters answers
    assert qa.get("/surveys/new/").status_code == 403
    assert qa.post("/surveys/new/", {"title": "x", "period": "2026"}).status_code == 403
    assert qa.get(f"/surveys/{draft.pk}/questionnaire/").status_code == 403
    assert qa.post(f"/surveys/{draft.pk}/sample/", {"_action": "draw", "share": 50}).status_code == 403
    r = campaign.recipients.get(customer__code="C002")
    assert qa.get(f"/surveys/{campaign.pk}/answers/{r.pk}/enter/").status_code == 403
    assert (
        qa.post(f"/surveys/{campaign.pk}/follow-up/", {"recipient": r.pk, "kind": "phone", "note": "x"}).status_code
        == 403
    )
    assert not FollowUp.objects.exists()
    # the workflow actions are offered to Sales only
    assert b'data-transition="start_follow_up"' in sales.get(f"/surveys/{campaign.pk}/").content
    assert b'data-transition="start_follow_up"' not in qa.get(f"/surveys/{campaign.pk}/").content
    # the draft's questionnaire page works for Sales
    assert sales.get(f"/surveys/{draft.pk}/questionnaire/").status_code == 200
    assert sales.get(f"/surveys/{draft.pk}/sample/").status_code == 200


def test_create_campaign_over_http(demo, client_for):
    sales = client_for(demo["sales"])
    bad = sales.post("/surveys/new/", {"title": "", "period": "2026H2"})
    assert bad.status_code == 400 and "2026H2" in bad.content.decode()
    page = sales.post(
        "/surveys/new/",
        {
            "title": "2026 年度调查",
            "period": "2026",
            "response_deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
    )
    assert page.status_code == 302
    campaign = Campaign.objects.get(title="2026 年度调查")
    assert campaign.aspects.count() == 8


def test_questionnaire_form_keeps_input_on_error(demo, client_for, new_campaign):
    campaign = new_campaign()
    sales = client_for(demo["sales"])
    aspects = list(campaign.aspects.all())
    data = {
        "aspects-TOTAL_FORMS": len(aspects) + 1,
        "aspects-INITIAL_FORMS": len(aspects),
        "aspects-MIN_NUM_FORMS": 0,
        "aspects-MAX_NUM_FORMS": 20,
    }
    for i, a in enumerate(aspects):
        data.update(
            {
                f"aspects-{i}-id": a.pk,
                f"aspects-{i}-label_zh": a.label_zh,
                f"aspects-{i}-label_en": a.label_en,
                f"aspects-{i}-weight": "2" if a.key == "quality" else "1",
                f"aspects-{i}-responsible_department": a.responsible_department_id,
            }
        )
    ticks = {
        "very_satisfied": 100,
        "fairly_satisfied": 85,
        "satisfied": 90,
        "not_very_satisfied": 50,
        "very_dissatisfied": 20,
    }
    page = sales.post(f"/surveys/{campaign.pk}/questionnaire/", {**data, **ticks})
    assert page.status_code == 400 and 'value="90"' in page.content.decode()
    assert campaign.aspects.get(key="quality").weight == 1
    ticks["satisfied"] = 75
    page = sales.post(f"/surveys/{campaign.pk}/questionnaire/", {**data, **ticks})
    assert page.status_code == 302
    assert campaign.aspects.get(key="quality").weight == 2
    assert campaign.ticks.get(key="satisfied").points == 75


def test_sample_draw_over_http(demo, client_for, new_campaign):
    campaign = new_campaign()
    sales = client_for(demo["sales"])
    page = sales.post(f"/surveys/{campaign.pk}/sample/", {"_action": "draw", "share": "50", "seed": "7"})
    assert page.status_code == 302
    campaign.refresh_from_db()
    assert campaign.sample_seed == 7 and campaign.sample_rule == "drawn"
    bad = sales.post(f"/surveys/{campaign.pk}/sample/", {"_action": "draw", "share": "150"})
    assert bad.status_code == 400


def test_staff_entry_over_http(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    sales = client_for(demo["sales"])
    r = campaign.recipients.get(customer__code="C004")
    url = f"/surveys/{campaign.pk}/answers/{r.pk}/enter/"
    assert sales.get(url).status_code == 200
    data = {
        **_post_ticks(campaign, 3),
        "source": "letter",
        "received_on": timezone.localdate().isoformat(),
        "comments": "价格偏高",
    }
    page = sales.post(url, data)
    assert page.status_code == 400 and "价格偏高" in page.content.decode()
    assert not Response.objects.filter(recipient=r).exists()
    data["scan"] = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    page = sales.post(url, data)
    assert page.status_code == 302
    response = Response.objects.get(recipient=r)
    assert response.total == 50 and CorrectiveAction.objects.for_source(response).count() == 9
    detail = sales.get(page["Location"])
    assert detail.status_code == 200 and "50.0" in detail.content.decode()
    # the scan downloads for staff who see the survey, not for anonymous visitors
    from nhcs.workflow.models import Attachment

    att = Attachment.objects.for_record(response).get()
    assert sales.get(f"/attachments/{att.pk}/").status_code == 200
    assert Client().get(f"/attachments/{att.pk}/").status_code == 302


def test_follow_up_over_http(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    sales = client_for(demo["sales"])
    r = campaign.recipients.get(customer__code="C002")
    page = sales.post(f"/surveys/{campaign.pk}/follow-up/", {"recipient": r.pk, "kind": "phone", "note": ""})
    assert page.status_code == 400
    page = sales.post(f"/surveys/{campaign.pk}/follow-up/", {"recipient": r.pk, "kind": "fax", "note": "再次传真"})
    assert page.status_code == 302
    page = sales.get(f"/surveys/{campaign.pk}/follow-up/")
    assert "再次传真" in page.content.decode()


def test_improvement_pages(demo, client_for, sent_campaign, answer_online):
    """The corrective action a low answer raised: its owner department's head sets the measures, edits
    them; the answer's page lists it; the old improvement addresses lead to it."""
    campaign = sent_campaign()
    response = answer_online(campaign.recipients.get(customer__code="C002"), [2, 3, 2, 2, 2, 2, 2, 2])
    item = CorrectiveAction.objects.for_source(response).get()
    planning_head = client_for(demo["planning_head"])
    page = planning_head.get(f"/actions/{item.pk}/")
    assert page.status_code == 200 and b'data-transition="set_measures"' in page.content
    assert "C002" in page.content.decode() and campaign.number in page.content.decode()
    assert b'data-transition="set_measures"' not in client_for(demo["qa_head"]).get(f"/actions/{item.pk}/").content
    due_on = timezone.localdate() + timedelta(days=10)
    page = planning_head.post(
        f"/actions/{item.pk}/edit/",
        {
            "version": item.version,
            "kind": "corrective",
            "owner_department": item.owner_department_id,
            "analysis": "排产冲突",
            "measures": "每周评审交期",
            "due_on": due_on.isoformat(),
            "check_on": (due_on + timedelta(days=30)).isoformat(),
            "change_reason": "",
        },
    )
    assert page.status_code == 302
    item.refresh_from_db()
    assert (item.analysis, item.measures, item.due_on) == ("排产冲突", "每周评审交期", due_on)
    # Not a reader of this action (nor of surveys): the warehouse gets 404.
    assert client_for(demo["warehouse"]).get(f"/actions/{item.pk}/edit/").status_code == 404
    assert client_for(demo["warehouse"]).get(f"/actions/{item.pk}/").status_code == 404
    # The answer's page lists the actions it raised.
    sales = client_for(demo["sales"])
    answer_page = sales.get(f"/surveys/{campaign.pk}/answers/{response.recipient_id}/").content.decode()
    assert f'data-number="{item.number}"' in answer_page
    # The improvement items' old addresses lead to the corrective actions, for good.
    old = sales.get("/surveys/improvements/", {"campaign": campaign.pk, "state": "open"})
    assert old.status_code == 301
    assert old["Location"].startswith("/actions/?") and f"source={campaign.number}" in old["Location"]
    listed = sales.get(old["Location"]).content.decode()
    assert f'data-number="{item.number}"' in listed
    assert sales.get("/surveys/improvements/export.xlsx")["Location"].startswith("/actions/export.xlsx?")


# --- constant query counts -----------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["satisfaction:campaign_list", "capa:action_list"])
def test_list_pages_constant_queries(demo, client_for, sent_campaign, answer_online, url_name):
    client = client_for(demo["sales"])
    url = reverse(url_name)
    campaign = sent_campaign()
    answer_online(campaign.recipients.first(), 3)
    small = _queries(client, url)
    for i in range(4):
        c = sent_campaign(title=f"more {i}")
        for r in c.recipients.select_related("campaign"):
            answer_online(r, 3)
    assert _queries(client, url) == small


def test_campaign_pages_constant_queries(survey_demo, demo, client_for, sent_campaign, answer_online):
    client = client_for(demo["sales"])
    campaign = sent_campaign(customers=Customer.objects.filter(code__in=["C001", "C002"]))
    answer_online(campaign.recipients.first(), 3)
    urls = [
        f"/surveys/{campaign.pk}/",
        f"/surveys/{campaign.pk}/?answer=answered&q=C",
        f"/surveys/{campaign.pk}/statistics/",
        f"/surveys/{campaign.pk}/follow-up/",
    ]
    small = [_queries(client, u) for u in urls]
    for i in range(6):
        Customer.objects.create(code=f"Q{i}", name_zh=f"客户{i}", email=f"q{i}@example.com")
    big = sent_campaign(title="big", customers=Customer.objects.all())
    for r in big.recipients.select_related("campaign")[:5]:
        answer_online(r, 3)
    urls = [
        f"/surveys/{big.pk}/",
        f"/surveys/{big.pk}/?answer=answered&q=C",
        f"/surveys/{big.pk}/statistics/",
        f"/surveys/{big.pk}/follow-up/",
    ]
    assert [_queries(client, u) for u in urls] == small


def test_online_answer_keeps_name_time_and_address_and_prints_them(demo, client_for, sent_campaign):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.sheets.conftest import pdf_text

    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C001")
    page = Client().post(
        f"/s/{r.token}/",
        {**_post_ticks(campaign, 1), "signed_name": "张经理", "comments": "好"},
        REMOTE_ADDR="198.51.100.77",
        HTTP_USER_AGENT="TestPhone/2.0",
    )
    assert page.status_code == 302
    link = CustomerLink.objects.get(pk=r.link_id)
    assert (link.answered_name, link.answered_ip, link.answered_user_agent) == (
        "张经理",
        "198.51.100.77",
        "TestPhone/2.0",
    )
    assert link.used_at is not None
    assert Response.objects.get(recipient=r).signed_name == "张经理"
    sales = client_for(demo["sales"])
    detail = sales.get(f"/surveys/{campaign.pk}/answers/{r.pk}/").content.decode()
    assert 'id="written-answer"' in detail and "198.51.100.77" in detail and "TestPhone/2.0" in detail
    text = "".join(pdf_text(sales.get(f"/surveys/{campaign.pk}/answers/{r.pk}/form.pdf").content).split())
    assert "张经理" in text and "198.51.100.77" in text
    assert f"{timezone.localtime(link.used_at):%Y-%m-%d%H:%M:%S}" in text
    xlsx = sales.get(f"/surveys/{campaign.pk}/answers/{r.pk}/form.xlsx")
    values = [v for row in load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True) for v in row if v]
    assert any(isinstance(v, str) and "198.51.100.77" in v and "张经理" in v for v in values)


def test_sending_gives_each_customer_a_link_until_the_answer_by_day(demo, sent_campaign):
    campaign = sent_campaign()
    links = [r.link for r in campaign.recipients.select_related("link", "customer")]
    assert len(links) == 4 and all(link is not None for link in links)
    assert {link.purpose for link in links} == {"survey"}
    assert all(link.created_by == demo["sales"] for link in links)
    assert {timezone.localtime(link.expires_at).date() for link in links} == {
        campaign.response_deadline + timedelta(days=1)
    }
    assert {r.customer.language for r in campaign.recipients.all()} == {link.language for link in links}


# --- the survey page's sample: a page of customers, counts over all -------------------------------------


def _sample_rows(client, url) -> tuple[list[str], lxml.html.HtmlElement]:
    tree = lxml.html.fromstring(client.get(url).content.decode())
    return [tr.get("data-customer") for tr in tree.xpath("//table[@id='recipient-table']//tr[@data-customer]")], tree


def test_survey_page_lists_a_page_of_customers_with_counts_over_all(
    demo, client_for, sent_campaign, answer_online, monkeypatch
):
    from satisfaction import views

    monkeypatch.setattr(views, "RECIPIENT_PAGE", 2)
    campaign = sent_campaign()  # C001 … C004
    rs = {r.customer.code: r for r in campaign.recipients.select_related("customer", "campaign")}
    answer_online(rs["C002"], 0)
    campaign.recipients.filter(customer__code="C004").update(sent_at=None)
    client = client_for(demo["sales"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"/surveys/{campaign.pk}/"
    codes, first = _sample_rows(client, url)
    assert codes == ["C001", "C002"]
    assert _sample_rows(client, url + "?page=2")[0] == ["C003", "C004"]
    # The counts above the table are over the whole sample, on every page.
    for tree in (first, _sample_rows(client, url + "?page=2")[1]):
        assert tree.xpath("string(//*[@id='recipient-count'])") == "4"
        counts = {
            a.get("data-answer"): a.xpath("string(.//*[@class='state-count'])") for a in tree.xpath("//a[@data-answer]")
        }
        assert counts == {"": "4", "answered": "1", "waiting": "2", "not_sent": "1"}
    assert "1–2 of 4" in first.xpath("string(//*[@id='recipient-range'])")
    # The answered customer's score leads to the answer; the others can still be answered.
    row = first.xpath("//tr[@data-customer='C002']")[0]
    assert row.xpath(".//a/@href") == [f"/surveys/{campaign.pk}/answers/{rs['C002'].pk}/"]
    assert first.xpath("//tr[@data-customer='C001']//a[contains(@class, 'enter-answer')]")
    # Narrowed by answer state and by customer; the pages keep the filter.
    assert _sample_rows(client, url + "?answer=answered")[0] == ["C002"]
    assert _sample_rows(client, url + "?answer=not_sent")[0] == ["C004"]
    waiting, tree = _sample_rows(client, url + "?answer=waiting")
    assert waiting == ["C001", "C003"] and not tree.xpath("//*[@id='recipient-range']")
    assert _sample_rows(client, url + "?q=c003")[0] == ["C003"]
    assert _sample_rows(client, url + "?q=Bosch")[0] == ["C003"]
    codes, tree = _sample_rows(client, url + "?q=C00&answer=waiting")
    assert codes == ["C001", "C003"]
    codes, tree = _sample_rows(client, url + "?q=C")
    assert codes == ["C001", "C002"] and tree.xpath("//a[@class='page-link' and contains(@href, 'q=C&page=2')]")
    codes, tree = _sample_rows(client, url + "?q=nobody")
    assert codes == [] and "No customer surveyed matches" in lxml.html.tostring(tree, encoding="unicode")
    # A state that is none is ignored; a page past the end shows the last one.
    assert _sample_rows(client, url + "?answer=bogus")[0] == ["C001", "C002"]
    assert _sample_rows(client, url + "?page=9")[0] == ["C003", "C004"]


def test_survey_list_counts_each_surveys_sample_and_answers(
    survey_demo, demo, client_for, sent_campaign, answer_online
):
    campaign = sent_campaign()
    answer_online(campaign.recipients.select_related("campaign").get(customer__code="C001"), 1)
    tree = lxml.html.fromstring(client_for(demo["sales"]).get("/surveys/").content.decode())
    shown = {
        tr.xpath("string(./td[1])"): tr.xpath("string(./td[last()])")
        for tr in tree.xpath("//table[@id='campaign-table']/tbody/tr")
    }
    expected = {
        c.number: f"{c.recipients.filter(response__isnull=False).count()} / {c.recipients.count()}"
        for c in Campaign.objects.all()
    }
    assert shown == expected and shown[campaign.number] == "1 / 4"
