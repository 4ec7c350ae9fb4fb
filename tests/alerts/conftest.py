"""Fixtures for the alert tests: cases with real clocks on the official 2026 calendar."""

import itertools
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from werkzeug.security import generate_password_hash

from caseflow.accounts.models import User
from caseflow.cases.models import Case
from caseflow.clocks.services import clock_start
from caseflow.extensions import db
from caseflow.timeutil import utcnow
from tests.support import PASSWORD

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
def start_clock(time_machine):
    """``start_clock(case, period, started_at, name="handling", live=False)`` through the clock
    services. Written at the test's "now" (a back-dated start, as when a case is entered after
    the fact), or with ``live=True`` at ``started_at`` itself: a clock started as it happened,
    whose alerts a sweep that did not run at their moment raises late."""

    def factory(case, period, started_at, name="handling", live=False):
        if live:
            now = utcnow()
            time_machine.move_to(started_at, tick=True)
        clock = clock_start(case, name, period=period, started_at=started_at)
        db.session.commit()
        if live:
            time_machine.move_to(now, tick=True)
        return clock

    return factory


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # One real scrypt hash of the harness's password, computed once: users made here can log in
    # through the real form, without paying ~0.1 s of hashing for each of them in every test.
    return generate_password_hash(PASSWORD)


def _user(role, unit, username, email=None) -> User:
    user = User(
        username=username,
        display_name=username,
        password_hash=_password_hash(),
        role=role,
        unit_id=unit.id if unit is not None else None,
        email=email,
    )
    db.session.add(user)
    return user


@pytest.fixture
def staff(units):
    """A ZS caseworker (the assignee), a second caseworker, a supervisor and an admin, with e-mail."""
    zs = units["ZS"]
    people = {
        "unit": zs,
        "caseworker": _user("caseworker", zs, "li", "li@zs.example"),
        "other": _user("caseworker", zs, "wu", "wu@zs.example"),
        "supervisor": _user("supervisor", zs, "wang", "wang@zs.example"),
        "admin": _user("admin", None, "root", "root@example"),
        "pd_supervisor": _user("supervisor", units["PD"], "zhou"),
    }
    db.session.commit()
    return people
