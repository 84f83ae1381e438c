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


@pytest.fixture
def live_demo(live_server, transactional_db):
    """live_server with the demo data; returns a login helper for a page."""
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
