"""Writes for alerts: the sweep that raises them, acknowledgement, read marks, outbox delivery.

The sweep (deadlines.md §4) reads only clocks whose indexed ``next_alert_at`` has come, never every
case. For each it raises the levels whose moment has passed — all of them after downtime, marked
late — with ``INSERT … ON CONFLICT DO NOTHING`` on the unique (clock, level, due date) key, so a
second sweep, here or in another process, cannot raise an alert twice. Only the sweep that wins the
insert writes the alert's outbox messages, in the same transaction.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

import workflows
from caseflow.accounts.models import User
from caseflow.alerts import delivery, rules
from caseflow.alerts.models import LEVELS, Alert, OutboxMessage
from caseflow.cases.models import Case, Event
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.clocks.services import clock_next_alert_at
from caseflow.errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.outbox import (
    BACKOFF_FIRST,
    MAX_ATTEMPTS,
    DeliveryReport,
    outbox_drain,
    outbox_retry_failed,
    outbox_retry_now,
)
from caseflow.timeutil import utcnow
from workflows import credit

log = logging.getLogger(__name__)

#: Clocks handled per transaction; a catch-up after long downtime commits in steps.
SWEEP_BATCH = 500
#: Key of the PostgreSQL advisory lock that serialises sweeps across processes.
SWEEP_LOCK_KEY = 5_051_771_001


#: Who may acknowledge an alert (deadlines.md §4: supervisors; admins head the unit).
ACK_ROLES = ("supervisor", "admin")


# -- the sweep ----------------------------------------------------------------------------------


def sla_sweep(now: datetime | None = None) -> list[Alert]:
    """Raise every alert whose moment has come by ``now`` (default: the current time); commits.

    Returns the alerts this call raised, oldest first; alerts another sweep raised are not
    repeated. ``now`` may be simulated (``sla sweep --now``).
    """
    now = now or utcnow()
    from caseflow.calendar.periods import calendar_for_context
    from caseflow.credit.services import credit_sweep

    calendar = calendar_for_context()
    webhook = bool(current_app.config.get("CASEFLOW_WEBHOOK_URL"))
    raised_ids: list[int] = []
    credit_swept = False
    while True:
        _sweep_lock()
        _disarm_stopped(now)
        if not credit_swept:
            # Credit display and repair periods that ran out end first (stopped at their due
            # instant), so they are never reported overdue (credit.md). Under the lock, and on
            # SQLite after the first write: a second sweep at once finds them ended.
            credit_sweep(now)
            credit_swept = True
        # Only the range on next_alert_at, so that every planner walks that index in order;
        # after _disarm_stopped the armed clocks are the running ones (a clock paused since is
        # skipped here and disarmed by the next sweep).
        clocks = db.session.scalars(sweep_due_query(now).limit(SWEEP_BATCH)).all()
        running = [clock for clock in clocks if clock.status == "running"]
        raised_ids += _sweep_batch(running, now, calendar, webhook)
        db.session.commit()
        if len(clocks) < SWEEP_BATCH:
            break
    alerts = db.session.scalars(
        select(Alert)
        .options(joinedload(Alert.case), joinedload(Alert.clock))
        .where(Alert.id.in_(raised_ids))
        .order_by(Alert.id)
    ).all()
    # A line per alert (deployment.md, CASEFLOW_LOG_LEVEL): which case's clock reached which level.
    # A catch-up after downtime may log thousands; each alert also sends messages, logged alike.
    for alert in alerts:
        log.info(
            "alert %s raised: case %s clock %s (alert %d)%s",
            alert.level,
            alert.case.number,
            alert.clock.name if alert.clock else "-",
            alert.id,
            " late" if alert.late else "",
        )
    if alerts:
        late = sum(1 for a in alerts if a.late)
        log.info("sla sweep at %s raised %d alerts (%d late)", now.isoformat(), len(alerts), late)
    return list(alerts)


def sweep_due_query(now: datetime):
    """The clocks whose next alert has come, soonest first, read through ix_clocks_next_alert_at.

    No condition on ``status``: SQLite would otherwise pick an index on status and sort every
    running clock (measured in tests/alerts/test_scheduler.py).
    """
    return select(Clock).where(Clock.next_alert_at <= now).order_by(Clock.next_alert_at)


def _sweep_lock() -> None:
    """On PostgreSQL, one sweep at a time across every process (released at commit). SQLite lets
    one writer in at a time anyway, and the unique key stops duplicates on both."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK_KEY})


