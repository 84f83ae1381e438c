"""The navigation's count of open tasks, kept in the user's session (NHCS_TASK_BADGE_SECONDS): other pages
show the kept figure without counting; the user's own actions, My tasks and the time limit bring it up to
date."""

import re
import time

import pytest
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from nhcs.workflow.selectors import task_count_for_user

from .helpers import advance, new_memo
from .test_http import post_transition

pytestmark = pytest.mark.django_db


def badge(page: str) -> int:
    found = re.search(r'id="task-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def visit(client, url="/customers/") -> tuple[int, list[str]]:
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return badge(response.content.decode()), [q["sql"] for q in ctx.captured_queries]


def counted(queries: list[str]) -> bool:
    return any('FROM "workflow_task"' in sql for sql in queries)


@override_settings(NHCS_TASK_BADGE_SECONDS=60)
def test_the_badge_is_kept_and_brought_up_to_date(demo, client_for, monkeypatch):
    head = client_for(demo["sales_head"])
    first = advance(new_memo(demo["sales"], title="First"), ("submit", demo["sales"]))
    shown, queries = visit(head)
    assert shown == 1 and counted(queries)

    # Kept: the next page does not count again, even when someone sends the head more work meanwhile.
    advance(new_memo(demo["sales"], title="Second"), ("submit", demo["sales"]))
    shown, queries = visit(head)
    assert shown == 1 and not counted(queries)

    # My tasks counts live and keeps the new figure for the other pages.
    shown, _ = visit(head, "/tasks/")
    assert shown == 2
    shown, queries = visit(head)
    assert shown == 2 and not counted(queries)

    # The head's own action (sending the first memo back to its writer) after more work came: the next
    # page counts afresh.
    advance(new_memo(demo["sales"], title="Third"), ("submit", demo["sales"]))
    response = post_transition(head, first, "return_to_draft")
    assert response.status_code == 302
    shown, queries = visit(head)
    live = task_count_for_user(user=demo["sales_head"])
    assert shown == live != 2 and counted(queries)

    # Work from others shows once the time is up.
    advance(new_memo(demo["sales"], title="Fourth"), ("submit", demo["sales"]))
    assert visit(head)[0] == live
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    shown, queries = visit(head)
    assert shown == live + 1 and counted(queries)


@override_settings(NHCS_TASK_BADGE_SECONDS=60)
def test_the_kept_badge_is_the_users_own(demo, client_for):
    """A session that changes hands (logout, another login) never shows the previous user's figure."""
    from nhcs.core.context_processors import TASK_BADGE_SESSION_KEY

    advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    client = client_for(demo["sales_head"])
    assert visit(client)[0] == 1
    session = client.session
    session[TASK_BADGE_SESSION_KEY] = [demo["sales"].pk, time.time(), 7]
    session.save()
    assert visit(client)[0] == 1


def test_without_keeping_every_page_counts(demo, client_for):
    head = client_for(demo["sales_head"])
    advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    assert visit(head)[0] == 1
    advance(new_memo(demo["sales"]), ("submit", demo["sales"]))
    shown, queries = visit(head)
    assert shown == 2 and counted(queries)
