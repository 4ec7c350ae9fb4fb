"""Cases, the links between them, and the audit trail (one ``Event`` per transition)."""

import secrets
import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime


def _new_case_id() -> str:
    return uuid.uuid4().hex


#: Crockford base32 without I, L, O, U: typed from paper without ambiguity.
_PUBLIC_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_public_code() -> str:
    """10 characters of Crockford base32, 50 random bits (parties.md §2). Printed with a QR code
    on every notice to a party; with the case number it opens the public status page."""
    return "".join(secrets.choice(_PUBLIC_CODE_ALPHABET) for _ in range(10))


class Case(db.Model):
    """One matter in one workflow. ``state`` changes only through the engine."""

    __tablename__ = "cases"

    #: Opaque identifier used by the API; ``number`` is the human one.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_case_id)
    #: ``{unit}-{workflow code}-{year}-{sequence}``, e.g. ZS-ADJ-2026-00012.
    number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    workflow: Mapped[str] = mapped_column(String(32), nullable=False)
    state: Mapped[str] = mapped_column(String(40), nullable=False)
    #: True once the state is final; kept as a column so lists need no workflow lookup.
    is_closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Optimistic lock: every transition increments it; a stale version gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    channel: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: Parties as documents: {name, kind, country, contact}.
    complainant: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    respondent: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: Searchable copies of the party names.
    complainant_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    respondent_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    #: The respondent's unified social credit code (checksum verified) and folded name: repeat
    #: detection across units matches on these (credit.md), through their indexes.
    respondent_code: Mapped[str | None] = mapped_column(String(18))
    respondent_key: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    #: The right: {kind, number, patent_type, classification}.
    right: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    priority: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fair_id: Mapped[int | None] = mapped_column(Integer, index=True)
    exhibitor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    applicant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    public_code: Mapped[str] = mapped_column(String(16), nullable=False, default=_new_public_code)
    #: The soonest due instant of the case's running clocks that are the centre's own (no watch
    #: clock, no party's period, no credit period that ends by itself; null when none runs): the
    #: inbox order, and whether the case is overdue in every count (deadlines.md §4).
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``occurred_at`` of the case's last opening or transition: a step may be back-dated, but
    #: never before it (procedures.md, "Common to every transition").
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit = relationship("Unit")
    assignee = relationship("User")
    events: Mapped[list["Event"]] = relationship(
        back_populates="case", order_by="Event.id", cascade="all, delete-orphan"
    )

    # The engine sets the next version once per transition (the step flushes several times);
    # the ORM still guards every UPDATE with ``WHERE version = <read>``.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        # The unit's open cases by next due; the trailing columns let the dashboard count
        # today's overdue cases per step and per assignee from the index alone.
        Index(
            "ix_cases_inbox",
            "unit_id",
            "is_closed",
            "next_due_at",
            "workflow",
            "state",
            "assignee_id",
        ),
        # A clock's case as the dashboard's joins read it (unit, closed, workflow): from this
        # index alone, not the case's wide row (its parties' JSON).
        Index("ix_cases_id_facts", "id", "unit_id", "is_closed", "workflow"),
        # 我的待办: a unit's cases of one assignee (or unassigned), open, soonest due first.
        Index("ix_cases_assignee_inbox", "unit_id", "assignee_id", "is_closed", "next_due_at"),
        Index("ix_cases_unit_workflow_state", "unit_id", "workflow", "state"),
        # The supervisor dashboard: received and closed per week, median days to close.
        Index("ix_cases_unit_received_at", "unit_id", "received_at"),
        Index("ix_cases_unit_closed_at", "unit_id", "closed_at"),
        # The engine closes a case in its final state and stamps the instant in the same step.
        CheckConstraint(
            "(is_closed and closed_at is not null) or (not is_closed and closed_at is null)",
            name="closed_iff_closed_at",
        ),
        Index("ix_cases_respondent_code", "respondent_code"),
        Index("ix_cases_respondent_key", "respondent_key"),
    )

    def __repr__(self):
        return f"<Case {self.number} {self.state}>"


class CaseLink(db.Model):
    """A case opened from another: intake → adjudication, mediation failure → adjudication…"""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    #: Why they are linked: ``route``, ``mediation_failed``, ``fair_referral``.
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    source = relationship("Case", foreign_keys=[source_id])
    target = relationship("Case", foreign_keys=[target_id])


class Event(db.Model):
    """The audit trail. A transition writes exactly one ``transition`` event; other kinds record
    what happened outside a transition (a case opened, a due date moved by a new calendar, an
    alert acknowledged)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False)
    #: ``opened``, ``transition``, ``clock``, ``calendar``, ``alert_ack``, ``assign``, ``evidence``.
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: An actor that is not a user: ``system`` (a re-timing) or ``party:<role>`` (a party's own
    #: submission through its link, parties.md §5).
    actor_name: Mapped[str | None] = mapped_column(String(40))
    trigger: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    #: When it happened in the world (may be back-dated); ``recorded_at`` is when we wrote it.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")

    __table_args__ = (
        Index("ix_events_case_id_id", "case_id", "id"),
        # The annual report reads a year's steps of a few kinds (qualify, record_grant…).
        Index("ix_events_trigger_occurred_at", "trigger", "occurred_at"),
    )
