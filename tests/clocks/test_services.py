"""Clock services on the harness database and the seeded 2025/2026 calendar (deadlines.md §3–4)."""

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import select

from caseflow.calendar.periods import due_on_of
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.clocks.services import (
    case_refresh_next_due,
    clock_cancel,
    clock_extend,
    clock_next_alert_at,
    clock_pause,
    clock_replay,
    clock_resume,
    clock_retime,
    clock_start,
    clock_stop,
    clocks_batch,
    clocks_pause_all,
    clocks_resume_all,
    clocks_stop_all,
)
from caseflow.errors import StateConflict, ValidationFailed
from caseflow.extensions import db
from tests.clocks.conftest import local
from tests.support import statements_sent


def end_of(day: str):
    return (local(day) + timedelta(days=1)).astimezone(UTC)


def actions(clock):
    return [e.action for e in clock.entries]


def test_start_computes_due_and_history_and_case_next_due(make_case):
    case = make_case()
    clock = clock_start(
        case, "acceptance", period="5 workdays", started_at=local("2026-09-28T10:00")
    )
    db.session.commit()
    assert clock.status == "running"
    assert clock.due_at == end_of("2026-10-10")
    assert clock.last_day_on == date(2026, 10, 10)
    assert clock.period == "5 workdays" and clock.period_unit == "workdays"
    assert not clock.provisional
    assert actions(clock) == ["start"]
    assert clock.entries[0].due_after == clock.due_at
    assert case.next_due_at == clock.due_at
    # the soonest running clock sets the case's due instant
    other = clock_start(case, "reply", period="3 workdays", started_at=local("2026-09-28T10:00"))
    assert case.next_due_at == other.due_at == end_of("2026-10-08")


def test_a_second_active_clock_of_the_same_name_is_refused(make_case):
    case = make_case()
    clock_start(case, "acceptance", period="5 workdays", started_at=local("2026-09-28T10:00"))
    with pytest.raises(StateConflict):
        clock_start(case, "acceptance", period="5 workdays", started_at=local("2026-09-29T10:00"))


def test_start_refuses_bad_definitions(make_case):
    case = make_case()
    with pytest.raises(ValidationFailed):
        clock_start(case, "a", period="5 weeks", started_at=local("2026-09-28T10:00"))
    with pytest.raises(ValidationFailed):
        clock_start(case, "a", started_at=local("2026-09-28T10:00"))
    with pytest.raises(ValidationFailed):
        clock_start(
            case, "a", fixed_due_at=local("2026-09-27T10:00"), started_at=local("2026-09-28T10:00")
        )


def test_stop_met_breached_and_no_op(make_case):
    case = make_case()
    clock_start(case, "a", period="1 workdays", started_at=local("2026-03-06T10:00"))
    clock_start(case, "b", period="1 workdays", started_at=local("2026-03-06T10:00"))
    # due end of Monday 03-09: 23:59 that day is met, Tuesday 00:00:01 is late
    met = clock_stop(case, "a", at=local("2026-03-09T23:59"))
    late = clock_stop(case, "b", at=local("2026-03-10T00:00") + timedelta(seconds=1))
    assert (met.status, late.status) == ("met", "breached")
    assert met.next_alert_at is None and case.next_due_at is None
    assert clock_stop(case, "a", at=local("2026-03-10T00:00")) is None
    assert actions(met) == ["start", "stop"]


def test_a_clock_stopped_while_paused_is_judged_at_its_pause(make_case):
    """The paused span does not count (deadlines.md §3): a case withdrawn while suspended, long
    after the due date the pause froze, kept the time it had left; one paused late stays late."""
    case = make_case()
    clock_start(case, "a", period="1 workdays", started_at=local("2026-03-06T10:00"))
    clock_start(case, "b", period="1 workdays", started_at=local("2026-03-06T10:00"))
    # Both due the end of Monday 03-09: "a" paused that day, "b" on Tuesday, already late.
    clock_pause(case, "a", at=local("2026-03-09T15:00"))
    clock_pause(case, "b", at=local("2026-03-10T09:00"))
    in_time = clock_stop(case, "a", at=local("2026-06-01T09:00"))
    late = clock_stop(case, "b", at=local("2026-06-01T09:00"))
    assert (in_time.status, late.status) == ("met", "breached")
    assert in_time.stopped_at == local("2026-06-01T09:00") and in_time.paused_at is None


