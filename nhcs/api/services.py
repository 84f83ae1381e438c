"""API tokens: made and revoked by their user (the admin revokes any)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import User
from nhcs.workflow.exceptions import Blocked, NotAllowed

from .models import ApiToken, key_hash

KEY_PREFIX = "nhcs_"
MAX_ACTIVE_TOKENS = 10


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; returns it with its key, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise Blocked(_("Give the token a name."))
    if not user.is_active:
        raise NotAllowed()
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise Blocked(_("Revoke a token first: a user has at most %(n)s.") % {"n": MAX_ACTIVE_TOKENS})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=key[:12], key_hash=key_hash(key))
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    if token.user_id != user.pk and not user.is_superuser:
        raise NotAllowed()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(key: str) -> User | None:
    """The active user of an active token, or None; notes when the token was last used (once a minute)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.active().select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
