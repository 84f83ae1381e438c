"""Logged-in sessions for the load run: made in the database as a login makes them, so that the 60 s
measure pages, not 50 logins' password hashing (PBKDF2, ~0.5 s of CPU each on this machine)."""

from __future__ import annotations

USERS = ["sales_head", "planner", "sales", "qa_head", "qa", "planning_head", "engineer"]


def sessions() -> dict[str, str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from nhcs.accounts.models import User

    out = {}
    for user in User.objects.filter(username__in=USERS):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        out[user.username] = store.session_key
    return out
