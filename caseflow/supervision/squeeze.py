"""The holiday squeeze: a promise counted in calendar days or months whose period holds markedly
fewer working days than usual (one month over National Day: 16 working days instead of about 21).

Computed from the current calendar each time it is shown, so the forecast follows a newly loaded
year's schedule. Clocks counted in working days are never squeezed (their count is the period).
"""

from dataclasses import dataclass
from datetime import timedelta

from caseflow.timeutil import local_date

#: Calendar-day periods only; a working-day period already counts working days.
SQUEEZABLE = ("days", "months")
#: Flagged when the period holds at least this many working days fewer than usual, and at least
#: a tenth fewer (a month over National Day loses 3–5; an ordinary month with a one-day festival
#: loses 1; three months over the Spring Festival lose about as much as one month would).
SQUEEZE_DAYS = 3
SQUEEZE_SHARE = 0.1


@dataclass(frozen=True)
class Squeeze:
    workdays: int
    usual: int

    @property
    def text(self) -> str:
        return f"本期限内仅 {self.workdays} 个工作日（通常约 {self.usual} 个）"


def period_squeeze(started_at, due_at, period_unit, calendar) -> Squeeze | None:
    """The squeeze of a clock running from ``started_at`` to ``due_at`` (24:00 of its last day),
    or None when its period holds a usual number of working days. Usual: five working days in
    every seven calendar days of the same span."""
    if period_unit not in SQUEEZABLE or started_at is None or due_at is None:
        return None
    first = local_date(started_at)
    last = local_date(due_at - timedelta(microseconds=1))
    span = (last - first).days
    if span < 7:
        return None
    usual = round(span * 5 / 7)
    try:
        workdays = calendar.workdays_between(first, last)
    except (ValueError, IndexError):  # beyond the calendar's range
        return None
    if usual - workdays >= max(SQUEEZE_DAYS, usual * SQUEEZE_SHARE):
        return Squeeze(workdays, usual)
    return None


def clock_squeeze(clock, calendar) -> Squeeze | None:
    """The squeeze of a clock's period; none for a clock that has been paused: its span from
    start to due includes the paused days, so "usual" would count them (a month resumed after a
    suspension "usually" holding 29 working days), and which working days fell in the pause is
    not the period's to count."""
    if clock.paused_seconds or clock.status == "paused":
        return None
    return period_squeeze(clock.started_at, clock.due_at, clock.period_unit, calendar)


#: The dashboard looks for squeezed promises among this many running clocks, soonest due first
#: (a squeeze matters before the due date; the case page flags every clock).
SCAN = 60


def squeezed_open_clocks(user, *, now, limit: int = 20) -> tuple[list, int]:
    """Running calendar-day clocks of open cases the user sees whose period is squeezed, among
    the ``SCAN`` soonest due: ([(clock, case, squeeze)], how many of those are squeezed)."""
    from sqlalchemy import select
    from sqlalchemy.orm import load_only

    from caseflow.calendar.periods import calendar_for_context
    from caseflow.cases.models import Case
    from caseflow.clocks.models import Clock
    from caseflow.extensions import db
    from caseflow.supervision.selectors import soonest_clock_rows

    # The walk brings what the squeeze needs (no second read of the clocks).
    facts = soonest_clock_rows(
        user,
        due_after=now,
        clock_condition=[Clock.period_unit.in_(SQUEEZABLE)],
        limit=SCAN,
        columns=(Clock.started_at, Clock.period_unit),
    )
    calendars, found = {}, []
    for clock_id, _case_id, due_at, started_at, period_unit, unit_id, _closed in facts:
        if unit_id not in calendars:
            calendars[unit_id] = calendar_for_context(unit_id)
        squeeze = period_squeeze(started_at, due_at, period_unit, calendars[unit_id])
        if squeeze is not None:
            found.append((clock_id, squeeze))
    shown = found[:limit]
    loaded = {}
    if shown:  # only the rows shown as objects, with the columns shown (number, clock, due)
        loaded = {
            clock.id: (clock, case)
            for clock, case in db.session.execute(
                select(Clock, Case)
                .join(Case, Case.id == Clock.case_id)
                .where(Clock.id.in_([clock_id for clock_id, _s in shown]))
                .options(
                    load_only(Clock.case_id, Clock.name, Clock.period_unit, Clock.due_at),
                    load_only(Case.number, Case.workflow, Case.unit_id),
                )
            )
        }
    shown = [(*loaded[cid], squeeze) for cid, squeeze in shown if cid in loaded]
    return shown, len(found)
