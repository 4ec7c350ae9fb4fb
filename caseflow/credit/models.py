"""Credit records (``credit_record``, credit.md): one finding against one subject.

A record's clocks (publication, display, repair_eligible, withdrawal) are ``Clock`` rows on its
source case (``workflows.credit.clock_name``), so the SLA sweep alerts them like any case clock.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime


class CreditRecord(db.Model):
    __tablename__ = "credit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The unit whose case found it; its supervisors publish and repair it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    #: ``infringement_decision`` | ``penalty`` | ``fair_infringement`` |
    #: ``repeat_infringement`` | ``noncompliance`` (workflows.credit.KINDS).
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    #: ``pending_publication`` → ``published`` → ``expired`` | ``repaired`` | ``withdrawn``.
    status: Mapped[str] = mapped_column(String(24), nullable=False, default="pending_publication")
    subject_name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The unified social credit code, checksum verified; null for a person or when unknown.
    subject_code: Mapped[str | None] = mapped_column(String(18))
    #: ``subjects.subject_name_key`` of the name: the weaker match where no code is known.
    subject_key: Mapped[str] = mapped_column(String(200), nullable=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    case_number: Mapped[str] = mapped_column(String(40), nullable=False)
    notice_id: Mapped[int | None] = mapped_column(Integer)
    document_number: Mapped[str | None] = mapped_column(String(80))
    #: The patent the finding is about (the Pudong rule compares it).
    patent_number: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: A warning or a small fine (Order 45 art 13): displayed 3 months instead of 3 years.
    minor: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: What was decided: fine, illegal_income, outcome, repeat_of…
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_on: Mapped[date | None] = mapped_column(Date)
    #: The last day it is shown publicly (the display clock's last day).
    display_until: Mapped[date | None] = mapped_column(Date)
    #: The day from which credit repair may be approved.
    repair_eligible_on: Mapped[date | None] = mapped_column(Date)
    #: Revocation of the source decision recorded: the withdrawal clock runs.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it was repaired or withdrawn.
    end_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    unit = relationship("Unit")
    case = relationship("Case")

    __table_args__ = (
        # Repeat detection at case opening reads these two, nothing else (bench/credit.py).
        Index("ix_credit_records_subject_code", "subject_code"),
        Index("ix_credit_records_subject_key", "subject_key"),
        # The public list: published and still displayed.
        Index("ix_credit_records_status_display", "status", "display_until"),
        Index("ix_credit_records_unit_status", "unit_id", "status"),
        # The approval queue's records to withdraw: the unit's revoked ones only, whatever the
        # number of its published records.
        Index("ix_credit_records_unit_revoked", "unit_id", "revoked_at"),
    )

    def __repr__(self):
        return f"<CreditRecord {self.id} {self.kind} {self.status} {self.subject_name}>"