def test_fixed_clock_ends_at_the_fairs_close(make_case):
    case = make_case()
    closes = local("2026-10-19T18:00")
    clock = clock_start(
        case, "fair_reply", fixed_due_at=closes, started_at=local("2026-10-15T09:00")
    )
    assert clock.due_at == closes and clock.period_unit == "fixed" and clock.period is None


def test_pause_of_a_workdays_clock_across_national_day(make_case):
    case = make_case()
    # 10 workdays from Mon 09-14: 15–18, 20 (Sun, 调休), 21–24, 28 (09-25 is Mid-Autumn) → 09-28.
    clock = clock_start(case, "exam", period="10 workdays", started_at=local("2026-09-14T10:00"))
    assert clock.due_at == end_of("2026-09-28")
    clock_pause(case, "exam", at=local("2026-09-22T15:00"))
    assert clock.status == "paused" and clock.remaining == 3  # 09-23, 09-24, 09-28
    assert clock.next_alert_at is None and case.next_due_at is None
    # resumed on Friday 10-09: 10-10 (Sat, 调休), 10-12, 10-13
    clock_resume(case, "exam", at=local("2026-10-09T09:00"))
    assert clock.status == "running"
    assert clock.due_at == end_of("2026-10-13")
    assert clock.paused_seconds == int(
        (local("2026-10-09T09:00") - local("2026-09-22T15:00")).total_seconds()
    )
    assert case.next_due_at == clock.due_at
    assert actions(clock) == ["start", "pause", "resume"]
    assert clock.entries[-1].due_before == end_of("2026-09-28")


def test_a_workdays_clock_paused_on_its_last_day_resumes_with_that_day_left(make_case):
    """Paused on its due day (a 调休 Sunday) with hours to run, it is not overdue on resuming:
    the rest of the last day is the resume day, rolled over to a working day, as a days clock's
    last day moves by the days paused. Paused after its due day, nothing was left."""
    case = make_case()
    # 5 workdays from Mon 2025-09-22: 23, 24, 25, 26, Sun 28 (调休 for National Day).
    clock = clock_start(case, "a", period="5 workdays", started_at=local("2025-09-22T10:00"))
    late = clock_start(case, "b", period="5 workdays", started_at=local("2025-09-22T10:00"))
    assert clock.due_at == end_of("2025-09-28")
    clock_pause(case, "a", at=local("2025-09-28T10:00"))
    clock_pause(case, "b", at=local("2025-09-29T10:00"))
    assert clock.remaining == 0 and late.remaining == 0
    clock_resume(case, "a", at=local("2025-10-11T10:00"))  # Sat 10-11: a 调休 working day
    clock_resume(case, "b", at=local("2025-10-11T10:00"))
    assert clock.due_at == end_of("2025-10-11") and clock.last_day_on == date(2025, 10, 11)
    assert late.due_at == end_of("2025-09-28")
    assert clock_stop(case, "a", at=local("2025-10-11T15:00")).status == "met"
    # Resumed on a holiday, the last day rolls over to the next working day.
    other = clock_start(case, "c", period="5 workdays", started_at=local("2025-09-22T10:00"))
    clock_pause(case, "c", at=local("2025-09-28T10:00"))
    clock_resume(case, "c", at=local("2025-10-03T10:00"))  # National Day holiday
    assert other.due_at == end_of("2025-10-09")


