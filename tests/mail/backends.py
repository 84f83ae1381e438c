"""E-mail backends for the tests: a mail server that is down, one that refuses the address for good."""

import smtplib
import time

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """The mail server cannot be reached."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(BaseEmailBackend):
    """The mail server answers, and refuses every recipient permanently (550)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"5.1.1 No such user") for m in email_messages})


class SlowBackend(locmem.EmailBackend):
    """A mail server that takes its time to accept a mail (so two senders overlap)."""

    def send_messages(self, email_messages):
        time.sleep(0.5)
        return super().send_messages(email_messages)
