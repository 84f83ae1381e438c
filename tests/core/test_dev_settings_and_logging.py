"""Development: links in e-mails follow the address `make run` serves. Logging: a refusal (403) is one line."""

import io
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.log import configure_logging

ROOT = Path(__file__).resolve().parents[2]


def settings_in(env: dict, tmp_path) -> dict[str, str]:
    """SITE_URL and ALLOWED_HOSTS as nhcs.settings reads them from this environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SITE_URL", "NHCS_HOST", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SITE_URL); print(','.join(settings.ALLOWED_HOSTS))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "nhcs.settings", "NHCS_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    site_url, hosts = result.stdout.splitlines()
    return {"SITE_URL": site_url, "ALLOWED_HOSTS": hosts}


def test_links_follow_the_development_servers_address(tmp_path):
    assert settings_in({"DEBUG": "true"}, tmp_path)["SITE_URL"] == "http://127.0.0.1:8000"
    lan = settings_in({"DEBUG": "true", "NHCS_HOST": "192.168.1.20:8001"}, tmp_path)
    assert lan == {"SITE_URL": "http://192.168.1.20:8001", "ALLOWED_HOSTS": "127.0.0.1,localhost,192.168.1.20"}
    assert settings_in({"DEBUG": "true", "NHCS_HOST": "8123"}, tmp_path)["SITE_URL"] == "http://127.0.0.1:8123"
    # A SITE_URL given wins; production does not look at the development address.
    given = {"DEBUG": "true", "NHCS_HOST": "192.168.1.20:8001", "SITE_URL": "https://nhcs.example.com/"}
    assert settings_in(given, tmp_path)["SITE_URL"] == "https://nhcs.example.com"
    production = {"DEBUG": "false", "SECRET_KEY": "x" * 60, "NHCS_HOST": "192.168.1.20:8001"}
    assert settings_in(production, tmp_path)["SITE_URL"] == "http://127.0.0.1:8000"


def test_make_run_passes_its_host_to_the_server_and_the_worker(tmp_path):
    dry = subprocess.run(
        ["make", "-n", "run", "HOST=192.168.1.20:8001"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "NHCS_HOST=192.168.1.20:8001 " in dry.stdout and "run-dev.sh 192.168.1.20:8001" in dry.stdout
    # scripts/run-dev.sh hands it on to both processes it starts (a stand-in python prints what each gets).
    fake = tmp_path / "python"
    # (The server stand-in waits a moment: the script stops the worker when the server ends.)
    fake.write_text('#!/bin/sh\necho "$2 NHCS_HOST=$NHCS_HOST"\n[ "$2" = runserver ] && sleep 1\nexit 0\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k != "NHCS_HOST"}
    run = subprocess.run(
        ["bash", "scripts/run-dev.sh", "192.168.1.20:8001"],
        cwd=ROOT,
        env={**env, "PY": str(fake)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sorted(run.stdout.splitlines()) == [
        "db_worker NHCS_HOST=192.168.1.20:8001",
        "runserver NHCS_HOST=192.168.1.20:8001",
    ]


@pytest.fixture
def refused(demo, client_for):
    """A GET that the server refuses with PermissionDenied: QA opening the new-order form."""

    def get():
        response = client_for(demo["qa"]).get("/orders/new/")
        assert response.status_code == 403
        return response

    return get


def test_a_refusal_is_one_log_record_without_traceback(refused, caplog):
    caplog.set_level(logging.INFO)
    refused()
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert [(r.name, r.levelname, r.getMessage()) for r in records] == [
        ("django.request", "WARNING", "Forbidden (Permission denied): /orders/new/")
    ]
    assert records[0].exc_info is None and records[0].exc_text is None


def test_a_refusal_is_one_line_on_the_development_console(refused, settings, monkeypatch):
    """With DEBUG on, as `make run` runs: the console shows the refusal once, without a traceback (Django's
    own console handler used to print it a second time, and both with the PermissionDenied's traceback)."""
    console = io.StringIO()
    settings.DEBUG = True
    monkeypatch.setattr(sys, "stderr", console)  # the handlers made below write here
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    try:
        refused()
        errors_are_still_logged = logging.getLogger("django.request")
        errors_are_still_logged.error("Internal Server Error: %s", "/x/", exc_info=ValueError("boom"))
    finally:
        monkeypatch.undo()
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)  # handlers back on the real stderr
    lines = console.getvalue().splitlines()
    assert lines[0] == "Forbidden (Permission denied): /orders/new/"
    assert lines[1] == "Internal Server Error: /x/"  # a fault keeps its traceback
    assert lines.count("Forbidden (Permission denied): /orders/new/") == 1
    assert "PermissionDenied" not in console.getvalue()
