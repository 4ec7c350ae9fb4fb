"""Notices (文书): the PDF documents a transition issues, numbered, stored once, never changed.

A notice row is created *pending* inside the transition's transaction, with its document number
already allocated, so a rendering failure after the commit loses nothing: the retry renders the
same notice under the same number. Once ``issued`` the row and its file are frozen; a correction
is a new notice whose ``replaces_id`` names the old one.
"""

import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
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

NOTICE_STATUSES = ("pending", "issued")

# Crockford base32 without I, L, O, U: read aloud or typed from paper without ambiguity.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VERIFICATION_CODE_LENGTH = 10


def new_verification_code() -> str:
    """50 random bits: short enough to type from a paper copy, too many to guess."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


class Notice(db.Model):
    """One issued (or still to be rendered) document of a case."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    #: Copied from the case: document numbers are unique per unit, and lists are unit-scoped.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    #: A kind of notices.md "Kinds", e.g. ``acceptance_notice``.
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The title printed on the document (受理通知书, 立案通知书…), fixed when queued.
    title: Mapped[str] = mapped_column(String(60), nullable=False)
    #: Who the notice goes to: {role, name, kind, contact}; ``role`` is complainant/respondent.
    addressee: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: 文号 in the unit's pattern, e.g. 中维裁字〔2026〕第12号; allocated when queued.
    document_number: Mapped[str] = mapped_column(String(80), nullable=False)
    #: The scope and value of the gapless counter behind ``document_number``.
    sequence_scope: Mapped[str] = mapped_column(String(120), nullable=False)
    sequence_value: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The day the step took effect: the transition's ``occurred_at`` (printed on the notice).
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: The audit event (transition) that issued this notice.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    verification_code: Mapped[str] = mapped_column(
        String(16), nullable=False, unique=True, default=new_verification_code
    )
    #: A correction names the notice it replaces; the old one stays as it was issued.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: When the PDF was produced (null while pending).
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Relative to the storage folder, e.g. ``notices/ZS/2026/12-acceptance_notice.pdf``.
    file_path: Mapped[str | None] = mapped_column(String(300))
    file_size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: Failed rendering attempts, and the last failure, for the operator running the retry.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case")
    unit = relationship("Unit")
    event = relationship("Event")
    replaces = relationship("Notice", remote_side=[id])

    __table_args__ = (
        UniqueConstraint("unit_id", "document_number", name="uq_notices_unit_document_number"),
        # A notice is corrected at most once; the correction is corrected in turn (NULLs repeat).
        UniqueConstraint("replaces_id", name="uq_notices_replaces_id"),
        CheckConstraint("status in ('pending', 'issued')", name="status_known"),
        # An issued notice always has its file and fingerprint (cf. Indico's judge_if_judged).
        CheckConstraint(
            "status = 'pending' or (file_path is not null and sha256 is not null"
            " and file_size is not null and rendered_at is not null)",
            name="file_if_issued",
        ),
        Index("ix_notices_status", "status"),
    )

    @property
    def is_issued(self) -> bool:
        return self.status == "issued"

    def __repr__(self):
        return f"<Notice {self.id} {self.kind} {self.document_number} {self.status}>"