def test_pause_of_a_days_clock_moves_the_last_day_then_rolls_over(make_case):
    case = make_case()
    clock = clock_start(case, "reply", period="15 days", started_at=local("2026-09-01T10:00"))
    assert clock.last_day_on == date(2026, 9, 16)
    clock_pause(case, "reply", at=local("2026-09-10T10:00"))
    clock_resume(case, "reply", at=local("2026-09-30T16:00"))  # 20 calendar days later
    assert clock.last_day_on == date(2026, 10, 6)  # National Day
    assert clock.due_at == end_of("2026-10-08")


def test_a_days_clock_paused_in_its_roll_over_keeps_the_working_days_it_had(make_case):
    """Paused after its last day but before the working day it rolled over to, a days clock
    counts the working days it still had again from the resume day, as a workdays clock does:
    moving its past last day by the days paused would leave it overdue on resuming."""
    case = make_case()
    # 15 days from Fri 11-06: the last day Sat 11-21 rolls over to Mon 11-23.
    clock = clock_start(case, "answer", period="15 days", started_at=local("2026-11-06T10:00"))
    assert (clock.last_day_on, clock.due_at) == (date(2026, 11, 21), end_of("2026-11-23"))
    clock_pause(case, "answer", at=local("2026-11-22T10:00"))  # Sunday: Monday 11-23 was left
    clock_resume(case, "answer", at=local("2026-11-25T10:00"))  # Wednesday
    assert clock.due_at == end_of("2026-11-26")  # that one working day, after the resume day
    # Paused on the Saturday, its last day itself, Monday was left all the same: the same 11-26
    # (moved by the days paused, it would be Wednesday: less time than paused a day later).
    saturday = clock_start(case, "e", period="15 days", started_at=local("2026-11-06T10:00"))
    clock_pause(case, "e", at=local("2026-11-21T10:00"))
    clock_resume(case, "e", at=local("2026-11-25T10:00"))
    assert saturday.due_at == end_of("2026-11-26")
    # From Fri 09-18: the last day Sat 10-03 (National Day) rolls over to Thu 10-08; paused on
    # 10-06, 10-08 was left; resumed on Wed 10-21 → Thu 10-22 (not 10-19, before the resume).
    rolled = clock_start(case, "b", period="15 days", started_at=local("2026-09-18T10:00"))
    assert (rolled.last_day_on, rolled.due_at) == (date(2026, 10, 3), end_of("2026-10-08"))
    clock_pause(case, "b", at=local("2026-10-06T10:00"))
    clock_resume(case, "b", at=local("2026-10-21T10:00"))
    assert rolled.due_at == end_of("2026-10-22")
    # Paused on its rolled-over due day, the rest of that day is the resume day's.
    due_day = clock_start(case, "c", period="15 days", started_at=local("2026-11-06T10:00"))
    clock_pause(case, "c", at=local("2026-11-23T10:00"))
    clock_resume(case, "c", at=local("2026-11-25T10:00"))
    assert due_day.due_at == end_of("2026-11-25")
    # A 1 months clock the same: from 09-02 the last day 10-02 rolls over to 10-08.
    month = clock_start(case, "d", period="1 months", started_at=local("2026-09-02T10:00"))
    clock_pause(case, "d", at=local("2026-10-07T10:00"))
    clock_resume(case, "d", at=local("2026-10-21T10:00"))
    assert month.due_at == end_of("2026-10-22")
    for name, resumed in (
        ("answer", clock), ("b", rolled), ("c", due_day), ("d", month), ("e", saturday)
    ):
        replayed = clock_replay(resumed)
        assert (replayed.due_at, replayed.last_day_on) == (resumed.due_at, resumed.last_day_on), name


