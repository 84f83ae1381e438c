"""The uploads' storage: a full disk (or a used-up quota) is a refusal the user reads, not a server error.

Saving an upload runs inside the service's transaction: StorageFull (a WorkflowError) rolls the rows back,
the partial file is removed, and the page shows the form again with what was typed and the message.
"""

from __future__ import annotations

import errno
import logging

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _

from nhcs.workflow.exceptions import WorkflowError

logger = logging.getLogger("nhcs.ops.storage")

FULL = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(WorkflowError):
    default_message = _(
        "The server's disk is full: the file was not saved and nothing else was changed. Your input is kept "
        "below; please tell the system administrator and send it again later."
    )


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in FULL


class FullDiskAwareStorage(FileSystemStorage):
    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError as error:
            if not is_disk_full(error):
                raise
            logger.error("Disk full while saving %s under %s: %s", name, self.location, error)
            try:
                self.delete(name)  # what was written before the disk filled
            except OSError:
                pass
            raise StorageFull() from error
