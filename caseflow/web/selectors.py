"""Reads behind the pages: the inbox, the supervisor dashboard, the fair desk's board. A case and
its clocks, events, links and notices are the cases area's reads (``caseflow.cases.selectors``).

Every query is scoped to what the user may see (their unit; admins see all) and works from indexed
columns (``Case.next_due_at``, ``Case.is_closed``) so that a page costs the same with 1,000 cases
as with 100,000 (bench/pages.py measures it).
"""

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import contains_eager, load_only, selectinload

import workflows
from caseflow.accounts.models import Unit, User
from caseflow.cases.models import Case
from caseflow.cases.selectors import cases_scope
from caseflow.clocks.models import Clock
from caseflow.extensions import db
from caseflow.search import ESCAPE, containing, starting_with
from caseflow.supervision.selectors import (
    centre_clocks_scope,
    due_soon_moment_reached,
    on_time_tallies,
    soonest_clock_ids,
)
from caseflow.supervision.tallies import ALWAYS as TALLY_ALWAYS
from caseflow.supervision.tallies import (
    closing_histogram,
    tally_before_today,
    tally_grouped,
    tally_rows,
)
from caseflow.timeutil import end_of_local_day, local_date, start_of_local_day, utcnow
from caseflow.web.filters import clock_state

PAGE_SIZE = 50
#: Order of badges from worst to best: a case shows the worst of its clocks.
_SEVERITY = ("overdue", "due_soon", "provisional", "paused", "running")


@dataclass
class InboxFilters:
    tab: str = "inbox"  # inbox (mine + unassigned) | mine | unassigned | all
    workflow: str | None = None
    state: str | None = None
    overdue: bool = False
    due_before: date | None = None
    q: str | None = None
    page: int = 1


#: What an inbox row reads of its case (plus ``assignee_name``) and of its clocks.
_CASE_COLUMNS = (
    Case.id, Case.number, Case.unit_id, Case.workflow, Case.state, Case.priority, Case.data,
    Case.complainant_name, Case.respondent_name, Case.assignee_id, Case.next_due_at,
)
_CLOCK_COLUMNS = (
    Clock.case_id, Clock.name, Clock.period_unit, Clock.started_at, Clock.due_at, Clock.status,
    Clock.provisional, Clock.paused_seconds,
)


@dataclass
class InboxRow:
    """One case of the inbox: its columns (``_CASE_COLUMNS``), its worst badge and the clock it
    shows (``_CLOCK_COLUMNS``), read as plain rows."""

    case: Row
    badge: str
    provisional: bool
    clock: Row | None = None


@dataclass
class Page:
    rows: list
    page: int
    has_next: bool
    counts: dict = field(default_factory=dict)


