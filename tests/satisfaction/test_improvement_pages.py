"""The improvement item pages (kept apart: the improvement items move onto the shared corrective actions).

The item page leads with what waits for the reader, then the item, then its sign-offs and history; the
list's filters fold away on a phone like the other lists' (tests/browser/test_phone_layout.py)."""

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from satisfaction.models import ImprovementItem

from .test_page_layout import positions

pytestmark = pytest.mark.django_db


def test_improvement_page_actions_then_data_then_tabs(survey_demo, client_for):
    item = ImprovementItem.objects.filter(responsible_department__code="SALES").first()
    client = client_for(survey_demo["sales_head"])
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-transition="' in page  # the head of the responsible department has an action here
    where = positions(
        client, item.get_absolute_url(), "workflow-actions", "item-customer", "item-department", "tab-signoffs"
    )
    assert where == sorted(where)


def test_improvement_list_filters_fold_away_on_a_phone(survey_demo, client_for):
    client = client_for(survey_demo["sales"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("satisfaction:improvement_list")
    page = lxml.html.fromstring(client.get(url + "?state=open").content.decode())
    card = page.xpath("//div[@id='improvement-filter-card']")[0]
    assert {"collapse", "d-md-block"} <= set(card.get("class").split())
    assert card.xpath(".//form[@id='improvement-filter']")
    toggle = page.xpath("//button[@data-bs-target='#improvement-filter-card']")[0]
    assert "d-md-none" in toggle.get("class").split()
    assert " ".join(toggle.text_content().split()) == "Filters 1▾"
