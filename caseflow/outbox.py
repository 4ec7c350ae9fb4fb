"""The outboxes: rows written in a step's own transaction and sent after its commit by the
scheduler (alert e-mails and webhooks, account mails, the electronic service of notices).

What they share lives here: which rows are due, the claim that keeps two schedulers from sending
one row twice, the backoff between attempts, and the record of a send or of a failure. Each area
keeps what its rows say and how they are sent.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)

#: A sender's claim on a row lapses after this (it died mid-send): the row is sent again, so
#: receivers get each message at least once and, barring a crash between sending and recording
#: it, exactly once (each message carries a stable id that lets them drop a repeat).
CLAIM_LEASE = timedelta(minutes=5)
#: Retries back off from the area's first delay, doubling, up to an hour.
BACKOFF_MAX = timedelta(hours=1)
#: Mail and webhooks, alert messages and account mails alike: 30 s, 1 min, 2 min … up to an hour
#: between attempts, and the tenth failure gives up (``failed``: shown to admins on /alerts/outbox,
#: where it can be sent again).
BACKOFF_FIRST = timedelta(seconds=30)
MAX_ATTEMPTS = 10


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def outbox_waiting(table, now: datetime):
    """Rows of ``table`` that are due: pending and past their next attempt, or claimed by a
    sender whose lease ran out."""
    c = table.c
    return or_(
        and_(c.status == "pending", c.next_attempt_at <= now),
        and_(c.status == "sending", c.lease_until < now),
    )


def outbox_in_trouble(table):
    """Rows of ``table`` that failed for good, or wait for a retry after an error: what the
    admins' outbox page lists."""
    c = table.c
    return and_(or_(c.status == "failed", c.last_error.is_not(None)), c.status != "sent")


def outbox_in_trouble_count(table) -> int:
    """How many rows ``outbox_in_trouble`` finds in ``table`` (the outbox page's pages)."""
    return db.session.scalar(select(func.count()).where(outbox_in_trouble(table))) or 0


def outbox_counts(table, *where) -> dict[str, int]:
    """How many rows of ``table`` (those matching ``where``) are in each status."""
    rows = db.session.execute(
        select(table.c.status, func.count()).where(*where).group_by(table.c.status)
    ).all()
    return {status: count for status, count in rows}


def outbox_claim(table, row_id: int, now: datetime | None = None) -> str | None:
    """Claim one due row for sending, and commit: an UPDATE that succeeds only while the row is
    still waiting, so two senders never both send it. The claim token, or None when another
    sender took the row first. Counts the attempt.

    The lease counts from ``now``, the moment of this claim (default: the current time), never
    from the start of a long run: a row claimed after minutes of slow sends must not be
    claimable by another sender while this one is still sending it.
    """
    now = now or utcnow()
    token = uuid.uuid4().hex
    c = table.c
    claimed = db.session.execute(
        update(table)
        .where(c.id == row_id, outbox_waiting(table, now))
        .values(
            status="sending",
            claim_token=token,
            lease_until=now + CLAIM_LEASE,
            attempts=c.attempts + 1,
        )
    ).rowcount
    db.session.commit()
    return token if claimed == 1 else None


def outbox_retry_now(row, *, actor, now: datetime) -> None:
    """An admin sends a failed (or waiting) row of an outbox again at once, with a fresh count of
    attempts. Does not commit."""
    from caseflow.errors import PermissionDenied, StateConflict

    if not actor.is_admin:
        raise PermissionDenied("只有管理员可以重发", message_en="only admins may retry delivery")
    if row.status not in ("failed", "pending"):
        raise StateConflict("该消息不在待重发状态", message_en="the message is not waiting")
    row.status, row.next_attempt_at, row.attempts = "pending", now, 0