def test_an_overdue_days_clock_paused_keeps_its_due_date(make_case):
    """Paused after its due day, a days or months clock had nothing left, as a workdays clock:
    its due date stays, and so does the alert level raised for it."""
    case = make_case()
    # 1 month from 09-02: the last day 10-02 (National Day) rolls over to 10-08.
    clock = clock_start(
        case, "closing_target", period="1 months", started_at=local("2026-09-02T10:00")
    )
    assert clock.due_at == end_of("2026-10-08")
    clock.alert_level = "overdue"  # raised on 10-09 by the sweep
    clock_pause(case, "closing_target", at=local("2026-10-12T10:00"))
    clock_resume(case, "closing_target", at=local("2026-11-02T10:00"))
    assert clock.due_at == end_of("2026-10-08") and clock.last_day_on == date(2026, 10, 2)
    assert clock.alert_level == "overdue"
    assert clock.next_alert_at == clock_next_alert_at(clock, "overdue")
    replayed = clock_replay(clock)
    assert (replayed.due_at, replayed.last_day_on) == (clock.due_at, clock.last_day_on)


def test_pause_of_an_hours_clock_adds_the_exact_span(make_case):
    case = make_case()
    clock = clock_start(case, "fair", period="24 hours", started_at=local("2026-10-02T10:00"))
    clock_pause(case, "fair", at=local("2026-10-02T20:00"))
    clock_resume(case, "fair", at=local("2026-10-03T08:30"))
    assert clock.due_at == local("2026-10-03T22:30").astimezone(UTC)


def test_pause_and_resume_at_the_same_instant_change_nothing(make_case):
    case = make_case()
    clock = clock_start(case, "exam", period="1 months", started_at=local("2026-01-31T10:00"))
    before = (clock.due_at, clock.last_day_on, clock.next_alert_at)
    clock_pause(case, "exam", at=local("2026-02-10T10:00"))
    clock_resume(case, "exam", at=local("2026-02-10T10:00"))
    assert (clock.due_at, clock.last_day_on, clock.next_alert_at) == before


def test_pause_and_resume_of_the_wrong_state_are_no_ops(make_case):
    case = make_case()
    clock_start(case, "exam", period="5 workdays", started_at=local("2026-09-28T10:00"))
    assert clock_resume(case, "exam", at=local("2026-09-29T10:00")) is None
    assert clock_pause(case, "nope", at=local("2026-09-29T10:00")) is None
    with pytest.raises(ValidationFailed):
        clock_pause(case, "exam", at=local("2026-09-27T10:00"))


def test_extension_is_added_to_the_last_day_before_roll_over(make_case):
    case = make_case()
    # 3 months from 07-07 → 10-07 (National Day) → due 10-08.
    clock = clock_start(case, "closing", period="3 months", started_at=local("2026-07-07T10:00"))
    assert (clock.last_day_on, clock.due_at) == (date(2026, 10, 7), end_of("2026-10-08"))
    clock_extend(
        case,
        "closing",
        by="1 months",
        at=local("2026-09-01T10:00"),
        maximum="1 months",
        note="复杂案件",
    )
    # 10-07 + 1 month = 11-07 (Saturday) → Monday 11-09
    assert clock.last_day_on == date(2026, 11, 7)
    assert clock.due_at == end_of("2026-11-09")
    assert clock.extended == 1
    entry = clock.entries[-1]
    assert (entry.action, entry.period, entry.note) == ("extend", "1 months", "复杂案件")
    with pytest.raises(ValidationFailed) as refused:
        clock_extend(
            case, "closing", by="1 months", at=local("2026-09-02T10:00"), maximum="1 months"
        )
    # A reason a supervisor reads, in both languages, as every field reason is written.
    # In the extension's unit: "已延长 1，上限 1" left the reader to guess one of what.
    assert refused.value.fields == {"by": "已达延长上限1个月 / at the maximum of 1 month"}
    assert refused.value.message == "延长合计超过上限（已延长1个月，最多延长1个月）"
    with pytest.raises(StateConflict):
        clock_extend(case, "nope", by="1 months", at=local("2026-09-02T10:00"))


