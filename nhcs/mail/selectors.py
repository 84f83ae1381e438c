"""Reads of the mail log, one query each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Mail


def mails_about(record: models.Model) -> list[Mail]:
    """The mails about one record, newest first."""
    content_type = ContentType.objects.get_for_model(type(record))
    return list(Mail.objects.filter(content_type=content_type, object_id=record.pk).order_by("-queued_at", "-pk"))


def mails_by_object(model: type[models.Model], ids: Iterable[int]) -> dict[int, list[Mail]]:
    """{object id: its mails, oldest first} for many objects of one model."""
    content_type = ContentType.objects.get_for_model(model)
    by_id: dict[int, list[Mail]] = defaultdict(list)
    for mail in Mail.objects.filter(content_type=content_type, object_id__in=list(ids)).order_by("queued_at", "pk"):
        by_id[mail.object_id].append(mail)
    return by_id