def _disarm_stopped(now: datetime) -> None:
    """Clocks paused or stopped since they were armed raise nothing; forget their moment.

    It is also the sweep's first write, so on SQLite the transaction holds the write lock from here
    on and a concurrent sweep waits instead of failing on a stale read.
    """
    db.session.execute(
        update(Clock.__table__)
        .where(Clock.__table__.c.next_alert_at <= now, Clock.__table__.c.status != "running")
        .values(next_alert_at=None)
    )


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _sweep_batch(clocks: list[Clock], now: datetime, calendar, webhook: bool) -> list[int]:
    if not clocks:
        return []
    clock_ids = [c.id for c in clocks]
    raised: dict[tuple[int, datetime], set[str]] = defaultdict(set)
    for clock_id, level, due_at in db.session.execute(
        select(Alert.clock_id, Alert.level, Alert.due_at).where(Alert.clock_id.in_(clock_ids))
    ):
        raised[(clock_id, due_at)].add(level)
    cases = {
        row.id: row
        for row in db.session.execute(
            select(Case.id, Case.unit_id, Case.assignee_id, Case.workflow).where(
                Case.id.in_({c.case_id for c in clocks})
            )
        )
    }
    # When each clock's current schedule was written: an alert is late only if a sweep could
    # have raised it earlier (rules.is_late).
    armed_at = dict(
        db.session.execute(
            select(ClockEntry.clock_id, func.max(ClockEntry.recorded_at))
            .where(ClockEntry.clock_id.in_(clock_ids))
            .group_by(ClockEntry.clock_id)
        ).all()
    )

    alert_rows, clock_rows = [], []
    for clock in clocks:
        if credit.ends_by_itself(clock.name):
            # A credit display or repair waiting period raises no alert (credit.md): armed for
            # its due instant only, when credit_sweep records it ended (a clock armed before
            # for its 临期 moment is re-armed so).
            clock_rows.append(
                {"b_id": clock.id, "b_due": clock.due_at, "b_next": clock.due_at, "b_level": None}
            )
            continue
        done = raised[(clock.id, clock.due_at)]
        next_at, highest, previous = None, None, None
        # Escalation counts working days on the case's unit calendar (its local closures too),
        # a court's period on the national one (deadlines.md §1).
        case = cases[clock.case_id]
        unit_calendar = (
            calendar
            if workflows.is_court_clock(case.workflow, clock.name)
            else _unit_calendar(case.unit_id, calendar)
        )
        for level in LEVELS:
            moment = _next_moment(clock, previous, unit_calendar)
            previous = level
            if moment is None:  # beyond the calendar: the clock is disarmed, the others go on
                break
            if level in done:
                highest = level
                continue
            if moment > now:
                next_at = moment
                break
            highest = level
            alert_rows.append(
                {
                    "clock_id": clock.id,
                    "case_id": clock.case_id,
                    "unit_id": cases[clock.case_id].unit_id,
                    "level": level,
                    "due_at": clock.due_at,
                    "moment_at": moment,
                    "raised_at": now,
                    "late": rules.is_late(moment, now, armed_at.get(clock.id)),
                    "provisional": bool(clock.provisional),
                    "ack_note": "",
                }
            )
        clock_rows.append(
            {"b_id": clock.id, "b_due": clock.due_at, "b_next": next_at, "b_level": highest}
        )

    won = []
    if alert_rows:
        table = Alert.__table__
        # One cached statement, batched by SQLAlchemy's "insertmanyvalues"; rows that lost the
        # race (the key exists) return nothing.
        won = db.session.execute(
            _insert(table)
            .on_conflict_do_nothing(index_elements=["clock_id", "level", "due_at"])
            .returning(table.c.id, table.c.clock_id, table.c.level),
            alert_rows,
        ).all()
    # The clock moves on only if nobody changed it meanwhile (a pause or an extension re-arms it).
    table = Clock.__table__
    db.session.execute(
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.due_at == bindparam("b_due"),
            table.c.status == "running",
        )
        .values(next_alert_at=bindparam("b_next"), alert_level=bindparam("b_level")),
        clock_rows,
    )
    if won:
        by_clock = {c.id: c for c in clocks}
        _outbox_write(won, by_clock, cases, now, calendar, webhook)
    return [row.id for row in won]


def _unit_calendar(unit_id: int, national):
    """The unit's working calendar: the national one unless the unit has local closures (the
    calendar area caches both, so this costs nothing per clock)."""
    from caseflow.calendar.periods import calendar_for_context

    return calendar_for_context(unit_id) if unit_id is not None else national


