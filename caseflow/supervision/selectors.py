"""Reads for supervisors: the approval queue (待审批: cases, and the unit's credit records), the
on-time figures and 临期 as every surface counts them, and the clocks squeezed by holidays.

One definition each, used by the dashboard, its XLSX and the API alike:
- **on-time share**: clocks met ÷ (met + missed), where *missed* is a clock stopped late **or a
  clock still running whose due date has passed** (a late clock does not wait to be closed before
  it counts against the centre);
- **临期 (due soon)**: deadlines.md §4, the 75% rule: 75% of the running time (pauses excluded)
  has elapsed, or, for day-based clocks, the last day has begun.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import and_, func, or_, select, tuple_, union_all
from sqlalchemy.orm import selectinload

import workflows
from caseflow.cases.models import Case, Event
from caseflow.cases.selectors import _unit_by_code
from caseflow.clocks.models import Clock, centre_clock_condition
from caseflow.credit.selectors import credit_steps_waiting
from caseflow.errors import PermissionDenied
from caseflow.extensions import db
from caseflow.timeutil import local_date, start_of_local_day, utcnow
from workflows import credit

#: Day-based clock units (their due_at is 24:00 of the last day).
DAY_UNITS = ("workdays", "days", "months")
#: Roles that do a case's own work: a step any of them may fire is not waiting for a supervisor.
STAFF_ROLES = ("caseworker", "desk_officer")


def _scoped(query, user, unit_id: int | None = None):
    if not user.is_admin:
        query = query.where(Case.unit_id == user.unit_id)
    if unit_id is not None:
        query = query.where(Case.unit_id == unit_id)
    return query


def _clocks_scoped(query, user, unit_id: int | None = None):
    """``_scoped`` on the clock's own copy of its case's unit."""
    if not user.is_admin:
        query = query.where(Clock.unit_id == user.unit_id)
    if unit_id is not None:
        query = query.where(Clock.unit_id == unit_id)
    return query


def centre_clocks_scope(query, user, unit_id: int | None = None):
    """``query`` (over ``Clock``) limited to the centre's own clocks (``centre_clock_condition``:
    no watch clock, no party's period, no credit period that ends by itself: none of them is
    ever the centre late) of what ``user`` may see (``unit_id``: that unit's), by the clock's own
    copy of its case's unit: no join to the cases. The running totals count the same clocks
    (``tallies.clock_contribution``)."""
    return _clocks_scoped(query.where(centre_clock_condition()), user, unit_id)


# -- the approval queue ----------------------------------------------------------------------


def supervisor_steps() -> dict[tuple[str, str], list]:
    """(workflow, state) → the transitions only a supervisor may fire from that state (decide,
    extend, suspend, resume, approvals…). Read from the workflow tables on every call, so a
    workflow added later (penalty, credit steps) joins the queue without a change here."""
    steps = defaultdict(list)
    for name, module in workflows.WORKFLOWS.items():
        for transition in module.TRANSITIONS:
            roles = set(transition.roles)
            if "supervisor" in roles and not roles & set(STAFF_ROLES):
                for source in transition.sources:
                    steps[(name, source)].append(transition)
    return dict(steps)


#: A supervisor step offered from this many states or more is a measure for any stage
#: (suspend), not the step a case waits for.
ANY_STAGE = 3


def pause_states(workflow: str) -> frozenset[str]:
    """The workflow's pauses: states left by a step that returns to where the case was
    (``returns_to``: suspended → resume)."""
    module = workflows.WORKFLOWS[workflow]
    return frozenset(s for t in module.TRANSITIONS if t.returns_to for s in t.sources)


def is_discretionary(transition, pauses: frozenset[str] = frozenset()) -> bool:
    """A step the supervisor *may* take at any stage (extend keeps the state; suspend is offered
    from every stage, or leads into a pause) rather than the one the case waits for (decide,
    resume, approve). A case waits for a discretionary step only once its time has run out (it
    is overdue). Resuming is never discretionary: a suspended case waits for it."""
    if transition.returns_to:
        return False
    return (
        transition.dest is None
        or len(transition.sources) >= ANY_STAGE
        or transition.dest in pauses
    )


def state_entered_at():
    """SQL (over ``Case``): when the case came into its current state, the instant it waits
    since: its last step into that state from another (a step that keeps the state, an
    extension, is no new wait), else its receipt (the state it was opened in)."""
    into_state = (
        select(func.max(Event.occurred_at))
        .where(
            Event.case_id == Case.id,
            Event.kind == "transition",
            Event.to_state == Case.state,
            Event.from_state != Event.to_state,
        )
        .correlate(Case)
        .scalar_subquery()
    )
    return func.coalesce(into_state, Case.received_at)


@dataclass
class ApprovalRow:
    case: Case
    steps: list  # the supervisor-only transitions available now
    waiting_since: datetime  # when the case came into its state (``state_entered_at``)
    #: Tells these rows from a credit record's (``caseflow.credit.selectors.CreditStep``).
    kind = "case"

    def waiting(self, now: datetime) -> timedelta:
        return max(now - self.waiting_since, timedelta(0))


@dataclass
class ApprovalQueue:
    rows: list = field(default_factory=list)
    total: int = 0


def approvals_queue(user, *, now: datetime | None = None, limit: int = 100) -> ApprovalQueue:
    """What waits for a supervisor-only step available to ``user`` now, longest waiting first:

    - open cases of the unit (``ApprovalRow``, ``kind = "case"``) with a decision step (decide,
      resume, approve) in their state, or a discretionary one (extend, suspend) once the case is
      overdue; each row lists every supervisor step it offers;
    - the unit's credit records (``CreditStep``, ``kind = "credit"``) waiting to be published or
      withdrawn (credit.md).

    Only supervisors have such a queue (an admin's is empty; for other roles it is a
    PermissionDenied)."""
    if user.is_admin:
        return ApprovalQueue()  # admins oversee; the supervisor-only steps are not theirs
    if user.role != "supervisor":
        raise PermissionDenied(
            "待审批仅供部门负责人查看", message_en="the approval queue is for supervisors"
        )
    now = now or utcnow()
    steps = supervisor_steps()
    decision, discretionary = defaultdict(list), defaultdict(list)
    for (workflow, state), transitions in steps.items():
        if all(is_discretionary(t, pause_states(workflow)) for t in transitions):
            discretionary[workflow].append(state)
        else:
            decision[workflow].append(state)
    if not steps:
        return ApprovalQueue()
    total = _queue_total(user, decision, discretionary, now)
    # The longest waiting of each (workflow, state), one index range each
    # (ix_cases_unit_workflow_state), in one statement; the rows shown are merged here and only
    # they are loaded. Each case of the range looks up when it entered its state (its events by
    # ix_events_case_id_id).
    groups = [(wf, state, None) for wf, states in sorted(decision.items()) for state in states]
    groups += [(wf, state, now) for wf, states in sorted(discretionary.items()) for state in states]
    entered = state_entered_at()
    arms = []
    for workflow, state, overdue_at in groups:
        condition = [Case.workflow == workflow, Case.state == state, Case.is_closed.is_(False)]
        if overdue_at is not None:
            condition.append(Case.next_due_at < overdue_at)
        arm = _scoped(select(Case.id, entered.label("waiting_since")).where(*condition), user)
        arms.append(select(arm.order_by(entered, Case.id).limit(limit).subquery()))
    keys = db.session.execute(union_all(*arms)).all() if arms else []
    keys.sort(key=lambda k: (k.waiting_since, k.id))
    keys = keys[:limit]
    since = {k.id: k.waiting_since for k in keys}
    ids = [k.id for k in keys]
    loaded = {
        case.id: case
        for case in db.session.scalars(
            select(Case).where(Case.id.in_(ids)).options(selectinload(Case.assignee))
        )
    } if ids else {}
    cases = [loaded[case_id] for case_id in ids if case_id in loaded]
    rows = [
        ApprovalRow(
            case=case,
            steps=steps[(case.workflow, case.state)],
            waiting_since=since[case.id],
        )
        for case in cases
    ]
    if user.unit_id is not None:
        credit, credit_total = credit_steps_waiting(user.unit_id, limit=limit)
        rows += credit
        total += credit_total
        rows.sort(key=lambda row: row.waiting_since)
    return ApprovalQueue(rows=rows[:limit], total=total)


def _queue_total(user, decision: dict, discretionary: dict, now: datetime) -> int:
    """How many cases wait, from the running totals: open cases per state (decision steps), and
    per state by the day of their next due before today (discretionary steps, once overdue), with
    today's overdue ones read from the cases. The cost is the states and days, not the cases."""
    from caseflow.supervision.tallies import ALWAYS, tally_sums

    waiting = {(wf, state) for wf, states in decision.items() for state in states}
    late = {(wf, state) for wf, states in discretionary.items() for state in states}
    total = sum(n for key, n in tally_sums(user, "open_state", on=ALWAYS).items() if key in waiting)
    if late:
        today = local_date(now)
        before = tally_sums(user, "open_state_due", before=today)
        total += sum(n for key, n in before.items() if key in late)
        today_late = _scoped(
            select(Case.workflow, Case.state, func.count())
            .where(
                Case.is_closed.is_(False),
                Case.next_due_at >= start_of_local_day(today),
                Case.next_due_at < now,
            )
            .group_by(Case.workflow, Case.state),
            user,
        )
        total += sum(n for wf, state, n in db.session.execute(today_late) if (wf, state) in late)
    return total


def waiting_text(delta: timedelta) -> str:
    """3 天 4 小时 / 5 小时 20 分: how long a case has waited."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    return f"{hours} 小时 {minutes} 分"


# -- on-time share ---------------------------------------------------------------------------


def epoch_seconds(column):
    """SQL for an instant column as seconds since 1970 (UTC), on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * 86400


@dataclass
class ClockTally:
    workflow: str
    clock: str
    met: int = 0
    breached: int = 0  # stopped after the due date
    running_late: int = 0  # still running, due date passed

    @property
    def missed(self) -> int:
        return self.breached + self.running_late

    @property
    def share(self) -> float | None:
        decided = self.met + self.missed
        return self.met / decided if decided else None


def on_time_tallies(
    user, *, start: datetime, end: datetime, now: datetime | None = None, unit_id=None
) -> list[ClockTally]:
    """Per (workflow, clock): clocks met and missed in [start, end) (local midnights), a credit
    record's clocks under their promise (``credit_publication``, ``credit.promise_of``). A clock
    counts in the period it was stopped in; a running clock whose due date passed counts as
    missed in the period its due date fell in (up to now).

    Read from the daily tallies (``caseflow.supervision.tallies``): the cost is the days of the
    period, not its cases. Today's running clocks past due come from the clocks themselves (a
    tally day cannot say which of today's are already past ``now``)."""
    from caseflow.supervision.tallies import tally_grouped

    now = now or utcnow()
    first, last = local_date(start), local_date(end - timedelta(microseconds=1))
    today = local_date(now)
    tallies: dict[tuple[str, str], ClockTally] = {}

    def tally(workflow, name):
        # A credit record's clock counts for its promise (interfaces.md: the share per promise),
        # not as a row of its own per record.
        key = (workflow, credit.promise_of(name))
        if key not in tallies:
            tallies[key] = ClockTally(*key)
        return tallies[key]

    by = ("workflow", "name", "metric")
    for workflow, name, metric, amount in tally_grouped(
        user, ("met", "breached"), first, last, by=by, unit_id=unit_id
    ):
        if metric == "met":
            tally(workflow, name).met += amount
        else:
            tally(workflow, name).breached += amount
    before_today = min(last, today - timedelta(days=1))
    if first <= before_today:
        for workflow, name, _metric, amount in tally_grouped(
            user, ("running_due",), first, before_today, by=by, unit_id=unit_id
        ):
            tally(workflow, name).running_late += amount
    if first <= today <= last:
        # The unit's range of ix_clocks_unit_status_due_at; each row's case for its workflow.
        running = centre_clocks_scope(
            select(Case.workflow, Clock.name, func.count())
            .join(Case, Case.id == Clock.case_id)
            .where(
                Clock.status == "running",
                # At today's 00:00 a clock is yesterday's, counted above (due_day).
                Clock.due_at > max(start, start_of_local_day(today)),
                Clock.due_at < min(end, now),
            )
            .group_by(Case.workflow, Clock.name),
            user,
            unit_id,
        )
        for workflow, name, count in db.session.execute(running):
            tally(workflow, name).running_late += count
    return [tallies[key] for key in sorted(tallies) if tallies[key].met + tallies[key].missed]


def on_time_by_workflow(tallies: list[ClockTally]) -> dict[str, ClockTally]:
    """The clocks of each workflow added up (``clock`` is ``*``)."""
    out: dict[str, ClockTally] = {}
    for t in tallies:
        total = out.setdefault(t.workflow, ClockTally(t.workflow, "*"))
        total.met += t.met
        total.breached += t.breached
        total.running_late += t.running_late
    return out


# -- the period's intake (GET /api/v1/stats) --------------------------------------------------

#: The clock whose outcome says whether a workflow's cases closed on time (for statistics).
CLOSING_CLOCKS = {
    "intake": "acceptance",
    "pre_exam": "grant_target",
    "adjudication": "closing",
    "mediation": "mediation",
    "fair_complaint": "decision_by_close",
    "penalty": "decision",
}


def cases_stats(
    user, *, unit: str | None = None, from_on: date, to_on: date, now=None
) -> list[dict]:
    """Per workflow: opened, closed, open overdue, share of closing clocks met, median days to
    close — over the cases received in ``[from_on, to_on]`` (local days), in the units ``user``
    sees (``unit``: that unit's code).

    ``opened`` is the running totals' ``received`` (by local day of receipt): the cost is the
    period's days. The other figures follow that intake to where it is now (closed since, overdue
    now, its closing clock settled since), while the totals key a closing, a clock's outcome and
    a next due by the day it happens, not by the day its case came in; and the median is of exact
    days (seconds ÷ 86,400), the totals' histogram of whole local days. So they are read from the
    rows, one statement each over the period's range of ``ix_cases_unit_received_at``: its closed
    and overdue cases (the open ones in time are not fetched), and its closing clocks' outcomes
    counted in the database."""
    from caseflow.supervision.tallies import tally_grouped

    now = now or utcnow()
    unit_id = _unit_by_code(unit).id if unit else None
    received = (
        Case.received_at >= start_of_local_day(from_on),
        Case.received_at < start_of_local_day(to_on + timedelta(days=1)),
    )
    opened = dict(
        tally_grouped(user, ("received",), from_on, to_on, by=("workflow",), unit_id=unit_id)
    )
    closed, overdue, durations = defaultdict(int), defaultdict(int), defaultdict(list)
    settled_or_late = _scoped(
        select(Case.workflow, Case.is_closed, Case.received_at, Case.closed_at).where(
            *received, or_(Case.is_closed, Case.next_due_at < now)
        ),
        user,
        unit_id,
    )
    for workflow, is_closed, received_at, closed_at in db.session.execute(settled_or_late):
        if is_closed:
            closed[workflow] += 1
            durations[workflow].append((closed_at - received_at).total_seconds() / 86400)
        else:
            overdue[workflow] += 1
    outcomes = defaultdict(dict)
    closing_clock = or_(
        *(and_(Case.workflow == wf, Clock.name == name) for wf, name in CLOSING_CLOCKS.items())
    )
    counted = select(Case.workflow, Clock.status, func.count()).join(
        Case, Case.id == Clock.case_id
    )
    # The clock's copy of its case's unit as well: the unit's settled clocks are a range of
    # ix_clocks_unit_status_due_at, not every unit's clocks.
    for scope in (_scoped, _clocks_scoped):
        counted = scope(counted, user, unit_id)
    counted = counted.where(
        *received, closing_clock, Clock.status.in_(("met", "breached"))
    ).group_by(Case.workflow, Clock.status)
    for workflow, status, n in db.session.execute(counted):
        outcomes[workflow][status] = n
    out = []
    for name, module in workflows.WORKFLOWS.items():
        met = outcomes[name].get("met", 0)
        decided = met + outcomes[name].get("breached", 0)
        out.append(
            {
                "workflow": name,
                "label": module.LABEL,
                "opened": opened.get(name, 0),
                "closed": closed[name],
                "open_overdue": overdue[name],
                "closing_clock": CLOSING_CLOCKS[name],
                "closing_met_share": round(met / decided, 4) if decided else None,
                "median_days_to_close": (
                    round(median(durations[name]), 2) if durations[name] else None
                ),
            }
        )
    return out


# -- 临期 ------------------------------------------------------------------------------------


def due_soon_condition(now: datetime):
    """SQL: a running clock that is 临期 at ``now`` (deadlines.md §4): its moment
    (``Clock.due_soon_at``: 75% of the running time, pauses excluded, or the last day begun)
    has come, and it is not yet overdue. One range of ``ix_clocks_status_due_soon_at``."""
    # coalesce(): read in due order (ix_clocks_status_due_at from now on), the moment checked
    # per row, so a list of the soonest stops early whatever the number of running clocks.
    return and_(Clock.status == "running", due_soon_moment_reached(now), Clock.due_at > now)


def due_soon_moment_reached(now: datetime):
    """SQL: the clock's 临期 moment has come by ``now`` (``due_soon_condition`` without its
    bounds, for the walk that bounds the due date itself)."""
    return func.coalesce(Clock.due_soon_at, Clock.due_at) <= now


#: Clocks read per batch when walking ``ix_clocks_status_due_at`` for the soonest of a unit.
_BATCH = 200
_MAX_BATCHES = 25


def soonest_clock_ids(
    user, *, due_from=None, due_after=None, due_to=None, clock_condition=(), limit=20
):
    """The ids of the ``limit`` soonest-due running clocks of open cases the user sees, due in
    [due_from, due_to) and meeting ``clock_condition`` (on the clock alone), soonest first
    (``soonest_clock_rows``)."""
    rows = soonest_clock_rows(
        user,
        due_from=due_from,
        due_after=due_after,
        due_to=due_to,
        clock_condition=clock_condition,
        limit=limit,
    )
    return [row.id for row in rows]


def soonest_clock_rows(
    user, *, due_from=None, due_after=None, due_to=None, clock_condition=(), limit=20, columns=()
):
    """The ``limit`` soonest-due running clocks of open cases the user sees, due in
    [due_from, due_to) (or after ``due_after``) and meeting ``clock_condition`` (on the clock
    alone, no bound on its due date), soonest first, as rows of (id, case_id, due_at, *columns
    of the clock, unit_id and is_closed of the case).

    Walks ``ix_clocks_unit_status_due_at`` (an admin's: ``ix_clocks_status_due_at``) in due
    order, a batch at a time (keyset on due_at, id), and checks each batch's cases: the rows read
    are about the rows shown, whatever the number of running clocks, in the unit or beside it (a
    join lets a planner read every running clock and sort them)."""
    admin, unit_id = user.is_admin, user.unit_id  # once: ``user`` may be a request proxy
    condition = [Clock.status == "running", *clock_condition]
    if not admin:
        condition.append(Clock.unit_id == unit_id)
    if due_to is not None:
        condition.append(Clock.due_at < due_to)
    # A watch clock (a court's ruling), a party's period or a credit period that ends by itself
    # is not the centre's deadline: never listed as the centre late or 临期.
    condition.append(centre_clock_condition())
    # The unit's clocks are a range of their own: a batch a little over ``limit`` is enough
    # unless closed cases still have running clocks. An admin's walk passes every unit's.
    found, after, size = [], None, limit * 3 if admin else limit + 10
    for _ in range(_MAX_BATCHES):
        query = select(Clock.id, Clock.case_id, Clock.due_at, *columns).where(*condition)
        # One lower bound on the due date at a time: two make PostgreSQL's planner expect a
        # handful of rows and read every later clock into a bitmap to sort, not walk the index.
        if after is not None:  # the batch after the last row read (within the bounds below)
            query = query.where(tuple_(Clock.due_at, Clock.id) > tuple_(*after))
        elif due_from is not None:
            query = query.where(Clock.due_at >= due_from)
        elif due_after is not None:
            query = query.where(Clock.due_at > due_after)
        # The LIMIT inside the subquery keeps the walk on the index; the cases are joined to
        # the batch only.
        inner = query.order_by(Clock.due_at, Clock.id).limit(size).subquery()
        batch = db.session.execute(
            select(*inner.c, Case.unit_id, Case.is_closed)
            .join(Case, Case.id == inner.c.case_id)
            .order_by(inner.c.due_at, inner.c.id)
        ).all()
        if not batch:
            break
        after = (batch[-1].due_at, batch[-1].id)
        found += [
            row for row in batch if not row.is_closed and (admin or row.unit_id == unit_id)
        ]
        if len(found) >= limit or len(batch) < size:
            break
        size = min(size * 2, _BATCH)
    return found[:limit]
