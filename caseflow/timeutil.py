"""Instants and local days. Every day boundary is taken in the configured zone (Asia/Shanghai)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


class ZoneDays:
    """A zone with memos of its local days, for due dates by the hundred thousand (due_compute).

    Stored instants come back in UTC, and zoneinfo searches its transitions on every conversion:
    a third of a due date's cost. ``by_utc_hour`` maps a UTC hour (its day's ordinal × 24 + hour)
    to the ordinal of the local day it falls in, for the hours throughout which the zone keeps
    one offset and one local day; ``ends`` maps a day's ordinal to its 24:00 as a UTC instant.
    """

    __slots__ = ("by_utc_hour", "ends", "zone")

    #: Hours memoised before ``by_utc_hour`` starts over (~15 years of them, ~10 MB).
    MAX_HOURS = 1 << 17

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.by_utc_hour: dict[int, int] = {}
        self.ends: dict[int, datetime] = {}

    def local_ordinal(self, instant: datetime) -> int:
        """``instant.astimezone(zone).toordinal()``: the ordinal of an aware instant's local day.

        A UTC hour is converted once, at both its ends, and memoised when they agree on the offset
        and the local day: every hour but the few in which the offset changes or (in a zone offset
        by part of an hour) local midnight falls, which are converted each time. Only a zone that
        changed its offset and back within one hour would defeat the check; the tz database has none.
        """
        zone, tzinfo = self.zone, instant.tzinfo
        if tzinfo is zone:
            return instant.toordinal()  # already local wall time (astimezone returns it as is)
        if tzinfo is not UTC:
            return instant.astimezone(zone).toordinal()
        hour = instant.toordinal() * 24 + instant.hour
        ordinal = self.by_utc_hour.get(hour)
        if ordinal is None:
            # The hour's ends, stepped in UTC (aware arithmetic would step the local wall clock).
            began = datetime.combine(date.fromordinal(hour // 24), time(hour % 24), tzinfo=UTC)
            first = began.astimezone(zone)
            last = (began + _LAST_MICROSECOND_OF_HOUR).astimezone(zone)
            if first.utcoffset() != last.utcoffset() or first.toordinal() != last.toordinal():
                return instant.astimezone(zone).toordinal()
            ordinal = first.toordinal()
            if len(self.by_utc_hour) >= self.MAX_HOURS:
                self.by_utc_hour.clear()
            self.by_utc_hour[hour] = ordinal
        return ordinal

    def end_of_day(self, ordinal: int) -> datetime:
        """24:00 local of the day = 00:00 of the next day (deadlines.md §2), as a UTC instant."""
        end = self.ends.get(ordinal)
        if end is None:
            next_day = date.fromordinal(ordinal + 1)
            end = datetime.combine(next_day, time(0), tzinfo=self.zone).astimezone(UTC)
            self.ends[ordinal] = end  # one per day that ends a period: bounded by the calendar
        return end


_LAST_MICROSECOND_OF_HOUR = timedelta(hours=1, microseconds=-1)
#: Zone name → the zone and its memos. A plain dict before ZoneInfo's own cache: every due date
#: asks for the zone.
_ZONES: dict[str, ZoneDays] = {}


def local_zone_days() -> ZoneDays:
    """The configured zone (``CASEFLOW_TIMEZONE`` in an app, else Asia/Shanghai) with its memos."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("CASEFLOW_TIMEZONE", DEFAULT_TIMEZONE)
    days = _ZONES.get(name)
    if days is None:
        days = _ZONES[name] = ZoneDays(ZoneInfo(name))
    return days


def local_zone() -> ZoneInfo:
    return local_zone_days().zone


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(local_zone())


def local_date(instant: datetime) -> date:
    return to_local(instant).date()


def end_of_local_day(day: date) -> datetime:
    """24:00 local time of ``day``, i.e. the next day's 00:00 (deadlines.md §2), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone()).astimezone(UTC)


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


#: The years of every date and instant caseflow reads: its working-day calendar ends with 2099,
#: and nothing it handles happened before 1970. Outside them a date is a typing slip (0001-01-01,
#: 9999-12-31), and the arithmetic on it (a due date, the end of a day) would overflow.
FIRST_YEAR, LAST_YEAR = 1970, 2099


class OutOfRange(ValueError):
    """A date or instant outside ``FIRST_YEAR``–``LAST_YEAR``; its text is Chinese / English."""

    def __init__(self, text: str):
        super().__init__(
            f"年份应在{FIRST_YEAR}至{LAST_YEAR}年之间：{text} / "
            f"the year must be {FIRST_YEAR}–{LAST_YEAR}: {text}"
        )


def check_year(day: date, text: str | None = None) -> None:
    """``OutOfRange`` unless ``day``'s year is within ``FIRST_YEAR``–``LAST_YEAR``."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(text or day.isoformat())


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a bare date or a naive time is read as local time. Years outside
    ``FIRST_YEAR``–``LAST_YEAR`` raise ``OutOfRange`` (a ValueError)."""
    text = text.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time(0))
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date or instant: {text!r}") from exc
    check_year(parsed.date(), text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return parsed.astimezone(UTC)


def instant_reason(exc: ValueError) -> str:
    """Why a typed instant was refused, Chinese / English: its year, or its form."""
    if isinstance(exc, OutOfRange):
        return str(exc)
    return "时间格式不正确 / not an ISO 8601 instant"


def parse_day(text: str) -> date:
    """An ISO 8601 calendar date (``2026-10-23``) within ``FIRST_YEAR``–``LAST_YEAR``."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date: {text!r}") from exc
    check_year(day, text)
    return day


def iso(instant: datetime | None) -> str | None:
    """ISO 8601 with the local offset, as the API shows instants."""
    return to_local(instant).isoformat() if instant else None


def chinese_date(day: date) -> str:
    """2026年10月23日 — how a person reads a date."""
    return f"{day.year}年{day.month}月{day.day}日"


#: 周一 … 周日, as a date is written on a notice or a page.
_WEEKDAYS = "一二三四五六日"
#: Clocks that end at an hour rather than at 24:00 of a day.
HOUR_UNITS = ("hours", "fixed")


def deadline_day(due_at: datetime, period_unit: str) -> date:
    """The one day a deadline is known by (``due_on`` in the API). A day-based clock's ``due_at``
    is 24:00 of its last day, stored as the next day's 00:00: the last day is the day before
    (deadlines.md §2). An hour clock's day is the local day of its instant."""
    if period_unit in HOUR_UNITS:
        return local_date(due_at)
    return local_date(due_at - timedelta(microseconds=1))


def deadline_chinese(due_at: datetime, period_unit: str) -> str:
    """2026年11月25日（周三） for a day-based clock, 2026年11月25日（周三）14:00 for an hour clock:
    every surface (pages, e-mail, webhook, XLSX, API text) writes a deadline this way, and none
    prints 00:00 of the next day."""
    day = deadline_day(due_at, period_unit)
    text = f"{chinese_date(day)}（周{_WEEKDAYS[day.weekday()]}）"
    if period_unit in HOUR_UNITS:
        text += f"{to_local(due_at):%H:%M}"
    return text


def deadline_english(due_at: datetime, period_unit: str) -> str:
    """2026-11-25 (Wed), or 2026-11-25 (Wed) 14:00 for an hour clock."""
    day = deadline_day(due_at, period_unit)
    text = f"{day.isoformat()} ({day:%a})"
    if period_unit in HOUR_UNITS:
        text += f" {to_local(due_at):%H:%M}"
    return text
