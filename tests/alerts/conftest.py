"""Fixtures for the alert tests: cases with real clocks on the official 2026 calendar."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caseflow.cases.models import Case
from caseflow.clocks.services import clock_start
from caseflow.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(*args) -> datetime:
    """An instant given in Asia/Shanghai wall time."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def make_case():
    """``make_case(unit, assignee=None)``: a bare case row (the engine is not under test here)."""

    def factory(unit, assignee=None, title="某专利侵权纠纷"):
        case = Case(
            number=f"{unit.code}-ADJ-2026-{next(_numbers):05d}",
            unit_id=unit.id,
            workflow="adjudication",
            state="filed",
            title=title,
            received_at=local(2026, 9, 1, 9),
            assignee_id=assignee.id if assignee else None,
        )
        db.session.add(case)
        db.session.commit()
        return case

    return factory


@pytest.fixture
def start_clock():
    """``start_clock(case, period, started_at, name="handling")`` through the clock services."""

    def factory(case, period, started_at, name="handling"):
        clock = clock_start(case, name, period=period, started_at=started_at)
        db.session.commit()
        return clock

    return factory


@pytest.fixture
def staff(units, make_user):
    """A ZS caseworker (the assignee), a second caseworker, a supervisor and an admin, with e-mail."""
    zs = units["ZS"]
    return {
        "unit": zs,
        "caseworker": make_user("caseworker", zs, username="li", email="li@zs.example"),
        "other": make_user("caseworker", zs, username="wu", email="wu@zs.example"),
        "supervisor": make_user("supervisor", zs, username="wang", email="wang@zs.example"),
        "admin": make_user("admin", None, username="root", email="root@example"),
        "pd_supervisor": make_user("supervisor", units["PD"], username="zhou"),
    }
