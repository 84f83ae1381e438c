"""Who reads corrective actions (page, record sheet, files, list and log), the list's filters, sorting and
exports, the record sheet, and the pages' query budgets."""

from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from nhcs.accounts.models import Department, User
from nhcs.capa.models import CorrectiveAction
from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind
from nhcs.workflow.models import Attachment, Task

from .conftest import act, edit, evidence, fresh, planned


def _status(client, url) -> int:
    return client.get(url).status_code


def _pages(action) -> list[str]:
    attachment = Attachment.objects.for_record(action).first()
    urls = [f"/actions/{action.pk}/", f"/actions/{action.pk}/sheet.pdf", f"/actions/{action.pk}/sheet.xlsx"]
    if attachment is not None:
        urls.append(f"/attachments/{attachment.pk}/")
    return urls


def _with_evidence(action, user):
    wf.attachment_add(record=action, user=user, upload=evidence(), kind=AttachmentKind.EVIDENCE)
    return fresh(action)


def _listed(client, query="") -> list[str]:
    import re

    page = client.get(f"/actions/{query}")
    assert page.status_code == 200
    return re.findall(r'class="action-row[^"]*" data-number="([^"]+)"', page.content.decode())


def test_readers_of_an_action_raised_by_a_survey_answer(demo, client_for, survey_actions):
    _response, (action,) = survey_actions()  # delivery below 'satisfied': owned by Planning
    action = _with_evidence(action, demo["planning_head"])
    readers = ["sales", "sales_head", "qa", "qa_head", "planner", "planning_head", "vgm", "gm", "admin"]
    others = ["engineer", "buyer", "rd", "mfg", "warehouse"]
    for url in _pages(action):
        for name in readers:
            assert _status(client_for(demo[name]), url) == 200, (name, url)
        for name in others:
            assert _status(client_for(demo[name]), url) == 404, (name, url)
        assert _status(Client(), url) == 302  # login first
    for name in readers:
        assert action.number in _listed(client_for(demo[name])), name
    for name in others:
        assert action.number not in _listed(client_for(demo[name])), name
    outsider = User.objects.create_user("outsider-capa", password="x")
    assert _status(client_for(outsider), "/actions/") == 404
    assert _status(client_for(outsider), "/actions/export.xlsx") == 404


def test_whoever_reads_the_source_reads_its_actions(demo, client_for, memo_action):
    from nhcs.workflow import services as engine
    from tests.workflow.helpers import advance, new_memo

    # Purchasing gives its opinion on the memo: it reads the memo, and so the action raised from it.
    memo = advance(new_memo(demo["sales"], title="Price memo"), ("submit", demo["sales"]))
    engine.steps_open(record=memo, keys=["impact"])
    assert engine.can_read_record(user=demo["buyer"], record=memo)
    action = _with_evidence(memo_action(owner="ENG", memo=memo), demo["engineer"])
    other = memo_action(owner="ENG")  # raised from another memo Purchasing does not read
    for url in _pages(action):
        assert _status(client_for(demo["buyer"]), url) == 200, url
        assert _status(client_for(demo["engineer"]), url) == 200, url  # the owner department
        assert _status(client_for(demo["rd"]), url) == 404, url
    assert _status(client_for(demo["buyer"]), f"/actions/{other.pk}/") == 404
    listed = _listed(client_for(demo["buyer"]))
    assert action.number in listed and other.number not in listed
    # Reading an action gives no right to act on it.
    assert act(client_for(demo["buyer"]), action, "set_measures").status_code == 403


def test_list_filters_sorting_and_exports(demo, client_for, survey_actions, memo_action):
    _response, (survey_action,) = survey_actions()
    plan_memo = memo_action(owner="PLAN", title="A-first")
    qa_memo = memo_action(owner="QA", title="B-second")
    qa_head = client_for(demo["qa_head"])
    edit(qa_head, qa_memo, analysis="a", measures="m", **planned())
    act(qa_head, qa_memo, "set_measures")
    client = client_for(demo["qa"])
    assert set(_listed(client)) == {survey_action.number, plan_memo.number, qa_memo.number}
    assert _listed(client, "?state=measures_set") == [qa_memo.number]
    planning = Department.objects.get(code="PLAN").pk
    assert set(_listed(client, f"?owner_department={planning}")) == {survey_action.number, plan_memo.number}
    assert _listed(client, "?source_kind=survey_answer") == [survey_action.number]
    assert set(_listed(client, "?source_kind=memo")) == {plan_memo.number, qa_memo.number}
    assert _listed(client, f"?source={survey_action.source_number.rsplit('-', 1)[0]}") == [survey_action.number]
    assert _listed(client, "?q=B-second") == [qa_memo.number]
    assert _listed(client, "?overdue=on") == []
    Task.objects.for_record(plan_memo).open().update(due_at=timezone.now() - timezone.timedelta(days=1))
    assert _listed(client, "?overdue=on") == [plan_memo.number]
    numbers = sorted([survey_action.number, plan_memo.number, qa_memo.number])
    assert _listed(client, "?ordering=number") == numbers
    assert _listed(client, "?ordering=-number") == numbers[::-1]
    assert client.get("/actions/?state=nonsense").status_code == 400
    # The log as listed, with the list's filters, as text and numbers.
    rows = _rows(client.get(f"/actions/export.xlsx?owner_department={planning}"))
    header = next(row for row in rows if row[0] in ("Number", "编号"))
    body = [row for row in rows if isinstance(row[0], str) and row[0].startswith("CA-")]
    assert len(header) == 13 and {row[0] for row in body} == {survey_action.number, plan_memo.number}
    survey_row = next(row for row in body if row[0] == survey_action.number)
    assert survey_row[3] == survey_action.source_number and survey_row[7] == 50
    assert any("纠正预防措施一览表" in str(row[0]) for row in rows[:3])
    assert client.get("/actions/export.xlsx?state=nonsense").status_code == 400
    pdf = client.get("/actions/export.pdf?source_kind=memo")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # The log holds only what the user reads.
    engineer_rows = _rows(client_for(demo["engineer"]).get("/actions/export.xlsx"))
    assert not [row for row in engineer_rows if isinstance(row[0], str) and row[0].startswith("CA-")]


