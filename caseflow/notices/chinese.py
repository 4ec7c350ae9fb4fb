"""How dates and deadlines are written on a notice.

The issue date is written in Chinese numerals (二〇二六年十月十日), as notices.md asks; deadlines in
the body use Arabic numerals the way a reader is told a date (2026年10月23日前).
"""

from datetime import date, datetime, timedelta

from caseflow.timeutil import chinese_date, local_date, to_local

_DIGITS = "〇一二三四五六七八九"


def chinese_year(year: int) -> str:
    """2026 → 二〇二六: a year is read digit by digit."""
    return "".join(_DIGITS[int(d)] for d in str(year))


def chinese_number(n: int) -> str:
    """1–31 as counted: 十, 十一, 二十, 二十三, 三十一."""
    if not 0 < n < 100:
        raise ValueError(f"month or day expected, got {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def chinese_numeral_date(day: date) -> str:
    """二〇二六年十月十日 — the issue date under the seal."""
    return f"{chinese_year(day.year)}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def deadline_day(clock, due_at: datetime | None = None) -> date:
    """The last day a party may act on a day-based clock.

    ``due_at`` is 24:00 of the last day, i.e. the next day's 00:00 local (deadlines.md §2), so the
    day printed is the one before it. Never ``last_day_on``: that is the day *before* the roll-over
    past a holiday or closure, and the notice must print the day the case page shows.
    """
    return local_date((due_at or clock.due_at) - timedelta(microseconds=1))


def deadline_text(clock, due_at: datetime | None = None) -> str:
    """2026年10月23日 for a day clock; 2026年10月23日14时30分 for an hour or fixed clock (fairs
    count in clock hours, so the hour matters). ``due_at`` overrides the clock's current one."""
    if clock.period_unit in ("hours", "fixed"):
        return instant_text(due_at or clock.due_at)
    return chinese_date(deadline_day(clock, due_at))


def instant_text(instant: datetime) -> str:
    local = to_local(instant)
    return f"{chinese_date(local.date())}{local.hour}时{local.minute:02d}分"