def outbox_retry_failed(table, *, actor, now: datetime) -> int:
    """An admin sends every failed row of ``table`` again at once (after an outage of the mail
    server, say), each with a fresh count of attempts. How many; does not commit."""
    from caseflow.errors import PermissionDenied

    if not actor.is_admin:
        raise PermissionDenied("只有管理员可以重发", message_en="only admins may retry delivery")
    return db.session.execute(
        update(table)
        .where(table.c.status == "failed")
        .values(status="pending", next_attempt_at=now, attempts=0)
    ).rowcount


def outbox_backoff(attempts: int, first: timedelta) -> timedelta:
    """The wait before the next attempt: ``first``, then doubling, at most ``BACKOFF_MAX``."""
    return min(first * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def outbox_drain(
    table,
    send: Callable[[int], None],
    *,
    now: datetime | None,
    limit: int,
    max_attempts: int,
    backoff_first: timedelta,
) -> DeliveryReport:
    """Send the due rows of ``table``, oldest due first; commits after each one.

    ``send(row_id)`` loads its row and sends it. Any exception is a failed attempt: recorded with
    its error and retried after a backoff, then given up after ``max_attempts`` (status
    ``failed``, waiting for an admin). A sent row's earlier error is cleared.

    ``now=None`` (the scheduler) times each claim, send and backoff by the clock at that moment,
    so a slow run's later rows get leases of their own; a given ``now`` (a drill's ``--now``, a
    test) is the instant of every step.
    """
    report = DeliveryReport()
    c = table.c
    ids = db.session.scalars(
        select(c.id)
        .where(outbox_waiting(table, now or utcnow()))
        .order_by(c.next_attempt_at, c.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for row_id in ids:
        token = outbox_claim(table, row_id, now)
        if token is None:
            continue
        mine = and_(c.id == row_id, c.claim_token == token)
        try:
            send(row_id)
        except Exception as exc:  # noqa: BLE001 — any failure is recorded and retried
            db.session.rollback()
            error = f"{type(exc).__name__}: {exc}"[:2000]
            attempts = db.session.scalar(select(c.attempts).where(c.id == row_id))
            give_up = attempts >= max_attempts
            values = {"last_error": error, "claim_token": None, "lease_until": None}
            if give_up:
                values["status"] = "failed"
                report.failed += 1
            else:
                values["status"] = "pending"
                failed_at = now or utcnow()
                values["next_attempt_at"] = failed_at + outbox_backoff(attempts, backoff_first)
                report.retrying += 1
            db.session.execute(update(table).where(mine).values(**values))
            db.session.commit()
            log.warning("%s %s attempt %d failed: %s", table.name, row_id, attempts, error)
            continue
        db.session.execute(
            update(table)
            .where(mine)
            .values(
                status="sent",
                sent_at=now or utcnow(),
                claim_token=None,
                lease_until=None,
                last_error=None,
            )
        )
        db.session.commit()
        report.sent += 1
        _log_sent(table, row_id)
    return report


def _log_sent(table, row_id: int) -> None:
    """One INFO line per message sent (deployment.md, CASEFLOW_LOG_LEVEL): the table and row (the
    message's id on the admin's outbox page), the channel and the recipient, masked as the
    parties' pages mask an address (a log is read by more people than the outbox)."""
    c = table.c
    channel = c.get("channel", c.get("method"))
    recipient = c.get("recipient", c.get("address"))
    row = db.session.execute(
        select(*(col for col in (channel, recipient) if col is not None)).where(c.id == row_id)
    ).one()
    db.session.commit()
    values = iter(row)
    how = next(values) if channel is not None else "email"  # account mails have one channel
    to = next(values, "") if recipient is not None else ""
    log.info("%s %d sent: %s to %s", table.name, row_id, how, _masked(to or "-"))


def _masked(recipient: str) -> str:
    """An e-mail address or phone number masked; ``user:<id>`` and ``webhook`` say no more than
    an id."""
    if "@" in recipient or sum(ch.isdigit() for ch in recipient) >= 6:
        from caseflow.parties.services import mask_address

        return mask_address(recipient)
    return recipient
