"""Transactions at the edge (issue 10, part 5): services flush and leave the transaction open,
the caller commits; effects registered for after the commit run only when it happens."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from caseflow.cases.models import Case, Event
from caseflow.cases.services import case_assign
from caseflow.engine import case_fire
from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.transaction import after_commit, pending_effects, uncommitted_writes
from tests.engine.helpers import at


def _events(case_id, kind) -> int:
    return db.session.scalar(
        select(func.count()).where(Event.case_id == case_id, Event.kind == kind)
    )


def test_a_service_leaves_the_transaction_open_and_a_rollback_undoes_it(open_case, staff):
    case = open_case("adjudication")
    case_id = case.id
    case_assign(case, assignee=staff["ZS"]["caseworker"], actor=staff["ZS"]["supervisor"])
    assert uncommitted_writes(db.session)  # flushed, not committed
    assert _events(case_id, "assign") == 1

    db.session.rollback()
    assert db.session.get(Case, case_id).assignee_id is None
    assert _events(case_id, "assign") == 0


def test_case_fire_flushes_the_step_and_the_caller_decides(open_case, staff):
    case = open_case("adjudication", received_at="2026-02-10 09:00")
    case_id, state = case.id, case.state
    case_fire(
        case, "accept", staff["ZS"]["caseworker"], occurred_at=at("2026-02-13 10:00"),
        data={"handlers": ["甲", "乙", "丙"]}, render_notices=False,
    )
    assert case.state != state and _events(case_id, "transition") == 1
    db.session.rollback()
    assert db.session.get(Case, case_id).state == state
    assert _events(case_id, "transition") == 0


def test_a_refused_step_rolls_the_transaction_back_whole(open_case, staff):
    """A step is all or nothing: its refusal rolls back the caller's transaction, the work the
    caller did before it included (the page or the API would discard it anyway)."""
    case = open_case("adjudication")
    case_id = case.id
    case_assign(case, assignee=staff["ZS"]["caseworker"], actor=staff["ZS"]["supervisor"])
    with pytest.raises(StateConflict):
        case_fire(case, "decide", staff["ZS"]["supervisor"], render_notices=False)
    assert not uncommitted_writes(db.session)
    db.session.commit()
    assert db.session.get(Case, case_id).assignee_id is None
    assert _events(case_id, "transition") == 0 and _events(case_id, "assign") == 0


def test_after_commit_effects_run_on_commit_only():
    ran = []
    after_commit(db.session, ran.append, "kept")
    db.session.rollback()
    db.session.commit()
    assert ran == []  # the rollback dropped it

    after_commit(db.session, ran.append, "outer")
    try:
        with db.session.begin_nested():
            after_commit(db.session, ran.append, "in a savepoint rolled back")
            raise ValueError
    except ValueError:
        pass
    with db.session.begin_nested():
        after_commit(db.session, ran.append, "in a savepoint released")
    assert ran == []  # a savepoint's release is not the commit
    db.session.commit()
    assert ran == ["outer", "in a savepoint released"]

    after_commit(db.session, ran.append, "removed")
    db.session.remove()
    db.session.commit()
    assert ran == ["outer", "in a savepoint released"]


def test_a_failing_effect_never_undoes_the_commit(open_case, staff):
    case = open_case("adjudication")
    case_id, worker_id = case.id, staff["ZS"]["caseworker"].id

    def broken():
        raise RuntimeError("the renderer is down")

    case_assign(case, assignee=staff["ZS"]["caseworker"], actor=staff["ZS"]["supervisor"])
    after_commit(db.session, broken)
    db.session.commit()  # does not raise: the effect's failure is logged
    db.session.remove()
    assert db.session.get(Case, case_id).assignee_id == worker_id


def test_notices_render_after_the_callers_commit_never_on_rollback(open_case, staff):
    from caseflow.engine import _render_after_commit

    worker = staff["ZS"]["caseworker"]
    case = open_case("intake", received_at="2026-09-21 09:00", channel="walk_in")
    case_id = case.id
    case_fire(
        case, "request_correction", worker, occurred_at=at("2026-09-22 10:00"), render_notices=True
    )
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case_id))
    assert notice is not None and notice.status == "pending"
    assert pending_effects(db.session) == [_render_after_commit]

    db.session.rollback()  # the page refused after all: no notice, nothing rendered
    assert pending_effects(db.session) == []
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    db.session.commit()

    case = db.session.get(Case, case_id)
    case_fire(
        case, "request_correction", worker, occurred_at=at("2026-09-22 10:00"), render_notices=True
    )
    db.session.commit()
    [notice] = db.session.scalars(select(Notice).where(Notice.case_id == case_id)).all()
    assert notice.status == "issued", notice.last_error


def test_committing_commits_or_rolls_back_whole_and_flashes(app, open_case, staff):
    from caseflow.web.transaction import committing

    case = open_case("adjudication")
    case_id, worker_id = case.id, staff["ZS"]["caseworker"].id
    with app.test_request_context("/"):
        with committing() as step:
            case_assign(case, assignee=staff["ZS"]["caseworker"], actor=staff["ZS"]["supervisor"])
            raise ValidationFailed("第二步有误", message_en="the second step is wrong")
        assert step.failed and step.status == 422 and step.message == "第二步有误"
        assert get_flashed_messages(with_categories=True) == [("error", "第二步有误")]
    assert db.session.get(Case, case_id).assignee_id is None  # the first step went too

    with app.test_request_context("/"):
        with committing() as step:
            case_assign(
                db.session.get(Case, case_id),
                assignee=staff["ZS"]["caseworker"],
                actor=staff["ZS"]["supervisor"],
            )
        assert not step.failed
    assert not uncommitted_writes(db.session)
    db.session.remove()
    assert db.session.get(Case, case_id).assignee_id == worker_id


def test_a_read_that_succeeds_ends_with_a_commit_and_keeps_the_prepared_statements(
    client, is_postgres, login, make_user, units
):
    """``reads_end_with_commit``: psycopg forgets its prepared statements on every ROLLBACK, so a
    page read that succeeded ends with COMMIT; a failed read and uncommitted writes do not."""
    from collections import Counter

    from sqlalchemy import event, inspect

    from caseflow.accounts.models import Unit

    ended, served = [], Counter()
    login(make_user("caseworker", units["ZS"]))  # a page read through the session that fails

    def on_commit(conn):
        ended.append("commit")
        served[conn.connection.dbapi_connection] += 1

    def on_rollback(conn):
        ended.append("rollback")

    event.listen(db.engine, "commit", on_commit)
    event.listen(db.engine, "rollback", on_rollback)
    try:
        kept = Unit(code="KEEP", name="已读出的单位", kind="protection_centre", profile={})
        db.session.add(kept)
        db.session.commit()
        assert kept.name == "已读出的单位"  # the test's own read: its transaction is open
        ended.clear()
        assert client.get("/healthz").status_code == 200
        assert ended == ["commit"] and not db.session().in_transaction()
        # Nothing was written, so nothing read was expired: no row is read again afterwards.
        assert not inspect(kept).expired_attributes

        ended.clear()
        assert client.get("/cases/no-such-case").status_code == 404
        assert "commit" not in ended  # a failed read is rolled back, never committed
        db.session.rollback()

        ended.clear()
        db.session.add(Unit(code="TMP", name="未提交的单位", kind="protection_centre", profile={}))
        db.session.flush()
        assert client.get("/healthz").status_code == 200
        assert ended == []  # the writes are not the request's to commit
        db.session.rollback()
        assert db.session.scalar(select(Unit).where(Unit.code == "TMP")) is None

        if is_postgres:
            # psycopg prepares a statement on its fifth use on a connection; the pool hands its
            # connections out in turn, so read until one of them has served seven.
            served.clear()
            for _ in range(200):
                assert client.get("/healthz").status_code == 200
                if max(served.values()) >= 7:
                    break
            dbapi, uses = served.most_common(1)[0]
            assert uses >= 7
            prepared = {row[0] for row in dbapi.execute("SELECT statement FROM pg_prepared_statements")}
            dbapi.rollback()
            assert "select 1" in prepared
    finally:
        event.remove(db.engine, "commit", on_commit)
        event.remove(db.engine, "rollback", on_rollback)
