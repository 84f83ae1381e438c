"""Values read once per request: settings kept in tables that every page consults several times (who
reads each record type, …) are read once while a request is served and forgotten when it ends.

`RequestCacheMiddleware` opens the store for a request; outside a request (services run from the shell,
background jobs, tests calling services) there is no store and every call reads afresh. A write to the
rows behind a value clears the store (`forget()`), so a request that changes a rule sees the change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_store: ContextVar[dict | None] = ContextVar("nhcs_request_cache", default=None)


def per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), once per request for this key."""
    store = _store.get()
    if store is None:
        return compute()
    try:
        return store[key]
    except KeyError:
        value = store[key] = compute()
        return value


_MISSING = object()


def peek(key: Hashable, default=None):
    """The value computed for this key in this request, if any (nothing is computed)."""
    store = _store.get()
    value = _MISSING if store is None else store.get(key, _MISSING)
    return default if value is _MISSING else value


def forget() -> None:
    store = _store.get()
    if store is not None:
        store.clear()


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
