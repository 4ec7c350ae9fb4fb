"""Working days and periods (deadlines.md §1–2): the calendar as data, pure period arithmetic over
it, and a fast working-day index.

The public arithmetic: ``due_compute(start, period) -> DueResult(due_at, last_day_on,
provisional)`` and ``parse_period(text) -> Period(amount, unit)``.
"""

from caseflow.calendar.periods import DueResult, Period, due_compute, due_explain, parse_period

__all__ = ["DueResult", "Period", "due_compute", "due_explain", "parse_period"]