def test_no_extension_once_the_period_has_run_out(make_case):
    """deadlines.md §3: a late clock stays late. An extension is granted because the case cannot
    be finished within the period, so before it ends; one recorded after the due moment would
    erase the breach. Up to the due moment itself (the end of the last day) it is in time."""
    case = make_case()
    # 3 months from 07-07 → 10-07 (National Day) → due at the end of 10-08.
    clock = clock_start(case, "closing", period="3 months", started_at=local("2026-07-07T10:00"))
    with pytest.raises(StateConflict) as refused:
        clock_extend(case, "closing", by="1 months", at=local("2026-10-09T09:00"), maximum="1 months")
    assert "2026年10月8日" in refused.value.message and "不能再延长" in refused.value.message
    assert "2026-10-08" in refused.value.message_en and "occurred_at" in refused.value.fields
    assert clock.due_at == end_of("2026-10-08") and clock.extended == 0
    assert [e.action for e in clock.entries] == ["start"]
    clock_extend(case, "closing", by="1 months", at=end_of("2026-10-08"), maximum="1 months")
    assert clock.extended == 1 and clock.due_at == end_of("2026-11-09")


def test_extension_of_a_paused_workdays_clock_counts_on_resume(make_case):
    case = make_case()
    clock = clock_start(case, "exam", period="5 workdays", started_at=local("2026-03-02T10:00"))
    assert clock.due_at == end_of("2026-03-09")
    clock_pause(case, "exam", at=local("2026-03-04T10:00"))  # remaining: 05, 06, 09
    clock_extend(case, "exam", by="2 workdays", at=local("2026-03-05T10:00"))
    assert clock.remaining == 5
    clock_resume(case, "exam", at=local("2026-03-16T10:00"))
    assert clock.due_at == end_of("2026-03-23")


def test_cancel_and_the_all_variants(make_case):
    case = make_case()
    for name in ("a", "b", "c"):
        clock_start(case, name, period="10 workdays", started_at=local("2026-09-14T10:00"))
    clock_cancel(case, "c", at=local("2026-09-15T10:00"))
    assert len(clocks_pause_all(case, at=local("2026-09-16T10:00"))) == 2
    assert case.next_due_at is None
    assert len(clocks_resume_all(case, at=local("2026-09-17T10:00"))) == 2
    assert case.next_due_at is not None
    stopped = clocks_stop_all(case, at=local("2026-09-18T10:00"))
    assert {c.status for c in stopped} == {"met"}
    statuses = db.session.execute(select(Clock.name, Clock.status).order_by(Clock.name)).all()
    assert [tuple(r) for r in statuses] == [("a", "met"), ("b", "met"), ("c", "cancelled")]
    assert case.next_due_at is None


def test_stopping_every_clock_cancels_a_watch_clock(make_case):
    """A final step ends the parties' period to sue (``appeal``, a watch clock) as cancelled, not
    as the centre's breach, whether it ran out or not; the centre's own clock is judged."""
    case = make_case()
    clock_start(case, "appeal", period="15 days", started_at=local("2026-05-06T10:00"))
    clock_start(case, "closing", period="2 days", started_at=local("2026-05-06T10:00"))
    stopped = clocks_stop_all(case, at=local("2026-06-01T10:00"))
    assert {c.name: c.status for c in stopped} == {"appeal": "cancelled", "closing": "breached"}


def test_next_alert_moments_for_a_day_based_clock(make_case):
    case = make_case()
    # 1 workday from Friday 10:00 → due end of Monday: the last day begins before 75% elapses.
    clock = clock_start(case, "a", period="1 workdays", started_at=local("2026-03-06T10:00"))
    assert clock.next_alert_at == local("2026-03-09T00:00").astimezone(UTC)
    assert clock_next_alert_at(clock, "due_soon") == clock.due_at
    # escalation: 5 working days after the due day (03-10…03-16), at the end of that day
    assert clock_next_alert_at(clock, "overdue") == end_of("2026-03-16")
    assert clock_next_alert_at(clock, "escalated") is None
    # a long clock: 75% of the running time comes first
    long = clock_start(case, "b", period="5 workdays", started_at=local("2026-09-28T10:00"))
    running = long.due_at - long.started_at
    assert long.next_alert_at == long.started_at + running * 3 / 4