def inbox_page(user, filters: InboxFilters, *, now: datetime | None = None) -> Page:
    """Open cases for ``user``: theirs and their unit's unassigned ones, soonest due first. A
    search, or a final state chosen (已结案, 已撤回…), finds closed cases too: a closed case must
    be found by its number or a party's name, and the open ones alone would never be 已结案."""
    now = now or utcnow()
    query = select(Case)
    if not (filters.q or _final_state_chosen(filters.state)):
        query = query.where(Case.is_closed.is_(False))
    query = cases_scope(query, user)
    # The 我的待办 tab is two index ranges (mine, the unit's unassigned), each read in due order
    # and merged here: an OR of the two would read both whole and sort them.
    if filters.tab == "mine":
        arms = [Case.assignee_id == user.id]
    elif filters.tab == "unassigned":
        arms = [Case.assignee_id.is_(None)]
    elif filters.tab == "inbox":
        arms = [Case.assignee_id == user.id, Case.assignee_id.is_(None)]
    else:
        arms = [None]
    if filters.workflow:
        query = query.where(Case.workflow == filters.workflow)
    if filters.state:  # one option may stand for several states of the same label
        query = query.where(Case.state.in_(filters.state.split(",")))
    if filters.overdue:
        query = query.where(Case.next_due_at < now)
    if filters.due_before:
        query = query.where(Case.next_due_at < end_of_local_day(filters.due_before))
    if filters.q:
        needle = filters.q.strip()
        like = containing(needle)
        query = query.where(
            or_(
                Case.number == needle.upper(),
                Case.number.like(starting_with(needle.upper()), escape=ESCAPE),
                Case.complainant_name.like(like, escape=ESCAPE),
                Case.respondent_name.like(like, escape=ESCAPE),
            )
        )
    page = max(filters.page, 1)
    offset = (page - 1) * PAGE_SIZE
    arm_queries = [query if arm is None else query.where(arm) for arm in arms]
    # Cases with no running clock come last; the rest in the inbox index's order.
    timed = [q.where(Case.next_due_at.is_not(None)) for q in arm_queries]
    ids = _merged_ids(timed, (Case.next_due_at, Case.id), offset + PAGE_SIZE + 1)[offset:]
    if len(ids) <= PAGE_SIZE:
        timed_total = offset + len(ids) if ids or page == 1 else sum(_count(q) for q in timed)
        untimed_offset = max(0, offset - timed_total)
        untimed = [q.where(Case.next_due_at.is_(None)) for q in arm_queries]
        ids += _merged_ids(
            untimed, (Case.opened_at, Case.id), untimed_offset + PAGE_SIZE + 1 - len(ids)
        )[untimed_offset:]
    has_next = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    # The page's cases only, with the columns the list shows, as plain rows: a list never writes
    # them back, and building ORM objects for 50 cases, their assignees and clocks cost more than
    # the queries.
    loaded = {
        case.id: case
        for case in db.session.execute(
            select(*_CASE_COLUMNS, User.display_name.label("assignee_name"))
            .outerjoin(User, User.id == Case.assignee_id)
            .where(Case.id.in_(ids))
        )
    } if ids else {}
    cases = [loaded[case_id] for case_id in ids if case_id in loaded]
    rows = _rows_with_badges(cases, now)
    return Page(rows=rows, page=page, has_next=has_next)


def _final_state_chosen(state: str | None) -> bool:
    """Whether the inbox's state filter names a state in which a case is closed."""
    if not state:
        return False
    final = {s.name for wf in workflows.WORKFLOWS.values() for s in wf.STATES if s.final}
    return any(name in final for name in state.split(","))


def _merged_ids(queries, order, limit: int) -> list[str]:
    """The ids of the first ``limit`` cases of ``queries`` (over ``Case``) together, by
    ``order``: each query reads only its first ``limit`` keys in index order."""
    if limit <= 0:
        return []
    keyed = []
    for query in queries:
        keys = query.with_only_columns(*order).order_by(*order).limit(limit)
        keyed.append(db.session.execute(keys).all())
    if len(keyed) == 1:
        return [row[-1] for row in keyed[0]]
    return [row[-1] for row in heapq.merge(*keyed, key=tuple)][:limit]


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _rows_with_badges(cases: list, now: datetime) -> list[InboxRow]:
    """One query for the active clocks of the page's cases; each row shows its worst clock."""
    if not cases:
        return []
    by_case = defaultdict(list)
    for clock in db.session.execute(
        select(*_CLOCK_COLUMNS).where(
            Clock.case_id.in_([c.id for c in cases]), Clock.status.in_(("running", "paused"))
        )
    ):
        by_case[clock.case_id].append(clock)
    rows = []
    for case in cases:
        active = sorted(by_case.get(case.id, []), key=lambda c: c.due_at)
        # A period that ended by itself and awaits the sweep (a credit record's) reads "met".
        states = [s for s in (clock_state(c, now) for c in active) if s in _SEVERITY]
        badge = min(states, key=_SEVERITY.index) if states else "none"
        soonest = next((c for c in active if c.status == "running"), None)
        rows.append(
            InboxRow(
                case=case,
                badge=badge,
                # The clock shown carries its own flag (not the case's other clocks').
                provisional=bool(soonest and soonest.provisional),
                clock=soonest,
            )
        )
    return rows


