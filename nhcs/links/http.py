"""What a customer's request tells about them, for the record of their answer."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The customer's address. Behind our own reverse proxy (settings.NHCS_TRUSTED_PROXIES) it is the
    last address of X-Forwarded-For that is not one of our proxies; a header sent by anyone else is
    ignored, since it is theirs to write."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    trusted = set(getattr(settings, "NHCS_TRUSTED_PROXIES", ()))
    if remote is None or remote not in trusted:
        return remote
    forwarded = [_valid(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(forwarded):
        if address is None:
            return remote
        if address not in trusted:
            return address
    return remote


def answer_meta(request) -> dict:
    """ip and user_agent of the request, as link_use takes them."""
    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")}
