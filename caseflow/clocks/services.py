"""Clock services (deadlines.md §3): start, stop, pause, resume, extend, cancel and recompute.

All run inside the caller's transaction and never commit. Every change writes a ``ClockEntry``
(linked to the caller's audit ``Event`` when given), refreshes ``clock.next_alert_at`` and the
case's ``next_due_at``. Inside ``clocks_batch(case)`` (the engine wraps a transition's clock effects
in it) the case's active clocks are read once, nothing is flushed between changes and
``next_due_at`` is set once at the end; called alone, each service is its own small batch and
flushes its rows before returning. Pause, resume and extension are "steps" applied to the clock's schedule;
a recompute after a calendar load replays the clock's history with the same steps on the new
calendar, so an incremental change and a replay can never disagree.
"""

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import workflows
from caseflow.accounts.models import Actor, Unit
from caseflow.calendar.index import WorkingCalendar
from caseflow.calendar.models import CalendarState
from caseflow.calendar.periods import (
    DAY_UNITS,
    DAYS,
    HOURS,
    MONTHS,
    WORKDAYS,
    Period,
    add_to_day,
    calendar_for_context,
    due_compute,
    due_on_of,
    parse_period,
)
from caseflow.calendar.services import CalendarChange, calendar_token_seen
from caseflow.cases.models import Case, Event
from caseflow.clocks.models import Clock, ClockEntry, centre_clock_condition
from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import (
    deadline_chinese,
    deadline_english,
    end_of_local_day,
    local_date,
    start_of_local_day,
    utcnow,
)
from workflows import credit, uncounted_clock_names, watch_clock_names
from workflows._schema import clock_period

log = logging.getLogger(__name__)

ACTIVE = ("running", "paused")
FIXED = "fixed"
ALERT_LEVELS = ("due_soon", "overdue", "escalated")
#: deadlines.md §4: escalation (督办) 5 working days after due, or 2 hours for hours clocks.
ESCALATE_WORKDAYS = 5
ESCALATE_HOURS = 2


# -- reads used by the services ------------------------------------------------------------


def _case_key(case) -> str:
    """The case's id, flushing a brand-new case so that its clocks can be queried."""
    if case.id is None:
        db.session.add(case)
        db.session.flush()
    return case.id


#: ``status IN ('running', 'paused')`` written out: an IN of a list is an expanding parameter,
#: rewritten into the statement at every execution (a step runs this once).
_IS_ACTIVE = or_(*(Clock.status == status for status in ACTIVE))
#: A case's active clocks, the calendar token and the case's unit (its profile gives the periods
#: and document numbers; the commit before expired it) in one round trip: a row with a null clock
#: when it has none. Built once: its construction would cost more than running it.
_ACTIVE_CLOCKS_AND_TOKEN = (
    select(Clock, CalendarState.token, Unit)
    .select_from(CalendarState)
    .join(Unit, Unit.id == bindparam("unit_id"))
    .outerjoin(Clock, and_(Clock.case_id == bindparam("case_id"), _IS_ACTIVE))
    .where(CalendarState.id == 1)
    .order_by(Clock.id)
)
_ACTIVE_CLOCKS = (
    select(Clock).where(Clock.case_id == bindparam("case_id"), _IS_ACTIVE).order_by(Clock.id)
)


class _Batch:
    """The active clocks of one case, read once, for a run of changes in memory."""

    def __init__(self, case):
        self.case = case
        case_id = _case_key(case)
        rows = db.session.execute(
            _ACTIVE_CLOCKS_AND_TOKEN, {"case_id": case_id, "unit_id": case.unit_id}
        ).all()
        clocks: Iterable[Clock]
        if rows:
            calendar_token_seen(rows[0][1])
            clocks = [clock for clock, _, _ in rows if clock is not None]
            if "unit" not in case.__dict__:  # held by the case, or the session would drop it
                set_committed_value(case, "unit", rows[0][2])
        else:  # no calendar loaded yet: no token row to join
            clocks = db.session.execute(_ACTIVE_CLOCKS, {"case_id": case_id}).scalars()
        #: By name; a stopped clock stays until a new one of its name replaces it.
        self.clocks: dict[str, Clock] = {c.name: c for c in clocks}
        self._calendar: WorkingCalendar | None = None

    @property
    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            # The unit's calendar: its local closures count for its clocks only (deadlines.md §1).
            self._calendar = calendar_for_context(self.case.unit_id)
        return self._calendar

    def calendar_for(self, name: str) -> WorkingCalendar:
        """The calendar clock ``name`` counts on: the national one for a court's period, the
        unit's (with its local closures) for the centre's own clocks."""
        if workflows.is_court_clock(self.case.workflow, name):
            return calendar_for_context(None)
        return self.calendar

    def active(self, name: str, statuses=ACTIVE) -> Clock | None:
        clock = self.clocks.get(name)
        return clock if clock is not None and clock.status in statuses else None

    def all_active(self, statuses=ACTIVE) -> list[Clock]:
        return [c for c in self.clocks.values() if c.status in statuses]

    def refresh_next_due(self) -> None:
        # Every active clock of the case is in ``clocks``, so the minimum needs no query.
        soonest = min(
            (
                c.due_at
                for c in self.clocks.values()
                if c.status == "running" and workflows.is_centre_clock(c.name)
            ),
            default=None,
        )
        if self.case.next_due_at != soonest:
            self.case.next_due_at = soonest


