"""Codes of the complaints area, stored as codes and rendered in the reader's language."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintState(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("complaint state", "Registered")
    ASSIGNED = "assigned", pgettext_lazy("complaint state", "Assigned")
    INVESTIGATING = "investigating", pgettext_lazy("complaint state", "Investigating")
    VERIFICATION = "verification", pgettext_lazy("complaint state", "Verification")
    REPLY = "reply", pgettext_lazy("complaint state", "Reply to the customer")
    EFFECTIVENESS_CHECK = "effectiveness_check", pgettext_lazy("complaint state", "Effectiveness check")
    CLOSED = "closed", pgettext_lazy("complaint state", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("complaint state", "Withdrawn")


class ComplaintChannel(models.TextChoices):
    """How a complaint reached us (4.6.1), and how we replied."""

    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    VISIT = "visit", pgettext_lazy("complaint channel", "Visit")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    """What the complaint is about: a quality complaint is Quality's (4.6.4), the others Sales'."""

    QUALITY = "quality", pgettext_lazy("complaint category", "Quality")
    DELIVERY = "delivery", pgettext_lazy("complaint category", "Delivery")
    SERVICE = "service", pgettext_lazy("complaint category", "Service")
    DOCUMENTATION = "documentation", pgettext_lazy("complaint category", "Documentation")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class SixM(models.TextChoices):
    """The 6M categories of a cause (Ishikawa)."""

    MAN = "man", _("Man")
    MACHINE = "machine", _("Machine")
    MATERIAL = "material", _("Material")
    METHOD = "method", _("Method")
    MEASUREMENT = "measurement", _("Measurement")
    ENVIRONMENT = "environment", _("Environment")


class CostKind(models.TextChoices):
    REWORK = "rework", _("Rework")
    REPLACEMENT = "replacement", _("Replacement")
    FREIGHT = "freight", _("Freight")
    CREDIT = "credit", _("Credit to the customer")
    OTHER = "other", _("Other")


# --- after-sales feedback and advisory notices (NH-QP14 4.5) ------------------------------------------


class FeedbackState(models.TextChoices):
    OPEN = "open", pgettext_lazy("feedback state", "Open")
    CLOSED = "closed", pgettext_lazy("feedback state", "Dealt with")
    WITHDRAWN = "withdrawn", pgettext_lazy("feedback state", "Withdrawn")


class FeedbackSource(models.TextChoices):
    """Where a customer's word after delivery came from. "survey" is the code nhcs.customers.opinions
    gives the comments of satisfaction answers."""

    VISIT = "visit", pgettext_lazy("feedback source", "Visit")
    PHONE = "phone", pgettext_lazy("feedback source", "Phone")
    EMAIL = "email", pgettext_lazy("feedback source", "E-mail")
    SURVEY = "survey", pgettext_lazy("feedback source", "Survey comment")
    SERVICE_REPORT = "service_report", pgettext_lazy("feedback source", "Service report")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", pgettext_lazy("sentiment", "Positive")
    NEUTRAL = "neutral", pgettext_lazy("sentiment", "Neutral")
    NEGATIVE = "negative", pgettext_lazy("sentiment", "Negative")


class AdvisoryState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("advisory state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("advisory state", "Quality head's review")
    REVIEWED = "reviewed", pgettext_lazy("advisory state", "Deputy GM's approval")
    APPROVED = "approved", pgettext_lazy("advisory state", "Approved, to send")
    SENT = "sent", pgettext_lazy("advisory state", "Sent, acknowledgements awaited")
    CLOSED = "closed", pgettext_lazy("advisory state", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("advisory state", "Withdrawn")


class CustomerMeasure(models.TextChoices):
    """What the customers must do with the affected products."""

    USE = "use", pgettext_lazy("advisory measure", "Continue to use (with the precautions given)")
    STOP_USE = "stop_use", pgettext_lazy("advisory measure", "Stop using")
    RETURN = "return", pgettext_lazy("advisory measure", "Return to us")
    INSPECT = "inspect", pgettext_lazy("advisory measure", "Inspect")
    REPLACE = "replace", pgettext_lazy("advisory measure", "Replace")


class AckState(models.TextChoices):
    SENT = "sent", pgettext_lazy("acknowledgement state", "Sent")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("acknowledgement state", "Acknowledged")
    NOT_ACKNOWLEDGED = "not_acknowledged", pgettext_lazy("acknowledgement state", "Not acknowledged (reason recorded)")


class AckChannel(models.TextChoices):
    """How a customer acknowledged an advisory notice."""

    ONLINE = "online", pgettext_lazy("acknowledged by", "Online, through the link")
    PHONE = "phone", pgettext_lazy("acknowledged by", "Phone")
    EMAIL = "email", pgettext_lazy("acknowledged by", "E-mail")
    FAX = "fax", pgettext_lazy("acknowledged by", "Fax")
    LETTER = "letter", pgettext_lazy("acknowledged by", "Letter")
    VISIT = "visit", pgettext_lazy("acknowledged by", "Visit")
