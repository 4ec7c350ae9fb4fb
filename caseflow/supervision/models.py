"""Running totals behind the supervisor's period figures (``caseflow.supervision.tallies``).

One row per (unit, workflow, name, metric, local day) with a count. They are kept up to date in
the same transaction as every change of a case or clock (a session hook), so a figure read from
them is exact, and reading a period costs the number of days in it, not the number of cases.
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.cases.models import Case
from caseflow.extensions import db

#: The approval queue: per (unit, workflow, state), the cases longest waiting first.
cases_waiting = Index(
    "ix_cases_unit_workflow_state_waiting", Case.unit_id, Case.workflow, Case.state, Case.last_event_at
)


class DailyTally(db.Model):
    __tablename__ = "daily_tallies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    workflow: Mapped[str] = mapped_column(String(32), nullable=False)
    #: The clock for clock metrics; the assignee for ``open``/``open_due``; for ``closed_days``,
    #: ``closed_weeks`` and ``closed_months`` the whole days from receipt to closing (their day:
    #: the closing day, the Monday of its week, the 1st of its month).
    name: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    #: ``received``, ``closed`` (by closing day), ``met`` / ``breached`` (by stopping day),
    #: ``breached_due`` (stopped late) and ``running_due`` (running), by the day the clock is due
    #: (``tallies.due_day``: a day-based clock's last day, not the 00:00 after it);
    #: for open cases ``open_state`` (name: the state) and ``open_state_due`` (by next due day).
    metric: Mapped[str] = mapped_column(String(16), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        Index(
            "uq_daily_tallies_key", "unit_id", "metric", "day", "workflow", "name", unique=True
        ),
        # The reads sum ranges of days: the amount in the index spares a lookup per row.
        Index("ix_daily_tallies_read", "unit_id", "metric", "day", "workflow", "name", "amount"),
    )


class SavedFilter(db.Model):
    """A user's named inbox filter (the query string of the inbox), e.g. 「本周到期的裁决」."""

    __tablename__ = "saved_filters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    #: The inbox's query string without the page (``tab=all&workflow=adjudication&overdue=y``).
    query: Mapped[str] = mapped_column(String(500), nullable=False, default="")

    __table_args__ = (Index("uq_saved_filters_user_name", "user_id", "name", unique=True),)
