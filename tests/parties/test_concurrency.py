"""Simultaneous paper-service records of one notice on PostgreSQL: one is recorded, the others are
refused (409), one delivery row and one audit event. SQLite has one writer at a time."""

import pytest
import time_machine
from sqlalchemy import func, select

from caseflow.cases.models import Event
from caseflow.extensions import db
from caseflow.parties.models import NoticeDelivery
from tests.parties.conftest import local
from tests.parties.test_status_and_consent import _to_awaiting_answer
from tests.support import at_once

pytestmark = pytest.mark.postgres


def test_a_paper_service_recorded_four_times_at_once_is_recorded_once(
    app, people, open_case, make_token
):
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 10), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        notice = _to_awaiting_answer(case, worker, local(2026, 10, 12, 9, 30))
    token, notice_id = make_token(worker), notice.id
    body = {"served_at": "2026-10-16", "method": "post"}

    def record(_i):
        answer = app.test_client().put(
            f"/api/v1/notices/{notice_id}/service",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        return answer.status_code

    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        statuses = at_once(app, record)
    assert sorted(statuses) == [200, 409, 409, 409]
    db.session.rollback()
    assert db.session.scalar(select(func.count(NoticeDelivery.id))) == 1
    services = select(func.count(Event.id)).where(Event.case_id == case.id, Event.kind == "service")
    assert db.session.scalar(services) == 1