def test_next_alert_excludes_paused_time_and_hours_escalate_after_two_hours(make_case):
    case = make_case()
    clock = clock_start(case, "h", period="8 hours", started_at=local("2026-10-02T08:00"))
    assert clock.next_alert_at == local("2026-10-02T14:00").astimezone(UTC)
    clock_pause(case, "h", at=local("2026-10-02T10:00"))
    assert clock.next_alert_at is None
    clock_resume(case, "h", at=local("2026-10-02T12:00"))
    # due 18:00; 6 running hours elapse at 16:00 because 10:00–12:00 did not count
    assert clock.due_at == local("2026-10-02T18:00").astimezone(UTC)
    assert clock.next_alert_at == local("2026-10-02T16:00").astimezone(UTC)
    assert clock_next_alert_at(clock, "overdue") == local("2026-10-02T20:00").astimezone(UTC)


def test_a_changed_due_date_re_arms_the_alerts(make_case):
    case = make_case()
    clock = clock_start(case, "a", period="15 days", started_at=local("2026-09-01T10:00"))
    clock.alert_level = "due_soon"
    clock_extend(case, "a", by="5 days", at=local("2026-09-10T10:00"))
    assert clock.alert_level is None
    assert clock.next_alert_at == clock_next_alert_at(clock)


def test_replay_reproduces_the_incremental_schedule(make_case):
    case = make_case()
    clock = clock_start(case, "a", period="10 workdays", started_at=local("2026-09-14T10:00"))
    clock_pause(case, "a", at=local("2026-09-22T15:00"))
    clock_resume(case, "a", at=local("2026-10-09T09:00"))
    clock_extend(case, "a", by="3 workdays", at=local("2026-10-09T10:00"))
    replayed = clock_replay(clock)
    assert (replayed.due_at, replayed.last_day_on) == (clock.due_at, clock.last_day_on)
    assert due_on_of(clock.due_at) == date(2026, 10, 16)


def test_a_clock_re_timed_into_a_suspension_counts_only_the_suspension_after_its_start(
    make_case,
):
    """An answer period started provisionally on 11-02, suspended 11-05 to 11-10, re-timed to
    the respondent's receipt: the days before the receipt are not its paused time, and a
    suspension over before the receipt does not move it."""
    case = make_case()
    # Re-timed to 11-07 while still suspended, then resumed on 11-10: 15 days from 11-07 end
    # on Sunday 11-22, moved by the 3 days from the receipt to the resumption → Wed 11-25.
    inside = clock_start(case, "a", period="15 days", started_at=local("2026-11-02T10:00"))
    clock_pause(case, "a", at=local("2026-11-05T10:00"))
    clock_retime(case, "a", started_at=local("2026-11-07T10:00"))
    assert inside.paused_at == local("2026-11-07T10:00")
    clock_resume(case, "a", at=local("2026-11-10T10:00"))
    assert inside.due_at == end_of("2026-11-25")
    assert inside.paused_seconds == 3 * 24 * 3600
    # Re-timed to 11-12, after the resumption: the suspension is none of its time → Fri 11-27.
    after = clock_start(case, "b", period="15 days", started_at=local("2026-11-02T10:00"))
    clock_pause(case, "b", at=local("2026-11-05T10:00"))
    clock_resume(case, "b", at=local("2026-11-10T10:00"))
    clock_retime(case, "b", started_at=local("2026-11-12T10:00"))
    assert after.due_at == end_of("2026-11-27") and after.paused_seconds == 0
    # A workdays clock re-timed into the suspension keeps its whole period for the resumption:
    # 5 working days after Tue 11-10 → Tue 11-17.
    work = clock_start(case, "c", period="5 workdays", started_at=local("2026-11-02T10:00"))
    clock_pause(case, "c", at=local("2026-11-05T10:00"))
    clock_retime(case, "c", started_at=local("2026-11-07T10:00"))
    assert work.remaining == 5
    clock_resume(case, "c", at=local("2026-11-10T10:00"))
    assert work.due_at == end_of("2026-11-17")
    for clock in (inside, after, work):
        replayed = clock_replay(clock)
        assert (replayed.due_at, replayed.paused_seconds) == (clock.due_at, clock.paused_seconds)