def _rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def test_the_record_sheet_carries_the_action_and_its_signatures(demo, client_for, memo_action):
    from tests.sheets.conftest import pdf_text

    action = memo_action(owner="PLAN")
    planning_head = client_for(demo["planning_head"])
    edit(planning_head, action, analysis="排产冲突导致延误", measures="每周评审交期", **planned())
    act(planning_head, action, "set_measures")
    act(planning_head, action, "distribute", data={"departments": [demo["mfg"].department_id]})
    client = client_for(demo["qa"])
    pdf = client.get(f"/actions/{action.pk}/sheet.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    for expected in ["纠正预防措施记录表", "NH-QP14-10", action.number, "排产冲突导致延误", "每周评审交期"]:
        assert expected in text, expected
    assert demo["planning_head"].signature_name in text
    rows = _rows(client.get(f"/actions/{action.pk}/sheet.xlsx"))
    cells = [str(c) for row in rows for c in row if c is not None]
    assert "排产冲突导致延误" in cells and demo["planning_head"].signature_name in " ".join(cells)
    assert client.get(f"/actions/{action.pk}/sheet.doc").status_code == 404


# --- query budgets ---------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _advanced(demo, client_for, action, *, departments, files, edits):
    """The action with its measures set, distributed, the customer told; `files` attachments and `edits`
    more changes of the measures before they were set."""
    planning_head = client_for(demo["planning_head"])
    for i in range(edits):
        edit(planning_head, action, analysis=f"a{i}", measures=f"m{i}", **planned())
    edit(planning_head, action, analysis="a", measures="m", **planned())
    act(planning_head, action, "set_measures")
    act(planning_head, action, "distribute", data={"departments": departments})
    informed = {"informed_on": timezone.localdate().isoformat(), "channel": "email", "feedback": "已告知"}
    act(client_for(demo["sales"]), action, "inform_customer", data=informed)
    for _i in range(files):
        wf.attachment_add(record=fresh(action), user=demo["planner"], upload=evidence(), kind=AttachmentKind.EVIDENCE)
    return fresh(action)


@pytest.mark.parametrize("reader", ["sales", "planner", "qa"])
def test_the_action_page_issues_a_constant_small_number_of_queries(demo, client_for, survey_actions, reader):
    client = client_for(demo[reader])
    planning = Department.objects.get(code="PLAN").pk
    # Open: a new action, and one edited again and again with files.
    _response, (small,) = survey_actions()
    _response, (big,) = survey_actions(customer="C001")
    for i in range(4):
        edit(client_for(demo["planning_head"]), big, analysis=f"a{i}", measures=f"m{i}")
        wf.attachment_add(record=fresh(big), user=demo["planner"], upload=evidence(), kind=AttachmentKind.OTHER)
    counts = [_queries(client, f"/actions/{a.pk}/") for a in (small, big)]
    assert counts[0] == counts[1] and counts[1] <= 20, counts
    # Waiting for the owner department: distributed to one department or to all, with files or without.
    _response, (small,) = survey_actions(customer="C003")
    _response, (big,) = survey_actions(customer="C004")
    small = _advanced(demo, client_for, small, departments=[planning], files=0, edits=0)
    big = _advanced(
        demo, client_for, big, departments=list(Department.objects.values_list("pk", flat=True)), files=4, edits=3
    )
    counts = [_queries(client, f"/actions/{a.pk}/") for a in (small, big)]
    assert counts[0] == counts[1] and counts[1] <= 20, counts


def test_the_list_page_issues_constant_queries(demo, client_for, survey_actions, memo_action):
    client = client_for(demo["planner"])
    survey_actions()
    memo_action(owner="PLAN")
    small = _queries(client, "/actions/")
    for customer in ("C001", "C003", "C004"):
        survey_actions(indexes=(3, 3, 3, 3, 3, 3, 3, 3), customer=customer)
    for _i in range(3):
        memo_action(owner="PLAN")
    assert CorrectiveAction.objects.count() > 25
    assert _queries(client, "/actions/") == small
    assert _queries(client, "/actions/?overdue=on&ordering=-due") <= small + 1


def test_the_demo_surveys_raise_actions_one_of_them_closed(demo, client_for):
    import os

    from django.apps import apps

    from nhcs.workflow.services import signatures_verify

    apps.get_app_config("satisfaction").seed_demo(stdout=open(os.devnull, "w"))
    actions = CorrectiveAction.objects.filter(source_kind="survey_answer")
    assert actions.count() == 2 + 5 + 7
    closed = actions.get(state="closed")
    assert closed.attachments.get().kind == AttachmentKind.EVIDENCE and closed.effectiveness
    assert signatures_verify(record=closed, user=demo["admin"]).intact
    assert actions.filter(state="distributed").count() == 1
    client = client_for(demo["sales"])
    assert set(_listed(client, "?state=closed")) == {closed.number}
    page = client.get(f"/actions/{closed.pk}/").content.decode()
    assert closed.effectiveness in page and closed.customer_feedback in page
