"""Every row of the `adjudication` transition table, fired from each of its source states: the allowed
role succeeds with one audit event, other roles get 403, other states 409. Then the paths the table
alone does not show: a suspension inside the answer period, hearings, the lapse of a correction."""

import re

import pytest
import time_machine
from sqlalchemy import select

from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.notices.models import Notice
from tests.engine.helpers import at, clocks_of, local_due
from tests.workflows.walk import walk

HANDLERS = {"handlers": ["李一", "王二", "张三"]}


def test_every_row_from_every_source(open_any, fire):
    walk("adjudication", open_any=open_any, fire=fire)


def step(fire, case, trigger, when, role="caseworker", **kwargs):
    """Fire ``trigger`` with "now" pinned at ``when`` (a local instant)."""
    with time_machine.travel(at(when), tick=False):
        return fire(case, trigger, role, **kwargs)


def served(open_case, fire):
    """An adjudication accepted on 2026-09-02 and served on 09-03: the answer clock runs."""
    case = open_case("adjudication", received_at="2026-09-01 09:00")
    step(fire, case, "accept", "2026-09-02 10:00", data=HANDLERS)
    step(fire, case, "serve", "2026-09-03 10:00")
    return case


def test_a_suspension_in_the_answer_period_resumes_to_the_answer(open_case, fire):
    case = served(open_case, fire)
    assert local_due(clocks_of(case)["answer"]) == "2026-09-18"  # 15 days from 09-03
    step(fire, case, "suspend", "2026-09-10 10:00", "supervisor", data={"reason": "appraisal"})
    event = step(fire, case, "resume", "2026-09-21 10:00", "supervisor")
    # Back to the answer period, its clock moved by the 11 paused days.
    assert case.state == "awaiting_answer" and event.to_state == "awaiting_answer"
    assert local_due(clocks_of(case)["answer"]) == "2026-09-29"
    step(fire, case, "receive_answer", "2026-09-25 10:00")
    assert case.state == "under_review" and clocks_of(case)["answer"].status == "met"


def test_an_answer_period_suspended_in_its_roll_over_is_not_overdue_on_resuming(open_case, fire):
    """Served on Friday 11-06, the answer's last day is Saturday 11-21, rolled over to Monday
    11-23. Suspended on Sunday 11-22, the respondent still had Monday: resumed on Wednesday
    11-25, it has Thursday 11-26, and the case cannot yet proceed without its answer."""
    case = open_case("adjudication", received_at="2026-11-04 09:00")
    step(fire, case, "accept", "2026-11-05 10:00", data=HANDLERS)
    step(fire, case, "serve", "2026-11-06 10:00")
    assert local_due(clocks_of(case)["answer"]) == "2026-11-23"
    step(fire, case, "suspend", "2026-11-22 10:00", "supervisor", data={"reason": "appraisal"})
    step(fire, case, "resume", "2026-11-25 10:00", "supervisor")
    assert case.state == "awaiting_answer"
    assert local_due(clocks_of(case)["answer"]) == "2026-11-26"
    with pytest.raises(StateConflict):
        step(fire, case, "proceed_without_answer", "2026-11-25 10:05")
    step(fire, case, "proceed_without_answer", "2026-11-27 09:00")
    assert case.state == "under_review"


def test_an_overdue_service_promise_suspended_keeps_its_due_date(open_case, fire):
    """Zhongshan's 1-month closing promise from 09-02 was due on 10-08 (10-02 fell in National
    Day). Suspended when it was already overdue, it had nothing left: resuming does not move
    it. The 3-month closing period, still running when suspended, moves by the 21 days."""
    case = open_case("adjudication", received_at="2026-09-01 09:00")
    step(fire, case, "accept", "2026-09-02 10:00", data=HANDLERS)
    assert local_due(clocks_of(case)["closing_target"]) == "2026-10-08"
    assert local_due(clocks_of(case)["closing"]) == "2026-12-02"
    step(fire, case, "suspend", "2026-10-12 10:00", "supervisor", data={"reason": "ownership"})
    step(fire, case, "resume", "2026-11-02 10:00", "supervisor")
    assert local_due(clocks_of(case)["closing_target"]) == "2026-10-08"
    assert local_due(clocks_of(case)["closing"]) == "2026-12-23"


def test_a_suspension_before_service_resumes_to_service(open_case, fire):
    case = open_case("adjudication", received_at="2026-09-01 09:00")
    step(fire, case, "accept", "2026-09-02 10:00", data=HANDLERS)
    step(fire, case, "suspend", "2026-09-03 10:00", "supervisor", data={"reason": "ownership"})
    step(fire, case, "resume", "2026-09-10 10:00", "supervisor")
    assert case.state == "accepted"
    step(fire, case, "serve", "2026-09-11 10:00")
    assert case.state == "awaiting_answer" and clocks_of(case)["service"].status == "met"


def test_a_suspension_with_a_hearing_scheduled_resumes_to_review(open_case, fire):
    case = served(open_case, fire)
    step(fire, case, "receive_answer", "2026-09-10 10:00")
    hearing = {"hearing_at": "2026-09-18T09:00:00+08:00"}
    step(fire, case, "schedule_hearing", "2026-09-11 10:00", data=hearing)
    step(fire, case, "suspend", "2026-09-14 10:00", "supervisor", data={"reason": "appraisal"})
    step(fire, case, "resume", "2026-09-28 10:00", "supervisor")
    # The hearing fell in the suspension: the caseworker schedules another.
    assert case.state == "under_review"


