import os
import shutil
import signal
from unittest import mock

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _fsm_fields_of_migration_states_let_go():
    """Migrations render their historical models (module "__fake__") again and again: a test database's
    migrate renders some 10,000 model classes. django-fsm's field connects a class_prepared receiver for each
    model it is put on and never lets go, so every class rendered is sent to every receiver before it (5.5
    million receiver calls in one migrate). A historical model's field now receives only its own class's
    signal, once, as it did before (its transitions: a historical model has none); the project's real models
    are left as they are. CPU time: a fresh migrate 40 -> 31 s; tests/capa/test_migration.py, which takes
    the database back and forth in the same process, 102 -> 48 s."""
    from django.db.models.signals import class_prepared
    from django_fsm import FSMFieldMixin

    contribute = FSMFieldMixin.contribute_to_class

    def contribute_to_class(self, cls, name, *args, **kwargs):
        contribute(self, cls, name, *args, **kwargs)
        if cls.__module__ != "__fake__":
            return
        class_prepared.disconnect(self._collect_transitions)

        def once(sender, **kw):
            if sender is cls:
                class_prepared.disconnect(once)
                self._collect_transitions(sender=sender, **kw)

        class_prepared.connect(once, weak=False)

    FSMFieldMixin.contribute_to_class = contribute_to_class


_fsm_fields_of_migration_states_let_go()


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


@pytest.fixture
def run_jobs(db):
    """The background worker, run in the test: `run_jobs()` runs every job that is due (mail sends, due
    retries, a due reminder run) through the real queue, with `manage.py db_worker --batch`, until none is
    left; jobs they enqueue on commit are run too when due. Returns how many jobs ran.

    Test glue, nothing else: the test's own transaction never commits, so the on-commit enqueues of the
    jobs are captured and executed; the worker's close_old_connections() is skipped, as Django's test
    client does for requests (it would close the connection holding the test's transaction); and the
    worker's Ctrl-C handlers are put back afterwards.
    """
    from django.test import TestCase
    from django_tasks_db.models import DBTaskResult

    def run() -> int:
        ran = 0
        for _round in range(100):
            before = DBTaskResult.objects.finished().count()
            handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
            try:
                with (
                    TestCase.captureOnCommitCallbacks(execute=True) as enqueued,
                    mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
                ):
                    call_command(
                        "db_worker",
                        batch=True,
                        interval=0,
                        startup_delay=False,
                        reload=False,
                        verbosity=0,
                        worker_id="tests",
                    )
            finally:
                for sig, handler in handlers.items():
                    signal.signal(sig, handler)
            ran += DBTaskResult.objects.finished().count() - before
            if not enqueued:
                return ran
        raise AssertionError("The jobs keep enqueueing due jobs: a loop?")

    return run


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
    ours = {
        config.label
        for config in apps.get_app_configs()
        if not config.name.startswith("django.") and "site-packages" not in config.path
    }
    done = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node in done or node[0] not in ours:
                continue
            done.add(node)
            for operation in loader.graph.nodes[node].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, None)


def _live(live_server, areas=None):
    """Seed the demo: the users and customers, and the demo records of the areas (app labels) named, or of
    every area when `areas` is None. The data migrations' rows are there already: the teardown hook below
    makes them again after every transactional test, and a worker's first test finds the database just
    migrated."""
    from django.apps import apps

    devnull = open(os.devnull, "w")
    call_command("seed_demo", force=True, people_only=areas is not None, stdout=devnull)
    for label in areas or ():
        apps.get_app_config(label).seed_demo(stdout=devnull)

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


@pytest.fixture
def live_demo(request, live_server, transactional_db):
    """live_server with the demo: users, customers and every area's demo records (some 15 s to make), or only
    the records of the areas a test names with `@pytest.mark.demo_areas("orders", ...)`; returns a login
    helper for a page."""
    marker = request.node.get_closest_marker("demo_areas")
    return _live(live_server, areas=marker.args if marker else None)


@pytest.fixture
def live_people(live_server, transactional_db):
    """live_server with the demo users and customers only (`seed_demo --people-only`): for journeys that make
    their own records; returns the same login helper as live_demo."""
    return _live(live_server, areas=())


# The longest test files, longest first (seconds per file, 2 workers, the run of 2026-11-27): they are handed
# out first. pytest-xdist's --dist loadfile hands out files in collection order, after sorting them by
# their number of tests when --loadscope-reorder is on (its default, turned off in pytest.ini): the
# one-test files (the fuzzer, the migration tests) came last, and one worker ran them alone for minutes.
LONGEST_FILES = [
    # First on its worker, whatever the order of the rest: it copies the test database (CREATE DATABASE ...
    # TEMPLATE), which waits for every other connection to it to close, and a file run before it on the same
    # worker may leave one open (seen with the order below: 7 errors, "waiting for the test database to be
    # free to copy").
    "tests/resilience/test_two_servers.py",  # 45 s
    "tests/fuzz/test_forms_fuzz.py",  # 338 s
    "tests/customers/test_migration.py",  # 212 s (before the fix of class_prepared above)
    "tests/capa/test_migration.py",  # 169 s (idem)
    "tests/orders/test_browser.py",  # 118 s
    "tests/orders/test_change_notice_browser.py",  # 81 s
    "tests/complaints/test_browser.py",  # 75 s
    "tests/satisfaction/test_browser.py",  # 46 s
    "tests/customer_property/test_browser.py",  # 40 s
    "tests/browser/test_phone_layout.py",  # 39 s
    "tests/complaints/test_pages.py",  # 37 s
]


def pytest_collection_modifyitems(config, items):
    """The longest files first, each file's tests in their order, the other files after them as collected."""
    rank = {path: i for i, path in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, browser, migrations) empties every table when it ends, and with
    them the rows the data migrations made (departments, groups, permissions, sheet settings). pytest-django
    runs such tests last in a single process; under pytest-xdist a test file stays on one worker and the
    next file's tests may follow. So the data migrations are run again right after the emptying (committed,
    outside any test), and every test starts from a migrated database whatever ran before it."""
    yield
    if nextitem is None or not _is_transactional(item):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        rerun_data_migrations()
