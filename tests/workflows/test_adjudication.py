"""Every row of the `adjudication` transition table, fired from each of its source states: the allowed
role succeeds with one audit event, other roles get 403, other states 409. Then the paths the table
alone does not show: a suspension inside the answer period, hearings, the lapse of a correction."""

import time_machine

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