def _next_moment(clock: Clock, after_level: str | None, calendar) -> datetime | None:
    """The clock's next alert moment, or None when the calendar cannot place it.

    A clock due in the calendar's last days (year 2099) has its escalation beyond the last
    working day the calendar knows; one such clock must not stop the sweep for every other.
    """
    try:
        return clock_next_alert_at(clock, after_level, calendar=calendar)
    except (ValueError, OverflowError) as exc:
        log.warning(
            "sla sweep: clock %s (case %s, %s, due %s) has no alert moment after %s: %s; disarmed",
            clock.id,
            clock.case_id,
            clock.name,
            clock.due_at.isoformat(),
            after_level,
            exc,
        )
        return None


# -- recipients and the outbox -------------------------------------------------------------------


@dataclass
class _UnitStaff:
    caseworkers: list = field(default_factory=list)
    supervisors: list = field(default_factory=list)
    admins: list = field(default_factory=list)

    def includes(self, user_id: int | None) -> bool:
        return any(user.id == user_id for group in vars(self).values() for user in group)


def _staff_by_unit(unit_ids: set[int]) -> dict[int, _UnitStaff]:
    """Active users who may be told, per unit. Admins without a unit head every unit."""
    staff: dict[int, _UnitStaff] = {unit_id: _UnitStaff() for unit_id in unit_ids}
    users = db.session.execute(
        select(User.id, User.role, User.email, User.unit_id).where(
            User.active.is_(True),
            or_(User.unit_id.in_(unit_ids), and_(User.role == "admin", User.unit_id.is_(None))),
        )
    ).all()
    for user in users:
        targets = staff.values() if user.unit_id is None else [staff[user.unit_id]]
        for unit in targets:
            if user.role in ("caseworker", "desk_officer"):
                unit.caseworkers.append(user)
            elif user.role == "supervisor":
                unit.supervisors.append(user)
            elif user.role == "admin":
                unit.admins.append(user)
    return staff


def alert_recipient_ids(level: str, assignee_id: int | None, staff: _UnitStaff) -> list[int]:
    """Who is told of an alert (deadlines.md §4), as user ids, without repeats.

    - ``due_soon``: the assignee. A case nobody is assigned to goes to the unit's caseworkers and
      desk officers — whoever could pick it up — or, when the unit has none, its supervisors.
      An assignee who is no longer an active member of the case's unit (moved to another unit,
      or deactivated) counts as none: everyone told is of ``staff``, people who see the case.
    - ``overdue``: the assignee and the unit's supervisors.
    - ``escalated``: the unit's supervisors and admins (the unit's head).
    """
    if not staff.includes(assignee_id):
        assignee_id = None
    if level == "due_soon":
        if assignee_id is not None:
            ids = [assignee_id]
        else:
            ids = [u.id for u in staff.caseworkers] or [u.id for u in staff.supervisors]
    elif level == "overdue":
        ids = ([assignee_id] if assignee_id is not None else []) + [u.id for u in staff.supervisors]
    else:
        ids = [u.id for u in staff.supervisors] + [u.id for u in staff.admins]
    return list(dict.fromkeys(ids))


def _outbox_write(won, by_clock, cases, now, calendar, webhook: bool) -> None:
    staff = _staff_by_unit({cases[by_clock[row.clock_id].case_id].unit_id for row in won})
    emails = {
        user.id: user.email
        for unit in staff.values()
        for group in vars(unit).values()
        for user in group
    }
    messages = []
    for row in won:
        clock = by_clock[row.clock_id]
        case = cases[clock.case_id]
        not_before = rules.delivery_not_before(
            now, clock.period_unit, _unit_calendar(case.unit_id, calendar)
        )
        for user_id in alert_recipient_ids(row.level, case.assignee_id, staff[case.unit_id]):
            # In-app needs no delivery: the row is the notification the badge and page read.
            messages.append(_message(row.id, "inapp", user_id, f"user:{user_id}", now, "sent"))
            if emails[user_id]:
                messages.append(_message(row.id, "email", user_id, emails[user_id], not_before))
        if webhook:
            messages.append(_message(row.id, "webhook", None, "webhook", not_before))
    if messages:
        db.session.execute(OutboxMessage.__table__.insert(), messages)


