"""Reads of customer links: the customer's written answer as it is printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import registry
from .models import CustomerLink


@dataclass(frozen=True)
class WrittenAnswer:
    """Who answered through a link, when and from where: printed as the customer's written answer."""

    customer: object
    purpose_label: str
    name: str
    answered_at: datetime | None
    time_zone: str
    ip: str | None
    user_agent: str
    given_by: str
    given_at: datetime
    expires_at: datetime
    token_tail: str


def written_answer(link: CustomerLink) -> WrittenAnswer | None:
    """The answer given through `link`, or None while it has not been used."""
    if link.used_at is None:
        return None
    try:
        label = str(registry.get(link.purpose).label)
    except ImproperlyConfigured:  # a purpose no longer registered still prints
        label = link.purpose
    return WrittenAnswer(
        customer=link.customer,
        purpose_label=label,
        name=link.answered_name,
        answered_at=timezone.localtime(link.used_at),
        time_zone=timezone.get_current_timezone_name(),
        ip=link.answered_ip,
        user_agent=link.answered_user_agent,
        given_by=str(link.created_by),
        given_at=timezone.localtime(link.created_at),
        expires_at=timezone.localtime(link.expires_at),
        token_tail=link.token[-6:],
    )
