from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective action")
    PREVENTIVE = "preventive", _("Preventive action")


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    MEASURES_SET = "measures_set", _("Measures set")
    DISTRIBUTED = "distributed", _("Distributed to departments")
    CUSTOMER_INFORMED = "customer_informed", _("Customer informed")
    IMPLEMENTED = "implemented", _("Measures implemented")
    VERIFIED = "verified", _("Effectiveness verified")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# An action no longer holds its source back (see flow.ActionsVerified).
SETTLED_STATES = (ActionState.VERIFIED, ActionState.CLOSED, ActionState.CANCELLED)


class Trigger(models.TextChoices):
    """Why an action was raised. Stored as the code; the label is rendered in the reader's language."""

    LOW_TOTAL = "low_total", _("Survey total below 60")
    LOW_ASPECT = "low_aspect", _("Survey aspect below 'satisfied'")
    COMPLAINT = "complaint", _("Customer complaint")
    FEEDBACK = "feedback", _("After-sales feedback")
    ADVISORY = "advisory", _("Advisory notice")
    INCIDENT = "incident", _("Customer property lost or damaged")
    OTHER = "other", _("Other finding")


# Triggers raised automatically, at most once per source and topic.
AUTOMATIC_TRIGGERS = (Trigger.LOW_TOTAL, Trigger.LOW_ASPECT)


class InformChannel(models.TextChoices):
    """How the customer was told of the measures (4.7.4 "feed back to the customer")."""

    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
