"""``guard_wait``: what each guard kind waits for, and the first day it can pass, on the official
2026 calendar. Each date is checked against the guard itself: it refuses one microsecond before
the instant given and passes at it, so a step offered "from" a day is never refused that day."""

from datetime import date, timedelta

import pytest
import time_machine

import workflows
from caseflow.cases.selectors import case_clocks
from caseflow.engine import GUARDS
from caseflow.engine import guard_wait as engine_guard_wait
from caseflow.errors import StateConflict, ValidationFailed
from tests.engine.helpers import at
from tests.workflows.test_penalty import clue  # noqa: F401 (a penalty case at the clue stage)

DECISION = {
    "findings": "被请求人销售的灯具落入涉案专利权利要求1的保护范围。",
    "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
    "items": ["被请求人立即停止销售侵权产品。"],
}
US = timedelta(microseconds=1)


def guard_wait(case, guard, instant):
    """The engine's answer; the same from the clocks the case page has read as from its own."""
    read = engine_guard_wait(case, guard, instant)
    assert engine_guard_wait(case, guard, instant, case_clocks(case, active_first=True)) == read
    return read


def _guard(workflow, trigger, name):
    transition = workflows.transition(workflows.get(workflow), trigger)
    return next(g for g in transition.guards if g.name == name)


def _refuses(case, guard, instant, data=None) -> bool:
    try:
        GUARDS[guard.name](case, guard, instant, data or {})
    except (StateConflict, ValidationFailed):
        return True
    return False


