"""A customer's after-sales service terms (NH-QP14 4.5: "per the contract or the written agreement with
each customer"), as one object the areas read: complaints take their reply and 8D deadlines from it,
the warranty decides what a claim is, the channel and language how and in what the customer is written to.

    terms = customer.service_terms            # or selectors.service_terms_for(customer)
    terms.complaint_reply_days, terms.report_8d_days, terms.warranty_ends(delivered_on)

Deadlines are counted in working days; which days are working days is the complaints area's calendar.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from .choices import Channel, CustomerLanguage

# Used for a customer whose contract or agreement says nothing else.
DEFAULT_WARRANTY_MONTHS = 12
DEFAULT_COMPLAINT_REPLY_DAYS = 1
DEFAULT_REPORT_8D_DAYS = 10


@dataclass(frozen=True)
class ServiceTerms:
    warranty_months: int
    complaint_reply_days: int
    report_8d_days: int
    channel: str
    language: str
    agreement: str = ""

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel in Channel.values else self.channel

    @property
    def language_label(self) -> str:
        return str(CustomerLanguage(self.language).label) if self.language in CustomerLanguage.values else self.language

    @property
    def is_default(self) -> bool:
        """The customer has the house terms, not terms agreed in writing."""
        return not self.agreement and (
            self.warranty_months,
            self.complaint_reply_days,
            self.report_8d_days,
        ) == (DEFAULT_WARRANTY_MONTHS, DEFAULT_COMPLAINT_REPLY_DAYS, DEFAULT_REPORT_8D_DAYS)

    def warranty_ends(self, start: date) -> date:
        """The last day of the warranty for goods delivered on `start` (same day of the month, or the
        month's last day when it has none)."""
        months = start.month - 1 + self.warranty_months
        year, month = start.year + months // 12, months % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
