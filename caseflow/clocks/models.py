"""Clocks (时限): one row per clock instance on a case, with its history.

A clock restarted by a transition (e.g. ``acceptance`` after a correction) is a new row; the old one
was stopped. At most one row per case and name is active (running or paused).
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    not_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import workflows
from caseflow.extensions import Model
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime
from workflows import credit

CLOCK_STATUSES = ("running", "paused", "met", "breached", "cancelled")


class Clock(Model):
    __tablename__ = "clocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    #: The case's unit, on the clock so that a unit's running clocks are one index range (the
    #: dashboard's lists and counts). Kept equal to the case's by ``caseflow.supervision.tallies``
    #: in the flush that adds the clock or moves the case.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The period, e.g. ``5 workdays``; null for a clock that ends at a fixed instant.
    period: Mapped[str | None] = mapped_column(String(40))
    #: ``workdays`` | ``days`` | ``months`` | ``hours`` | ``fixed``.
    period_unit: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: For day-based clocks: the last day before roll-over (pauses and extensions move this).
    last_day_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="running")
    #: True when the due date was counted on a provisional calendar year.
    provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set at pause: working days (workdays) or seconds (hours) still left.
    remaining: Mapped[int | None] = mapped_column(Integer)
    #: Total extension granted so far, in the unit of the definition's extension step.
    extended: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: Seconds spent paused so far (completed pauses): the running time excludes them (§4).
    paused_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The next instant an alert is due for this clock (null: nothing more to raise).
    next_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The highest alert level raised for the current due date: null, due_soon, overdue, escalated.
    alert_level: Mapped[str | None] = mapped_column(String(16))
    #: When the clock becomes 临期 (deadlines.md §4: 75% of its running time, pauses excluded, or
    #: its last day begun). Set on every flush by ``caseflow.supervision.tallies``.
    due_soon_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship("Case")
    entries: Mapped[list["ClockEntry"]] = relationship(
        back_populates="clock", order_by="ClockEntry.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(
            "uq_clocks_active_name",
            "case_id",
            "name",
            unique=True,
            sqlite_where=text("status in ('running', 'paused')"),
            postgresql_where=text("status in ('running', 'paused')"),
        ),
        # The sweep reads only what is due (deadlines.md §4: never load every case).
        Index("ix_clocks_next_alert_at", "next_alert_at"),
        # The supervisor dashboard: clocks settled in a period (on-time rate), and the running
        # clocks by due date (its overdue and due-soon lists).
        Index("ix_clocks_stopped_at", "stopped_at"),
        Index("ix_clocks_status_due_at", "status", "due_at"),
        # A unit's running clocks by due date: the dashboard's lists walk only the unit's clocks,
        # and its counts of today's clocks read the index alone.
        Index("ix_clocks_unit_status_due_at", "unit_id", "status", "due_at"),
        # A paused clock knows when it paused (the resume counts from there), and only it does.
        CheckConstraint(
            "(status = 'paused' and paused_at is not null)"
            " or (status != 'paused' and paused_at is null)",
            name="paused_iff_paused_at",
        ),
        # A clock is stopped (met, breached or cancelled) exactly when it has its stop instant.
        CheckConstraint(
            "(status in ('met', 'breached', 'cancelled') and stopped_at is not null)"
            " or (status in ('running', 'paused') and stopped_at is null)",
            name="stopped_iff_stopped_at",
        ),
        # The dashboard's 临期 count: running clocks whose moment falls today, the unit's read from
        # the index alone.
        Index("ix_clocks_status_due_soon_at", "status", "due_soon_at", "unit_id"),
    )

    @property
    def is_active(self) -> bool:
        return self.status in ("running", "paused")

    def __repr__(self):
        return f"<Clock {self.name} {self.status} due {self.due_at}>"


def centre_clock_condition():
    """SQL: the clock is the centre's own deadline (``workflows.is_centre_clock``): not a watch
    clock or a party's period, nor a credit record's period that ends by itself. The 超期, 临期
    and on-time figures and a case's ``next_due_at`` count these clocks only."""
    return and_(
        Clock.name.not_in(sorted(workflows.uncounted_clock_names())),
        *(
            not_(Clock.name.startswith(prefix, autoescape=True))
            for prefix in credit.SELF_ENDING_PREFIXES
        ),
    )


class ClockEntry(Model):
    """One change to a clock: start, stop, pause, resume, extend, recompute — who, when and why."""

    __tablename__ = "clock_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id"), nullable=False, index=True)
    #: The audit event (transition or calendar change) this change belongs to.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    due_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For ``extend``: the period added (e.g. ``1 months``), so a recompute can replay it.
    period: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    clock: Mapped[Clock] = relationship(back_populates="entries")
    event = relationship("Event")
