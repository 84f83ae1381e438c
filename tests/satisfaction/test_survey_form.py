import pytest
from django.urls import reverse

from satisfaction.defaults import DEFAULT_ASPECTS, DEFAULT_TICKS
from satisfaction.survey_form import survey_form_pdf
from tests.sheets.conftest import embedded_fonts, pdf_text, write_artifact

URL = "/sheets/survey-form/blank.pdf"


def test_url_name():
    assert reverse("satisfaction:survey_form_blank") == URL


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_blank_form_for_any_logged_in_user(demo, client_for):
    response = client_for(demo["warehouse"]).get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "顾客满意度调查表" in text and "Customer satisfaction survey form" in text
    assert "东莞市宁浩实业有限公司" in text and "NH-QP14-05" in text
    assert "To:" in text
    for _key, zh, _en in DEFAULT_ASPECTS:
        assert zh in text
    for _key, zh, en, _points in DEFAULT_TICKS:
        assert zh in text and en in text
    flowing = " ".join(text.split())
    assert "请您在每一行对应的栏内打“√”" in flowing and "please tick “√” in one box of each row" in flowing
    assert "客户签名" in text and "Customer signature" in text and "日期" in text
    assert "第 1 页 共 1 页" in text and "Page 1 of 1" in text
    assert "√" not in text.split("很不满意")[-1]  # blank: no tick in the table
    fonts = embedded_fonts(response.content)
    assert fonts and all(embedded for _, embedded in fonts)
    write_artifact("survey-form-blank.pdf", response.content)


def test_home_page_links_the_blank_form(demo, client_for):
    response = client_for(demo["sales"]).get("/")
    assert URL.encode() in response.content


@pytest.mark.django_db
def test_form_prints_pre_addressed_and_filled_in():
    answers = {"quality": "very_satisfied", "price": "satisfied"}
    data = survey_form_pdf(
        to="深圳华强电子有限公司",
        answers=answers,
        comments="交期需要改进",
        signed_by="陈先生",
        record_number="KS-2026-0007",
    )
    text = pdf_text(data)
    assert "深圳华强电子有限公司" in text and "交期需要改进" in text and "陈先生" in text
    assert "KS-2026-0007" in text
    assert text.count("√") >= 2
    write_artifact("survey-form-filled.pdf", data)


def test_home_page_has_one_record_sheets_card_outside_the_title(demo, client_for):
    html = client_for(demo["sales"]).get("/").content.decode()
    assert html.count('id="home-record-sheets"') == 1
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<div" not in title
