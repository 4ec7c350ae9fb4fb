"""Fixtures for tests that load a calendar year: the calendar tables survive between tests, so a
test that loads 2027 must put it back (provisional) afterwards."""

from pathlib import Path

import pytest

from caseflow.calendar.services import calendar_year_delete
from caseflow.extensions import db
from tests.clocks.conftest import local, make_case  # noqa: F401  (shared case factory)

#: A 2027 schedule shaped like a State Council notice, for tests only (not the real notice).
SCHEDULE_2027 = Path(__file__).with_name("schedule-2027.txt")


@pytest.fixture
def restore_2027():
    """Yield the test schedule's path; afterwards delete 2027 and bump the calendar version."""
    yield SCHEDULE_2027
    db.session.rollback()
    calendar_year_delete(2027, recompute=False)
    db.session.commit()
