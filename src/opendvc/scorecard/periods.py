"""Periods the scorecard is computed for: a month (`2026-11`), a quarter (`2026-Q4`), a year (`2026`) or a
custom range of days (`2026-01-15..2026-03-31`), and the period before each, for the change in rank."""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter", "year", "range"
    start: date
    end: date  # inclusive

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Tháng %(month)d/%(year)d") % {"month": self.start.month, "year": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(q)d/%(year)d") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "year":
            return _("Năm %(year)d") % {"year": self.start.year}
        return _("Từ %(start)s đến %(end)s") % {
            "start": f"{self.start:%d/%m/%Y}",
            "end": f"{self.end:%d/%m/%Y}",
        }

    def previous(self) -> "Period":
        if self.kind == "month":
            return month(_shift_months(self.start, -1))
        if self.kind == "quarter":
            return quarter(_shift_months(self.start, -3))
        if self.kind == "year":
            return year(self.start.year - 1)
        length = (self.end - self.start).days + 1
        return Period("range", self.start - timedelta(days=length), self.start - timedelta(days=1))

    def reading(self) -> "Reading":
        """Which counters add up to the period: month counters for every month it covers whole, and for
        each month it covers only in part, whichever reads fewer day rows — the days it covers, or the
        whole month less the days it leaves out. A range reads at most half a month of days at each edge,
        whatever its length."""
        plan = Reading()
        first = self.start.replace(day=1)
        while first <= self.end:
            plan.add_month_part(first, max(first, self.start), min(_month_end(first), self.end))
            first = _shift_months(first, 1)
        return plan

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        first, out = self.start.replace(day=1), []
        while first <= self.end:
            out.append(first)
            first = _shift_months(first, 1)
        return out


@dataclass
class Reading:
    """Counters to sum for a period: whole `months` (their first days) and `days` ranges added,
    `less_days` ranges subtracted (the days a month read whole has outside the period)."""

    months: list[date] = field(default_factory=list)
    days: list[tuple[date, date]] = field(default_factory=list)
    less_days: list[tuple[date, date]] = field(default_factory=list)

    def add_month_part(self, first: date, low: date, high: date) -> None:
        """The days `low`..`high` of the month starting on `first`."""
        last = _month_end(first)
        inside, whole = (high - low).days + 1, (last - first).days + 1
        if inside == whole:
            self.months.append(first)
        elif inside * 2 <= whole:
            _add_range(self.days, low, high)
        else:
            self.months.append(first)
            if low > first:
                _add_range(self.less_days, first, low - timedelta(days=1))
            if high < last:
                _add_range(self.less_days, high + timedelta(days=1), last)


def _add_range(ranges: list[tuple[date, date]], low: date, high: date) -> None:
    """Append, joining a range that continues the previous one (across a month's end)."""
    if ranges and ranges[-1][1] + timedelta(days=1) == low:
        ranges[-1] = (ranges[-1][0], high)
    else:
        ranges.append((low, high))


def _month_end(first: date) -> date:
    return _shift_months(first, 1) - timedelta(days=1)


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month(first: date) -> Period:
    first = first.replace(day=1)
    return Period("month", first, _shift_months(first, 1) - timedelta(days=1))


def quarter(day: date) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period("quarter", first, _shift_months(first, 3) - timedelta(days=1))


def year(number: int) -> Period:
    return Period("year", date(number, 1, 1), date(number, 12, 31))


MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
YEAR = re.compile(r"^(\d{4})$")
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
MAX_RANGE_DAYS = 5 * 366
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _parsed(text: str) -> Period | None:
    if m := MONTH.match(text):
        return month(date(int(m[1]), int(m[2]), 1))
    if m := QUARTER.match(text):
        return quarter(date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
    if m := YEAR.match(text):
        return year(int(m[1]))
    if m := RANGE.match(text):
        start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        if end < start or (end - start).days > MAX_RANGE_DAYS:
            raise ValueError
        return Period("range", start, end)
    return None


def parse(text: str | None, *, today: date | None = None) -> Period:
    """A period from its code; the current month when empty. InvalidPeriod with a message otherwise."""
    text = (text or "").strip()
    today = today or timezone.localdate()
    if not text:
        return month(today)
    with contextlib.suppress(ValueError):
        period = _parsed(text)
        # Years the portal can hold: also keeps the period before and the month after within dates.
        if period is not None and period.start.year >= FIRST_YEAR and period.end.year <= LAST_YEAR:
            return period
    raise InvalidPeriod(
        _(
            "Kỳ đánh giá không hợp lệ: dùng 2026-11 (tháng), 2026-Q4 (quý), 2026 (năm) "
            "hoặc 2026-01-01..2026-03-31."
        )
    )


def recent_months(count: int, *, until: date | None = None) -> list[Period]:
    """The last `count` months up to the month of `until` (today), oldest first."""
    last = (until or timezone.localdate()).replace(day=1)
    return [month(_shift_months(last, -i)) for i in range(count - 1, -1, -1)]
