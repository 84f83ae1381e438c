"""The project's one row lock. Every service that must hold rows while it checks and writes takes them
here (the records through nhcs.workflow.services.record_lock); no other module locks rows itself."""

from __future__ import annotations

from django.db import models, transaction


def lock_rows(queryset: models.QuerySet, *, skip_locked: bool = False, of: tuple[str, ...] = ()) -> models.QuerySet:
    """The queryset with its rows locked until the transaction ends.

    `skip_locked`: rows another transaction holds are left out (workers sharing a queue).
    """
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("Row locks are taken inside a transaction.")
    return queryset.select_for_update(skip_locked=skip_locked, of=of)
