"""Settings for the test suite: the real settings plus a small test-only flow (tests/flowtest)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright share the thread
# The development settings (a generated secret key, local hosts); Django's test runner still runs with
# DEBUG off. The production path is tested end to end by `make prod-check` (scripts/prod_check.py).
os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402,F403
from .settings import INSTALLED_APPS, VAR_DIR  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.flowtest"]
ROOT_URLCONF = "tests.flowtest.root_urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The real queue (the database backend); tests run its worker with the `run_jobs` fixture (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# One folder per pytest-xdist worker (gw0, gw1, ...): two workers never share uploaded files.
MEDIA_ROOT = VAR_DIR / ("test-media-" + os.environ.get("PYTEST_XDIST_WORKER", "main"))
STORAGES = {
    # Uploads: a full disk is told to the user, the data kept (nhcs.ops.storage).
    "default": {"BACKEND": "nhcs.ops.storage.FullDiskAwareStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
# Tests read the dashboard's figures right after writing records (tests/dashboard/test_cache.py turns it on).
NHCS_DASHBOARD_CACHE_SECONDS = 0
# Likewise the navigation's task count (tests/workflow/test_task_badge.py turns it on).
NHCS_TASK_BADGE_SECONDS = 0