def _served(open_case, fire, served_at):
    case = open_case("adjudication", received_at="2026-09-01 09:00")
    fire(case, "accept", occurred_at="2026-09-02 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at=served_at)
    return case


# --- clock_expired ------------------------------------------------------------------------------


def test_clock_expired_waits_for_the_day_after_the_rolled_over_last_day(open_case, fire):
    # Served 09-16: the 15th day is 10-01, National Day; 10-02..10-07 are holidays too, so the
    # period ends with 10-08 (Thursday) and the step can be done from 10-09.
    case = _served(open_case, fire, "2026-09-16 10:00")
    guard = _guard("adjudication", "proceed_without_answer", "clock_expired")
    wait = guard_wait(case, guard, at("2026-09-20 10:00"))
    assert wait.kind == "until" and wait.blocks and wait.clock == "answer"
    assert wait.from_on == date(2026, 10, 9)
    assert wait.from_at == at("2026-10-09 00:00")
    assert _refuses(case, guard, wait.from_at - US) and not _refuses(case, guard, wait.from_at)
    # The last moment of 10-08 still waits; from 10-09 nothing does.
    assert guard_wait(case, guard, at("2026-10-08 23:59")).from_on == date(2026, 10, 9)
    assert guard_wait(case, guard, at("2026-10-09 00:00")) is None


def test_clock_expired_the_issues_example_at_the_pinned_now(open_case, fire):
    # Served Sunday 11-22: the 15th day is Monday 12-07, a working day; from 12-08.
    case = _served(open_case, fire, "2026-11-22 10:00")
    guard = _guard("adjudication", "proceed_without_answer", "clock_expired")
    wait = guard_wait(case, guard, at("2026-11-30 10:00"))
    assert wait.kind == "until" and wait.from_on == date(2026, 12, 8)
    assert _refuses(case, guard, wait.from_at - US) and not _refuses(case, guard, wait.from_at)


def test_clock_expired_with_no_clock_or_a_paused_one_has_no_date(open_case, fire):
    guard = _guard("adjudication", "proceed_without_answer", "clock_expired")
    case = open_case("adjudication", received_at="2026-09-01 09:00")
    wait = guard_wait(case, guard, at("2026-09-02 10:00"))
    assert (wait.kind, wait.clock_status, wait.from_at) == ("clock", "missing", None)
    fire(case, "accept", occurred_at="2026-09-02 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at="2026-09-03 10:00")
    fire(case, "suspend", "supervisor", occurred_at="2026-09-04 10:00", data={"reason": "appraisal"})
    wait = guard_wait(case, guard, at("2026-11-30 10:00"))  # long after the answer's due day
    assert (wait.kind, wait.clock_status, wait.from_at) == ("clock", "paused", None)
    assert _refuses(case, guard, at("2026-11-30 10:00"))


# --- clock_settled, and the close after a decision ----------------------------------------------


def test_close_after_the_decision_waits_for_the_period_to_sue_and_the_publication(open_case, fire):
    case = _served(open_case, fire, "2026-11-10 10:00")
    fire(case, "receive_answer", occurred_at="2026-11-12 10:00")
    fire(case, "decide", "supervisor", occurred_at="2026-11-21 10:00", data=DECISION)
    close = workflows.transition(workflows.get("adjudication"), "close")
    appeal, published = close.guards
    now = at("2026-11-30 10:00")
    # Decided Saturday 11-21: the 15th day is Sunday 12-06, rolled over to Monday 12-07; the case
    # can be closed from Tuesday 12-08.
    wait = guard_wait(case, appeal, now)
    assert wait.kind == "until" and wait.clock == "appeal" and wait.from_on == date(2026, 12, 8)
    assert _refuses(case, appeal, wait.from_at - US) and not _refuses(case, appeal, wait.from_at)
    # The publication is a step to take, not a date to wait for: which step settles it is named.
    wait = guard_wait(case, published, now)
    assert wait.kind == "action" and wait.blocks and wait.from_at is None
    assert [t.trigger for t in wait.actions] == ["record_publication"]
    fire(case, "record_publication", occurred_at="2026-11-30 09:00")
    assert guard_wait(case, published, now) is None
    assert not _refuses(case, published, now)


# --- clock_running ------------------------------------------------------------------------------


def test_clock_running_cannot_pass_once_its_period_has_run(clue, fire):  # noqa: F811
    case = clue()
    guard = _guard("penalty", "request_hearing", "clock_running")
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        fire(case, "file_case", "supervisor", data={"handlers": ["张三", "李四"]})
        fire(case, "notify_intent", data={"proposed_fine": 1000, "facts": "事实"})
    # 5 workdays from 10-12: the statement period ends with 10-19.
    assert guard_wait(case, guard, at("2026-10-19 23:59")) is None
    wait = guard_wait(case, guard, at("2026-10-20 00:00"))
    assert wait.kind == "never" and wait.blocks and wait.from_at is None
    assert wait.ended_at == at("2026-10-20 00:00")
    assert not _refuses(case, guard, wait.ended_at - US) and _refuses(case, guard, wait.ended_at)


# --- min_notice ---------------------------------------------------------------------------------


def test_min_notice_gives_the_earliest_day_the_field_accepts(clue, fire):  # noqa: F811
    case = clue()
    guard = _guard("penalty", "request_hearing", "min_notice")
    # A notice on Monday 09-28: 7 workdays are 09-29, 09-30, (National Day) 10-08, 10-09, the
    # make-up Saturday 10-10, 10-12 and 10-13: the hearing may be held from 10-13.
    notice_at = at("2026-09-28 15:00")
    wait = guard_wait(case, guard, notice_at)
    assert wait.kind == "field" and not wait.blocks and wait.field == "hearing_at"
    assert wait.from_on == date(2026, 10, 13) and wait.from_at == at("2026-10-13 00:00")
    assert _refuses(case, guard, notice_at, {"hearing_at": wait.from_at - US})
    assert not _refuses(case, guard, notice_at, {"hearing_at": wait.from_at})


# --- not_before_field ---------------------------------------------------------------------------


def test_not_before_field_waits_for_the_hearing_day_and_the_page_says_so(open_case, fire, app):
    from caseflow.web.cases import blocked_until

    case = _served(open_case, fire, "2026-09-03 10:00")
    fire(case, "receive_answer", occurred_at="2026-09-10 10:00")
    fire(case, "schedule_hearing", occurred_at="2026-09-11 10:00",
         data={"hearing_at": "2026-09-18T14:00:00+08:00"})
    guard = _guard("adjudication", "hold_hearing", "not_before_field")
    wait = guard_wait(case, guard, at("2026-09-17 16:00"))
    assert wait.kind == "until" and wait.from_on == date(2026, 9, 18)
    assert _refuses(case, guard, wait.from_at - US) and not _refuses(case, guard, wait.from_at)
    assert guard_wait(case, guard, at("2026-09-18 00:00")) is None
    row = workflows.transition(workflows.get("adjudication"), "hold_hearing")
    with app.test_request_context():
        text = blocked_until(case, row, now=at("2026-09-17 16:00"))
    assert text == "2026年9月18日（周五）起可操作（口头审理日期未到，不能登记已举行）"


# --- guards on typed data alone -----------------------------------------------------------------


def test_guards_on_typed_data_have_no_date(open_case, clue):  # noqa: F811
    case = open_case("adjudication", received_at="2026-09-01 09:00")
    assert guard_wait(case, _guard("adjudication", "accept", "odd_count"), at("2026-09-02 10:00")) is None
    penalty = clue()
    fine = _guard("penalty", "notify_intent", "fine_bound")
    assert guard_wait(penalty, fine, at("2026-09-29 10:00")) is None


@pytest.mark.parametrize("workflow", sorted(workflows.WORKFLOWS))
def test_every_guard_kind_in_the_workflows_is_known_to_guard_wait(workflow):
    """A new guard kind must say what it waits for (or that it depends on the data alone)."""
    known = {
        "clock_expired", "clock_settled", "clock_running", "min_notice", "odd_count", "fine_bound",
        "not_before_field", "before_clock_due", "min_count", "as_notified",
        "any_of", "required_when",
    }
    for transition in workflows.get(workflow).TRANSITIONS:
        assert {g.name for g in transition.guards} <= known, transition.trigger
