"""Daily running totals (``DailyTally``) kept in the same transaction as each change, and the
reads of the dashboard's period figures from them.

Every flush that adds, changes or deletes a ``Case`` or a ``Clock`` adds its difference to the
tallies (one upsert per key: ``amount = amount + delta``, safe under concurrent transactions), so
the engine, the clock services, a calendar recompute and any later write path keep them right
without knowing of them. A step written by ``caseflow.step_writes`` (not by the flush) applies the
same rules through ``clocks_derive``, ``tallies_delta`` and ``tallies_apply``. Rows written around
the ORM (bulk inserts, as ``bench/pages.py`` and a data import do) are counted by
``tallies_rebuild`` (CLI ``flask stats rebuild``).

Each clock's 临期 moment (``Clock.due_soon_at``, deadlines.md §4) and its case's unit
(``Clock.unit_id``) are set by the same hook, so the 75% rule is one indexed comparison for the
dashboard and a unit's running clocks one index range.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import and_, delete, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from caseflow.cases.models import Case
from caseflow.clocks.models import Clock, centre_clock_condition
from caseflow.extensions import db
from caseflow.supervision.models import DailyTally
from caseflow.timeutil import local_date, start_of_local_day
from workflows import is_centre_clock

DAY_UNITS = ("workdays", "days", "months")
_KEY = ("unit_id", "workflow", "name", "metric", "day")


# -- what one row contributes ------------------------------------------------------------------


#: The day of the tallies that have no day (open cases per assignee).
ALWAYS = date(2000, 1, 1)


def case_contribution(
    unit_id,
    workflow,
    received_at,
    closed_at,
    is_closed,
    assignee_id=None,
    next_due_at=None,
    state=None,
) -> Counter:
    out = Counter()
    if unit_id is None or workflow is None:
        return out
    if received_at is not None:
        out[(unit_id, workflow, "", "received", local_date(received_at))] += 1
    if is_closed and closed_at is not None and received_at is not None:
        days = (local_date(closed_at) - local_date(received_at)).days
        out[(unit_id, workflow, "", "closed", local_date(closed_at))] += 1
        # The median's histogram (name: the days), by day, by week (Monday) and by month (its
        # first day) of closing: a period reads its whole months, the whole weeks at its ends,
        # and the days left over.
        closed_on = local_date(closed_at)
        out[(unit_id, workflow, str(days), "closed_days", closed_on)] += 1
        out[(unit_id, workflow, str(days), "closed_weeks", _monday(closed_on))] += 1
        out[(unit_id, workflow, str(days), "closed_months", closed_on.replace(day=1))] += 1
    if not is_closed:
        # Workload: open cases per assignee ("0": unassigned), and by the day of the next due.
        who = str(assignee_id or 0)
        out[(unit_id, workflow, who, "open", ALWAYS)] += 1
        if next_due_at is not None:
            out[(unit_id, workflow, who, "open_due", local_date(next_due_at))] += 1
        # The approval queue: open cases per state, and by the day of their next due.
        if state is not None:
            out[(unit_id, workflow, state, "open_state", ALWAYS)] += 1
            if next_due_at is not None:
                out[(unit_id, workflow, state, "open_state_due", local_date(next_due_at))] += 1
    return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def clock_contribution(
    unit_id, workflow, name, status, stopped_at, due_at, due_soon_at=None
) -> Counter:
    out = Counter()
    if unit_id is None or workflow is None or due_at is None or not is_centre_clock(name):
        # A watch clock or a party's period (to sue, to answer, a court's), or a credit period
        # that ends by itself (display, repair waiting): never the centre's met, late or 临期
        # (the lists leave it out alike: centre_clocks_scope).
        return out
    if status in ("met", "breached") and stopped_at is not None:
        out[(unit_id, workflow, name, status, local_date(stopped_at))] += 1
    if status == "breached":
        out[(unit_id, workflow, name, "breached_due", due_day(due_at))] += 1
    elif status == "running":
        out[(unit_id, workflow, name, "running_due", due_day(due_at))] += 1
        if due_soon_at is not None:
            out[(unit_id, workflow, name, "running_soon", local_date(due_soon_at))] += 1
    return out


def due_day(due_at: datetime) -> date:
    """The day a due instant is counted on: the local day it ends. A day-based clock is due at
    24:00 of its last day, stored as the next day's 00:00 (deadlines.md §2); a clock whose last
    day is 30 November is late in November's figures, not December's. So, read against today,
    the days before today hold the clocks due at or before today's 00:00, and today the clocks
    due after it.

    One rule for every clock, hour clocks too (not ``timeutil.deadline_day``, which shows an hour
    clock due at 00:00 on the day it begins): the today-queries split on the instant alone
    (``due_at > today's 00:00``), and a second rule would count such a clock twice or never."""
    return local_date(due_at - timedelta(microseconds=1))


def due_soon_moment(started_at, due_at, paused_seconds, period_unit) -> datetime | None:
    """deadlines.md §4: 75% of the running time (pauses excluded) has elapsed, or for day-based
    clocks the last day has begun (its 00:00 local), whichever comes first."""
    if started_at is None or due_at is None:
        return None
    paused = timedelta(seconds=paused_seconds or 0)
    moment = started_at + paused + (due_at - started_at - paused) * 3 / 4
    if period_unit in DAY_UNITS:
        last_day = local_date(due_at - timedelta(microseconds=1))
        moment = min(moment, start_of_local_day(last_day))
    return moment


# -- the session hook --------------------------------------------------------------------------


def _before(obj, committed: dict, attr):
    """The attribute's value before this flush (its current value when unchanged);
    ``committed``: the object's ``committed_state``."""
    if attr in committed:
        # Changed in this flush: the loaded value (None when it had not been loaded), read
        # without building the attribute's history.
        old = committed[attr]
        return None if old is NO_VALUE or old is NEVER_SET else old
    return getattr(obj, attr)


def _case_of(session, clock, cache):
    case_id = clock.case_id if clock.case_id is not None else getattr(clock.case, "id", None)
    if clock.case is not None:
        return clock.case
    if case_id not in cache:
        cache[case_id] = session.get(Case, case_id)
    return cache[case_id]


def _case_delta(obj, *, old: bool, new: bool) -> Counter:
    delta = Counter()
    if new:
        delta.update(
            case_contribution(
                obj.unit_id,
                obj.workflow,
                obj.received_at,
                obj.closed_at,
                obj.is_closed,
                obj.assignee_id,
                obj.next_due_at,
                obj.state,
            )
        )
    if old:
        committed = inspect(obj).committed_state
        delta.subtract(
            case_contribution(
                _before(obj, committed, "unit_id"),
                _before(obj, committed, "workflow"),
                _before(obj, committed, "received_at"),
                _before(obj, committed, "closed_at"),
                _before(obj, committed, "is_closed"),
                _before(obj, committed, "assignee_id"),
                _before(obj, committed, "next_due_at"),
                _before(obj, committed, "state"),
            )
        )
    return delta


def _clock_delta(session, obj, cache, *, old: bool, new: bool) -> Counter:
    delta = Counter()
    case = _case_of(session, obj, cache)
    if case is None:
        return delta
    # The clock's own unit (its case's, kept by the hook): a case moved to another unit moves
    # its clocks' counts along.
    if new:
        delta.update(
            clock_contribution(
                obj.unit_id,
                case.workflow,
                obj.name,
                obj.status,
                obj.stopped_at,
                obj.due_at,
                obj.due_soon_at,
            )
        )
    if old:
        committed = inspect(obj).committed_state
        delta.subtract(
            clock_contribution(
                _before(obj, committed, "unit_id"),
                case.workflow,
                _before(obj, committed, "name"),
                _before(obj, committed, "status"),
                _before(obj, committed, "stopped_at"),
                _before(obj, committed, "due_at"),
                _before(obj, committed, "due_soon_at"),
            )
        )
    return delta


@event.listens_for(Session, "before_flush")
def _due_soon_before_flush(session, flush_context, instances) -> None:
    clocks_derive(session, session.new, session.dirty)


def clocks_derive(session, new, dirty) -> None:
    """What a write of these objects keeps right on the clocks among them (and the clocks of a
    case among them that moved to another unit): each clock's unit, its case's, and its 临期
    moment. The flush hook's rule; ``caseflow.step_writes`` applies it to the step it writes."""
    cache = {}
    with session.no_autoflush:
        for obj in new:
            if isinstance(obj, Clock):  # a new clock takes its case's unit
                case = _case_of(session, obj, cache)
                if case is not None and obj.unit_id != case.unit_id:
                    obj.unit_id = case.unit_id
        for obj in dirty:
            if isinstance(obj, Case) and inspect(obj).attrs.unit_id.history.has_changes():
                # A case moved to another unit: its clocks move with it, in this flush.
                for clock in session.scalars(select(Clock).where(Clock.case_id == obj.id)):
                    clock.unit_id = obj.unit_id
    for obj in (*new, *dirty):
        if isinstance(obj, Clock):
            moment = due_soon_moment(obj.started_at, obj.due_at, obj.paused_seconds, obj.period_unit)
            if obj.due_soon_at != moment:
                obj.due_soon_at = moment


@event.listens_for(Session, "after_flush")
def _tallies_after_flush(session, flush_context) -> None:
    tallies_apply(session, tallies_delta(session, session.new, session.dirty, session.deleted))


def tallies_delta(session, new, dirty, deleted) -> dict:
    """What writing these objects changes in the tallies (the cases and clocks among them, their
    values before the write read from the session's bookkeeping): the flush hook's rule, which
    ``caseflow.step_writes`` applies to the step it writes."""
    delta = Counter()
    cache = {}
    with session.no_autoflush:
        for obj in new:
            if isinstance(obj, Case):
                delta.update(_case_delta(obj, old=False, new=True))
            elif isinstance(obj, Clock):
                delta.update(_clock_delta(session, obj, cache, old=False, new=True))
        # A dirty object whose values did not change contributes the same before and after:
        # its delta is zero without asking the session whether it is modified.
        for obj in dirty:
            if isinstance(obj, Case | Clock):
                if isinstance(obj, Case):
                    delta.update(_case_delta(obj, old=True, new=True))
                else:
                    delta.update(_clock_delta(session, obj, cache, old=True, new=True))
        for obj in deleted:
            if isinstance(obj, Case):
                delta.update(_case_delta(obj, old=True, new=False))
            elif isinstance(obj, Clock):
                delta.update(_clock_delta(session, obj, cache, old=True, new=False))
    return {key: n for key, n in delta.items() if n}


def tallies_apply(session, changes: dict) -> None:
    """Add ``changes`` (from ``tallies_delta``) to the tallies, in the session's transaction."""
    if changes:
        _apply(session.connection(), changes)


def _apply(connection, changes: dict) -> None:
    """``amount = amount + delta`` per key, inserting the row when it is new (one statement)."""
    rows = [dict(zip(_KEY, key, strict=True), amount=n) for key, n in sorted(changes.items())]
    connection.execute(_upsert_for(connection.dialect.name), rows)


@cache
def _upsert_for(dialect: str):
    """The tallies' upsert for ``dialect``, built once: building it (its ``excluded`` alias
    above all) costs more than running it."""
    table = DailyTally.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["unit_id", "metric", "day", "workflow", "name"],
        set_={"amount": table.c.amount + statement.excluded.amount},
    )


