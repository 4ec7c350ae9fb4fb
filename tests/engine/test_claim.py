"""Claiming a case (``caseflow.cases.services.case_claim``): two people who claim the same case at
the same moment, each in their own session, cannot both win. The case's version guards the write,
so one claim is committed and the other gets a 409 that says someone else was first. Runs on
SQLite and on PostgreSQL."""

import threading

import pytest
from sqlalchemy import func, select

from caseflow.accounts.models import User
from caseflow.cases.models import Case, Event
from caseflow.cases.services import case_claim
from caseflow.errors import StateConflict, VersionConflict
from caseflow.extensions import db


@pytest.fixture
def two_workers(staff, units):
    """Two caseworkers of ZS (the staff fixture has one per role)."""
    second = User(
        username="caseworker_ZS_2",
        display_name="第二承办人",
        password_hash="!",
        role="caseworker",
        unit=units["ZS"],
    )
    db.session.add(second)
    db.session.commit()
    return staff["ZS"]["caseworker"].id, second.id


def _assign_events(case_id) -> int:
    return db.session.scalar(
        select(func.count()).where(Event.case_id == case_id, Event.kind == "assign")
    )


def test_two_simultaneous_claims_one_wins_the_other_gets_a_conflict(app, open_case, two_workers):
    case = open_case("adjudication")
    db.session.commit()
    case_id, version = case.id, case.version
    assert case.assignee_id is None
    db.session.remove()

    # Both have read the case, unassigned, before either writes: the check in the service passes
    # for both, so only the database can tell them apart.
    read = threading.Barrier(2)
    results: dict[int, object] = {}

    def claim(user_id):
        with app.app_context():
            try:
                mine = db.session.get(Case, case_id)
                me = db.session.get(User, user_id)
                assert mine.assignee_id is None
                read.wait(timeout=30)
                case_claim(case=mine, actor=me)
                db.session.commit()  # as the claim page does
                results[user_id] = "ok"
            except (VersionConflict, StateConflict) as exc:
                results[user_id] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(user_id,)) for user_id in two_workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == sorted(two_workers)
    winners = [user_id for user_id, outcome in results.items() if outcome == "ok"]
    losers = [outcome for outcome in results.values() if outcome != "ok"]
    assert len(winners) == 1 and len(losers) == 1
    conflict = losers[0]
    assert isinstance(conflict, VersionConflict)
    assert conflict.status == 409
    assert "他人认领" in conflict.message
    assert "someone else claimed" in conflict.message_en

    case = db.session.get(Case, case_id)
    assert case.assignee_id == winners[0]
    assert case.version == version + 1
    assert _assign_events(case_id) == 1  # the loser's event was rolled back with its claim


def test_claiming_a_case_that_has_its_assignee_is_a_conflict(open_case, staff):
    case = open_case("adjudication")
    db.session.commit()
    case_claim(case=case, actor=staff["ZS"]["caseworker"])
    with pytest.raises(StateConflict) as raised:
        case_claim(case=case, actor=staff["ZS"]["supervisor"])
    assert raised.value.status == 409
    assert raised.value.fields == {"case": "assigned"}
    assert case.assignee_id == staff["ZS"]["caseworker"].id
    assert _assign_events(case.id) == 1
