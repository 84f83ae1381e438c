"""Record numbers: a configurable pattern per record type, gap-free within a year.

The number is taken inside the transaction that creates the record, under a row lock on the year's
sequence: a rolled-back creation gives its number back, and two creators never get the same one.
"""

from django.db import transaction
from django.utils import timezone

from .models import NumberPattern, NumberSequence


def format_number(pattern: str, *, year: int, month: int, seq: int) -> str:
    return pattern.format(yyyy=f"{year:04d}", yy=f"{year % 100:02d}", mm=f"{month:02d}", seq=seq)


def next_number(*, key: str, default_pattern: str) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that creates the record")
    now = timezone.localtime()
    pattern = NumberPattern.objects.filter(key=key).values_list("pattern", flat=True).first() or default_pattern
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(key=key, year=now.year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return format_number(pattern, year=now.year, month=now.month, seq=sequence.last)
