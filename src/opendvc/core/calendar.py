"""The working-day calendar and the due-date arithmetic dossiers use.

A working day is Monday to Friday, not a public holiday of `settings.HOLIDAY_COUNTRY` as the `holidays`
package lists them (Tết, Hùng Kings' day, the observed and swapped days off it knows, and the make-up
Saturdays of those swaps), unless an administrator entered the date as a `CalendarDay`, which wins.

Due dates follow the one-stop rules (Decree 61/2018/NĐ-CP, Circular 01/2018/TT-VPCP) and the Civil Code
2015 arts. 147–148 on counting periods:

* Receipt: a dossier received on a non-working day, or after `DOSSIER_CUTOFF_HOUR` (15:00) local time, is
  treated as received on the next working day — the 15:00 cutoff is marked *(check)* in domain.md, hence a
  setting. Exactly 15:00:00 still counts as that day.
* Periods in days or months do not count the day of receipt (Civil Code art. 147): day 1 is the next
  working day. Received Mon 10:00 with 3 working days: days 1–3 are Tue–Thu, due Thu at the end of the
  working day. Received Mon 15:01: treated as received Tue, due Fri.
* Periods in hours start at receipt (Civil Code art. 147(1)), within working hours only.
* A period in calendar days or months that ends on a non-working day ends on the next working day
  (Civil Code art. 148).
* Time waiting for a supplement is not counted: the due date moves on by the working days (working hours)
  the pauses covered.

Times are local to `settings.TIME_ZONE` (Asia/Ho_Chi_Minh); the day ends at `WORKDAY_END`. Each year's
answers are cached (Django cache) and forgotten when a `CalendarDay` changes.
"""

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from opendvc.core.models import CalendarDay, CalendarDayKind
from opendvc.core.text import nfc

CACHE_SECONDS = 24 * 3600
_VERSION_KEY = "core:calendar:version"
# No plausible year is all days off; the guard turns a broken calendar into an error, not a hang.
_MAX_DAYS_SEARCHED = 3660

Pause = tuple[datetime, datetime | None]


def is_working_day(d: date) -> bool:
    """Whether `d` is a working day (Mon–Fri, not a public holiday, unless a `CalendarDay` says otherwise)."""
    return _Calendar().is_working(d)


def next_working_day(d: date) -> date:
    """The first working day strictly after `d`."""
    return _Calendar().next_working(d)


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]; 0 when end <= start."""
    return _Calendar().between(start, end)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d` (`d` itself for n = 0, whether or not it is a working day)."""
    if n < 0:
        raise ValueError("n must not be negative")
    return _Calendar().add(d, n)


def counting_start(received_at: datetime) -> date:
    """The first day counted for a dossier received at `received_at` (day 1 of a period in days).

    The working day after the receipt day, where a receipt after the cutoff hour or on a non-working day is
    treated as made on the next working day. Received Fri 13 Feb 2026 10:00, before Tết (16–20 Feb):
    counting starts Mon 23 Feb.
    """
    calendar = _Calendar()
    return calendar.next_working(calendar.receipt_day(received_at))


