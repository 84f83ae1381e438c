"""The one mapping of workflow refusals to HTTP answers and messages, used by every view."""

from __future__ import annotations

from django.contrib import messages

from .exceptions import Blocked, NotAllowed, StaleRecord, WorkflowError

STATUS = {NotAllowed: 403, StaleRecord: 409, Blocked: 400}


def refusal_status(error: WorkflowError) -> int:
    """403 not allowed, 409 someone else changed the record meanwhile, 400 not possible yet."""
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def refuse(request, error: WorkflowError, *, form=None) -> int:
    """Show the refusal's reasons to the user (once each) and return the status to answer with.

    With a form, a reason that names one of its fields' labels goes on that field too, so the user
    sees it where they typed.
    """
    for text in error.messages():
        messages.error(request, text)
    if form is not None and hasattr(form, "add_error"):
        for text in error.messages():
            for name, form_field in form.fields.items():
                label = str(form_field.label or "")
                if label and text.startswith(f"{label}: "):
                    form.add_error(name, text[len(label) + 2 :])
                    break
    return refusal_status(error)