# -- rebuilding from the rows ------------------------------------------------------------------


def tallies_rebuild(*, chunk: int = 5000) -> int:
    """Recount every tally (and every case's ``next_due_at``, every clock's 临期 moment and unit)
    from the cases and clocks; for rows written around the ORM. Runs in the caller's transaction; returns the number of keys."""
    session = db.session
    session.execute(delete(DailyTally))
    # Each case's next due from its clocks first: the counts of open cases by next due read it.
    soonest = (
        select(func.min(Clock.due_at))
        .where(Clock.case_id == Case.id, Clock.status == "running", centre_clock_condition())
        .scalar_subquery()
    )
    session.execute(
        update(Case.__table__)
        .where(Case.__table__.c.next_due_at.is_distinct_from(soonest))
        .values(next_due_at=soonest),
        execution_options={"synchronize_session": False},
    )
    totals = Counter()
    units = {}
    cases = select(
        Case.id,
        Case.unit_id,
        Case.workflow,
        Case.received_at,
        Case.closed_at,
        Case.is_closed,
        Case.assignee_id,
        Case.next_due_at,
        Case.state,
    )
    for case_id, unit_id, workflow, *facts in session.execute(cases).yield_per(chunk):
        units[case_id] = (unit_id, workflow)
        totals.update(case_contribution(unit_id, workflow, *facts))
    moments = []
    clocks = select(
        Clock.id,
        Clock.case_id,
        Clock.name,
        Clock.status,
        Clock.stopped_at,
        Clock.due_at,
        Clock.started_at,
        Clock.paused_seconds,
        Clock.period_unit,
    )
    for row in session.execute(clocks).yield_per(chunk):
        unit_id, workflow = units.get(row.case_id, (None, None))
        moment = due_soon_moment(row.started_at, row.due_at, row.paused_seconds, row.period_unit)
        totals.update(
            clock_contribution(
                unit_id, workflow, row.name, row.status, row.stopped_at, row.due_at, moment
            )
        )
        moments.append({"b_id": row.id, "b_moment": moment, "b_unit": unit_id})
    from sqlalchemy import bindparam

    table = Clock.__table__
    for start in range(0, len(moments), chunk):
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                due_soon_at=bindparam("b_moment", type_=table.c.due_soon_at.type),
                unit_id=bindparam("b_unit"),
            ),
            moments[start : start + chunk],
            execution_options={"synchronize_session": False},
        )
    changes = {key: n for key, n in totals.items() if n}
    if changes:
        _apply(session.connection(), changes)
    return len(changes)


