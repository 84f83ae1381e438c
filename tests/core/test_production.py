"""Production: DEBUG off by default, the README's production section is what `make prod-check` runs, the
security headers, login throttling, the throttled password reset, error pages without a database."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import prod_check  # noqa: E402


def test_debug_is_off_unless_asked_for(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    off = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "nhcs.settings", "NHCS_VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 60},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert off.stdout.strip() == "False", off.stderr
    # Without a secret key, production refuses to start rather than run with a guessable one.
    refused = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "nhcs.settings", "NHCS_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    # `make run` turns it on (and prod-check never does).
    dry = subprocess.run(["make", "-n", "-p", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "export DEBUG = true" in dry.stdout or "DEBUG = true" in dry.stdout


def test_prod_check_runs_the_readmes_production_section_as_written():
    commands = prod_check.production_block()
    assert commands[0].startswith("export DEBUG=false ")
    assert ".venv/bin/python manage.py collectstatic --noinput" in commands
    assert ".venv/bin/python manage.py check --deploy --fail-level WARNING" in commands
    assert any(c.startswith(".venv/bin/gunicorn nhcs.wsgi:application --bind") for c in commands)
    assert ".venv/bin/python manage.py db_worker --queue-name '*' --no-reload" in commands
    assert ".venv/bin/python manage.py send_reminders --schedule" in commands
    # Every variable the README exports is one prod-check gives a value of its own.
    env = prod_check.environment(Path("/tmp/x"), "sqlite:///x", 8000)
    exported = [a.split("=", 1)[0] for a in commands[0].split()[1:] if "=" in a]
    assert exported and all(name in env for name in exported)
    # make test runs it.
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "scripts/prod_check.py" in dry.stdout


def test_the_vendored_scripts_collect_with_the_production_storage(tmp_path):
    """collectstatic failed on chart.js, whose source map was named but not shipped: every page then 500."""
    from django.conf import settings

    for path in (ROOT / "static").rglob("*.js"):
        for line in path.read_text(errors="replace").splitlines()[-3:]:
            if "sourceMappingURL=" in line:
                name = line.split("sourceMappingURL=", 1)[1].strip(" */")
                assert (path.parent / name).exists(), f"{path} names a missing {name}"
    assert settings.STATICFILES_DIRS


@pytest.mark.django_db
def test_every_page_has_the_security_headers(client, demo, client_for):
    response = client_for(demo["sales"]).get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- login throttling --------------------------------------------------------------------------------------


def _login(client, username, password):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_out_on_that_address_and_the_admin_unlocks(demo, settings):
    """The probe: 60 wrong passwords, then the right one, was accepted."""
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "sales", "wrong").status_code == 200  # the form again, with its error
    locked = _login(client, "sales", "wrong")
    assert locked.status_code == 429
    # Even the right password is refused now, with a message in the user's language.
    with translation.override("zh-hans"):
        right = _login(client, "sales", "demo1234")
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert "锁定" in right.content.decode()
    english = Client(REMOTE_ADDR="10.0.0.7")
    english.cookies["django_language"] = "en"
    answer = _login(english, "sales", "demo1234")
    assert answer.status_code == 429 and "Too many failed logins" in answer.content.decode()
    assert "30 minutes" in answer.content.decode()
    # Another user on that computer, and the same user on another one, still log in.
    assert _login(Client(REMOTE_ADDR="10.0.0.7"), "qa", "demo1234").status_code == 302
    assert _login(Client(REMOTE_ADDR="10.0.0.8"), "sales", "demo1234").status_code == 302
    # The admin unlocks: Axes → access attempts, delete.
    from axes.models import AccessAttempt

    admin = Client()
    admin.force_login(demo["admin"])
    attempt = AccessAttempt.objects.get(username="sales")
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "sales" in listing.content.decode()
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert _login(Client(REMOTE_ADDR="10.0.0.7"), "sales", "demo1234").status_code == 302


@pytest.mark.django_db
def test_password_validators_refuse_a_weak_new_password(demo, client_for):
    client = client_for(demo["sales"])
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "demo1234", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    demo["sales"].refresh_from_db()
    assert demo["sales"].check_password("demo1234")


@pytest.mark.django_db
def test_the_password_reset_is_throttled_per_address_and_per_mail(demo, settings, mailoutbox):
    settings.NHCS_PASSWORD_RESET_PER_HOUR = 3
    demo["sales"].email = "sales@example.com"
    demo["sales"].save()
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(3):
        assert client.post("/accounts/password_reset/", {"email": "sales@example.com"}).status_code == 302
    assert len(mailoutbox) == 3
    refused = client.post("/accounts/password_reset/", {"email": "sales@example.com"})
    assert refused.status_code == 429 and len(mailoutbox) == 3
    # The same address for another mail is refused too (per address), and the same mail from another
    # address (per mail).
    assert client.post("/accounts/password_reset/", {"email": "other@example.com"}).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert other.post("/accounts/password_reset/", {"email": "sales@example.com"}).status_code == 429
    assert other.post("/accounts/password_reset/", {"email": "other@example.com"}).status_code == 302


# --- error pages without a database ------------------------------------------------------------------------


def _database_down():
    return mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("the database is down"),
    )


@pytest.mark.django_db
def test_the_404_and_500_pages_render_with_the_database_down(demo):
    client = Client(raise_request_exception=False)
    client.force_login(demo["sales"])
    with _database_down():
        missing = client.get("/no-such-page/")
        broken = client.get("/orders/")
    assert missing.status_code == 404 and "404" in missing.content.decode()
    assert broken.status_code == 500 and "500" in broken.content.decode()
    # With the database up, the 404 page is the site's own (navigation and all).
    up = client.get("/no-such-page/")
    assert up.status_code == 404 and 'id="nav-areas"' in up.content.decode()


# --- NUL bytes -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_bytes_are_refused_with_400(demo, client_for):
    """The probe: /s/%00/ answered 500 on PostgreSQL."""
    client = client_for(demo["sales"])
    assert client.get("/s/%00/").status_code == 400
    assert client.get("/orders/", {"q": "a\x00b"}).status_code == 400
    assert client.post("/customers/new/", {"code": "X\x00"}).status_code == 400
    assert Client().get("/s/%00/").status_code == 400


@pytest.mark.django_db
def test_an_id_larger_than_a_database_column_is_not_found(demo, client_for):
    """The probe: a huge id answered 500 on SQLite."""
    client = client_for(demo["sales"])
    huge = "9" * 30
    assert client.get(f"/orders/{huge}/").status_code == 404
    assert client.get(f"/actions/{huge}/").status_code == 404
    assert client.get(f"/orders/{2**63 - 1}/").status_code == 404
