"""Customers' opinions, passed from the area that hears them to the area that keeps them, without either
importing the other (NH-QP14 4.7.4: no customer opinion is lost).

The area that hears an opinion calls `customer_opinion(...)` (satisfaction: the comments of a survey
answer); the area that keeps the feedback register connects a receiver when Django starts:

    # complaints/apps.py
    def ready(self):
        from nhcs.customers.opinions import connect

        connect(feedback_from_opinion)            # receiver(opinion: CustomerOpinion) -> Any

`key` names the opinion's origin ("survey_answer:12"): receivers keep each origin once, so passing the
same opinion again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

# Where an opinion came from (the feedback register stores these codes).
SURVEY = "survey"

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"


@dataclass(frozen=True)
class CustomerOpinion:
    key: str  # the origin, unique: "survey_answer:12"
    customer_id: int
    text: str
    source: str  # SURVEY …
    received_on: date
    user_id: int  # who recorded it (an online answer: whoever sent the survey)
    contact_name: str = ""
    reference: str = ""  # the origin's number as people know it ("MY-2026-001-C002")
    url: str = ""  # the origin's page
    sentiment: str = NEUTRAL


_receivers: list[Callable[[CustomerOpinion], Any]] = []


def connect(receiver: Callable[[CustomerOpinion], Any]) -> None:
    """Called by the area that keeps opinions, from its AppConfig.ready() (once; again changes nothing)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def customer_opinion(
    *,
    key: str,
    customer,
    text: str,
    source: str,
    received_on: date,
    user,
    contact_name: str = "",
    reference: str = "",
    url: str = "",
    sentiment: str = NEUTRAL,
) -> list[Any]:
    """Pass on a customer's opinion to every receiver, in the caller's transaction. Blank text is no
    opinion: nothing is passed on."""
    text = (text or "").strip()
    if not text:
        return []
    opinion = CustomerOpinion(
        key=key,
        customer_id=getattr(customer, "pk", customer),
        text=text,
        source=source,
        received_on=received_on,
        user_id=getattr(user, "pk", user),
        contact_name=contact_name or "",
        reference=reference or "",
        url=url or "",
        sentiment=sentiment,
    )
    return [receiver(opinion) for receiver in _receivers]
