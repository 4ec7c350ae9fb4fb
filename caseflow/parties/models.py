"""What parties.md adds to the schema: per-party links, consents to electronic service, and the
service record (电子送达 / 纸质送达) of each notice to a party, which is also its outbox row."""

from datetime import datetime

from sqlalchemy import (
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

#: The two sides a notice or a link can belong to (parties.md §3: complainant or respondent).
PARTY_ROLES = ("complainant", "respondent")
#: How a notice reached a party: electronically (e-mail, SMS) or on paper.
ELECTRONIC_METHODS = ("email", "sms")
PAPER_METHODS = ("post", "in_person", "public_notice")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")


class PartyLink(db.Model):
    """A party's personal link ``/p/{token}`` to one case.

    Only the SHA-256 of the token is stored. The token itself is an HMAC of ``salt`` under the
    app's SECRET_KEY, so the scheduler can put the link into a message again without the
    database ever holding it; a leaked database alone opens no party page. Revoking sets
    ``revoked_at``; the next link gets a new salt, hence a new token.
    """

    __tablename__ = "party_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    salt: Mapped[str] = mapped_column(String(64), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship("Case")

    __table_args__ = (
        CheckConstraint("role in ('complainant', 'respondent')", name="role_known"),
    )


class PartyConsent(db.Model):
    """送达地址确认书: where a party accepts electronic service, and whether it does now."""

    __tablename__ = "party_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    consent: Mapped[bool] = mapped_column(nullable=False, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: ``user:<name>``, ``party:<role>`` or ``public`` (the filing form).
    updated_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")

    __table_args__ = (
        UniqueConstraint("case_id", "role", name="uq_party_consents_case_role"),
        CheckConstraint("role in ('complainant', 'respondent')", name="role_known"),
    )


class NoticeDelivery(db.Model):
    """One service of one notice on one party: an electronic message waiting in (or sent from)
    the outbox, or a paper service recorded by the caseworker.

    ``delivered_at`` is the date of service (Civil Procedure Law art 90: the day the message
    reached the party's system): for e-mail the moment the receiving SMTP server accepted it,
    with its reply kept in ``proof``; for paper, the date the caseworker recorded.
    """

    __tablename__ = "notice_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), nullable=False, index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    #: ``email``, ``sms``, ``post``, ``in_person``, ``public_notice``.
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The e-mail address or phone number (empty for paper).
    address: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The receiving server's reply (``250 …``), the gateway's answer, or the caseworker's note.
    proof: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    notice = relationship("Notice")
    case = relationship("Case")
    recorded_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("notice_id", "method", "address", name="uq_notice_delivery_to"),
        CheckConstraint(
            "method in ('email', 'sms', 'post', 'in_person', 'public_notice')",
            name="method_known",
        ),
        CheckConstraint(
            "status in ('pending', 'sending', 'sent', 'failed')", name="status_known"
        ),
        CheckConstraint("status != 'sent' or delivered_at is not null", name="sent_has_time"),
        Index("ix_notice_deliveries_status_next", "status", "next_attempt_at"),
    )


class RateHit(db.Model):
    """One counted request of a public route from one address (filings, wrong status codes).

    In the database rather than in memory so that every web worker sees the same count."""

    __tablename__ = "rate_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_rate_hits_bucket_address_at", "bucket", "address", "at"),)