def _message(alert_id, channel, user_id, recipient, at, status="pending") -> dict:
    return {
        "alert_id": alert_id,
        "channel": channel,
        "user_id": user_id,
        "recipient": recipient,
        "status": status,
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at if status == "sent" else utcnow(),
        "sent_at": at if status == "sent" else None,
    }


# -- acknowledgement and read marks --------------------------------------------------------------


def alert_acknowledge(*, alert: Alert, actor: User, note: str, at: datetime | None = None) -> Event:
    """A supervisor (or admin) acknowledges an alert with a note; audited on the case. Does not
    commit."""
    if not actor.can_see_unit(alert.unit_id):
        raise NotFound("预警不存在", message_en="no such alert")
    if actor.role not in ACK_ROLES:
        raise PermissionDenied(
            "只有本单位的部门负责人或管理员可以确认预警",
            message_en="only the unit's supervisors or admins may acknowledge",
        )
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            "请填写确认说明",
            message_en="a note is required",
            fields={"note": "请填写确认说明 / a note is required"},
        )
    at = at or utcnow()
    # One conditional UPDATE, not a check and a write: of two acknowledgements at once (a
    # double submit, two supervisors) the one that finds the alert still open records its note
    # and its event; the other changes nothing and is told.
    acknowledged = db.session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_at=at, acknowledged_by_id=actor.id, ack_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not acknowledged:
        raise StateConflict("该预警已被确认", message_en="the alert is already acknowledged")
    db.session.refresh(
        alert, ["acknowledged_at", "acknowledged_by_id", "acknowledged_by", "ack_note"]
    )
    event = Event(
        case_id=alert.case_id,
        kind="alert_ack",
        actor_id=actor.id,
        occurred_at=at,
        note=note,
        data={
            "alert_id": alert.id,
            "level": alert.level,
            "clock": alert.clock.name if alert.clock else None,
            "due_at": alert.due_at.isoformat(),
        },
    )
    db.session.add(event)
    db.session.flush()
    log.info("alert %s (%s) acknowledged by %s", alert.id, alert.level, actor.username)
    return event


def alerts_mark_read(*, user: User, at: datetime | None = None) -> int:
    """Clear the user's badge: every in-app notification counts as seen. Does not commit."""
    result = db.session.execute(
        update(OutboxMessage.__table__)
        .where(
            OutboxMessage.__table__.c.user_id == user.id,
            OutboxMessage.__table__.c.channel == "inapp",
            OutboxMessage.__table__.c.read_at.is_(None),
        )
        .values(read_at=at or utcnow())
    )
    return result.rowcount


# -- delivery ------------------------------------------------------------------------------------


def outbox_deliver(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Deliver the e-mail and webhook messages that are due; commits after each message. Each is
    claimed first, so two deliverers never both send it (``caseflow.outbox``); a failure is
    recorded with its error and retried after 30 s, 1 min, 2 min … up to an hour; after
    ``MAX_ATTEMPTS`` the message is failed and waits for an admin (/alerts/outbox, the API)."""

    def send(message_id: int) -> None:
        message = db.session.scalar(
            select(OutboxMessage)
            .options(
                joinedload(OutboxMessage.alert).joinedload(Alert.case),
                joinedload(OutboxMessage.alert).joinedload(Alert.clock),
            )
            .where(OutboxMessage.id == message_id)
        )
        delivery.deliver(message, current_app.config)

    return outbox_drain(
        OutboxMessage.__table__,
        send,
        now=now,
        limit=limit,
        max_attempts=MAX_ATTEMPTS,
        backoff_first=BACKOFF_FIRST,
    )


def outbox_retry(*, message: OutboxMessage, actor: User, now: datetime | None = None) -> None:
    """An admin sends a failed message again at once. Does not commit."""
    outbox_retry_now(message, actor=actor, now=now or utcnow())
    log.info("outbox %s retried by %s", message.id, actor.username)


def outbox_retry_all_failed(*, actor: User, now: datetime | None = None) -> tuple[int, int]:
    """An admin sends every failed alert message and account mail again at once (全部重发, after
    an outage of the mail server or the webhook's receiver), each with a fresh count of attempts.
    Logged with the admin's name. How many of each; does not commit."""
    from caseflow.accounts.mail import account_mails_retry_failed

    now = now or utcnow()
    messages = outbox_retry_failed(OutboxMessage.__table__, actor=actor, now=now)
    mails = account_mails_retry_failed(actor=actor, now=now)
    log.info(
        "outbox: %d failed alert messages and %d account mails retried by %s",
        messages,
        mails,
        actor.username,
    )
    return messages, mails
