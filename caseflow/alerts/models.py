"""Alerts raised on clocks, and the outbox that delivers them.

An ``Alert`` is one level (临期预警 / 超期 / 督办) of one clock for one due date. The unique key
(clock, level, due date) makes a second copy impossible: two sweeps racing each other both try the
insert and the database keeps one. A moved due date is a new key, so it re-arms every level.

An ``OutboxMessage`` is one notification of an alert on one channel to one recipient. It is written
in the sweep's transaction, so a raised alert always has its notifications, and delivered later by
the scheduler with retries (deadlines.md §4: "a failed delivery is visible, never silently lost").
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime

#: The levels in the order a clock reaches them.
LEVELS = ("due_soon", "overdue", "escalated")
LEVEL_LABELS = {
    "due_soon": "临期预警",
    "overdue": "超期",
    "escalated": "督办",
    "undelivered": "送达失败",
}
#: Not a clock level: an electronic service of a notice failed; serve it on paper (parties.md §4).
UNDELIVERED = "undelivered"

CHANNELS = ("inapp", "email", "webhook")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class Alert(db.Model):
    """One alert level raised for one clock and one due date."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Null only for an ``undelivered`` alert, which belongs to a notice instead.
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("clocks.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    #: Copied from the case so that "alerts of my unit" needs no join.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The clock's due date this alert belongs to; a moved due date raises its own alerts.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: The moment the rules say the alert is due; ``raised_at`` is when a sweep raised it.
    moment_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: Raised well after a sweep could first have raised it (the scheduler was down; see
    #: ``rules.is_late``): shown so nobody trusts the timing.
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Its due date was counted on a year whose official schedule was not out yet (deadlines.md
    #: §1), as the clock said when the alert was raised: the alert keeps saying so (暂定) after
    #: the official year is loaded and the clock's due date moves or loses its mark.
    provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ack_note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    clock = relationship("Clock")
    notice = relationship("Notice")
    case = relationship("Case")
    acknowledged_by = relationship("User")
    messages: Mapped[list["OutboxMessage"]] = relationship(
        back_populates="alert", order_by="OutboxMessage.id"
    )

    __table_args__ = (
        UniqueConstraint("clock_id", "level", "due_at", name="uq_alerts_clock_level_due"),
        CheckConstraint(
            "level in ('due_soon', 'overdue', 'escalated', 'undelivered')", name="level_known"
        ),
        CheckConstraint(
            "(level = 'undelivered') = (clock_id is null)", name="clock_unless_undelivered"
        ),
        # An acknowledgement always says who made it (Indico's judge_if_judged pattern).
        CheckConstraint(
            "(acknowledged_at is null) = (acknowledged_by_id is null)", name="ack_has_actor"
        ),
        Index("ix_alerts_unit_raised", "unit_id", "raised_at"),
        Index("ix_alerts_raised_at", "raised_at"),
    )

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    def __repr__(self):
        return f"<Alert {self.level} clock={self.clock_id} due {self.due_at}>"


class OutboxMessage(db.Model):
    """One notification of an alert on one channel to one recipient, delivered at least once and,
    while deliverers respect the claim, exactly once."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), nullable=False)
    #: ``inapp`` (the badge and the alerts page), ``email`` or ``webhook``.
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The user told (in-app and e-mail); null for the webhook.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who it goes to: ``user:<id>``, an e-mail address, or ``webhook``; part of the unique key.
    recipient: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: Not before this instant: 09:00 of a working day for day-based clocks, then the backoff.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: A deliverer's claim: its token, and when the claim lapses if that deliverer died.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: In-app only: when the recipient saw it (clears the badge).
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship(back_populates="messages")
    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "recipient", name="uq_outbox_alert_channel_to"),
        CheckConstraint("channel in ('inapp', 'email', 'webhook')", name="channel_known"),
        CheckConstraint("status in ('pending', 'sending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("status != 'sent' or sent_at is not null", name="sent_has_time"),
        # The deliverer reads only what is waiting, the badge only one user's unread rows.
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_user_unread", "user_id", "channel", "read_at"),
        Index("ix_outbox_alert_id", "alert_id"),
    )

    def __repr__(self):
        return f"<OutboxMessage {self.channel} {self.recipient} {self.status}>"
