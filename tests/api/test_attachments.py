"""A record's attachments through the API: listed, added and downloaded with the page's rules, and a
transition that wants a document taking it with the action."""

import pytest
from django.test import Client

from nhcs.workflow.models import Attachment
from orders.models import ChangeNotice
from tests.orders.conftest import PDF, flow, make_order, notices, pdf_upload, released  # noqa: F401

pytestmark = pytest.mark.django_db


def multipart(user):
    client = Client()
    client.force_login(user)
    return client


def test_upload_list_and_download_round_trip(demo, order):
    url = f"/api/v1/orders/{order.pk}/attachments/"
    sales = multipart(demo["sales"])
    added = sales.post(url, {"file": pdf_upload("fax.pdf"), "kind": "fax", "description": "Customer fax"})
    assert added.status_code == 201, added.content
    assert added.json()["number"] == 1 and added.json()["url"] == f"{url}1/"
    listed = sales.get(url).json()
    assert [(a["number"], a["kind"], a["name"], a["description"], a["size"], a["uploaded_by"]) for a in listed] == [
        (1, "fax", "fax.pdf", "Customer fax", len(PDF), "sales")
    ]
    download = multipart(demo["qa"]).get(listed[0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert sales.get(f"{url}2/").status_code == 404


def test_who_may_not_attach_gets_403_and_an_outsider_404(demo, order):
    url = f"/api/v1/orders/{order.pk}/attachments/"
    assert multipart(demo["sales"]).post(url, {"file": pdf_upload(), "kind": "fax"}).status_code == 201
    # The administrator reads the order but works on no step of it.
    admin = multipart(demo["admin"])
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"file": pdf_upload(), "kind": "fax"}).status_code == 403
    outsider = multipart(demo["warehouse"])
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"{url}1/").status_code == 404
    assert outsider.post(url, {"file": pdf_upload(), "kind": "fax"}).status_code == 404
    assert Attachment.objects.for_record(order).count() == 1


def test_a_file_of_a_kind_we_do_not_keep_is_refused_with_the_pages_message(demo, order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/v1/orders/{order.pk}/attachments/"
    sales = multipart(demo["sales"])
    sales.cookies["django_language"] = "en"
    refused = sales.post(url, {"file": SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 an exe"), "kind": "fax"})
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("The file “invoice.pdf” is not a kind we keep (by its content).")
    assert sales.post(url, {"kind": "fax"}).json()["errors"].keys() == {"file"}
    assert not Attachment.objects.for_record(order).exists()


def test_a_transition_that_wants_a_document_takes_it_with_the_action(demo, released, notices):  # noqa: F811
    notice = notices.raise_change(released(), lines=[], texts={"other": "Deliver on pallets"}, attach=False)
    url = f"/api/v1/change-notices/{notice.pk}/actions/submit/"
    sales = multipart(demo["sales"])
    assert sales.post(url, {"version": notice.version}, content_type="application/json").status_code == 400
    done = sales.post(
        url, {"version": notice.version, "comment": "ok", "file": pdf_upload(), "attachment_kind": "customer_request"}
    )
    assert done.status_code == 200, done.content
    notice = ChangeNotice.objects.get(pk=notice.pk)
    assert notice.state == "submitted"
    assert [a.kind for a in Attachment.objects.for_record(notice)] == ["customer_request"]
