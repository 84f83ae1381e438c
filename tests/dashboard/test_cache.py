"""The dashboard keeps a reader's figures for NHCS_DASHBOARD_CACHE_SECONDS and says as of when; the report
and the dossier PDF are always read afresh; one reader's panels are never shown to another."""

import re

import pytest
from django.core.cache import cache


@pytest.fixture
def cached(settings):
    settings.NHCS_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def open_complaints(html: str) -> str:
    return figure(html, "complaints_open")


def test_figures_are_kept_for_a_while_and_the_report_reads_afresh(data, client_for, cached):
    client = client_for(data.demo["qa_head"])
    client.cookies["django_language"] = "en"
    first = client.get("/").content.decode()
    shown = open_complaints(first)
    assert 'id="figures-as-of"' in first
    # A new open complaint: the page keeps the figures it read (and says as of when) …
    data.complaint(data.rows["c1"], received_ago=1, state="investigating")
    again = client.get("/").content.decode()
    assert open_complaints(again) == shown
    assert 'id="figures-as-of"' in again
    # … the management review report counts it at once …
    workbook = client.get("/dashboard/report.xlsx")
    assert workbook.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(b"".join(workbook.streaming_content)))
    rows = {r[0]: r[1] for r in book.active.iter_rows(values_only=True) if r and r[0]}
    assert rows["Open complaints"] == int(shown) + 1
    # … and the page does once its figures are older than the setting.
    cache.clear()
    assert open_complaints(client.get("/").content.decode()) == str(int(shown) + 1)


def figure(html: str, key: str) -> str:
    return re.search(rf'id="figure-{key}">\s*<div[^>]*data-value>([^<]*)<', html).group(1)


def test_one_readers_figures_are_never_another_readers(data, client_for, cached, settings):
    client_for(data.demo["gm"]).get("/")  # the GM's panels are kept
    qa = client_for(data.demo["qa_head"]).get("/").content.decode()
    settings.NHCS_DASHBOARD_CACHE_SECONDS = 0
    fresh = client_for(data.demo["qa_head"]).get("/").content.decode()
    # The quality head sees their own sections, as without any kept figures.
    assert re.findall(r'id="panel-(\w+)"', qa) == re.findall(r'id="panel-(\w+)"', fresh)
    assert re.findall(r'id="figure-(\w+)"', qa) == re.findall(r'id="figure-(\w+)"', fresh)


def test_the_task_panel_is_read_on_every_visit(data, client_for, cached):
    client = client_for(data.demo["gm"])
    before = int(figure(client.get("/").content.decode(), "tasks_open"))
    data.task(data.rows["o1"], due_in_days=-1, department=data.demo["planner"].department)
    assert int(figure(client.get("/").content.decode(), "tasks_open")) == before + 1
