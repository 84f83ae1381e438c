import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def demo(db):
    """The demo users and customers of seed_demo, by username (password demo1234); no area records,
    so that each test starts from its own data (and quickly)."""
    from nhcs.accounts.models import User

    call_command("seed_demo", force=True, people_only=True, stdout=open(os.devnull, "w"))
    return {u.username: u for u in User.objects.select_related("department")}


@pytest.fixture
def client_for(client):
    """A logged-in test client for a persona: client_for(demo['sales'])."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


# --- browser tests -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def rerun_data_migrations():
    """Run the project's data migrations again, in migration order (they are idempotent).

    A live-server test empties every table when it ends, and with them the rows that data migrations
    made (departments, groups and their permissions, record sheet settings). Serialized rollback
    would restore them, but Playwright's sync API runs the test in a greenlet with its own Django
    connection object, which never holds the serialized copy; so they are made again instead.
    """
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    ours = {config.label for config in apps.get_app_configs() if not config.name.startswith("django.")}
    done = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node in done or node[0] not in ours:
                continue
            done.add(node)
            for operation in loader.graph.nodes[node].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, None)


@pytest.fixture
def live_demo(live_server, transactional_db):
    """live_server with the demo data; returns a login helper for a page."""
    rerun_data_migrations()
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))

    def login(page, username, password="demo1234"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def logout(page):
        page.click("#user-menu")
        page.click("#logout-button")
        page.wait_for_url("**/accounts/login/**")

    login.logout = logout
    login.url = live_server.url
    return login
