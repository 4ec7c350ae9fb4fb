"""Applicants' filings (备案) at a unit: who may ask that unit for expedited pre-examination."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime

APPLICANT_STATUSES = ("pending", "approved", "revoked", "rejected")
APPLICANT_STATUS_LABELS = {
    "pending": "待审核",
    "approved": "已备案",
    "revoked": "已撤销",
    "rejected": "未通过审核",
}
#: A filing that has ended: it no longer blocks a new filing of the same credit code.
ENDED_STATUSES = ("revoked", "rejected")


class Applicant(db.Model):
    """One applicant's filing at one unit. Only an ``approved`` filing is active: ``revoked`` (an
    approved filing withdrawn) and ``rejected`` (a pending one refused) are final, and a new
    filing is needed to come back."""

    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: 统一社会信用代码, normalised (upper case, half-width), check digit verified.
    credit_code: Mapped[str] = mapped_column(String(18), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who ended the filing, and when: revoked, or rejected while pending.
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended, as the supervisor gave it: required for a rejection, optional for a revocation.
    end_reason: Mapped[str | None] = mapped_column(String(1000))

    unit = relationship("Unit")
    registered_by = relationship("User", foreign_keys=[registered_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    __table_args__ = (
        # One live filing per organisation per unit: a second registration is a mistake, not
        # news. A revoked or rejected filing stays on record and the organisation may file again.
        Index(
            "uq_applicants_live_credit_code",
            "unit_id",
            "credit_code",
            unique=True,
            sqlite_where=text("status not in ('revoked', 'rejected')"),
            postgresql_where=text("status not in ('revoked', 'rejected')"),
        ),
        CheckConstraint(
            "status in ('pending', 'approved', 'revoked', 'rejected')", name="status_known"
        ),
        # The state carries its fields: an approved (or later revoked) filing says who approved
        # it and when; an ended one when it ended.
        CheckConstraint(
            "status in ('pending', 'rejected') "
            "or (approved_by_id is not null and approved_at is not null)",
            name="approved_if_decided",
        ),
        CheckConstraint(
            "status not in ('revoked', 'rejected') or revoked_at is not null",
            name="revoked_at_if_revoked",
        ),
    )

    @property
    def is_active(self) -> bool:
        return self.status == "approved"

    @property
    def status_label(self) -> str:
        return APPLICANT_STATUS_LABELS[self.status]

    def __repr__(self):
        return f"<Applicant {self.credit_code} {self.status}>"
