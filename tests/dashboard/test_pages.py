"""The dashboard, the report and the dossier as pages and files: who sees them, how many queries they
take (the same with more data), bad periods, and the report's PDF and workbook."""

import io
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from nhcs.core import charts
from nhcs.dashboard import registry


def queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response


def dossier_of(response):
    return next(s for s in response.context["sections"] if s.key == "dossier").context["panels"]


def test_heads_see_the_dashboard_staff_keep_their_home(data, client_for):
    response = client_for(data.demo["qa_head"]).get("/")
    assert response.templates[0].name == "dashboard/dashboard.html"
    assert b'id="figure-complaints_open"' in response.content
    staff = client_for(data.demo["sales"])
    response = staff.get("/")
    assert response.templates[0].name == "core/home.html"
    assert staff.get("/dashboard/report.pdf").status_code == 403
    assert staff.get("/dashboard/report.xlsx").status_code == 403


def test_dashboard_queries_stay_bounded_with_more_data(data, client_for):
    client = client_for(data.demo["gm"])
    url = f"/?start={data.day(100)}&end={data.today}"
    queries(client, url)  # warms the caches (content types, reader rules)
    before, response = queries(client, url)
    data.build(tag="B")
    data.more_for(data.rows["c1"], n=4)
    after, response = queries(client, url)
    assert before == after
    assert before <= 60
    # The figures link to the lists behind them.
    assert b'href="/complaints/?open_only=on"' in response.content
    assert b"<svg" in response.content and b"<script" not in response.content.split(b"<main")[-1].split(b"</main>")[0]


def test_dossier_queries_stay_bounded_and_figures_link(data, client_for):
    client = client_for(data.demo["gm"])
    c1 = data.rows["c1"]
    url = f"/customers/{c1.code}/"
    queries(client, url)
    before, response = queries(client, url)
    data.more_for(c1, n=4)
    after, response = queries(client, url)
    assert before == after
    html = response.content.decode()
    for section in ("customer", "orders", "complaints", "satisfaction", "customer_property"):
        assert f'id="panel-{section}"' in html
    assert f"/complaints/?open_only=on&amp;customer={c1.pk}" in html
    assert 'id="figure-dossier_certificates_expiring"' in html
    found = {f.key: f.value for p in dossier_of(response) for f in p.figures}
    assert found["dossier_open_orders"] == 6  # O1, O2 and four more, counted (not the listed rows)
    assert found["dossier_orders_late"] == 5
    assert found["dossier_certificates_expiring"] == 5


def test_dossier_shows_only_what_the_reader_may_read(data, client_for):
    c1 = data.rows["c1"]
    # The warehouse reads the register and the property, not orders or surveys; of the complaints, only
    # those it is named on (none here).
    warehouse = client_for(data.demo["warehouse"]).get(f"/customers/{c1.code}/")
    html = warehouse.content.decode()
    assert 'id="panel-customer_property"' in html
    for hidden in ("satisfaction", "orders"):
        assert f'id="panel-{hidden}"' not in html
    panels = {p.key: p for p in dossier_of(warehouse)}
    assert {f.key: f.value for f in panels["complaints"].figures}["dossier_complaints_total"] == 0
    gm = client_for(data.demo["gm"]).get(f"/customers/{c1.code}/")
    panels = {p.key: p for p in dossier_of(gm)}
    assert {f.key: f.value for f in panels["complaints"].figures}["dossier_complaints_total"] == 2
    # Engineering does not read the customer register: 404, page and PDF alike.
    engineer = client_for(data.demo["engineer"])
    assert engineer.get(f"/customers/{c1.code}/").status_code == 404
    assert engineer.get(f"/customers/{c1.code}/dossier.pdf").status_code == 404
    assert client_for(data.demo["gm"]).get("/customers/NOPE/dossier.pdf").status_code == 404


@pytest.mark.parametrize(
    "query, language, message",
    [
        ("start=2026-05-01&end=2026-01-01", "en", "is before its start"),
        ("start=2026-05-01&end=2026-01-01", "zh-hans", "早于"),
        ("start=2026-02-30&end=x", "en", "Enter a valid date"),
        ("customer=NOPE", "en", "No customer has the code NOPE"),
    ],
)
def test_a_bad_period_says_why_never_500(demo, client_for, query, language, message):
    client = client_for(demo["gm"])
    client.cookies["django_language"] = language
    for url in (f"/?{query}", f"/dashboard/report.pdf?{query}", f"/dashboard/report.xlsx?{query}"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_report_pdf_and_workbook_carry_the_figures(data, client_for):
    import openpyxl

    client = client_for(data.demo["gm"])
    client.cookies["django_language"] = "en"
    query = f"start={data.day(100)}&end={data.today}"
    pdf = client.get(f"/dashboard/report.pdf?{query}")
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert "NH-QP14-27" in text
    assert "66.7%" in text and "6.3" in text and "70" in text
    response = client.get(f"/dashboard/report.xlsx?{query}")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = {r[0]: r[1] for r in book.active.iter_rows(values_only=True) if r and r[0]}
    assert rows["Mean days from order to date reply"] == 6.3
    assert rows["Complaints received"] == 2
    assert rows["Response rate"] == 66.7
    dossier = client.get(f"/customers/{data.rows['c1'].code}/dossier.pdf")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=dossier.content, capture_output=True, check=True
    ).stdout.decode()
    assert "NH-QP14-26" in text and "T101" in text


def test_every_area_contributes_through_its_module():
    panels, dossier = registry.registered()
    assert {"orders", "change_notices", "complaints", "satisfaction", "customer_property", "tasks"} <= set(panels)
    assert {"customer", "orders", "complaints", "satisfaction", "customer_property"} <= set(dossier)


def test_chart_labels_never_collide():
    # Five band names in a narrow chart: each wraps onto lines that fit its slot, or the labels turn.
    with translation.override("zh-hans"):
        svg = charts.bar_chart(
            [("很不满意", 1), ("不太满意", 2), ("满意", 3), ("比较满意", 0), ("很满意", 5)], width=200
        )
    assert "rotate" not in svg
    assert svg.count("<text") >= 5 + 5 + 2
    slot = (200 - 36 - 10) / 5
    for label in ("很不满意", "Customer with a long name Ltd.", "比较满意"):
        lines = charts._split(label, slot * 0.95, charts.FONT) or [charts._clip(label)]
        assert all(charts.text_width(line) <= slot * 0.95 for line in lines) or "rotate" in charts.bar_chart(
            [(label, 1)] * 5, width=200
        )
    turned = charts.bar_chart([("A very long customer name that cannot fit", 3)] * 8, width=300)
    assert "rotate(-45" in turned
    assert 'viewBox="0 0 300 ' in turned
    assert "<script" not in turned and "style=" not in turned
