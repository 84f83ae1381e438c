"""The one customer-link service: give out a link, find it when the customer opens it, record the answer.

    link = link_create(purpose="survey", customer=c, target=recipient, expires_at=deadline, user=request.user)
    link.url                                          # what the customer gets, by mail or on paper
    link = link_for_use(token=token, purpose="survey", for_update=True)   # LinkWrong / LinkExpired / LinkUsed
    link_use(link=link, name="张经理", ip="203.0.113.5", user_agent="…")   # once; in the area's transaction

Areas keep their own answer (the survey's ticks, the confirmed date); the link keeps who answered, when and
from where.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.accounts.models import User
from nhcs.customers.choices import CustomerLanguage
from nhcs.customers.models import Customer
from nhcs.workflow.exceptions import Blocked
from nhcs.workflow.locking import lock_rows

from . import registry
from .exceptions import LinkExpired, LinkUsed, LinkWrong
from .models import CustomerLink

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
NAME_MAX = CustomerLink._meta.get_field("answered_name").max_length
AGENT_MAX = CustomerLink._meta.get_field("answered_user_agent").max_length
TOKEN_MAX = CustomerLink._meta.get_field("token").max_length


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def link_create(
    *,
    purpose: str,
    customer: Customer,
    target: models.Model,
    expires_at: datetime,
    language: str | None = None,
    user: User,
) -> CustomerLink:
    """A new link for `customer` about `target` (a saved record of the area), valid until `expires_at`,
    in `language` (default: the customer's)."""
    registry.get(purpose)
    if target.pk is None:
        raise ValueError("A link is about a saved record.")
    if expires_at <= timezone.now():
        raise Blocked(_("A link must stay valid for some time: its expiry is in the past."))
    language = language or customer.language or CustomerLanguage.ZH
    if language not in CustomerLanguage.values:
        raise Blocked(_("Links are written in Chinese or English."))
    return CustomerLink.objects.create(
        token=new_token(),
        purpose=purpose,
        customer=customer,
        language=language,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        created_by=user,
        expires_at=expires_at,
    )


def link_for_use(*, token: str, purpose: str, for_update: bool = False) -> CustomerLink:
    """The link behind `token` when it may still be answered; LinkWrong (no such link for this purpose),
    LinkUsed (answered already) or LinkExpired otherwise. Reads only."""
    link = None
    if token and len(token) <= TOKEN_MAX:
        queryset = CustomerLink.objects.select_related("customer")
        if for_update:
            queryset = lock_rows(queryset, of=("self",))
        link = queryset.filter(token=token, purpose=purpose).first()
    if link is None:
        raise LinkWrong()
    if link.used_at is not None:
        raise LinkUsed(link)
    if timezone.now() >= link.expires_at:
        raise LinkExpired(link)
    return link


def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


@transaction.atomic
def link_use(*, link: CustomerLink, name: str, ip: str | None, user_agent: str = "") -> CustomerLink:
    """Record the customer's answer through the link: the name they typed, the time, their address and
    browser. Once: a second answer raises LinkUsed, a late one LinkExpired. Call it in the transaction
    that stores the area's own answer, so that both or neither are kept."""
    locked = lock_rows(CustomerLink.objects.all()).get(pk=link.pk)
    if locked.used_at is not None:
        raise LinkUsed(locked)
    now = timezone.now()
    if now >= locked.expires_at:
        raise LinkExpired(locked)
    locked.used_at = now
    locked.answered_name = " ".join((name or "").split())[:NAME_MAX]
    locked.answered_ip = _ip(ip)
    locked.answered_user_agent = (user_agent or "")[:AGENT_MAX]
    locked.save(update_fields=["used_at", "answered_name", "answered_ip", "answered_user_agent"])
    return locked
