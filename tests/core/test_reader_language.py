"""Task lines (My tasks, home page) are rendered when read, in the reader's language: the same task
reads in Chinese and in English; only the record's own title is data. The language switcher names each
language in itself."""

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from nhcs.workflow import services as wf
from orders import services as orders
from tests.orders.conftest import PO_DATE, REQUIREMENTS_IDENTIFIED, line

pytestmark = pytest.mark.django_db


def task_rows(client, url: str, language: str, table: str = "") -> list[list[str]]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = lxml.html.fromstring(client.get(url).content.decode())
    rows = page.xpath(f"{table}//table[contains(@class, 'task-table')]/tbody/tr")
    return [[" ".join(td.text_content().split()) for td in row.xpath("./td")[:3]] for row in rows]


@pytest.fixture
def submitted_order(demo):
    from nhcs.customers.models import Customer

    customer = Customer.objects.create(code="L001", name_zh="语言客户", name_en="Language customer")
    order = orders.order_create(
        user=demo["sales"],
        data={"customer": customer, "po_number": "PO-LANG", "po_date": PO_DATE, **REQUIREMENTS_IDENTIFIED},
        lines=[line()],
    )
    return wf.transition_record(record=order, name="submit", user=demo["sales"], comment="")


@pytest.mark.parametrize("url", [reverse("workflow:my_tasks"), reverse("home")])
def test_a_task_line_reads_in_the_readers_language(demo, client_for, submitted_order, url):
    client = client_for(demo["planner"])
    number = submitted_order.number
    assert task_rows(client, url, "zh-hans") == [
        [f"{number} 订单评审 · L001 PO PO-LANG", "启动技术评审", "计划物流部"],
    ]
    assert task_rows(client, url, "en") == [
        [f"{number} Order review · L001 PO PO-LANG", "Open the technical review", "Planning & Logistics"],
    ]


def test_a_review_step_reads_in_the_readers_language(demo, client_for, submitted_order):
    wf.transition_record(record=submitted_order, name="start_review", user=demo["planner"], comment="")
    client = client_for(demo["engineer"])
    url = reverse("workflow:my_tasks")
    assert [row[1:] for row in task_rows(client, url, "zh-hans")] == [["技术工艺部：物料清单（BOM）评审", "技术工艺部"]]
    assert [row[1:] for row in task_rows(client, url, "en")] == [
        ["Engineering & Process: BOM review", "Engineering & Process"]
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switcher_names_each_language_in_itself(demo, client_for, language):
    client = client_for(demo["sales"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = lxml.html.fromstring(client.get(reverse("home")).content.decode())
    options = page.xpath("//select[@id='language-select']/option")
    assert [(o.get("value"), o.text_content().strip(), o.get("lang")) for o in options] == [
        ("zh-hans", "中文", "zh-hans"),
        ("en", "English", "en"),
    ]
    assert [o.get("value") for o in options if o.get("selected") is not None] == [language]
