"""The company calendar: due dates count working days (the working week, holidays, the Spring Festival
shutdown and make-up working days are kept in the admin)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import CalendarPeriod, WorkWeek

# Far enough for any due date; a calendar closed for longer than this is a data entry mistake.
_HORIZON_DAYS = 400


class Calendar:
    """Working days between two dates, read from the admin's calendar once per instance."""

    def __init__(self, start: date | None = None, horizon_days: int = _HORIZON_DAYS) -> None:
        start = start or timezone.localdate()
        self.weekdays = WorkWeek.load().working_weekdays() or {0, 1, 2, 3, 4}
        self.closed: set[date] = set()
        self.working: set[date] = set()
        end = start + timedelta(days=horizon_days)
        for period in CalendarPeriod.objects.filter(
            ends_on__gte=start - timedelta(days=horizon_days), starts_on__lte=end
        ):
            day = period.starts_on
            target = self.working if period.kind == CalendarPeriod.WORKING else self.closed
            while day <= period.ends_on:
                target.add(day)
                day += timedelta(days=1)

    def is_working_day(self, day: date) -> bool:
        if day in self.working:
            return True
        if day in self.closed:
            return False
        return day.weekday() in self.weekdays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (0: start itself, or the next working day)."""
        day = start
        if days <= 0:
            for _i in range(_HORIZON_DAYS):
                if self.is_working_day(day):
                    return day
                day += timedelta(days=1)
            return start
        counted = 0
        for _i in range(_HORIZON_DAYS * 2):
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == days:
                    return day
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def add_working_days(start: date, days: int) -> date:
    return Calendar(start).add_working_days(start, days)