def inbox_counts(user, *, now: datetime | None = None) -> dict:
    """Tab counters: mine, unassigned, overdue. From the running totals (open cases per assignee,
    and by the day of their next due before today) and today's cases read from the index: the
    cost is the assignees and days, not the open cases."""
    now = now or utcnow()
    mine = unassigned = 0
    me = str(user.id)
    for _wf, who, _metric, _day, amount in tally_rows(user, ("open",), TALLY_ALWAYS, TALLY_ALWAYS):
        if who == me:
            mine += amount
        elif who == "0":
            unassigned += amount
    today = local_date(now)
    overdue = sum(tally_before_today(user, "open_due", today).values())
    overdue += (
        db.session.scalar(
            cases_scope(
                select(func.count()).select_from(Case).where(
                    Case.is_closed.is_(False),
                    Case.next_due_at >= start_of_local_day(today),
                    Case.next_due_at < now,
                ),
                user,
            )
        )
        or 0
    )
    return {"mine": mine, "unassigned": unassigned, "overdue": overdue}


def unit_members(unit_id: int | None, roles=("caseworker", "desk_officer", "supervisor")) -> list:
    query = select(User).where(User.active.is_(True), User.role.in_(roles))
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(db.session.scalars(query.order_by(User.display_name)))


# -- the supervisor dashboard ---------------------------------------------------------------


@dataclass
class Dashboard:
    overdue: list  # (clock, case), at most LIST_LIMIT, by unit then caseworker
    due_soon: list
    overdue_total: int
    due_soon_total: int
    on_time: list  # (workflow, clock, met, missed, rate): missed counts running clocks past due
    median_days_to_close: dict  # workflow -> days
    workload: list  # (user, open, overdue)
    trend: list  # (week start, opened, closed, overdue)
    date_from: date
    date_to: date


#: The overdue and due-soon lists show the most urgent rows; the totals say how many there are.
LIST_LIMIT = 20


#: What the overdue and 临期 lists (and their XLSX) show of a case.
_LISTED_CASE_COLUMNS = (
    Case.number, Case.unit_id, Case.workflow, Case.state, Case.version, Case.assignee_id,
    Case.is_closed,
)


def soonest_clocks(
    user, *, due_from=None, due_after=None, due_to=None, clock_condition=(), limit=LIST_LIMIT
):
    """``soonest_clock_ids`` as [(clock, case)], with the cases' assignees and units."""
    found = soonest_clock_ids(
        user,
        due_from=due_from,
        due_after=due_after,
        due_to=due_to,
        clock_condition=clock_condition,
        limit=limit,
    )
    if not found:
        return []
    rows = db.session.execute(
        select(Clock, Case)
        .join(Case, Case.id == Clock.case_id)
        .where(Clock.id.in_(found))
        .options(
            # The columns the lists and their XLSX show (a clock's countdown and due text, the
            # case's number, step and desk), the case set on its clock.
            load_only(
                Clock.case_id, Clock.name, Clock.period_unit, Clock.started_at, Clock.due_at,
                Clock.status, Clock.provisional, Clock.paused_seconds,
            ),
            load_only(*_LISTED_CASE_COLUMNS),
            # The case set on its clock too: without its own load_only that path loads every
            # column, the parties' and the case data's JSON decoded per row.
            contains_eager(Clock.case).load_only(*_LISTED_CASE_COLUMNS),
            selectinload(Case.assignee),
            selectinload(Case.unit),
        )
    ).all()
    return sorted(((clock, case) for clock, case in rows), key=lambda r: (r[0].due_at, r[0].id))


def _running_today(user, column, today_start, now, *, strict=True):
    """Running clocks whose ``column`` falls today, up to now (the part no tally day can tell),
    counted from an index alone (the clock's unit, not its case's). A due instant at today's
    00:00 is yesterday's (``due_day``); a 临期 moment then has begun today."""
    upper = column < now if strict else column <= now
    lower = column > today_start if column is Clock.due_at else column >= today_start
    query = select(func.count(Clock.id)).where(Clock.status == "running", lower, upper)
    return db.session.scalar(centre_clocks_scope(query, user)) or 0


