"""Instants and local days. Every day boundary is taken in the configured zone (Asia/Shanghai)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


_ZONES: dict[str, ZoneInfo] = {}


def local_zone() -> ZoneInfo:
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("CASEFLOW_TIMEZONE", DEFAULT_TIMEZONE)
    # A plain dict before ZoneInfo's own cache: every due date asks for the zone.
    zone = _ZONES.get(name)
    if zone is None:
        zone = _ZONES[name] = ZoneInfo(name)
    return zone


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(local_zone())


def local_date(instant: datetime) -> date:
    return to_local(instant).date()


def end_of_local_day(day: date) -> datetime:
    """24:00 local time of ``day``, i.e. the next day's 00:00 (deadlines.md §2), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone()).astimezone(UTC)


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a bare date or a naive time is read as local time."""
    text = text.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time(0))
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date or instant: {text!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return parsed.astimezone(UTC)


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