def hearing_scheduled(open_case, fire):
    """A case whose hearing is set for 2026-12-04 09:00, noticed on 11-27."""
    case = open_case("adjudication", received_at="2026-11-02 09:00")
    step(fire, case, "accept", "2026-11-03 10:00", data=HANDLERS)
    step(fire, case, "serve", "2026-11-04 10:00")
    step(fire, case, "receive_answer", "2026-11-10 10:00")
    hearing = {"hearing_at": "2026-12-04T09:00:00+08:00", "hearing_place": "第一审理室"}
    step(fire, case, "schedule_hearing", "2026-11-27 10:00", data=hearing)
    return case


def test_a_hearing_is_recorded_held_on_its_day_not_before(open_case, fire):
    case = hearing_scheduled(open_case, fire)
    with pytest.raises(StateConflict) as refused:
        step(fire, case, "hold_hearing", "2026-12-01 10:00")
    assert "2026年12月4日" in refused.value.message and case.state == "hearing_scheduled"
    # Back-dated to before its day from a later "now": refused as well.
    with pytest.raises(StateConflict):
        step(fire, case, "hold_hearing", "2026-12-07 10:00", occurred_at="2026-12-03 16:00")
    event = step(fire, case, "hold_hearing", "2026-12-04 11:30")
    assert case.state == "under_review" and event.trigger == "hold_hearing"


def test_a_hearing_is_postponed_with_a_new_notice_that_replaces_the_first(open_case, fire):
    from caseflow.notices.render import notice_html

    case = hearing_scheduled(open_case, fire)
    # The new date keeps the notice period: 3 working days after 12-01 is 12-04.
    with pytest.raises(ValidationFailed):
        step(
            fire, case, "schedule_hearing", "2026-12-01 10:00",
            data={"hearing_at": "2026-12-03T09:00:00+08:00"},
        )
    event = step(
        fire, case, "schedule_hearing", "2026-12-01 10:00",
        data={"hearing_at": "2026-12-11T09:00:00+08:00"},
    )
    assert case.state == "hearing_scheduled" and event.from_state == "hearing_scheduled"
    # Each party has its hearing notices; each new one replaces that party's earlier one.
    first, first_to_respondent, second, second_to_respondent = db.session.scalars(
        select(Notice)
        .where(Notice.case_id == case.id, Notice.kind == "hearing_notice")
        .order_by(Notice.id)
    )
    text = re.sub(r"<[^>]+>|\s+", "", notice_html(second_to_respondent))
    assert f"口头审理通知书（{first_to_respondent.document_number}）所定的口头审理改期举行" in text
    text = re.sub(r"<[^>]+>|\s+", "", notice_html(second))
    assert f"口头审理通知书（{first.document_number}）所定的口头审理改期举行" in text
    assert "2026年12月11日" in text
    assert "改期" not in re.sub(r"<[^>]+>|\s+", "", notice_html(first))
    # The old day no longer holds: the hearing is held on the new one.
    with pytest.raises(StateConflict):
        step(fire, case, "hold_hearing", "2026-12-04 11:30")
    step(fire, case, "hold_hearing", "2026-12-11 11:30")
    assert case.state == "under_review"


def test_an_uncorrected_request_lapses_with_a_deemed_withdrawn_notice(open_case, fire):
    from caseflow.notices.render import notice_html

    case = open_case("adjudication", received_at="2026-09-01 09:00")
    step(fire, case, "request_correction", "2026-09-02 10:00", data={"items": "专利权评价报告"})
    assert local_due(clocks_of(case)["correction"]) == "2026-09-17"  # 15 days
    with pytest.raises(StateConflict):
        step(fire, case, "lapse", "2026-09-17 16:00")
    step(fire, case, "lapse", "2026-09-18 09:00")
    assert case.state == "withdrawn" and case.is_closed
    assert clocks_of(case)["correction"].status == "cancelled"  # the requester's period
    notice = db.session.scalar(
        select(Notice).where(Notice.case_id == case.id, Notice.kind == "lapse_notice")
    )
    text = re.sub(r"<[^>]+>|\s+", "", notice_html(notice))
    assert "视为撤回通知书" in text and "你方的请求视为撤回" in text
    assert "申请撤回" not in text


def test_an_extension_is_told_to_the_parties_and_its_limit_in_months(open_case, fire):
    from caseflow.notices.render import notice_html

    case = open_case("adjudication", received_at="2026-09-01 09:00")
    step(fire, case, "accept", "2026-09-02 10:00", data=HANDLERS)
    assert local_due(clocks_of(case)["closing"]) == "2026-12-02"  # 3 months
    step(fire, case, "extend", "2026-10-12 10:00", "supervisor", data={"reason": "案情复杂"})
    notice = db.session.scalars(
        select(Notice)
        .where(Notice.case_id == case.id, Notice.kind == "extension_notice")
        .order_by(Notice.id)
    ).first()
    text = re.sub(r"<[^>]+>|\s+", "", notice_html(notice))
    assert "延长审理期限通知书" in text and notice.document_number in text
    assert "因案情复杂，需要延长审理期限" in text
    # 12-02 + 1 month is Saturday 2027-01-02: the last day rolls to Monday 01-04.
    assert "本案审理期限延长至2027年1月4日" in text
    step(fire, case, "extend", "2026-10-13 10:00", "supervisor", data={"reason": "需要鉴定"})
    with pytest.raises(ValidationFailed) as refused:
        step(fire, case, "extend", "2026-10-14 10:00", "supervisor", data={"reason": "再次延长"})
    assert "已延长2个月，最多延长2个月" in refused.value.message
    told = db.session.execute(
        select(Notice.kind, Notice.addressee).where(Notice.case_id == case.id).order_by(Notice.id)
    )
    # Each extension is told to both parties (当事人), each in a notice of its own.
    assert [(kind, to["role"]) for kind, to in told] == [
        ("acceptance_notice", "complainant"),
        *[("extension_notice", "complainant"), ("extension_notice", "respondent")] * 2,
    ]
