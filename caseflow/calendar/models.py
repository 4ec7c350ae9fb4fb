"""The working-day calendar as data (deadlines.md §1): per-year status and per-day exceptions.

A year without a ``CalendarYear`` row is provisional and follows the statutory rules
(``caseflow.calendar.statutory``). ``UnitClosure`` rows are a unit's own exceptions (a typhoon day),
applied on top of the national calendar to that unit's clocks only. ``CalendarState`` holds one row whose ``token`` changes on every
load, so each process knows when its cached working-day index is stale.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import Model
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime

YEAR_STATUSES = ("official", "provisional")


class CalendarYear(Model):
    """One year's schedule: ``official`` (a State Council notice) or ``provisional``."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Where the schedule came from, e.g. ``chinesecalendar 1.11.0 / 国办发明电`` or a file name.
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: Who loaded it (a username; not a foreign key, so the calendar outlives user rows).
    loaded_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (CheckConstraint("status in ('official', 'provisional')", name="status"),)


class CalendarDay(Model):
    """A day that breaks the Monday–Friday rule: a ``holiday``, or a make-up ``workday`` (调休)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    #: Declared so the unit of work inserts the year before its days (a bare foreign key does not
    #: order inserts between mappers; SQLite and PostgreSQL check it at once).
    year_row = relationship("CalendarYear")

    __table_args__ = (CheckConstraint("kind in ('holiday', 'workday')", name="kind"),)


class CalendarState(Model):
    """A single row (id 1): bumped on every change of calendar data."""

    __tablename__ = "calendar_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: Random per change, so a rolled-back change can never be mistaken for a committed one.
    token: Mapped[str] = mapped_column(String(32), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class UnitClosure(Model):
    """A unit's local closure (deadlines.md §1: "Units may add local closures (e.g. a typhoon
    day) the same way, scoped to the unit"): a ``holiday`` the unit does not work, or rarely a
    ``workday`` it does, on top of the national calendar, for that unit's clocks only.

    Not a ``calendar_`` table: units come and go with their closures (the tests wipe both).
    """

    __tablename__ = "unit_closures"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: A load replaces one year of a unit's closures, as a national load replaces one year.
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    loaded_by: Mapped[str | None] = mapped_column(String(80))

    unit = relationship("Unit")

    __table_args__ = (CheckConstraint("kind in ('holiday', 'workday')", name="kind"),)
