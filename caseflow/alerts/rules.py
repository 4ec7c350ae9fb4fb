"""When an alert's e-mail and webhook may go out, and when an alert counts as late.

The moments of the levels themselves are the clocks' business (``clock_next_alert_at`` in
``caseflow.clocks.services``); these rules are about telling people (deadlines.md §4).
"""

from datetime import UTC, datetime, time, timedelta

from caseflow.calendar.index import WorkingCalendar
from caseflow.calendar.periods import DAY_UNITS
from caseflow.timeutil import local_zone, to_local

#: Day-based clocks' e-mail and webhooks go out no earlier than this, on a working day.
OFFICE_OPENS = time(9, 0)

#: An alert raised longer than this after a sweep could first have raised it is marked late (the
#: scheduler was down).
LATE_AFTER = timedelta(minutes=2)


def is_day_based(period_unit: str) -> bool:
    """Clocks counted in days; ``hours`` and ``fixed`` clocks (fair desks, which work nights and
    weekends) are told at once."""
    return period_unit in DAY_UNITS


def delivery_not_before(
    raised_at: datetime, period_unit: str, calendar: WorkingCalendar
) -> datetime:
    """When an alert's e-mail and webhook may go out: at once for hour clocks; for day-based
    clocks no earlier than 09:00 local on a working day (no midnight mail, no holiday mail)."""
    if not is_day_based(period_unit):
        return raised_at
    day = to_local(raised_at).date()
    try:
        if not calendar.is_workday(day):
            day = calendar.workday_on_or_after(day)
    except ValueError:  # past the calendar's last year: no working day to wait for
        return raised_at
    opens = datetime.combine(day, OFFICE_OPENS, tzinfo=local_zone()).astimezone(UTC)
    return max(raised_at, opens)


def is_late(moment_at: datetime, raised_at: datetime, armed_at: datetime | None = None) -> bool:
    """Whether an alert comes late because the scheduler was not sweeping (deadlines.md §4:
    "marked late" is the catch-up after downtime).

    A sweep could first have raised it at the later of its moment and ``armed_at``, when caseflow
    wrote the clock's current schedule (its start, or its last pause, resumption, extension or
    recomputation: the entry's ``recorded_at``, never its back-dated ``at``). So a case entered
    after the fact (a paper complaint received weeks ago) or a calendar load that brings a due
    date forward past a moment raises its alerts on the next sweep, not late; a moment that
    passed while nothing swept does.
    """
    could_raise_at = moment_at if armed_at is None else max(moment_at, armed_at)
    return raised_at - could_raise_at > LATE_AFTER