def _due_at_midnight_now(user, now, today_start) -> int:
    """At 00:00 exactly, the running clocks due at that instant: yesterday's by ``due_day`` (their
    last day), yet not late until the instant has passed."""
    if now != today_start:
        return 0
    query = select(func.count(Clock.id)).where(Clock.status == "running", Clock.due_at == now)
    return db.session.scalar(centre_clocks_scope(query, user)) or 0


def late_totals(user, now: datetime) -> tuple[int, int]:
    """(overdue, 临期) running clocks at ``now``, exact: the running totals by due day and by
    临期 day before today, and today's clocks read one by one.

    临期 = (moment ≤ now) − (due ≤ now): every clock's moment is at or before its due instant."""
    today = local_date(now)
    today_start = start_of_local_day(today)
    due_before = sum(tally_before_today(user, "running_due", today).values())
    soon_before = sum(tally_before_today(user, "running_soon", today).values())
    overdue = due_before - _due_at_midnight_now(user, now, today_start)
    overdue += _running_today(user, Clock.due_at, today_start, now)
    due_by_now = due_before + _running_today(user, Clock.due_at, today_start, now, strict=False)
    soon = soon_before + _running_today(user, Clock.due_soon_at, today_start, now, strict=False)
    return overdue, soon - due_by_now


def _workload(user, now: datetime) -> list:
    """(user, open cases, of which overdue) per assignee, from the running totals: open cases
    per assignee, and by the day of their next due (today's read from the cases)."""
    today = local_date(now)
    open_counts = defaultdict(int)
    for _wf, who, _metric, _day, amount in tally_rows(
        user, ("open",), TALLY_ALWAYS, TALLY_ALWAYS
    ):
        open_counts[int(who)] += amount
    late = defaultdict(int)
    for who, n in tally_before_today(user, "open_due", today).items():
        late[int(who)] += n
    today_late = cases_scope(
        select(Case.assignee_id, func.count(Case.id))
        .where(
            Case.is_closed.is_(False),
            Case.next_due_at >= start_of_local_day(today),
            Case.next_due_at < now,
        )
        .group_by(Case.assignee_id),
        user,
    )
    for uid, n in db.session.execute(today_late):
        late[uid or 0] += n
    ids = [uid for uid, n in open_counts.items() if uid and n]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = [
        (users.get(uid) if uid else None, n, late.get(uid, 0))
        for uid, n in open_counts.items()
        if n
    ]
    return sorted(rows, key=lambda row: -row[1])


def _seconds_between(start, end):
    """SQL for ``end - start`` in seconds, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400


def _median_days_to_close(user, date_from: date, date_to: date) -> dict:
    """Per workflow, the median of the whole local days from receipt to closing of the cases
    closed in the period, from the daily tallies' histogram (``closed`` by closing day, keyed by
    the days): the cost is the period's days and distinct durations, not its cases."""
    histogram = closing_histogram(user, date_from, date_to)
    return {wf: _histogram_median(h) for wf, h in sorted(histogram.items()) if sum(h.values())}