def due_at(received_at: datetime, amount: int, unit: str, *, pauses: Iterable[Pause] = ()) -> datetime:
    """When a dossier received at `received_at` with a processing time of `amount` `unit` falls due.

    `unit` is a `catalog.TimeUnit` value:

    * "working_days": the `amount`-th working day from `counting_start` (day 1), at `WORKDAY_END`;
    * "days" and "months": `amount` calendar days or months after the receipt day (the same day of the
      month, or the month's last day), moved to the next working day if that is a day off, at `WORKDAY_END`;
    * "hours": `amount` working hours (WORKDAY_START–WORKDAY_END of working days) from receipt; a receipt
      after the cutoff or outside working hours starts the clock at the next WORKDAY_START.

    `pauses` are the supplement waits, (start, end) aware datetimes. For day and month units the due day
    moves on by the working days in (start day, end day] of each pause, counted once where pauses overlap,
    after the receipt day only: a pause over a holiday adds only the working days inside it. For "hours" it
    moves on by the working hours inside the pauses. An open pause (end None) is taken as ending now: the
    answer is the due date if the applicant supplied the documents at this moment.

    Returns an aware datetime in the local time zone.
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    calendar = _Calendar()
    now = timezone.now()
    spans = [(_local(start), _local(end if end is not None else now)) for start, end in pauses]
    if any(end < start for start, end in spans):
        raise ValueError("a pause must not end before it starts")
    if unit == "hours":
        start = calendar.clock_start(received_at)
        paused = sum(calendar.working_seconds(max(a, start), b) for a, b in _merged(spans))
        return calendar.advance(start, amount * 3600 + paused)
    receipt = calendar.receipt_day(received_at)
    paused_days = set()
    for start, end in spans:
        day = max(start.date(), receipt)
        while day < end.date():
            day += timedelta(days=1)
            if calendar.is_working(day):
                paused_days.add(day)
    if unit == "working_days":
        due_day = calendar.add(receipt, amount + len(paused_days))
    elif unit in ("days", "months"):
        ends = receipt + timedelta(days=amount) if unit == "days" else _add_months(receipt, amount)
        due_day = calendar.add(calendar.first_working(ends), len(paused_days))
    else:
        raise ValueError(f"unknown time unit {unit!r}")
    return datetime.combine(due_day, _setting_time("WORKDAY_END", "17:00"), tzinfo=_zone())


def working_days_late(due: datetime, finished: datetime) -> int:
    """How many working days after `due` the dossier was finished: 0 if on time.

    The working days in (due day, finished day]; finishing late on the due day itself, or on the days off
    right after it, counts as one day late.
    """
    if finished <= due:
        return 0
    return max(1, _Calendar().between(_local(due).date(), _local(finished).date()))


def year_days(year: int) -> list[dict]:
    """The exceptions to Mon–Fri in `year`, by date, for an administrator's view.

    Weekdays off and make-up weekend days from the `holidays` package (source "holidays"), and every
    `CalendarDay` of the year (source "admin", winning over the package). Each item: date, kind (a
    `CalendarDayKind` value), name (in the active language), name_vi, name_en, source, is_working_day.
    """
    english = (translation.get_language() or "").startswith("en")
    return [
        {
            "date": d,
            "kind": kind,
            "name": (name_en or name_vi) if english else name_vi,
            "name_vi": name_vi,
            "name_en": name_en,
            "source": source,
            "is_working_day": working,
        }
        for d, (working, kind, name_vi, name_en, source) in sorted(_Calendar().table(year).items())
    ]


def invalidate_cache() -> None:
    """Forget every cached year; again once the current transaction commits, so that a year computed by
    another process before the commit is not kept."""
    _new_version()
    transaction.on_commit(_new_version)


class _Calendar:
    """Answers for one computation: each year's table is read from the cache once, never per day."""

    def __init__(self):
        self._tables = {}
        self._version = None

    def table(self, year: int) -> dict:
        if year not in self._tables:
            if self._version is None:
                self._version = cache.get_or_set(_VERSION_KEY, _random_version, None)
            country = getattr(settings, "HOLIDAY_COUNTRY", "VN")
            key = f"core:calendar:{country}:{year}:{self._version}"
            table = cache.get(key)
            if table is None:
                table = _build_year(country, year)
                cache.set(key, table, CACHE_SECONDS)
            self._tables[year] = table
        return self._tables[year]

    def is_working(self, d: date) -> bool:
        entry = self.table(d.year).get(d)
        return entry[0] if entry is not None else d.weekday() < 5

    def first_working(self, d: date) -> date:
        return d if self.is_working(d) else self.next_working(d)

    def next_working(self, d: date) -> date:
        for _ in range(_MAX_DAYS_SEARCHED):
            d += timedelta(days=1)
            if self.is_working(d):
                return d
        raise RuntimeError(f"no working day within {_MAX_DAYS_SEARCHED} days after {d}")

    def add(self, d: date, n: int) -> date:
        for _ in range(n):
            d = self.next_working(d)
        return d

    def between(self, start: date, end: date) -> int:
        count = 0
        while start < end:
            start += timedelta(days=1)
            count += self.is_working(start)
        return count

    def receipt_day(self, received_at: datetime) -> date:
        local = _local(received_at)
        day = local.date()
        if self.is_working(day) and local.time() <= _cutoff():
            return day
        return self.next_working(day)

    def clock_start(self, received_at: datetime) -> datetime:
        local = _local(received_at)
        opens, closes = _setting_time("WORKDAY_START", "08:00"), _setting_time("WORKDAY_END", "17:00")
        if self.is_working(local.date()) and local.time() <= _cutoff() and local.time() < closes:
            return max(local, datetime.combine(local.date(), opens, tzinfo=_zone()))
        return datetime.combine(self.next_working(local.date()), opens, tzinfo=_zone())

    def advance(self, start: datetime, seconds: float) -> datetime:
        """`start` (inside working hours) moved on by `seconds` of working time."""
        closes = _setting_time("WORKDAY_END", "17:00")
        current = start
        while True:
            left_today = (datetime.combine(current.date(), closes, tzinfo=_zone()) - current).total_seconds()
            if seconds <= left_today:
                return current + timedelta(seconds=seconds)
            seconds -= left_today
            day = self.next_working(current.date())
            current = datetime.combine(day, _setting_time("WORKDAY_START", "08:00"), tzinfo=_zone())

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two local datetimes."""
        opens, closes = _setting_time("WORKDAY_START", "08:00"), _setting_time("WORKDAY_END", "17:00")
        total, day = 0.0, start.date()
        while day <= end.date():
            if self.is_working(day):
                day_opens = max(start, datetime.combine(day, opens, tzinfo=_zone()))
                day_closes = min(end, datetime.combine(day, closes, tzinfo=_zone()))
                total += max(0.0, (day_closes - day_opens).total_seconds())
            day += timedelta(days=1)
        return total


def _build_year(country: str, year: int) -> dict:
    """{date: (is_working_day, kind, name_vi, name_en, source)} for the dates that are not plain Mon–Fri
    answers, and every `CalendarDay` of the year."""
    years = range(year - 1, year + 2)  # a swap may cross the new year
    local = holidays.country_holidays(country, years=years, language="vi")
    english = holidays.country_holidays(country, years=years, language="en_US")
    unobserved = holidays.country_holidays(country, years=years, observed=False)
    label = getattr(local, "substituted_label", None)
    swapped_prefix = local.tr(label).split("%")[0] if label else None
    table = {}
    for d, name in local.items():
        if d.year == year and d.weekday() < 5:
            observed = d not in unobserved or (swapped_prefix and name.startswith(swapped_prefix))
            kind = CalendarDayKind.DAY_OFF if observed else CalendarDayKind.HOLIDAY
            table[d] = (False, str(kind), nfc(name), english.get(d, ""), "holidays")
    for d in getattr(local, "weekend_workdays", ()):
        if d.year == year and d.weekday() >= 5 and d not in local:
            table[d] = (
                True,
                str(CalendarDayKind.WORKING_DAY),
                "Ngày làm việc bù",
                "Make-up working day",
                "holidays",
            )
    for row in CalendarDay.objects.filter(date__year=year):
        table[row.date] = (row.is_working_day, row.kind, row.name_vi, row.name_en, "admin")
    return table


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _add_months(d: date, months: int) -> date:
    """The same day `months` later, or the last day of that month (Civil Code art. 148)."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    next_first = date(year + month // 12, month % 12 + 1, 1)
    return min(date(year, month, 1) + timedelta(days=d.day - 1), next_first - timedelta(days=1))


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("the calendar works on aware datetimes only")
    return timezone.localtime(moment, _zone())


def _zone():
    return timezone.get_default_timezone()


def _cutoff() -> time:
    return _setting_time("DOSSIER_CUTOFF_HOUR", 15)


def _setting_time(name: str, default) -> time:
    """A time-of-day setting given as a `time`, an hour (15) or "HH:MM"."""
    value = getattr(settings, name, default)
    if isinstance(value, time):
        return value
    if isinstance(value, int):
        return time(value)
    hours, _, minutes = str(value).partition(":")
    return time(int(hours), int(minutes or 0))


def _random_version() -> str:
    return uuid.uuid4().hex


def _new_version() -> None:
    cache.set(_VERSION_KEY, _random_version(), None)
