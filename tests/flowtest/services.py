"""The test-only date confirmation on the customer-link service (nhcs.links)."""

from datetime import date, datetime

from django.db import transaction

from nhcs.links import services as links
from nhcs.workflow.exceptions import Blocked

from .models import DateConfirmation

DATE_LINK = "date_confirmation"


@transaction.atomic
def confirmation_request(
    *, customer, subject: str, proposed_date: date, user, expires_at: datetime
) -> DateConfirmation:
    confirmation = DateConfirmation.objects.create(customer=customer, subject=subject, proposed_date=proposed_date)
    confirmation.link = links.link_create(
        purpose=DATE_LINK, customer=customer, target=confirmation, expires_at=expires_at, user=user
    )
    confirmation.save(update_fields=["link"])
    return confirmation


@transaction.atomic
def date_confirm(*, token: str, name: str, ip: str | None, user_agent: str = "") -> DateConfirmation:
    """The customer confirms the proposed date by typing their name (their written confirmation)."""
    link = links.link_for_use(token=token, purpose=DATE_LINK, for_update=True)
    if not " ".join((name or "").split()):
        raise Blocked("Type your name to confirm the date.")
    confirmation = DateConfirmation.objects.select_for_update().get(link=link)
    confirmation.confirmed_date = confirmation.proposed_date
    confirmation.save(update_fields=["confirmed_date"])
    links.link_use(link=link, name=name, ip=ip, user_agent=user_agent)
    return confirmation
