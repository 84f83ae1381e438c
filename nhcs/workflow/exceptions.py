from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A refusal to show the user as it is; nothing was written."""

    default_message = _("This action is not possible.")

    def __init__(self, message=None, problems=None):
        self.generic = not message
        self.message = str(message or self.default_message)
        self.problems = [str(p) for p in (problems or [])]
        super().__init__(self.message)

    def messages(self) -> list[str]:
        # The specific reasons say it all; the generic sentence only when there are none (whatever the
        # language the refusal is read in).
        if self.problems and self.generic:
            return list(dict.fromkeys(self.problems))
        return list(dict.fromkeys([self.message, *self.problems]))


class NotAllowed(WorkflowError):
    default_message = _("You may not take this action on this record.")


class Blocked(WorkflowError):
    default_message = _("This action cannot be taken yet.")


class StaleRecord(WorkflowError):
    default_message = _(
        "Someone else changed this record while you were working on it. Your input is kept below: "
        "check the record's current state and send it again if it still applies."
    )
