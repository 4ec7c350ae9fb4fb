"""The database guards the states that imply a field (CHECK constraints, on SQLite and
PostgreSQL): a clock is paused exactly when ``paused_at`` is set and stopped exactly when
``stopped_at`` is set; a case is closed exactly when ``closed_at`` is set. The services keep
them: a clock stopped while paused ends its pause."""

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from caseflow.cases.models import Case
from caseflow.clocks.models import Clock
from caseflow.clocks.services import clock_pause, clock_start, clock_stop
from caseflow.extensions import db
from tests.clocks.conftest import local


@pytest.fixture
def running(make_case):
    case = make_case()
    clock = clock_start(case, "acceptance", period="5 workdays", started_at=local("2026-09-01T09:00"))
    db.session.commit()
    return case, clock


@pytest.mark.parametrize(
    "values",
    [
        {"status": "paused"},  # paused without paused_at
        {"paused_at": local("2026-09-02T09:00")},  # running with paused_at
        {"status": "met"},  # stopped without stopped_at
        {"stopped_at": local("2026-09-02T09:00")},  # running with stopped_at
    ],
)
def test_a_clock_state_without_its_instant_is_refused(running, values):
    _case, clock = running
    with pytest.raises(IntegrityError):
        db.session.execute(update(Clock).where(Clock.id == clock.id).values(**values))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "values", [{"is_closed": True}, {"closed_at": local("2026-09-02T09:00")}]
)
def test_a_case_closed_without_closed_at_or_open_with_it_is_refused(running, values):
    case, _clock = running
    with pytest.raises(IntegrityError):
        db.session.execute(update(Case).where(Case.id == case.id).values(**values))
        db.session.flush()
    db.session.rollback()


def test_stopping_a_paused_clock_ends_its_pause(running):
    case, clock = running
    clock_pause(case, "acceptance", at=local("2026-09-02T09:00"))
    db.session.commit()
    stopped = clock_stop(case, "acceptance", at=local("2026-09-03T09:00"))
    db.session.commit()
    assert stopped.status == "met" and stopped.paused_at is None
    assert stopped.stopped_at == local("2026-09-03T09:00")
    assert stopped.paused_seconds == 24 * 3600
