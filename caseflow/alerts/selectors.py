"""Reads for alerts: what a user may see, the badge count, the outbox problems admins watch."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from caseflow.accounts.models import User
from caseflow.alerts.models import LEVELS, Alert, OutboxMessage
from caseflow.cases.models import Case
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.outbox import outbox_counts as outbox_table_counts
from caseflow.outbox import outbox_in_trouble, outbox_in_trouble_count


def alerts_visible_query(
    user: User,
    *,
    since: datetime | None = None,
    level: str | None = None,
    unacknowledged: bool = False,
):
    """Alerts on cases of the user's unit (every unit for admins), newest first."""
    return (
        select(Alert)
        .options(
            joinedload(Alert.case), joinedload(Alert.clock), joinedload(Alert.acknowledged_by)
        )
        .where(*_visible(user, since=since, level=level, unacknowledged=unacknowledged))
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
    )


def alerts_visible_count(
    user: User,
    *,
    since: datetime | None = None,
    level: str | None = None,
    unacknowledged: bool = False,
) -> int:
    """How many alerts ``alerts_visible_query`` lists with the same filters, over all pages."""
    conditions = _visible(user, since=since, level=level, unacknowledged=unacknowledged)
    return db.session.scalar(select(func.count(Alert.id)).where(*conditions)) or 0


def _visible(user: User, *, since, level, unacknowledged) -> list:
    conditions = []
    if not user.is_admin:
        conditions.append(Alert.unit_id == user.unit_id)
    if since is not None:
        conditions.append(Alert.raised_at >= since)
    if level is not None:
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}")
        conditions.append(Alert.level == level)
    if unacknowledged:
        conditions.append(Alert.acknowledged_at.is_(None))
    return conditions


def alert_get_for(user: User, alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    # Another unit's alert answers like a missing one (404): ids cannot be probed.
    if alert is None or not user.can_see_unit(alert.unit_id):
        raise NotFound("预警不存在", message_en="no such alert")
    return alert


def alerts_unread_count(user) -> int:
    """The nav badge: in-app notifications the user has not yet seen."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.user_id == user.id,
                OutboxMessage.channel == "inapp",
                OutboxMessage.read_at.is_(None),
            )
        )
        or 0
    )


def alert_ids_unread(user: User, among: list[int]) -> set[int]:
    """Which of the alerts ``among`` (a page of the list) the user has not yet seen. Only those:
    a user's unread notifications may number thousands, a page shows a hundred."""
    if not among:
        return set()
    return set(
        db.session.scalars(
            select(OutboxMessage.alert_id).where(
                OutboxMessage.user_id == user.id,
                OutboxMessage.channel == "inapp",
                OutboxMessage.read_at.is_(None),
                OutboxMessage.alert_id.in_(among),
            )
        )
    )


def outbox_problems_query():
    """Messages that failed for good, or are waiting for a retry after an error (admins), newest
    first. Of each one's alert and case only what a row shows (level, number): not the case's
    parties and data."""
    return (
        select(OutboxMessage)
        .options(
            joinedload(OutboxMessage.alert)
            .load_only(Alert.level, Alert.case_id)
            .joinedload(Alert.case)
            .load_only(Case.number)
        )
        .where(outbox_in_trouble(OutboxMessage.__table__))
        .order_by(OutboxMessage.id.desc())
    )


def outbox_problems_count() -> int:
    return outbox_in_trouble_count(OutboxMessage.__table__)


def outbox_counts() -> dict[str, int]:
    """The alert messages that are sent by the outbox (e-mail and webhooks) in each status. In-app
    notifications are not counted: they are written as sent, and nothing sends them."""
    table = OutboxMessage.__table__
    return outbox_table_counts(table, table.c.channel != "inapp")