# -- reads -------------------------------------------------------------------------------------


def tally_rows(user, metrics, first: date, last: date, unit_id=None):
    """(workflow, name, metric, day, amount) of the tallies in [first, last] the user may see."""
    query = select(
        DailyTally.workflow, DailyTally.name, DailyTally.metric, DailyTally.day, DailyTally.amount
    ).where(DailyTally.metric.in_(metrics), DailyTally.day >= first, DailyTally.day <= last)
    if not user.is_admin:
        query = query.where(DailyTally.unit_id == user.unit_id)
    if unit_id is not None:
        query = query.where(DailyTally.unit_id == unit_id)
    return db.session.execute(query).all()


def tally_grouped(user, metrics, first: date, last: date, *, by, unit_id=None):
    """(*by, amount) of the tallies in [first, last] the user may see, summed in the database by
    the columns named in ``by``: a dense period returns its keys, not one row per day."""
    columns = [getattr(DailyTally, name) for name in by]
    query = select(*columns, func.sum(DailyTally.amount)).where(
        DailyTally.metric.in_(metrics), DailyTally.day >= first, DailyTally.day <= last
    )
    if not user.is_admin:
        query = query.where(DailyTally.unit_id == user.unit_id)
    if unit_id is not None:
        query = query.where(DailyTally.unit_id == unit_id)
    return [(*row[:-1], int(row[-1] or 0)) for row in db.session.execute(query.group_by(*columns))]


