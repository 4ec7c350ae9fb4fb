"""Indexes behind the supervisor dashboard's reads (``caseflow.web.selectors.dashboard_build``).

The dashboard counts what happened in a period (cases received, cases closed, clocks settled) and
lists the running clocks that are late. Without these, each of those reads scans every case or
clock ever recorded, and the page slows down as the history grows (bench/pages.py measures it).
Declared here, beside the reads that need them, on the tables of ``caseflow.cases.models`` and
``caseflow.clocks.models``; registered in ``caseflow.models`` so Alembic sees them.
"""

from sqlalchemy import Index

from caseflow.cases.models import Case
from caseflow.clocks.models import Clock

#: Opened per week, and the period filter of the trend.
cases_received = Index("ix_cases_unit_received_at", Case.unit_id, Case.received_at)
#: Closed per week, median days to close.
cases_closed = Index("ix_cases_unit_closed_at", Case.unit_id, Case.closed_at)
#: On-time rate: clocks settled (met or breached) in the period.
clocks_stopped = Index("ix_clocks_stopped_at", Clock.stopped_at)
#: The overdue and due-soon lists: running clocks by due date.
clocks_running_due = Index("ix_clocks_status_due_at", Clock.status, Clock.due_at)
