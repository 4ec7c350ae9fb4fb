"""Concurrent steps on one case on PostgreSQL: exactly one wins, the rest get 409, one audit event
per accepted transition; concurrent openings get distinct, gapless numbers."""


import pytest
from sqlalchemy import func, select

from caseflow.accounts.models import User
from caseflow.cases.models import Case, Event
from caseflow.engine import case_fire
from caseflow.errors import StateConflict, VersionConflict
from caseflow.extensions import db
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)
from tests.engine.helpers import at
from tests.support import at_once, statements_sent

pytestmark = pytest.mark.postgres
THREADS = 8


def _race(app, job, n=THREADS):
    return at_once(app, job, n)


def _fire_in_thread(case_id, user_id, trigger, **kwargs):
    case = db.session.get(Case, case_id)
    user = db.session.get(User, user_id)
    try:
        case_fire(case, trigger, user, render_notices=False, **kwargs)
        db.session.commit()  # as the page or the API request does
        return "ok"
    except VersionConflict:
        return "version"
    except StateConflict:
        return "state"


def _transitions(case_id):
    return db.session.scalar(
        select(func.count()).where(Event.case_id == case_id, Event.kind == "transition")
    )


@pytest.fixture
def accepted_case(open_case, fire):
    case = open_case("adjudication", received_at="2026-02-10 09:00")
    fire(case, "accept", occurred_at="2026-02-13 10:00", data={"handlers": ["甲", "乙", "丙"]})
    return case


def test_same_version_exactly_one_wins(app, accepted_case, staff):
    case_id, version = accepted_case.id, accepted_case.version
    chief = staff["ZS"]["supervisor"].id
    results = _race(
        app,
        # Within the closing period (an extension after it would be refused, whatever the race).
        lambda i: _fire_in_thread(
            case_id,
            chief,
            "extend",
            version=version,
            occurred_at=at("2026-02-16 10:00"),
            data={"reason": f"第{i}次"},
        ),
    )
    assert sorted(results) == ["ok"] + ["version"] * (THREADS - 1)
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.version == version + 1
    assert _transitions(case_id) == 2  # accept and the one extension


def test_without_a_version_the_row_lock_serialises_and_the_state_decides(app, accepted_case, staff):
    case_id = accepted_case.id
    worker = staff["ZS"]["caseworker"].id
    results = _race(
        app, lambda i: _fire_in_thread(case_id, worker, "serve", occurred_at=at("2026-02-26 15:00"))
    )
    assert sorted(results) == ["ok"] + ["state"] * (THREADS - 1)
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "awaiting_answer"
    assert _transitions(case_id) == 2


def test_concurrent_openings_get_gapless_numbers(app, units, staff):
    from caseflow.cases.services import case_open

    unit_id, user_id = units["ZS"].id, staff["ZS"]["caseworker"].id

    def open_one(i):
        from caseflow.accounts.models import Unit

        case = case_open(
            workflow="intake",
            unit=db.session.get(Unit, unit_id),
            actor=db.session.get(User, user_id),
            channel="hotline_12345",
            title="来电举报网店销售假冒专利产品",
            complainant={"name": f"来电人{i}", "contact": f"1380000{i:04d}"},
            respondent={"name": "某网店"},
            received_at=at("2026-03-02 09:00"),
        )
        number = case.number
        db.session.commit()  # as the intake page does
        return number

    numbers = _race(app, open_one)
    assert sorted(numbers) == [f"ZS-INT-2026-{n:05d}" for n in range(1, THREADS + 1)]


def _fire_as_the_api(case_id, user_id, trigger, **kwargs):
    from caseflow.cases.selectors import case_get

    user = db.session.get(User, user_id)
    case = case_get(case_id, user=user, for_step=True)  # read locked, as the API's fire view
    try:
        case_fire(case, trigger, user, render_notices=False, **kwargs)
        db.session.commit()
        return "ok"
    except StateConflict:
        return "state"


def test_a_case_read_locked_serialises_the_same_and_is_read_once(app, accepted_case, staff):
    from sqlalchemy import text

    from caseflow.cases.selectors import case_get

    case_id = accepted_case.id
    worker_id = staff["ZS"]["caseworker"].id
    results = _race(
        app,
        lambda i: _fire_as_the_api(case_id, worker_id, "serve", occurred_at=at("2026-02-26 15:00")),
    )
    assert sorted(results) == ["ok"] + ["state"] * (THREADS - 1)
    assert _transitions(case_id) == 2

    db.session.commit()
    db.session.expunge_all()

    def case_reads():
        return [s for s in sent if s.lstrip().startswith("SELECT") and "FROM cases" in s]

    with statements_sent() as sent:
        user = db.session.get(User, worker_id)
        case = case_get(case_id, user=user, for_step=True)
        reads = case_reads()
        assert len(reads) == 1 and "FOR UPDATE" in reads[0]
        # The row is held: another connection cannot take it.
        with db.engine.connect() as other, pytest.raises(Exception, match="could not obtain lock"):
            other.execute(
                text("SELECT id FROM cases WHERE id = :id FOR UPDATE NOWAIT"), {"id": case_id}
            )
        sent.clear()
        case_fire(
            case, "receive_answer", user, occurred_at=at("2026-03-05 10:00"), render_notices=False
        )
        assert case_reads() == []  # the engine did not read it again
        db.session.commit()
        # A new transaction holds nothing: the engine locks (and reads) the case itself.
        sent.clear()
        case_fire(case, "withdraw", user, occurred_at=at("2026-03-20 10:00"), render_notices=False)
        assert any("FOR UPDATE" in statement for statement in case_reads())
        db.session.rollback()


def test_a_lock_taken_in_a_savepoint_rolled_back_is_taken_again(app, accepted_case, staff):
    from caseflow.cases.locks import case_lock
    from caseflow.cases.selectors import case_get

    user = db.session.get(User, staff["ZS"]["caseworker"].id)
    db.session.get(Case, accepted_case.id)  # the transaction has begun: the savepoint is inner
    savepoint = db.session.begin_nested()
    case = case_get(accepted_case.id, user=user, for_step=True)
    savepoint.rollback()  # PostgreSQL releases the row lock taken inside it
    with statements_sent() as sent:
        case_lock(case)
    assert sum("FOR UPDATE" in statement for statement in sent) == 1
    db.session.rollback()
