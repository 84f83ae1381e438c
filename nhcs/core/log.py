"""Logging filters (configured in nhcs/settings.py LOGGING)."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Django logs a PermissionDenied (403) on "django.request" as a warning with the exception's
    traceback. A refusal is no fault of the program: keep the one line ("Forbidden (Permission denied):
    /path/"), drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
