"""Company and form settings are edited in the admin and show on every sheet."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from nhcs.sheets.models import CompanySettings, FormSetting

from .conftest import pdf_text

URL = "/sheets/survey-form/blank.pdf"


def png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def images_in(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


def test_admin_edits_the_letterhead_and_form_titles(demo, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = client_for(demo["admin"])
    company = CompanySettings.load()
    response = admin.post(
        f"/admin/sheets/companysettings/{company.pk}/change/",
        {
            "name_zh": "东莞新公司",
            "name_en": "New Co.",
            "address_zh": "",
            "address_en": "",
            "phone": "",
            "fax": "",
            "email": "",
            "logo": SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    form = FormSetting.objects.get(key="survey_form")
    response = admin.post(
        f"/admin/sheets/formsetting/{form.pk}/change/",
        {
            "title_zh": "顾客满意度调查表（新）",
            "title_en": "Survey",
            "document_number": "NH-QP14-05",
            "version": "B",
            "procedure": "NH-QP14",
            "sort_order": 50,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    pdf = client_for(demo["sales"]).get(URL).content
    text = pdf_text(pdf)
    assert "东莞新公司" in text and "New Co." in text and "顾客满意度调查表（新）" in text
    assert "版本 Version B" in text and "NH-QP14-05 · 版本号 B" in text
    assert images_in(pdf) == 1
    from .conftest import write_artifact

    write_artifact("survey-form-with-logo.pdf", pdf)


def test_non_staff_cannot_reach_the_settings(demo, client_for):
    response = client_for(demo["sales"]).get("/admin/sheets/companysettings/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_letterhead_cannot_be_deleted_or_doubled(demo, client_for):
    admin = client_for(demo["admin"])
    assert admin.get("/admin/sheets/companysettings/add/").status_code == 403
    company = CompanySettings.load()
    assert admin.get(f"/admin/sheets/companysettings/{company.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_a_sheet_without_settings_still_prints():
    from nhcs.sheets.export import form_setting

    assert form_setting("no_such_form").display_title == "no_such_form"


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/x.png", "ftp://example.com/x"])
def test_sheets_never_fetch_outside_their_own_files(url):
    from nhcs.sheets.export import _url_fetcher

    with pytest.raises(ValueError):
        _url_fetcher().fetch(url)
