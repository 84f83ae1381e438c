"""A survey deadline of 9999-12-31 answered 500; now the form says which dates it takes."""

import pytest

from satisfaction.models import Campaign

pytestmark = pytest.mark.django_db


def test_a_survey_deadline_out_of_range_is_refused(demo, client_for):
    sales = client_for(demo["sales"])
    sales.cookies["django_language"] = "en"
    response = sales.post("/surveys/new/", {"title": "远期调查", "period": "2026", "response_deadline": "9999-12-31"})
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2100-12-31." in response.content.decode()
    assert not Campaign.objects.filter(title="远期调查").exists()
