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