def test_case_refresh_next_due_ignores_paused_and_stopped(make_case):
    case = make_case()
    clock_start(case, "a", period="1 workdays", started_at=local("2026-03-06T10:00"))
    late = clock_start(case, "b", period="1 months", started_at=local("2026-03-06T10:00"))
    clock_pause(case, "a", at=local("2026-03-06T11:00"))
    case_refresh_next_due(case)
    assert case.next_due_at == late.due_at
    assert db.session.execute(
        select(ClockEntry.action).order_by(ClockEntry.id)
    ).scalars().all() == [
        "start",
        "start",
        "pause",
    ]


def test_a_batch_reads_the_clocks_once_and_writes_them_in_one_flush(make_case):
    case = make_case()
    clock_start(case, "review", period="10 workdays", started_at=local("2026-03-02T10:00"))
    db.session.commit()
    db.session.refresh(case)  # loaded before counting
    with statements_sent() as sent:
        with clocks_batch(case):
            clock_pause(case, "review", at=local("2026-03-03T10:00"))
            revision = clock_start(
                case, "site_visit", period="5 workdays", started_at=local("2026-03-03T10:00")
            )
            # the active clocks with the calendar token
            assert [s.split()[0].upper() for s in sent] == ["SELECT"]
        db.session.flush()
    statements = [s.split()[0].upper() for s in sent]
    inserts = [" ".join(s.split()[:3]).lower() for s in sent if s.split()[0].upper() == "INSERT"]
    # next_due_at set once, on the way out of the batch: the site visit (03-10) is the soonest
    assert case.next_due_at == revision.due_at == end_of("2026-03-10")
    # one read; the new clock, then both entries in one multi-row INSERT (the supervision's running
    # totals, kept by a session hook in the same flush, write their own row)
    clock_inserts = [s for s in inserts if "supervision" not in s and "tall" not in s]
    assert statements.count("SELECT") == 1 and len(clock_inserts) == 2, inserts
    db.session.commit()
    assert {c.name: c.status for c in db.session.scalars(select(Clock))} == {
        "review": "paused",
        "site_visit": "running",
    }


def test_the_calendar_token_is_read_once_per_transaction(make_case):
    from caseflow.calendar.services import calendar_current

    db.session.commit()

    def reads():
        return sum("calendar_state" in statement for statement in sent)

    with statements_sent() as sent:
        first = calendar_current()
        assert calendar_current() is first and reads() == 1
        db.session.commit()  # a new transaction may see another process's load: read again
        calendar_current()
        assert reads() == 2


def test_entries_recorded_while_the_history_is_loaded_join_it(make_case):
    case = make_case()
    clock = clock_start(case, "a", period="10 workdays", started_at=local("2026-09-14T10:00"))
    assert actions(clock) == ["start"]  # the history is now loaded in the session
    clock_pause(case, "a", at=local("2026-09-15T10:00"))
    clock_resume(case, "a", at=local("2026-09-16T10:00"))
    assert actions(clock) == ["start", "pause", "resume"]
    db.session.commit()
    db.session.expire_all()
    assert actions(clock) == ["start", "pause", "resume"]


def test_entries_of_a_rolled_back_step_are_not_written(make_case):
    case = make_case()
    clock_start(case, "a", period="10 workdays", started_at=local("2026-09-14T10:00"))
    db.session.commit()
    with clocks_batch(case):
        clock_pause(case, "a", at=local("2026-09-15T10:00"))
    db.session.rollback()
    clock_stop(case, "a", at=local("2026-09-16T10:00"))
    db.session.commit()
    assert db.session.scalars(select(ClockEntry.action).order_by(ClockEntry.id)).all() == [
        "start",
        "stop",
    ]
