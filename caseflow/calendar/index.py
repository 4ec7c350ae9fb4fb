"""The working-day index: which days are working days, and the arithmetic over them.

Built once per calendar version from the calendar data (official years from the database or
chinesecalendar, the statutory rules for the rest) into a sorted list of the ordinals of every
working day from ``FIRST_YEAR`` to ``LAST_YEAR``. "The N-th working day after d" is one lookup in
that list at ``bisect_right(ordinals, d) + N - 1``; the bisect itself is precomputed for every day
(``_rank``), as is the roll-over (``_first``) and month arithmetic, so a due date costs a few table
reads instead of a walk day by day (bench/deadlines.py has the figures).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from caseflow.calendar.statutory import statutory_holidays

#: chinesecalendar's first official year; the lunar tables used for provisional years end in 2100.
FIRST_YEAR = 2004
LAST_YEAR = 2099

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)


_ALL_DAYS: tuple[date, ...] = ()


def _all_days() -> tuple[date, ...]:
    """Every day FIRST_YEAR…LAST_YEAR as a date, indexed by offset from 1 January FIRST_YEAR;
    built once per process (~35,000 dates, ~1.4 MB) and shared by every calendar, so the hot path
    reads a date instead of building one."""
    global _ALL_DAYS
    if not _ALL_DAYS:
        first = date(FIRST_YEAR, 1, 1).toordinal()
        last = date(LAST_YEAR, 12, 31).toordinal()
        _ALL_DAYS = tuple(map(date.fromordinal, range(first, last + 1)))
    return _ALL_DAYS


@dataclass(frozen=True)
class DayException:
    """A day that differs from the Monday–Friday rule: a holiday, or a make-up working day."""

    day: date
    kind: str
    name: str
    source: str = ""
    #: The unit's code for a local closure; empty for the national calendar.
    unit: str = ""


class WorkingCalendar:
    """An immutable working-day calendar over ``FIRST_YEAR``–``LAST_YEAR``.

    ``years`` maps a year to its exceptions; ``official_years`` are those from a State Council
    notice. Every other year in range is provisional and uses the statutory holidays.
    ``closures`` (one unit's local closures) override the national exceptions of their days.
    """

    def __init__(
        self,
        years: Mapping[int, Iterable[DayException]],
        official_years: Iterable[int],
        *,
        version: str | None = None,
        closures: Iterable[DayException] = (),
    ):
        self.version = version
        self.official_years = frozenset(official_years)
        self._provisional = frozenset(range(FIRST_YEAR, LAST_YEAR + 1)) - self.official_years
        #: The ordinal of the first day of the first provisional year (past the range when none is).
        self.provisional_from = date(
            min(self._provisional, default=LAST_YEAR + 1), 1, 1
        ).toordinal()
        self.first_day = date(FIRST_YEAR, 1, 1)
        self.last_day = date(LAST_YEAR, 12, 31)
        #: Callers' memos of what they derive from this calendar (due_compute keeps its results
        #: here), so that they go with it when a new version replaces it.
        self.memo: dict[Any, Any] = {}
        exceptions: dict[date, DayException] = {}
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if year in years:
                for exc in years[year]:
                    exceptions[exc.day] = exc
            else:
                for day, name in statutory_holidays(year):
                    exceptions[day] = DayException(day, HOLIDAY, name, "statutory (provisional)")
        for exc in closures:
            exceptions[exc.day] = exc
        self._exceptions = exceptions
        self._base = base = self.first_day.toordinal()
        self._all_days = _all_days()
        span = self.last_day.toordinal() - base + 1
        flags = bytearray(span)
        for offset in range(span):
            day = self.first_day + timedelta(days=offset)
            listed = exceptions.get(day)
            flags[offset] = (listed.kind == WORKDAY) if listed is not None else day.weekday() < 5
        self._flags = bytes(flags)
        # The tables below are lists, not arrays: reading an array boxes its item into a new int
        # each time (twice the cost of a list read), and a due date reads two to six of them. The
        # ints are shared between tables (``counts``), so a list costs little more than its pointers.
        #: The sorted ordinals of every working day (what bisect runs over).
        self._ordinals = [base + i for i, f in enumerate(flags) if f]
        months = (LAST_YEAR - FIRST_YEAR + 1) * 12
        counts = list(range(max(len(self._ordinals), months) + 1))
        # Per day, the two bisects the arithmetic needs, precomputed, so the hot path is list
        # reads: _rank[o] = bisect_right(ordinals, o), _first[o] = bisect_left(ordinals, o) (the
        # roll-over target). _dates holds the working days as date objects, ready to return.
        self._dates = tuple(date.fromordinal(o) for o in self._ordinals)
        rank = [0] * span
        first_at = [0] * span
        count = 0
        for offset in range(span):
            first_at[offset] = counts[count]
            count += flags[offset]
            rank[offset] = counts[count]
        self._rank = rank
        self._first = first_at
        # Month arithmetic on ordinals: month number of each day, its day of month, and per month
        # its first day and length (Civil Code art. 202: no such day → the month's last day).
        month_no = [0] * span
        day_of_month = bytearray(span)
        self._month_start: list[int] = []
        self._month_length = bytearray()
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for month in range(1, 13):
                first = date(year, month, 1)
                following_first = date(year + month // 12, month % 12 + 1, 1)
                length = (following_first - first).days
                index = len(self._month_start)
                self._month_start.append(first.toordinal())
                self._month_length.append(length)
                offset = first.toordinal() - base
                for dom in range(length):
                    month_no[offset + dom] = counts[index]
                    day_of_month[offset + dom] = dom + 1
        self._month_no = month_no
        self._day_of_month = bytes(day_of_month)
        self._span = span

    # -- lookups ---------------------------------------------------------------------------

    def _check(self, day: date) -> int:
        ordinal = day.toordinal()
        if not self._base <= ordinal <= self._base + len(self._flags) - 1:
            raise ValueError(
                f"{day.isoformat()} 不在工作日历的范围内（{FIRST_YEAR}–{LAST_YEAR}年） / "
                f"{day.isoformat()} is outside the working-day calendar ({FIRST_YEAR}–{LAST_YEAR})"
            )
        return ordinal

    def is_workday(self, day: date) -> bool:
        return bool(self._flags[self._check(day) - self._base])

    def exception(self, day: date) -> DayException | None:
        return self._exceptions.get(day)

    def is_provisional_year(self, year: int) -> bool:
        return year not in self.official_years

    def touches_provisional(self, first: date, last: date) -> bool:
        """True when any day of ``first``…``last`` lies in a provisional year."""
        return any(y not in self.official_years for y in range(first.year, last.year + 1))

    def provisional_years(self, first: date, last: date) -> list[int]:
        """The provisional years among ``first.year`` … ``last.year``."""
        if first.year == last.year:  # the common case, kept cheap
            return [first.year] if first.year in self._provisional else []
        return [y for y in range(first.year, last.year + 1) if y not in self.official_years]

    # -- arithmetic ------------------------------------------------------------------------

    def workday_on_or_after(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it (roll-over)."""
        i = self._first[self._check(day) - self._base]
        if i >= len(self._dates):
            raise ValueError(f"no working day after {day.isoformat()} in the calendar")
        return self._dates[i]

    def nth_workday_after(self, day: date, n: int) -> date:
        """The ``n``-th working day strictly after ``day`` (the start day is not counted)."""
        if n < 1:
            raise ValueError("the number of working days must be at least 1")
        i = self._rank[self._check(day) - self._base] + n - 1
        if i >= len(self._ordinals):
            raise ValueError(
                f"{day.isoformat()} 后 {n} 个工作日超出了工作日历（至{LAST_YEAR}年） / "
                f"{n} working days after {day.isoformat()} is beyond the calendar ({LAST_YEAR})"
            )
        return self._dates[i]

    def add_months(self, day: date, n: int) -> date:
        """The same day ``n`` months later, or that month's last day (as dateutil's relativedelta)."""
        offset = self._check(day) - self._base
        month = self._month_no[offset] + n
        if month >= len(self._month_start):
            raise ValueError(
                f"{day.isoformat()} 后 {n} 个月超出了工作日历（至{LAST_YEAR}年） / "
                f"{n} months after {day.isoformat()} is beyond the calendar ({LAST_YEAR})"
            )
        dom = min(self._day_of_month[offset], self._month_length[month])
        return date.fromordinal(self._month_start[month] + dom - 1)

    def workdays_between(self, after: date, until: date) -> int:
        """How many working days lie in (``after``, ``until``]; 0 when ``until`` <= ``after``."""
        if until <= after:
            return 0
        return (
            self._rank[self._check(until) - self._base]
            - self._rank[self._check(after) - self._base]
        )

    def due_ordinal(self, start_ordinal: int, unit: str, amount: int) -> tuple[int, int]:
        """The hot path on ordinals: (last day before roll-over, due day) for a day-based period.

        Same rules as ``nth_workday_after`` / ``add_months`` / ``workday_on_or_after``, without
        building intermediate dates.
        """
        offset = start_ordinal - self._base
        if not 0 <= offset < self._span:
            start = date.fromordinal(start_ordinal).isoformat()
            raise ValueError(
                f"{start} 不在工作日历的范围内（{FIRST_YEAR}–{LAST_YEAR}年） / "
                f"{start} is outside the working-day calendar ({FIRST_YEAR}–{LAST_YEAR})"
            )
        try:
            if unit == "workdays":
                due = self._ordinals[self._rank[offset] + amount - 1]
                return due, due
            if unit == "days":
                last = start_ordinal + amount
            else:
                month = self._month_no[offset] + amount
                dom, length = self._day_of_month[offset], self._month_length[month]
                # Not min(): a builtin call on two ints cost more than the rest of the lookup.
                last = self._month_start[month] + (dom if dom < length else length) - 1
            return last, self._ordinals[self._first[last - self._base]]
        except IndexError:
            # The message is built here, not up front: formatting it cost more than the lookup.
            start = date.fromordinal(start_ordinal).isoformat()
            raise ValueError(
                f"{start} 后的 {amount} {unit} 超出了工作日历（至{LAST_YEAR}年） / "
                f"{amount} {unit} after {start} is beyond the calendar ({LAST_YEAR})"
            ) from None

    def last_day_ordinal(self, start_ordinal: int, unit: str, amount: int) -> int:
        """The last day of a day-based period before roll-over (for workdays, the due day), as an
        ordinal: ``due_ordinal``'s first half, the part that depends on the start. Raises its
        ValueError when the period leaves the calendar, but not when only the roll-over does."""
        offset = start_ordinal - self._base
        try:
            if not 0 <= offset < self._span:
                raise IndexError
            if unit == "workdays":
                return self._ordinals[self._rank[offset] + amount - 1]
            if unit == "days":
                if offset + amount >= self._span:
                    raise IndexError
                return start_ordinal + amount
            month = self._month_no[offset] + amount
            dom, length = self._day_of_month[offset], self._month_length[month]
            return self._month_start[month] + (dom if dom < length else length) - 1
        except IndexError:
            self.due_ordinal(start_ordinal, unit, amount)  # raises the precise ValueError
            raise AssertionError("due_ordinal accepted a period outside the calendar") from None

    def due_dates(self, start_ordinal: int, unit: str, amount: int) -> tuple[date, date, int]:
        """``due_ordinal`` with its days as dates, read from the prebuilt date tables:
        (last day before roll-over, due day, the due day's ordinal). ``due_compute``'s path."""
        offset = start_ordinal - self._base
        if not 0 <= offset < self._span:
            self.due_ordinal(start_ordinal, unit, amount)  # raises the precise ValueError
            raise AssertionError("due_ordinal accepted a start outside the calendar")
        try:
            if unit == "workdays":
                index = self._rank[offset] + amount - 1
                due_on = self._dates[index]
                return due_on, due_on, self._ordinals[index]
            if unit == "days":
                last = offset + amount
            else:
                month = self._month_no[offset] + amount
                dom, length = self._day_of_month[offset], self._month_length[month]
                last = (
                    self._month_start[month] - self._base + (dom if dom < length else length) - 1
                )
            index = self._first[last]
            return self._all_days[last], self._dates[index], self._ordinals[index]
        except IndexError:
            self.due_ordinal(start_ordinal, unit, amount)  # raises the precise ValueError
            raise AssertionError("due_ordinal accepted a due day outside the calendar") from None

    def provisional_years_between(self, first_ordinal: int, last_ordinal: int) -> tuple[int, ...]:
        """The provisional years touched by the days ``first_ordinal`` … ``last_ordinal``; one
        comparison while every day lies before the first provisional year (the common case)."""
        if last_ordinal < self.provisional_from:
            return ()
        first, last = date.fromordinal(first_ordinal), date.fromordinal(last_ordinal)
        return tuple(self.provisional_years(first, last))

    def due_days(self, items: Iterable, spec_of, zone=None) -> list[date]:
        """Due days for many (start, period) pairs at once: ``due_ordinal`` unrolled into one loop
        over local names, for batch work (CLI batch mode, benchmarks).

        ``start`` is a local date (or an aware datetime, taken in ``zone``); ``spec_of(period)``
        gives the day-based (unit, amount) of a period.
        """
        base, span = self._base, self._span
        dates, rank, first_at = self._dates, self._rank, self._first
        month_no, day_of_month = self._month_no, self._day_of_month
        month_start, month_length = self._month_start, self._month_length
        specs: dict = {}
        out: list[date] = []
        append = out.append
        for start, period in items:
            spec = specs.get(period)
            if spec is None:
                spec = specs[period] = spec_of(period)
            unit, amount = spec
            if type(start) is datetime:
                start = start.astimezone(zone).date()
            offset = start.toordinal() - base
            try:
                if not 0 <= offset < span:
                    raise IndexError
                if unit == "workdays":
                    append(dates[rank[offset] + amount - 1])
                elif unit == "days":
                    append(dates[first_at[offset + amount]])
                else:
                    month = month_no[offset] + amount
                    dom, length = day_of_month[offset], month_length[month]
                    last = month_start[month] - base + (dom if dom < length else length) - 1
                    append(dates[first_at[last]])
            except IndexError:
                self.due_ordinal(start.toordinal(), unit, amount)  # raises the precise ValueError
                raise
        return out
