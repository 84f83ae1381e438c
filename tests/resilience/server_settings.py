"""The settings of the test servers: production's (DEBUG off and everything else from the environment), but
static files are not collected — `make prod-check` checks collectstatic and the hashed names; here it
would cost most of the module's time for pages whose static files nobody fetches."""

import os

from nhcs.settings import *  # noqa: F403
from nhcs.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# The workers' mails go to files the tests read (EMAIL_BACKEND=…filebased.EmailBackend in the environment).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")

# The users the tests write in-process carry the test suite's fast password hashes (nhcs.settings_test).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
