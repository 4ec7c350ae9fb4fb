"""Escalation counts working days on the case's own unit calendar: a Zhongshan typhoon closure
(2026-10-14, loaded as a ZS local closure) is not a working day for ZS clocks."""

import pytest
from sqlalchemy import delete

from caseflow.alerts.services import sla_sweep
from caseflow.calendar.models import UnitClosure
from caseflow.calendar.services import calendar_load, calendar_version_bump
from caseflow.extensions import db
from tests.alerts.conftest import local


@pytest.fixture(autouse=True)
def forget_closures():
    yield
    db.session.rollback()
    db.session.execute(delete(UnitClosure))
    calendar_version_bump()
    db.session.commit()


def test_a_unit_closure_postpones_that_units_escalation(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # Due at the end of Saturday 10-10 (an adjusted working day), as in test_sweep.
    clock = start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    assert clock.due_at == local(2026, 10, 11, 0, 0)
    calendar_load("2026-10-14 holiday 台风停工\n", source="中山市三防指挥部", unit="ZS")
    db.session.commit()

    assert [a.level for a in sla_sweep(local(2026, 10, 11, 0, 0, 5))] == ["due_soon", "overdue"]
    # Nationally the 5th working day after 10-10 is Fri 10-16; for ZS 10-14 is closed: 12, 13,
    # 15, 16, 19 → escalation at the end of Monday 10-19.
    assert sla_sweep(local(2026, 10, 17, 0, 1)) == []
    escalated = sla_sweep(local(2026, 10, 20, 0, 1))
    assert [a.level for a in escalated] == ["escalated"]
    assert escalated[0].moment_at == local(2026, 10, 20, 0, 0)
