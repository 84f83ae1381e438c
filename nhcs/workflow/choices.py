from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    REVIEW = "review", _("Review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    VERIFY = "verify", _("Verify")
    CLOSE = "close", _("Close")
    CONFIRM = "confirm", _("Confirm")
    ISSUE = "issue", _("Issue")
    CANCEL = "cancel", _("Cancel")
    REOPEN = "reopen", _("Reopen")
    RECALL = "recall", _("Recall")
    WITHDRAW = "withdraw", _("Withdraw")
    AMEND = "amend", _("Amend")


# Actions that judge someone else's work: never by the record's creator or last editor.
JUDGING_ACTIONS = frozenset({Action.REVIEW, Action.APPROVE, Action.REJECT, Action.RETURN, Action.VERIFY})
# Actions that need a reason.
REASONED_ACTIONS = frozenset(
    {Action.REJECT, Action.RETURN, Action.CANCEL, Action.REOPEN, Action.RECALL, Action.WITHDRAW}
)


class TaskKind(models.TextChoices):
    STATE = "state", _("Waiting in a state")
    STEP = "step", _("Review step")
    DATE = "date", _("Raised by a date")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    COMPLETED = "completed", _("Completed")
    SUPERSEDED = "superseded", _("Superseded by a new round")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class StepOutcome(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    ACCEPT_WITH_CONDITIONS = "conditions", _("Accept with conditions")
    REJECT = "reject", _("Reject")
    DONE = "done", _("Done")


class AttachmentKind(models.TextChoices):
    WRITTEN_CONFIRMATION = "written_confirmation", _("Customer's written confirmation")
    CUSTOMER_REQUEST = "customer_request", _("Customer's written request")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    PHOTO = "photo", _("Photo")
    PHONE_NOTE = "phone_note", _("Written-up phone call")
    REPORT = "report", _("Report")
    LETTER = "letter", _("Letter")
    SCAN = "scan", _("Scan of a returned form")
    EVIDENCE = "evidence", _("Evidence")
    OTHER = "other", _("Other")