def tally_total(user, metric: str, first: date, last: date) -> int:
    query = select(func.coalesce(func.sum(DailyTally.amount), 0)).where(
        DailyTally.metric == metric, DailyTally.day >= first, DailyTally.day <= last
    )
    if not user.is_admin:
        query = query.where(DailyTally.unit_id == user.unit_id)
    return int(db.session.scalar(query) or 0)


def tally_before_today(user, metric: str, today: date, unit_id=None) -> dict:
    """name → the sum of ``metric`` over every day before ``today`` (running clocks by due day,
    open cases by next due day): the rows are the distinct days, not the clocks."""
    query = select(DailyTally.name, func.sum(DailyTally.amount)).where(
        DailyTally.metric == metric, DailyTally.day < today
    )
    if not user.is_admin:
        query = query.where(DailyTally.unit_id == user.unit_id)
    if unit_id is not None:
        query = query.where(DailyTally.unit_id == unit_id)
    return {name: int(n or 0) for name, n in db.session.execute(query.group_by(DailyTally.name))}


def tally_sums(user, metric: str, *, before: date | None = None, on: date | None = None) -> dict:
    """(workflow, name) → the sum of ``metric`` over the days before ``before`` (or on the day
    ``on``), summed in the database: the rows read are the distinct keys and days."""
    query = select(DailyTally.workflow, DailyTally.name, func.sum(DailyTally.amount)).where(
        DailyTally.metric == metric
    )
    if before is not None:
        query = query.where(DailyTally.day < before)
    if on is not None:
        query = query.where(DailyTally.day == on)
    if not user.is_admin:
        query = query.where(DailyTally.unit_id == user.unit_id)
    query = query.group_by(DailyTally.workflow, DailyTally.name)
    return {(wf, name): int(n or 0) for wf, name, n in db.session.execute(query)}


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _week_ranges(first: date, last: date) -> list:
    """[first, last] as (metric, from, to) ranges of the histogram: its whole weeks (rows on
    Mondays), the days at both ends."""
    weeks_from = first + timedelta(days=(7 - first.weekday()) % 7)  # first Monday in the span
    weeks_to = last - timedelta(days=(last.weekday() + 1) % 7)  # last Sunday in the span
    if weeks_from > weeks_to:
        return [("closed_days", first, last)]
    ranges = [("closed_weeks", weeks_from, weeks_to - timedelta(days=6))]
    if first < weeks_from:
        ranges.append(("closed_days", first, weeks_from - timedelta(days=1)))
    if weeks_to < last:
        ranges.append(("closed_days", weeks_to + timedelta(days=1), last))
    return ranges