_BATCH: ContextVar[_Batch | None] = ContextVar("caseflow_clock_batch", default=None)


@contextmanager
def clocks_batch(case):
    """Run several clock changes on ``case`` as one batch (a transition's clock effects).

    The case's active clocks are read in one query, the services change them in memory without
    flushing (the caller's commit writes everything in one flush), and ``case.next_due_at`` is
    recomputed once on the way out. Nested use on the same case joins the open batch.
    """
    current = _BATCH.get()
    if current is not None and current.case is case:
        yield current
        return
    with db.session.no_autoflush:
        batch = _Batch(case)
        token = _BATCH.set(batch)
        try:
            yield batch
        finally:
            _BATCH.reset(token)
    batch.refresh_next_due()


@contextmanager
def _batch(case):
    """The open batch of ``case``, or a batch of one service call that flushes its rows."""
    current = _BATCH.get()
    if current is not None and current.case is case:
        yield current
        return
    with clocks_batch(case) as batch:
        yield batch
    db.session.flush()


def _aware(at: datetime, field: str) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValidationFailed(
            f"{field} 须为带时区的时间",
            message_en=f"{field} must be an aware instant",
            fields={field: "naive"},
        )
    return at


def _period(text, field: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise ValidationFailed(
            f"期间格式有误：{exc}", message_en=str(exc), fields={field: str(exc)}
        ) from exc


# -- alerts --------------------------------------------------------------------------------


def clock_next_alert_at(
    clock: Clock, after_level: str | None = None, *, calendar: WorkingCalendar | None = None
) -> datetime | None:
    """The instant of the next alert level after ``after_level`` (deadlines.md §4), or None.

    - ``due_soon``: 75% of the running time (pauses excluded) has elapsed, or, for day-based
      clocks, 00:00 local of the due day — whichever comes first;
    - ``overdue``: ``due_at``;
    - ``escalated``: 5 working days after ``due_at`` (hours and fixed clocks: 2 hours after).
    Only a running clock has alerts; paused and stopped clocks give None. A credit period that
    ends by itself has none: its one moment is its due instant, when the sweep ends it.
    """
    if clock.status != "running":
        return None
    if credit.ends_by_itself(clock.name):
        # A credit display or repair waiting period ends by itself: no alert, only the moment
        # the sweep records it ended (credit_sweep), its due instant.
        return clock.due_at if after_level is None else None
    if after_level is None:
        paused = timedelta(seconds=clock.paused_seconds or 0)
        running = clock.due_at - clock.started_at - paused
        moment = clock.started_at + paused + running * 3 / 4
        if clock.period_unit in DAY_UNITS:
            moment = min(moment, start_of_local_day(due_on_of(clock.due_at)))
        return moment
    if after_level == "due_soon":
        return clock.due_at
    if after_level == "overdue":
        if clock.name in uncounted_clock_names():
            # Someone else's deadline (a court's, a party's): the caseworker takes the next
            # step or chases it; nobody's escalation.
            return None
        if clock.period_unit in DAY_UNITS:
            calendar = calendar or clock_calendar(clock)
            day = calendar.nth_workday_after(due_on_of(clock.due_at), ESCALATE_WORKDAYS)
            return end_of_local_day(day)
        return clock.due_at + timedelta(hours=ESCALATE_HOURS)
    return None


# -- schedule steps (shared by the services and the recompute) --------------------------------


@dataclass
class _Schedule:
    """The scheduling attributes of a clock, for replaying its history without touching it."""

    period_unit: str
    started_at: datetime
    due_at: datetime
    last_day_on: date | None
    provisional: bool
    remaining: int | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0


def _refresh_provisional(s, calendar: WorkingCalendar) -> None:
    if s.period_unit not in DAY_UNITS:
        s.provisional = False
        return
    first = local_date(s.started_at) + timedelta(days=1)
    last = max(s.last_day_on or first, due_on_of(s.due_at))
    s.provisional = calendar.touches_provisional(first, last)


def _step_pause(s, at: datetime, calendar: WorkingCalendar) -> None:
    s.paused_at = at
    if s.period_unit == WORKDAYS:
        # The working days still to run after the pause day; counted again from the resume day.
        s.remaining = calendar.workdays_between(local_date(at), due_on_of(s.due_at))
    elif s.period_unit in (HOURS, FIXED):
        s.remaining = max(0, int((s.due_at - at).total_seconds()))
    else:
        s.remaining = None


def _step_resume(s, at: datetime, calendar: WorkingCalendar) -> None:
    paused = at - s.paused_at
    if s.period_unit in DAY_UNITS and s.paused_at > s.due_at:
        # Paused after its due day, nothing was left: the due date stays where it was, and with
        # it the alerts already raised for it (deadlines.md §4: once per due date).
        pass
    elif s.period_unit == WORKDAYS or (
        s.period_unit in (DAYS, MONTHS) and local_date(s.paused_at) >= s.last_day_on
    ):
        # The working days left after the pause day count again from the resume day; paused on
        # its last day, the rest of that day is the resume day's (as a days clock's last day
        # moves by the days paused), rolled over to a working day. So too a days or months clock
        # paused on or after its last day, in the days it rolled over (Saturday or Sunday, before
        # its Monday due day): its last day moved by the days paused would still be past on
        # resuming, and a pause on the Saturday must not leave less than one on the Sunday.
        left = (
            s.remaining
            if s.period_unit == WORKDAYS
            else calendar.workdays_between(local_date(s.paused_at), due_on_of(s.due_at))
        )
        resumed_on = local_date(at)
        s.last_day_on = (
            calendar.nth_workday_after(resumed_on, left)
            if left
            else calendar.workday_on_or_after(resumed_on)
        )
        s.due_at = end_of_local_day(s.last_day_on)
    elif s.period_unit in (DAYS, MONTHS):
        # The last day moves by the calendar days paused, then the usual roll-over.
        s.last_day_on += timedelta(days=(local_date(at) - local_date(s.paused_at)).days)
        s.due_at = end_of_local_day(calendar.workday_on_or_after(s.last_day_on))
    else:
        s.due_at += paused
    s.paused_seconds = (s.paused_seconds or 0) + int(paused.total_seconds())
    s.paused_at = None
    s.remaining = None
    _refresh_provisional(s, calendar)


def _step_extend(s, by: Period, calendar: WorkingCalendar) -> None:
    if by.unit == HOURS:
        if s.period_unit in DAY_UNITS:
            raise ValidationFailed(
                "按日计算的时限不能按小时延长",
                message_en="a day-based clock cannot be extended by hours",
                fields={"by": "unit"},
            )
        s.due_at += timedelta(hours=by.amount)
        if s.paused_at is not None and s.remaining is not None:
            s.remaining += by.amount * 3600
        return
    if s.period_unit not in DAY_UNITS:
        raise ValidationFailed(
            "按小时或固定时刻的时限只能按小时延长",
            message_en="an hours or fixed clock can only be extended by hours",
            fields={"by": "unit"},
        )
    old_due_on = due_on_of(s.due_at)
    # deadlines.md §3: the extension is added to the last day before roll-over, then roll-over.
    last, due_on = add_to_day(s.last_day_on or old_due_on, by, calendar)
    s.last_day_on, s.due_at = last, end_of_local_day(due_on)
    if s.paused_at is not None and s.period_unit == WORKDAYS:
        s.remaining = (s.remaining or 0) + calendar.workdays_between(old_due_on, due_on)
    _refresh_provisional(s, calendar)


def clock_calendar(clock: Clock) -> WorkingCalendar:
    """The calendar ``clock`` counts on: the national one for a court's period (to sue, to
    appeal), else its case's unit's (with the unit's local closures, deadlines.md §1)."""
    if workflows.is_court_clock(clock.case.workflow, clock.name):
        return calendar_for_context(None)
    return calendar_for_context(clock.case.unit_id)


def clock_replay(clock: Clock, *, calendar: WorkingCalendar | None = None) -> _Schedule:
    """The clock's schedule recomputed from its definition and history on ``calendar`` (by
    default the one it counts on, ``clock_calendar``)."""
    calendar = calendar or clock_calendar(clock)
    if clock.period_unit == FIXED:
        # A fixed end does not depend on the calendar: it is what the clock started with.
        start = next(e for e in clock.entries if e.action == "start")
        assert start.due_after is not None  # a start entry records the due instant it set
        s = _Schedule(FIXED, clock.started_at, start.due_after, None, False)
    else:
        result = due_compute(clock.started_at, clock.period, calendar=calendar)
        s = _Schedule(
            clock.period_unit,
            clock.started_at,
            result.due_at,
            result.last_day_on,
            result.provisional,
        )
    for entry in clock.entries:
        # A clock re-timed to a party's receipt during a suspension (clock_retime) starts paused:
        # the days before its start are not its paused time, and a suspension over before it
        # started does not move it at all.
        if entry.action == "pause":
            _step_pause(s, max(entry.at, s.started_at), calendar)
        elif entry.action == "resume" and entry.at <= s.started_at:
            s.paused_at = s.remaining = None
        elif entry.action == "resume":
            _step_resume(s, entry.at, calendar)
        elif entry.action == "extend" and entry.period:
            _step_extend(s, parse_period(entry.period), calendar)
    return s


# -- bookkeeping ---------------------------------------------------------------------------


#: Key in ``Session.info``: entries recorded but not yet written, as (clock, event, values).
_PENDING_ENTRIES = "caseflow.pending_clock_entries"


def _record(
    clock, action, at, *, actor: Actor | None, event, before, note="", period=None
) -> None:
    """Record one change of ``clock`` as a ``ClockEntry`` row.

    The row is written with the session's next flush, after the clock and the event have their
    ids, in one multi-row INSERT for all the entries of that flush (a transition records two or
    three: as ORM objects they were as many single INSERTs and a larger unit of work). When the
    clock's ``entries`` are already loaded, the entry joins them as an ORM object instead, so
    that the loaded history stays whole.
    """
    values = {
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "at": at,
        "due_before": before,
        "due_after": clock.due_at,
        "note": note or "",
        "period": period,
    }
    if "entries" in clock.__dict__:
        db.session.add(ClockEntry(clock=clock, event=event, **values))
        return
    db.session.info.setdefault(_PENDING_ENTRIES, []).append((clock, event, values))


#: Built once: a statement built per call computes its cache key anew each time.
_INSERT_ENTRIES = insert(cast(Table, ClockEntry.__table__))


@sa_event.listens_for(Session, "after_flush")
def write_pending_entries(session, flush_context=None) -> None:
    pending = session.info.pop(_PENDING_ENTRIES, None)
    if not pending:
        return
    now = utcnow()
    session.connection().execute(
        _INSERT_ENTRIES,
        [
            {
                "clock_id": clock.id,
                "event_id": ev.id if ev is not None else None,
                "recorded_at": now,
                **values,
            }
            for clock, ev, values in pending
        ],
    )


@sa_event.listens_for(Session, "before_commit")
def _write_before_commit(session) -> None:
    # Entries recorded with nothing else to flush (the flush is then skipped, and so its hook).
    if session.info.get(_PENDING_ENTRIES):
        session.flush()
        write_pending_entries(session)


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_pending_entries(session, transaction) -> None:
    # A rolled-back step's entries were never written and must not be (a commit or a released
    # savepoint flushed them already).
    session.info.pop(_PENDING_ENTRIES, None)


def _rearm(clock: Clock, due_before: datetime | None, calendar) -> None:
    """A changed due date re-arms every alert level (deadlines.md §4). ``calendar``: the
    calendar, or a callable giving it (only the escalation moment needs one)."""
    if due_before is not None and clock.due_at != due_before:
        clock.alert_level = None
    if callable(calendar) and clock.alert_level == "overdue":
        calendar = calendar()
    clock.next_alert_at = clock_next_alert_at(
        clock, clock.alert_level, calendar=None if callable(calendar) else calendar
    )


def case_refresh_next_due(case) -> None:
    """Set ``case.next_due_at`` to the soonest due instant of its running clocks that are the
    centre's own (``workflows.is_centre_clock``): the inbox order, and what makes a case overdue
    in the inbox, the workload, the approval queue and the statistics (deadlines.md §4: a party's
    period or a watch clock run out is no lateness of the centre's)."""
    current = _BATCH.get()
    if current is not None and current.case is case:
        current.refresh_next_due()
        return
    soonest = db.session.execute(
        select(func.min(Clock.due_at)).where(
            Clock.case_id == _case_key(case), Clock.status == "running", centre_clock_condition()
        )
    ).scalar()
    if case.next_due_at != soonest:
        case.next_due_at = soonest


# -- services ------------------------------------------------------------------------------


def clock_start(
    case,
    name: str,
    *,
    period=None,
    fixed_due_at: datetime | None = None,
    started_at: datetime,
    actor: Actor | None = None,
    event=None,
) -> Clock:
    """Start clock ``name`` on ``case``: a period (``"5 workdays"``) or a fixed end instant."""
    _aware(started_at, "started_at")
    if (period is None) == (fixed_due_at is None):
        raise ValidationFailed(
            "时限须有期间或固定截止时刻之一",
            message_en="a clock needs exactly one of period and fixed_due_at",
            fields={"period": "period or fixed_due_at"},
        )
    with _batch(case) as batch:
        if batch.active(name) is not None:
            raise StateConflict(
                f"时限 {name} 已在计时", message_en=f"clock {name} is already active on this case"
            )
        if period is not None:
            p = _period(period, "period")
            try:
                result = due_compute(started_at, p, calendar=batch.calendar_for(name))
            except ValueError as exc:
                raise ValidationFailed(str(exc), fields={"period": str(exc)}) from exc
            clock = Clock(
                case=case,
                name=name,
                period=str(p),
                period_unit=p.unit,
                started_at=started_at,
                due_at=result.due_at,
                last_day_on=result.last_day_on,
                provisional=result.provisional,
            )
        else:
            assert fixed_due_at is not None  # exactly one of the two (checked above)
            _aware(fixed_due_at, "fixed_due_at")
            if fixed_due_at <= started_at:
                raise ValidationFailed(
                    "固定截止时刻须晚于开始时刻",
                    message_en="fixed_due_at must be after started_at",
                    fields={"fixed_due_at": "before start"},
                )
            clock = Clock(
                case=case,
                name=name,
                period=None,
                period_unit=FIXED,
                started_at=started_at,
                due_at=fixed_due_at,
                last_day_on=None,
                provisional=False,
            )
        clock.status = "running"
        clock.paused_seconds = 0
        clock.extended = 0
        db.session.add(clock)
        batch.clocks[name] = clock
        _record(clock, "start", started_at, actor=actor, event=event, before=None)
        _rearm(clock, None, lambda: batch.calendar_for(name))
    log.info("clock %s started on %s, due %s", name, case.id, clock.due_at.isoformat())
    return clock


def _counted_until(clock, at: datetime) -> datetime:
    """The last instant of ``clock``'s running time when it ends at ``at``: its pause, if paused."""
    if clock.paused_at is not None and clock.paused_at < at:
        return clock.paused_at
    return at


def _end(case, name, action, status_of, *, at, actor, event, note) -> Clock | None:
    """Stop or cancel the active clock ``name``; None if there is none."""
    _aware(at, "at")
    with _batch(case) as batch:
        clock = batch.active(name)
        if clock is None:
            return None
        clock.status = status_of(clock)
        clock.stopped_at = at
        if clock.paused_at is not None:
            # Stopped while paused: the pause ends with the clock (a stopped clock is not paused).
            clock.paused_seconds += max(0, int((at - clock.paused_at).total_seconds()))
            clock.paused_at = None
            clock.remaining = None
        clock.next_alert_at = None
        _record(clock, action, at, actor=actor, event=event, before=clock.due_at, note=note)
    return clock


def clock_stop(
    case, name: str, *, at: datetime, actor: Actor | None = None, event=None, note=""
) -> Clock | None:
    """Stop the active clock ``name``: ``met`` if at or before ``due_at``, else ``breached``. A
    paused clock is judged at its pause: the paused span does not count (deadlines.md §3), so a
    case withdrawn while suspended kept the time it had left.

    No active clock of that name: nothing to do, returns None."""
    return _end(
        case,
        name,
        "stop",
        lambda clock: "met" if _counted_until(clock, at) <= clock.due_at else "breached",
        at=at,
        actor=actor,
        event=event,
        note=note,
    )


def clock_cancel(
    case, name: str, *, at: datetime, actor: Actor | None = None, event=None, note=""
) -> Clock | None:
    """Cancel the active clock ``name`` (it no longer applies); None if there is none."""
    return _end(
        case,
        name,
        "cancel",
        lambda clock: "cancelled",
        at=at,
        actor=actor,
        event=event,
        note=note,
    )


def clock_pause(
    case, name: str, *, at: datetime, actor: Actor | None = None, event=None, note=""
) -> Clock | None:
    """Pause the running clock ``name`` (中止, 公告, 鉴定…); None if it is not running."""
    _aware(at, "at")
    with _batch(case) as batch:
        clock = batch.active(name, statuses=("running",))
        if clock is None:
            return None
        if at < clock.started_at:
            raise ValidationFailed(
                "暂停时刻早于开始时刻",
                message_en="cannot pause before the clock started",
                fields={"at": "before start"},
            )
        _step_pause(clock, at, batch.calendar_for(name))
        clock.status = "paused"
        clock.next_alert_at = None
        _record(clock, "pause", at, actor=actor, event=event, before=clock.due_at, note=note)
    return clock


def clock_resume(
    case, name: str, *, at: datetime, actor: Actor | None = None, event=None, note=""
) -> Clock | None:
    """Resume the paused clock ``name``; the paused span does not count. None if not paused."""
    _aware(at, "at")
    with _batch(case) as batch:
        clock = batch.active(name, statuses=("paused",))
        if clock is None:
            return None
        if at < clock.paused_at:
            raise ValidationFailed(
                "恢复时刻早于暂停时刻",
                message_en="cannot resume before the pause",
                fields={"at": "before pause"},
            )
        before = clock.due_at
        _step_resume(clock, at, batch.calendar_for(name))
        clock.status = "running"
        _record(clock, "resume", at, actor=actor, event=event, before=before, note=note)
        _rearm(clock, before, batch.calendar_for(name))
    return clock


#: A period's unit in a message: 2个月 / 2 months.
_UNIT_WORDS = {
    "workdays": ("个工作日", "working days"),
    "days": ("日", "days"),
    "months": ("个月", "months"),
    "hours": ("小时", "hours"),
}


def _amount_text(amount: int, unit: str) -> tuple[str, str]:
    """``(2, "months")`` → ``("2个月", "2 months")``."""
    zh, en = _UNIT_WORDS.get(unit, (unit, unit))
    return f"{amount}{zh}", f"{amount} {en.removesuffix('s') if amount == 1 else en}"


def _extension_in_time(case, clock: Clock, at: datetime) -> None:
    """An extension is granted because the case cannot be finished within the period, so while
    the period still runs: once its due moment has passed (the paused span not counted), the
    clock is late and stays late (deadlines.md §3; 市场监督管理行政处罚程序规定 arts 18, 64)."""
    if _counted_until(clock, at) <= clock.due_at:
        return
    module = workflows.WORKFLOWS.get(case.workflow)
    definition = workflows.clock(module, clock.name) if module else None
    label = definition.label if definition else clock.name
    due_zh = deadline_chinese(clock.due_at, clock.period_unit)
    due_en = deadline_english(clock.due_at, clock.period_unit)
    name_en = clock.name.replace("_", " ")
    raise StateConflict(
        f"{label}已于{due_zh}届满，不能再延长：延长须在期限届满前批准，已超期的时限仍记为超期",
        message_en=f"the {name_en} period ran out on {due_en}: an extension is granted before "
        "the period ends, and a late clock stays late",
        fields={
            "occurred_at": f"{label}已于{due_zh}届满 / the {name_en} period ended on {due_en}"
        },
    )


def clock_extend(
    case,
    name: str,
    *,
    by,
    at: datetime,
    actor: Actor | None = None,
    event=None,
    maximum=None,
    note: str = "",
) -> Clock:
    """Extend the active clock ``name`` by ``by`` (e.g. ``"1 months"``), within ``maximum``.

    The extension is added to the last day before roll-over, then roll-over applies (§3). It is
    refused once the clock's due moment has passed at ``at`` (``_extension_in_time``).
    ``maximum`` (a period in the same unit, or a number) caps the total of all extensions.
    """
    _aware(at, "at")
    step = _period(by, "by")
    with _batch(case) as batch:
        clock = batch.active(name)
        if clock is None:
            raise StateConflict(
                f"没有计时中的时限 {name}", message_en=f"no active clock {name} to extend"
            )
        _extension_in_time(case, clock, at)
        if maximum is not None:
            cap = maximum if isinstance(maximum, int) else _period(maximum, "maximum")
            if isinstance(cap, Period):
                if cap.unit != step.unit:
                    raise ValidationFailed(
                        f"延长单位须为 {cap.unit}",
                        message_en=f"extend in {cap.unit}",
                        fields={"by": f"延长单位须为 {cap.unit} / extend in {cap.unit}"},
                    )
                cap = cap.amount
            if (clock.extended or 0) + step.amount > cap:
                done = _amount_text(clock.extended or 0, step.unit)
                most = _amount_text(cap, step.unit)
                raise ValidationFailed(
                    f"延长合计超过上限（已延长{done[0]}，最多延长{most[0]}）",
                    message_en=f"already extended by {done[1]}; at most {most[1]} in all",
                    fields={"by": f"已达延长上限{most[0]} / at the maximum of {most[1]}"},
                )
        before = clock.due_at
        _step_extend(clock, step, batch.calendar_for(name))
        clock.extended = (clock.extended or 0) + step.amount
        _record(
            clock,
            "extend",
            at,
            actor=actor,
            event=event,
            before=before,
            note=note,
            period=str(step),
        )
        _rearm(clock, before, batch.calendar_for(name))
    return clock


def clocks_stop_all(
    case, *, at: datetime, actor: Actor | None = None, event=None
) -> list[Clock]:
    """Stop every active clock of the case (a final state); a watch clock, someone else's
    deadline, is cancelled: it is never the centre's met or breached."""
    with _batch(case) as batch:
        return [
            stopped
            for c in batch.all_active()
            if (
                stopped := (clock_cancel if c.name in watch_clock_names() else clock_stop)(
                    case, c.name, at=at, actor=actor, event=event
                )
            )
            is not None
        ]


def clocks_pause_all(
    case, *, at: datetime, actor: Actor | None = None, event=None
) -> list[Clock]:
    with _batch(case) as batch:
        return [
            paused
            for c in batch.all_active(statuses=("running",))
            if (paused := clock_pause(case, c.name, at=at, actor=actor, event=event)) is not None
        ]


def clocks_resume_all(
    case, *, at: datetime, actor: Actor | None = None, event=None
) -> list[Clock]:
    with _batch(case) as batch:
        return [
            resumed
            for c in batch.all_active(statuses=("paused",))
            if (resumed := clock_resume(case, c.name, at=at, actor=actor, event=event)) is not None
        ]


# -- recompute after a calendar change -------------------------------------------------------


@dataclass(frozen=True)
class DueMove:
    """One clock whose due date a calendar load moved."""

    case_id: str
    case_number: str
    clock_id: int
    clock_name: str
    due_before: datetime
    due_after: datetime
    provisional: bool

    # Only day-based clocks are recomputed, so each instant is 24:00 of a last day: reports print
    # that day, as ``deadline`` does, never the instant (read as one day late).
    @property
    def due_on_before(self) -> date:
        return due_on_of(self.due_before)

    @property
    def due_on_after(self) -> date:
        return due_on_of(self.due_after)


def clocks_recompute_for_change(
    change: CalendarChange, *, actor: Actor | None = None, at: datetime
) -> list[DueMove]:
    """The calendar's change hook (registered in the app factory): a national year reloaded or
    deleted, or a unit's local closures changed between two days."""
    if change.unit is None:
        return clocks_recompute_for_year(change.year, actor=actor, at=at)
    return clocks_recompute_for_unit(
        change.unit, change.first, change.last, year=change.year, actor=actor, at=at
    )


def clocks_recompute_for_year(
    year: int, *, actor: Actor | None = None, at: datetime
) -> list[DueMove]:
    """Replay every open clock whose window touches ``year`` on the current calendar (each on
    its case's unit's calendar, so that a unit's local closures stay counted).

    Each moved due date gets a ``calendar`` event on its case and a ``recompute`` clock entry;
    clocks that do not move are left alone (their provisional mark is refreshed).
    """
    return _recompute(
        date(year, 1, 1),
        date(year, 12, 31),
        unit_id=None,
        label=f"calendar {year}",
        data={"year": year},
        actor=actor,
        at=at,
    )


def clocks_recompute_for_unit(
    unit, first: date, last: date, *, year: int, actor: Actor | None = None, at: datetime
) -> list[DueMove]:
    """Replay the open clocks of ``unit``'s cases whose window touches ``first``…``last`` (the
    days its local closures changed) on the unit's current calendar; as for a national load,
    each moved due date gets its ``calendar`` event. No other unit's clock is read."""
    return _recompute(
        first,
        last,
        unit_id=unit.id,
        label=f"{unit.code} local closures {year}",
        data={"year": year, "unit": unit.code},
        actor=actor,
        at=at,
    )


def _recompute(first, last, *, unit_id, label, data, actor, at) -> list[DueMove]:
    window_start = start_of_local_day(first)
    window_end = start_of_local_day(last + timedelta(days=1))
    query = (
        select(Clock, Case.unit_id, Case.workflow)
        .join(Case, Clock.case_id == Case.id)
        .where(
            Clock.status.in_(ACTIVE),
            Clock.period_unit.in_(DAY_UNITS),
            Clock.started_at < window_end,
            # An overdue clock whose escalation is armed in the window counts its working days
            # on the changed calendar too (its due date stays).
            or_(
                Clock.status == "paused",
                Clock.due_at > window_start,
                Clock.next_alert_at > window_start,
            ),
        )
        .order_by(Clock.id)
    )
    if unit_id is not None:
        query = query.where(Case.unit_id == unit_id)
    moved = []
    for clock, clock_unit_id, workflow in db.session.execute(query).all():
        if workflows.is_court_clock(workflow, clock.name):
            if unit_id is not None:
                continue  # a unit's closures never move a court's period
            calendar = calendar_for_context(None)
        else:
            calendar = calendar_for_context(clock_unit_id)
        s = clock_replay(clock, calendar=calendar)
        clock.provisional = s.provisional
        clock.remaining = s.remaining
        if s.due_at == clock.due_at and s.last_day_on == clock.last_day_on:
            if clock.status == "running" and clock.alert_level == "overdue":
                _rearm(clock, None, calendar)  # the escalation's 5 working days, recounted
            continue
        before = clock.due_at
        clock.due_at, clock.last_day_on = s.due_at, s.last_day_on
        if before == clock.due_at:
            continue
        old_on, new_on = due_on_of(before), due_on_of(clock.due_at)
        note = f"{clock.name}: due date moved from {old_on.isoformat()} to {new_on.isoformat()} by {label}"
        event = Event(
            case=clock.case,
            kind="calendar",
            actor_id=actor.id if actor is not None else None,
            occurred_at=at,
            note=note,
            data={
                "clock": clock.name,
                **data,
                "due_before": before.isoformat(),
                "due_after": clock.due_at.isoformat(),
            },
        )
        db.session.add(event)
        _record(clock, "recompute", at, actor=actor, event=event, before=before, note=note)
        _rearm(clock, before, calendar)
        db.session.flush()
        case_refresh_next_due(clock.case)
        moved.append(
            DueMove(
                clock.case_id,
                clock.case.number,
                clock.id,
                clock.name,
                before,
                clock.due_at,
                clock.provisional,
            )
        )
        log.info("%s %s", clock.case.number, note)
    return moved


# -- clocks as the workflows define them --------------------------------------------------


def _variant(case, clock_def):
    if clock_def.variant_key == "patent_type":
        return (case.right or {}).get("patent_type")
    if clock_def.variant_key:
        return (case.data or {}).get(clock_def.variant_key)
    return None


def _fair_closes_at(case):
    if not case.fair_id:
        return None
    from caseflow.fairs.models import Fair

    fair = db.session.get(Fair, case.fair_id)
    return fair.closes_at if fair else None


def clock_start_defined(
    case, name: str, *, started_at: datetime, actor: Actor | None = None, event=None
) -> Clock | None:
    """Start clock ``name`` of the case's workflow with the unit's period (workflow data and unit
    profile); nothing when the unit does not run that clock. Returns the clock or None. Used by
    the engine for a transition's clocks and by the cases area for a new case's opening clocks."""
    clock_def = workflows.clock(workflows.get(case.workflow), name)
    assert clock_def is not None, f"{case.workflow} defines no clock {name}"
    if clock_def.fixed == "fair_close":
        closes_at = _fair_closes_at(case)
        if closes_at is None or closes_at <= started_at:
            return None
        return clock_start(
            case, name, fixed_due_at=closes_at, started_at=started_at, actor=actor, event=event
        )
    period = clock_period(clock_def, profile=case.unit.profile, variant=_variant(case, clock_def))
    if not period:
        return None
    if clock_def.cap == "fair_close":
        # The answer period never runs past the fair's close (guideline art 14; 展会办法 art 13).
        closes_at = _fair_closes_at(case)
        if (
            closes_at
            and started_at
            < closes_at
            < due_compute(started_at, period, unit_id=case.unit_id).due_at
        ):
            return clock_start(
                case, name, fixed_due_at=closes_at, started_at=started_at, actor=actor, event=event
            )
    return clock_start(case, name, period=period, started_at=started_at, actor=actor, event=event)
def clock_retime(
    case, name: str, *, started_at: datetime, actor=None, event=None, note: str = ""
) -> Clock | None:
    """Move the start of the active clock ``name`` to ``started_at`` and recount its due date
    (its pauses and extensions replayed). For clocks that count from a party's receipt of a
    notice: they start provisionally when the step fires and are re-timed to the date of service
    (parties.md §4). None when no such clock is active, or it ends at a fixed instant."""
    _aware(started_at, "started_at")
    with _batch(case) as batch:
        clock = batch.active(name)
        if clock is None or clock.period_unit == FIXED or clock.started_at == started_at:
            return None
        before = clock.due_at
        clock.started_at = started_at
        # A court's period (the appeal) on the national calendar, as it started: a unit's local
        # closure never moves it (deadlines.md §1).
        calendar = batch.calendar_for(name)
        schedule = clock_replay(clock, calendar=calendar)
        clock.due_at, clock.last_day_on = schedule.due_at, schedule.last_day_on
        clock.provisional = schedule.provisional
        # Its pauses as the replay counted them from the new start.
        clock.paused_seconds = schedule.paused_seconds
        if clock.paused_at is not None:
            clock.paused_at, clock.remaining = schedule.paused_at, schedule.remaining
        _record(clock, "retime", started_at, actor=actor, event=event, before=before, note=note)
        _rearm(clock, before, calendar)
    return clock
