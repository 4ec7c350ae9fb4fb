"""Trade fairs and their exhibitors, for the fair desk's on-site complaints (procedures.md §5)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime


class Fair(db.Model):
    """One edition of a fair, run by a fair desk unit. Its ``closes_at`` is a deadline: every open
    complaint is due by then (``decision_by_close``) and the ``post_fair`` clocks start from it."""

    __tablename__ = "fairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    venue: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    organiser: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    unit = relationship("Unit")
    exhibitors: Mapped[list["Exhibitor"]] = relationship(
        back_populates="fair", order_by="Exhibitor.booth", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    def __repr__(self):
        return f"<Fair {self.id} {self.name}>"


class Exhibitor(db.Model):
    """An exhibitor at one fair. The same company at another fair is another row; ``name_key``
    with ``country`` recognises it across fairs (for the repeat-infringer flag)."""

    __tablename__ = "exhibitors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The name folded for matching: NFKC, case-folded, without blanks and punctuation.
    name_key: Mapped[str] = mapped_column(String(200), nullable=False)
    booth: Mapped[str] = mapped_column(String(40), nullable=False)
    #: ISO 3166-1 alpha-2 (CN, HK, US…).
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    #: The unified social credit code where the list gives one (credit.md: exhibitors carry it
    #: where known, so a complaint against them matches the register by code, not by name).
    credit_code: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    fair: Mapped[Fair] = relationship(back_populates="exhibitors")

    __table_args__ = (
        # A booth is one stand with one exhibitor; a company with several stands lists them in one.
        UniqueConstraint("fair_id", "booth"),
        Index("ix_exhibitors_name_key_country", "name_key", "country"),
    )

    def __repr__(self):
        return f"<Exhibitor {self.booth} {self.name}>"