def closing_ranges(first: date, last: date) -> list:
    """[first, last] as (metric, from, to) ranges of the closing histogram, each day once: the
    whole months (rows on the 1st), then whole weeks and days in the parts before and after."""
    months_from = first if first.day == 1 else _next_month(first)
    months_end = _next_month(last) - timedelta(days=1)  # last day of last's month
    months_to = last if last == months_end else last.replace(day=1) - timedelta(days=1)
    if months_from > months_to:
        return _week_ranges(first, last)
    ranges = [("closed_months", months_from, months_to.replace(day=1))]
    if first < months_from:
        ranges += _week_ranges(first, months_from - timedelta(days=1))
    if months_to < last:
        ranges += _week_ranges(months_to + timedelta(days=1), last)
    return ranges


def closing_histogram(user, first: date, last: date) -> dict:
    """workflow → {days to close: cases} for the cases closed in [first, last]: the whole months
    and weeks from the monthly and weekly histograms, the days left from the daily one, summed in
    the database in one statement (the rows read are the period's months, weeks and days times
    the distinct durations, not its cases)."""
    ranges = closing_ranges(first, last)
    query = (
        select(DailyTally.workflow, DailyTally.name, func.sum(DailyTally.amount))
        .where(
            or_(
                *(
                    and_(DailyTally.metric == metric, DailyTally.day >= a, DailyTally.day <= b)
                    for metric, a, b in ranges
                )
            )
        )
        .group_by(DailyTally.workflow, DailyTally.name)
    )
    if not user.is_admin:
        query = query.where(DailyTally.unit_id == user.unit_id)
    out: dict = {}
    for workflow, days, n in db.session.execute(query):
        bucket = out.setdefault(workflow, {})
        bucket[int(days)] = bucket.get(int(days), 0) + int(n or 0)
    return out
