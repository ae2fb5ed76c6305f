"""Working days (config/calendar.yml) and the "1515" deadlines (config/service_standard.yml).

All times are Asia/Shanghai. A day is a working day if it is a 调休 make-up workday, or a
Monday-Friday that is not a holiday. Years the calendar does not cover raise CalendarError
rather than silently assuming a year without holidays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR_FILE = PROJECT_ROOT / "config" / "calendar.yml"
STANDARD_FILE = PROJECT_ROOT / "config" / "service_standard.yml"
Complexity = Literal["simple", "complex"]


class CalendarError(ValueError):
    """A problem with a calendar or service-standard file, or a date it does not cover."""


def _local_date(day: date) -> date:
    """Return the Shanghai calendar date of a date or an aware datetime."""
    if isinstance(day, datetime):
        return _aware(day).astimezone(SHANGHAI).date()
    return day


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a timezone-aware one")
    return moment


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. 2025-02-30
        raise CalendarError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise CalendarError(f"{path}: expected a mapping")
    return data


class Calendar:
    """Holidays and make-up workdays for the covered years."""

    def __init__(
        self, holidays: Iterable[date], workdays: Iterable[date], years: Iterable[int], source: str
    ) -> None:
        """Check and keep the dates; `source` names the file in error messages."""
        self.holidays, self.workdays = frozenset(holidays), frozenset(workdays)
        self.years, self.source = frozenset(years), source
        self._warned: set[int] = set()
        if both := sorted(self.holidays & self.workdays):
            raise CalendarError(f"{source}: {both[0]} is both a holiday and a workday")
        if weekdays := sorted(d for d in self.workdays if d.weekday() < 5):
            raise CalendarError(f"{source}: workday {weekdays[0]} is a weekday, not a weekend")
        if stray := sorted(d for d in self.holidays | self.workdays if d.year not in self.years):
            raise CalendarError(f"{source}: {stray[0]} is outside the covered years")

    @classmethod
    def from_yaml(cls, path: Path = CALENDAR_FILE) -> Calendar:
        """Load and check a calendar file (`holidays:` and `workdays:`, each by year)."""
        data = _load(path)
        lists: dict[str, dict[int, list[date]]] = {}
        for key in ("holidays", "workdays"):
            by_year = data.get(key) or {}
            if not isinstance(by_year, dict):
                raise CalendarError(f"{path}: {key} must map each year to a list of dates")
            lists[key] = {}
            for year, days in by_year.items():
                if not isinstance(year, int) or not isinstance(days, (list, type(None))):
                    raise CalendarError(f"{path}: {key}: {year!r} must be a year with a list")
                lists[key][year] = [_parse_date(d, path, key) for d in days or []]
                if any(d.year != year for d in lists[key][year]):
                    raise CalendarError(f"{path}: {key}: a date under {year} is in another year")
        if not set(lists["workdays"]) <= set(lists["holidays"]):
            raise CalendarError(f"{path}: workdays lists a year that holidays does not")
        flat = {k: [d for days in v.values() for d in days] for k, v in lists.items()}
        return cls(flat["holidays"], flat["workdays"], lists["holidays"], str(path))

    def is_working_day(self, day: date) -> bool:
        """Return whether `day` (a date, or an aware datetime's Shanghai date) is a working day."""
        day = _local_date(day)
        if day.year not in self.years and day.year not in self._warned:
            # The State Council publishes next year's holidays in November; until staff add
            # them, count weekends only (deadlines may then fall on a holiday) and say so.
            self._warned.add(day.year)
            logger.warning(
                "%s: no holidays for %d yet; counting weekends only - add that year",
                self.source,
                day.year,
            )
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)

    def next_working_day(self, day: date) -> date:
        """Return the first working day strictly after `day`."""
        day = _local_date(day) + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Return the n-th working day after `start`'s date, at its time of day, in Shanghai.

        `start` itself does not count: n=1 is the next working day; n=0 returns `start`.
        """
        local = _aware(start).astimezone(SHANGHAI)
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        day = local.date()
        for _ in range(n):
            day = self.next_working_day(day)
        return datetime.combine(day, local.timetz())

    def working_days_between(self, a: date, b: date) -> int:
        """Return the working days after `a` up to and including `b` (negative if b < a).

        Dates or aware datetimes (taken as Shanghai dates) are accepted.
        """
        first, last = _local_date(a), _local_date(b)
        if last < first:
            return -self.working_days_between(last, first)
        days = (first + timedelta(days=i) for i in range(1, (last - first).days + 1))
        return sum(self.is_working_day(d) for d in days)


def _parse_date(value: Any, path: Path, key: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    with suppress(ValueError):
        if isinstance(value, str):
            return date.fromisoformat(value)
    raise CalendarError(f"{path}: {key}: {value!r} is not a YYYY-MM-DD date")


def _parse_time(value: Any, path: Path, key: str) -> time:
    with suppress(ValueError):
        if isinstance(value, str):
            return time.fromisoformat(value)
    raise CalendarError(f'{path}: {key}: {value!r} is not a quoted "HH:MM" time')


@dataclass(frozen=True)
class ServiceStandard:
    """The 1515 limits in working days, the day's cut-off and the due time of day."""

    contact_days: int = 1
    simple_days: int = 5
    complex_days: int = 15
    cutoff: time = time(17, 0)
    end_of_day: time = time(23, 59, 59)

    @classmethod
    def from_yaml(cls, path: Path = STANDARD_FILE) -> ServiceStandard:
        """Load and check a service-standard file."""
        data = _load(path)
        limits = data.get("limits")
        if not isinstance(limits, dict):
            raise CalendarError(f"{path}: limits must map contact, simple, complex to days")
        days: list[int] = []
        for key in ("contact", "simple", "complex"):
            value = limits.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CalendarError(f"{path}: limits.{key} must be a whole number of days >= 1")
            days.append(value)
        cutoff = _parse_time(data.get("cutoff", "17:00"), path, "cutoff")
        end = _parse_time(data.get("end_of_day", "23:59:59"), path, "end_of_day")
        return cls(days[0], days[1], days[2], cutoff, end)


@dataclass(frozen=True)
class Deadlines:
    """When the enterprise must be contacted and when the appeal must be settled."""

    contact_due_at: datetime
    due_at: datetime


def deadlines(
    received_at: datetime, complexity: Complexity, standard: ServiceStandard, calendar: Calendar
) -> Deadlines:
    """Return the contact and settlement deadlines of an appeal received at `received_at`.

    Working day 1 is the receiving day if it is a working day and the appeal came before the
    cut-off; otherwise (non-working day, or at/after the cut-off) the next working day. A limit
    of N days is due at `standard.end_of_day` on working day N, in Shanghai time.
    """
    if complexity not in ("simple", "complex"):
        raise ValueError(f"complexity must be simple or complex, got {complexity!r}")
    local = _aware(received_at).astimezone(SHANGHAI)
    if calendar.is_working_day(local.date()) and local.time() < standard.cutoff:
        day_one = local.date()
    else:
        day_one = calendar.next_working_day(local.date())
    start = datetime.combine(day_one, standard.end_of_day, tzinfo=SHANGHAI)
    limit = {"simple": standard.simple_days, "complex": standard.complex_days}[complexity]
    return Deadlines(
        contact_due_at=calendar.add_working_days(start, standard.contact_days - 1),
        due_at=calendar.add_working_days(start, limit - 1),
    )


def overdue(due_at: datetime, now: datetime) -> bool:
    """Return whether `now` is past `due_at` (both timezone-aware)."""
    return _aware(now) > _aware(due_at)
