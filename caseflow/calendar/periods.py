"""Period arithmetic (期间计算), deadlines.md §2. Pure: a start instant, a period and a calendar in,
a due instant out.

- The start day is not counted (Civil Code art. 201; Patent Implementing Regulations art. 5).
- ``N workdays``: the N-th working day strictly after the start day.
- ``N days``: last day = start day + N; ``N months``: the same day N months later, or that month's
  last day (Civil Code art. 202). Either is rolled over to the first working day on or after it
  when it is not a working day (Civil Code art. 203; Patent Implementing Regulations art. 5).
- ``N hours``: exactly start + N hours, no roll-over (fair desks work nights and weekends).
- Day-based periods end at 24:00 local time of their last day: the next local midnight.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from caseflow.calendar.index import HOLIDAY, WorkingCalendar
from caseflow.timeutil import ZoneDays, local_date, local_zone, local_zone_days

WORKDAYS = "workdays"
DAYS = "days"
MONTHS = "months"
HOURS = "hours"
UNITS = (WORKDAYS, DAYS, MONTHS, HOURS)
DAY_UNITS = (WORKDAYS, DAYS, MONTHS)

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*([A-Za-z]+)\s*$")
_SINGULAR = {"workday": WORKDAYS, "day": DAYS, "month": MONTHS, "hour": HOURS}
#: Beyond this, the calendar range (2004–2099) is exceeded anyway; refuse early and clearly.
_MAX_AMOUNT = {WORKDAYS: 20000, DAYS: 30000, MONTHS: 1000, HOURS: 700000}


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str

    def __str__(self):
        return f"{self.amount} {self.unit}"


class DueResult(NamedTuple):
    """When a period ends.

    ``last_day_on`` is the last day before roll-over (what pauses and extensions move), ``due_on``
    the day at whose end the period ends (after roll-over); both are None for ``hours``.
    ``provisional`` is True when the counting touched a year whose schedule is not official.
    """

    due_at: datetime
    last_day_on: date | None
    provisional: bool
    due_on: date | None = None
    provisional_years: tuple[int, ...] = ()


def parse_period(text) -> Period:
    """``"5 workdays"`` → Period(5, "workdays"). Raises ValueError with a message a person can act on."""
    if isinstance(text, Period):
        return text
    if not isinstance(text, str):
        raise ValueError(f"a period is text like '5 workdays', not {text!r}")
    return _parse_period_text(text)


@lru_cache(maxsize=4096)
def _parse_period_text(text: str) -> Period:
    # Cached: a handful of distinct periods are parsed over and over (workflow definitions).
    match = _PERIOD_RE.match(text)
    if not match:
        raise ValueError(
            f"bad period {text!r}: write a number and a unit, e.g. '5 workdays', '15 days', "
            "'3 months' or '24 hours'"
        )
    amount, unit = int(match.group(1)), match.group(2).lower()
    unit = _SINGULAR.get(unit, unit)
    if unit not in UNITS:
        raise ValueError(
            f"bad period {text!r}: unknown unit {match.group(2)!r} (use {', '.join(UNITS)})"
        )
    if amount < 1:
        raise ValueError(f"bad period {text!r}: the number must be at least 1")
    if amount > _MAX_AMOUNT[unit]:
        raise ValueError(f"bad period {text!r}: {amount} {unit} is beyond the calendar")
    return Period(amount, unit)


def as_instant(start) -> datetime:
    """An aware instant; a bare date means 00:00 local time of that day."""
    if isinstance(start, datetime):
        if start.tzinfo is None:
            raise ValueError(f"naive start instant refused: {start.isoformat()}")
        return start
    if isinstance(start, date):
        return datetime.combine(start, time(0), tzinfo=local_zone()).astimezone(UTC)
    raise ValueError(f"not a date or instant: {start!r}")


def due_on_of(due_at: datetime) -> date:
    """The local day at whose end ``due_at`` falls (due_at is that day's 24:00)."""
    return local_date(due_at) - timedelta(days=1)


def add_to_day(day: date, period: Period, calendar: WorkingCalendar) -> tuple[date, date]:
    """Apply a day-based period to ``day``: (last day before roll-over, due day after it)."""
    if period.unit == WORKDAYS:
        last = calendar.nth_workday_after(day, period.amount)
        return last, last
    if period.unit == DAYS:
        last = day + timedelta(days=period.amount)
    elif period.unit == MONTHS:
        # Jan 31 + 1 month = Feb 28/29 (Civil Code art. 202), exactly as dateutil's relativedelta
        # (the tests hold the two equal), from the index's month tables.
        last = calendar.add_months(day, period.amount)
    else:
        raise ValueError(f"{period} is not a day-based period")
    return last, calendar.workday_on_or_after(last)


def due_compute(
    start, period, *, calendar: WorkingCalendar | None = None, unit_id: int | None = None
) -> DueResult:
    """When ``period`` started at ``start`` ends (deadlines.md §2).

    ``calendar`` defaults to the application's current calendar (from the database) inside an
    app context — with ``unit_id``, that unit's (its local closures on top) — else to the
    built-in one (official 2004–2026, statutory rules after).
    """
    # The hot path (≤ 1 µs, bench/deadlines.py): day ordinals, table reads and memos throughout.
    if type(start) is not datetime or start.tzinfo is None:
        start = as_instant(start)
    spec = _PERIODS.get(period) if type(period) is str else None
    if spec is None:
        parsed = parse_period(period)
        spec = (parsed.unit, parsed.amount)
        if type(period) is str and len(_PERIODS) < 4096:
            _PERIODS[period] = spec
    unit, amount = spec
    if unit == HOURS:
        return DueResult(start + timedelta(hours=amount), None, False)
    if calendar is None:
        calendar = calendar_for_context(unit_id)
    days = local_zone_days()
    # Stored instants are UTC: their local day is memoised by UTC hour (ZoneDays.local_ordinal,
    # whose first lines these are, inlined: the call cost a tenth of the path).
    start_ordinal = (
        days.by_utc_hour.get(start.toordinal() * 24 + start.hour)
        if start.tzinfo is UTC
        else None
    )
    if start_ordinal is None:
        start_ordinal = days.local_ordinal(start)
    # Every period whose last day (before roll-over) is the same day has the same result, whatever
    # its start, unless it reaches a provisional year (the years it touches depend on the start):
    # the results are memoised per last day, and building a DueResult was a fifth of the path.
    last_ordinal = calendar.last_day_ordinal(start_ordinal, unit, amount)
    results = calendar.memo.get(days)
    result = results.get(last_ordinal) if results is not None else None
    if result is None:
        result = _due_result_new(start_ordinal, unit, amount, calendar, days)
    return result


def _due_result_new(
    start_ordinal: int, unit: str, amount: int, calendar: WorkingCalendar, days: ZoneDays
) -> DueResult:
    """due_compute's result, computed (and memoised by its last day when no year is provisional)."""
    last_on, due_on, due_ordinal = calendar.due_dates(start_ordinal, unit, amount)
    due_at = days.end_of_day(due_ordinal)
    if due_ordinal < calendar.provisional_from:
        result = DueResult(due_at, last_on, False, due_on, ())
        calendar.memo.setdefault(days, {})[last_on.toordinal()] = result
        return result
    # The start day is not counted: provisional years are those of the days after it, up to the
    # due day (roll-over only moves forward, so it is the later of the two).
    years = calendar.provisional_years_between(start_ordinal + 1, due_ordinal)
    return DueResult(due_at, last_on, bool(years), due_on, years)


#: Period text → (unit, amount) for due_compute (workflow definitions use a handful, over and over).
_PERIODS: dict[str, tuple[str, int]] = {}


def due_days(items, *, calendar: WorkingCalendar | None = None) -> list[date]:
    """Due days (after roll-over) for many (start, period) pairs at once, in order.

    ``start`` is a local date or an aware instant; periods are day-based. The batch path for
    many computations at once (CLI batch mode, benchmarks): the same arithmetic as
    ``due_compute`` without building a result per item. Raises ValueError on the first bad pair.
    """
    calendar = calendar or calendar_for_context()
    return calendar.due_days(items, _day_spec, local_zone())


def _day_spec(period) -> tuple[str, int]:
    parsed = parse_period(period)
    if parsed.unit == HOURS:
        raise ValueError(f"{parsed} is not a day-based period")
    return parsed.unit, parsed.amount


def calendar_for_context(unit_id: int | None = None) -> WorkingCalendar:
    """The app's current calendar (``unit_id``: that unit's), or the built-in one outside an app."""
    from flask import has_app_context

    if has_app_context():
        from caseflow.calendar.services import calendar_current

        return calendar_current(unit_id)
    from caseflow.calendar.official import builtin_calendar

    return builtin_calendar()


def _describe(day: date, calendar: WorkingCalendar) -> str:
    exc = calendar.exception(day)
    if exc is None:
        return "weekend" if day.weekday() >= 5 else "weekday"
    if exc.unit:
        what = "closed" if exc.kind == HOLIDAY else "working day"
        return f"{what} ({exc.unit} local closure) {exc.name}".rstrip()
    if exc.kind == HOLIDAY:
        return f"holiday {exc.name}"
    return f"make-up workday (调休) {exc.name}"


def due_explain(
    start, period, *, calendar: WorkingCalendar | None = None, unit_id: int | None = None
) -> list[str]:
    """The days counted and skipped on the way to the due date, one line each, for people."""
    start = as_instant(start)
    period = parse_period(period)
    calendar = calendar or calendar_for_context(unit_id)
    result = due_compute(start, period, calendar=calendar)
    if period.unit == HOURS:
        return [
            f"start {start.astimezone(local_zone()).isoformat()}",
            f"+ {period.amount} hours, exact, no roll-over (hours run nights and weekends)",
            f"due {result.due_at.astimezone(local_zone()).isoformat()}",
        ]
    # A day-based period: both days are set.
    assert result.due_on is not None and result.last_day_on is not None
    due_on, last_day_on = result.due_on, result.last_day_on
    day = local_date(start)
    lines = [f"start {day.isoformat()} {day:%a} (start day not counted)"]
    if period.unit == WORKDAYS:
        counted, current = 0, day
        while current < due_on:
            current += timedelta(days=1)
            if calendar.is_workday(current):
                counted += 1
                lines.append(
                    f"{current.isoformat()} {current:%a} counted {counted}  {_describe(current, calendar)}"
                )
            else:
                lines.append(
                    f"{current.isoformat()} {current:%a} skipped  {_describe(current, calendar)}"
                )
    else:
        how = "start + " + str(period)
        if period.unit == MONTHS and last_day_on.day != day.day:
            how += " (clamped to the month's last day)"
        lines.append(f"last day {last_day_on.isoformat()} {last_day_on:%a} = {how}")
        current = last_day_on
        while current < due_on:
            lines.append(
                f"{current.isoformat()} {current:%a} not a working day ({_describe(current, calendar)}): roll over"
            )
            current += timedelta(days=1)
        lines.append(
            f"{due_on.isoformat()} {due_on:%a} working day  {_describe(due_on, calendar)}"
        )
    lines.append(f"due end of {due_on.isoformat()} (24:00 {local_zone().key})")
    if result.provisional:
        years = ", ".join(map(str, result.provisional_years))
        lines.append(
            f"provisional: the {years} schedule is not official yet (load it with `calendar load`)"
        )
    return lines
