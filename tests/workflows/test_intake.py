"""Every row of the `intake` transition table, fired from each of its source states: the allowed
role succeeds with one audit event, other roles get 403, other states 409. Then an anonymous
report."""

import pytest
import time_machine
from sqlalchemy import select

from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.notices.models import Notice
from tests.engine.helpers import at
from tests.workflows.walk import walk


def test_every_row_from_every_source(open_any, fire):
    walk("intake", open_any=open_any, fire=fire)


def test_a_written_report_may_be_anonymous_and_nobody_is_written_to(open_case, fire):
    """举报 may come without a name (SAMR Order 20 art 31 tells only a real-name reporter the
    decision): a letter or a web report is registered without one, its acceptance clock runs,
    and its steps issue no notice to an unnamed reporter. It can become a penalty clue, never
    a named party's adjudication or mediation. A phone or walk-in intake records the name
    (art 9)."""
    with pytest.raises(ValidationFailed) as refused:
        open_case("intake", channel="hotline_12345", complainant=None)
    assert "complainant.name" in refused.value.fields

    with time_machine.travel(at("2026-09-28 10:00"), tick=False):
        rejected = open_case("intake", channel="letter", complainant=None)
        clue = open_case("intake", channel="web", complainant={"contact": ""})
        disputed = open_case("intake", channel="email", complainant=None)
    assert rejected.complainant_name == "" and rejected.state == "received"
    with time_machine.travel(at("2026-09-29 10:00"), tick=False):
        fire(rejected, "reject", data={"reason": "举报内容不属于专利领域"})
        with pytest.raises(ValidationFailed) as refused:
            fire(disputed, "accept", data={"route": "adjudication"})
        db.session.rollback()
        fire(clue, "accept", data={"route": "penalty_clue"})
    assert "匿名举报不能转为" in refused.value.message
    assert rejected.state == "rejected" and clue.state == "accepted"
    assert disputed.state == "received"
    assert db.session.scalars(select(Notice)).all() == []
