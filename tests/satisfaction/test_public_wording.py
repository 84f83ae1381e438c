"""Who speaks to whom: the customer's online form names the company and greets as an online form does (the
paper form's "sign and return by post or fax" stays on paper), so does the e-mail bringing the link; the
staff's entry of a returned form speaks to staff."""

import lxml.html
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from nhcs.sheets.models import CompanySettings
from nhcs.workflow import services as wf
from satisfaction.defaults import GREETING_EN, GREETING_ZH

from .conftest import ticks_for

pytestmark = pytest.mark.django_db

ONLINE_EN = (
    "Dear customer, thank you for your continued support. To help us improve our products and service, "
    "please choose one answer in each row below and send the form; it takes about three minutes. Thank you!"
)
ONLINE_ZH = "尊敬的客户：感谢您一直以来对我司的支持！为了不断改进我们的产品和服务，请在下面每一行选择一项并提交本表，约需三分钟。谢谢！"


def text_of(html: str, xpath: str) -> str:
    return " ".join(lxml.html.fromstring(html).xpath(xpath)[0].text_content().split())


def company_names(html: str) -> list[str]:
    """The company's names as the page heads them, the page's language first."""
    return [div.text_content().strip() for div in lxml.html.fromstring(html).xpath("//*[@id='company-name']/div")]


@pytest.fixture
def company(db):
    company = CompanySettings.load()
    company.name_zh, company.name_en = "东莞市宁浩实业有限公司", "Dongguan Ninghao Industrial Co., Ltd."
    company.save()
    return company


def test_the_online_form_names_the_company_and_greets_as_an_online_form(demo, company, sent_campaign):
    campaign = sent_campaign()
    chinese = campaign.recipients.get(customer__code="C001")
    english = campaign.recipients.get(customer__code="C003")
    page = Client().get(f"/s/{chinese.token}/").content.decode()
    assert company_names(page) == ["东莞市宁浩实业有限公司", "Dongguan Ninghao Industrial Co., Ltd."]
    assert text_of(page, "//*[@id='greeting']") == ONLINE_ZH
    assert GREETING_ZH not in page and "寄回" not in page
    page = Client().get(f"/s/{english.token}/").content.decode()
    assert company_names(page) == ["Dongguan Ninghao Industrial Co., Ltd.", "东莞市宁浩实业有限公司"]
    assert text_of(page, "//*[@id='greeting']") == ONLINE_EN
    assert GREETING_EN not in page and "by post" not in page
    # The thanks page after sending says who thanks.
    ticks = {f"aspect_{a}": t for a, t in ticks_for(campaign, 0).items()}
    thanks = Client().post(f"/s/{english.token}/", ticks, follow=True).content.decode()
    assert "Thank you!" in thanks
    assert company_names(thanks) == ["Dongguan Ninghao Industrial Co., Ltd.", "东莞市宁浩实业有限公司"]


def test_the_invitation_mail_greets_as_the_online_form(
    demo, new_campaign, django_capture_on_commit_callbacks, run_jobs
):
    campaign = new_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        wf.transition_record(record=campaign, name="send", user=demo["sales"], comment="")
    run_jobs()
    bodies = {m.to[0]: m.body for m in mail.outbox if "/s/" in m.body}
    chinese = campaign.recipients.get(customer__code="C001").customer.email
    english = campaign.recipients.get(customer__code="C003").customer.email
    assert ONLINE_ZH in bodies[chinese] and GREETING_ZH not in bodies[chinese]
    assert ONLINE_EN in bodies[english] and GREETING_EN not in bodies[english]


def test_the_staff_entry_page_speaks_to_staff(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    recipient = campaign.recipients.get(customer__code="C004")
    client = client_for(demo["sales"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/surveys/{campaign.pk}/answers/{recipient.pk}/enter/").content.decode()
    assert text_of(page, "//*[@id='entry-help']") == (
        "Enter the customer's ticks from the returned form (letter, fax or e-mail), or the answers of a phone "
        "interview, as the customer gave them."
    )
    labels = [" ".join(label.text_content().split()) for label in lxml.html.fromstring(page).xpath("//label")]
    assert "Customer's comments and suggestions" in labels and "Signed by (name on the form)" in labels
    assert "Your comments and suggestions" not in page and "Your name (signature)" not in page