def _histogram_median(counts: dict) -> float:
    total = sum(counts.values())
    ordered = sorted(counts.items())

    def nth(n):  # the n-th smallest value, 1-based
        seen = 0
        for value, count in ordered:
            seen += count
            if seen >= n:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2 + 1))
    return (nth(total // 2) + nth(total // 2 + 1)) / 2


#: The export's lists: every overdue and 临期 clock a unit has, up to a workbook's sane size.
EXPORT_LIMIT = 10_000


def dashboard_build(
    user,
    *,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    list_limit: int = LIST_LIMIT,
):
    """Everything the supervisor dashboard shows for ``date_from``…``date_to`` (local days); the
    overdue and 临期 lists hold the ``list_limit`` soonest."""
    now = now or utcnow()
    start = start_of_local_day(date_from)
    end = end_of_local_day(date_to)

    # The lists read the most urgent rows; the totals come from the running totals (the days
    # before today) and today's clocks themselves (caseflow.supervision.tallies).
    def by_desk(row):  # grouped the way a supervisor reads them: by unit, then caseworker
        clock, case = row
        return (case.unit_id, case.assignee.display_name if case.assignee else "", clock.due_at)

    overdue = sorted(soonest_clocks(user, due_to=now, limit=list_limit), key=by_desk)
    # 临期 as the inbox and the alerts count it: the 75% rule (deadlines.md §4).
    due_soon = sorted(
        soonest_clocks(
            user,
            due_after=now,
            clock_condition=[due_soon_moment_reached(now)],
            limit=list_limit,
        ),
        key=by_desk,
    )
    overdue_total, due_soon_total = late_totals(user, now)

    # On-time share per workflow and clock: met vs missed, where a running clock past its due
    # date counts as missed (caseflow.supervision.selectors).
    on_time = [
        (t.workflow, t.clock, t.met, t.missed, t.share)
        for t in on_time_tallies(user, start=start, end=end, now=now)
    ]

    workload = _workload(user, now)

    return Dashboard(
        overdue=overdue,
        due_soon=due_soon,
        overdue_total=overdue_total,
        due_soon_total=due_soon_total,
        on_time=on_time,
        median_days_to_close=_median_days_to_close(user, date_from, date_to),
        workload=workload,
        trend=dashboard_trend(user, date_from=date_from, date_to=date_to, now=now),
        date_from=date_from,
        date_to=date_to,
    )


def dashboard_trend(user, *, date_from: date, date_to: date, now: datetime) -> list:
    """Per week (Monday): cases opened, cases closed, and clocks whose due date passed that week
    while still running (or that were later stopped late), counting the days of the period only
    (the first and last weeks are cut at ``date_from`` and ``date_to``). From the daily tallies, up to today;
    today's clocks past due come from the clocks (only those already past ``now``)."""
    first_monday = date_from - timedelta(days=date_from.weekday())
    weeks = []
    day = first_monday
    while day <= date_to:
        weeks.append(day)
        day += timedelta(days=7)
    today = local_date(now)
    last = min(date_to, today)
    opened, closed, late = ([0] * len(weeks) for _ in range(3))

    def week_of(day):
        return (day - first_monday).days // 7

    # The first week is cut at date_from as the last is at date_to: the days before the period
    # are not its figures.
    if date_from <= last:
        metrics = ("received", "closed", "breached_due", "running_due")
        by = ("metric", "day")
        for metric, day, amount in tally_grouped(user, metrics, date_from, last, by=by):
            if metric in ("breached_due", "running_due") and day >= today:
                continue  # today's: counted below, only those already past now
            target = opened if metric == "received" else closed if metric == "closed" else late
            target[week_of(day)] += amount
    if date_from <= today <= date_to:
        counted = centre_clocks_scope(
            select(func.count(Clock.id)).where(
                Clock.status.in_(("breached", "running")),
                Clock.due_at > start_of_local_day(today),  # at 00:00: yesterday's (due_day)
                Clock.due_at < now,
            ),
            user,
        )
        late[week_of(today)] += db.session.scalar(counted) or 0
    return list(zip(weeks, opened, closed, late, strict=True))


def units_all() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.code)))


def users_all() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.unit_id, User.username)))


def fair_board_cases(fair, *, since: datetime) -> list[Case]:
    """The desk's board: complaints at ``fair`` lodged since ``since`` or still open; priority
    complaints first (procedures.md §5), then the soonest due."""
    query = (
        select(Case)
        .where(
            Case.workflow == "fair_complaint",
            Case.fair_id == fair.id,
            or_(Case.is_closed.is_(False), Case.received_at >= since),
        )
        .order_by(Case.is_closed, Case.priority.desc(), Case.next_due_at, Case.received_at)
    )
    return list(db.session.scalars(query.limit(200)))
