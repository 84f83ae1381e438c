"""Throttles: the login (django-axes, configured in settings) and the password reset (counted here).

`client_address(request)` is the address both go by: behind our own reverse proxies the client's, read from
X-Forwarded-For (nhcs.links.http.client_ip), else the connection's.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from nhcs.links.http import client_ip

from .models import ThrottleEvent


def client_address(request) -> str:
    return client_ip(request) or "0.0.0.0"  # no address known (axes needs one)


def _hashed(key: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()


def throttle_allows(*, scope: str, keys: list[str], limit: int, window: timedelta = timedelta(hours=1)) -> bool:
    """Count one request for each key; False (and nothing counted) when any key already had `limit`
    requests in the window. Rows older than the window are removed on the way."""
    now = timezone.now()
    ThrottleEvent.objects.filter(scope=scope, at__lt=now - window).delete()
    hashed = [_hashed(k) for k in keys if k]
    for key in hashed:
        if ThrottleEvent.objects.filter(scope=scope, key=key, at__gte=now - window).count() >= limit:
            return False
    ThrottleEvent.objects.bulk_create([ThrottleEvent(scope=scope, key=key) for key in hashed])
    return True
