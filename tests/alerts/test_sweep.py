"""The sweep on the official 2026 calendar (National Day 10-01…10-07 rest; 09-20 Sunday and 10-10
Saturday are working days): each level at its moment, once per due date; pauses, stops and
extensions; catch-up after downtime; recipients."""

from datetime import timedelta

from sqlalchemy import func, select

from caseflow.alerts.models import Alert, OutboxMessage
from caseflow.alerts.services import sla_sweep
from caseflow.clocks.models import Clock
from caseflow.clocks.services import clock_extend, clock_pause, clock_resume, clock_stop
from caseflow.extensions import db
from caseflow.timeutil import utcnow
from tests.alerts.conftest import local


def levels(alerts):
    return [a.level for a in alerts]


def test_workdays_clock_raises_each_level_once_at_its_moment(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 5 workdays from Mon 2026-09-28 10:00: 29, 30, (National Day 10-01…07), 08, 09, Sat 10 → due
    # at the end of Saturday 10-10, an adjusted working day.
    clock = start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    assert clock.due_at == local(2026, 10, 11, 0, 0)
    # 75% of 302 running hours is 226.5 h after the start: 2026-10-07 20:30, National Day night,
    # long before the last day begins (10-10 00:00).
    assert clock.next_alert_at == local(2026, 10, 7, 20, 30)

    assert sla_sweep(local(2026, 10, 7, 20, 29)) == []
    raised = sla_sweep(local(2026, 10, 7, 20, 30, 30))
    assert levels(raised) == ["due_soon"]
    assert raised[0].moment_at == local(2026, 10, 7, 20, 30)
    assert raised[0].late is False
    assert sla_sweep(local(2026, 10, 7, 20, 31)) == []  # idempotent

    assert sla_sweep(local(2026, 10, 10, 23, 59, 59)) == []
    assert levels(sla_sweep(local(2026, 10, 11, 0, 0, 5))) == ["overdue"]
    # 督办 five working days after Saturday 10-10: 12, 13, 14, 15, 16 → at the end of Friday 10-16.
    assert sla_sweep(local(2026, 10, 16, 23, 59)) == []
    escalated = sla_sweep(local(2026, 10, 17, 0, 1))
    assert levels(escalated) == ["escalated"]
    assert escalated[0].moment_at == local(2026, 10, 17, 0, 0)
    assert sla_sweep(local(2026, 12, 31)) == []

    db.session.refresh(clock)
    assert clock.next_alert_at is None and clock.alert_level == "escalated"
    assert db.session.scalar(select(func.count(Alert.id))) == 3


def test_last_day_beginning_comes_before_75_percent(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 1 workday from Fri 10-09 17:00 → Saturday 10-10 (working day); 75% would be 10-10 16:15 but
    # the last day begins at 00:00.
    start_clock(case, "1 workdays", local(2026, 10, 9, 17))
    assert sla_sweep(local(2026, 10, 9, 23, 59)) == []
    raised = sla_sweep(local(2026, 10, 10, 0, 0, 1))
    assert levels(raised) == ["due_soon"]
    assert raised[0].moment_at == local(2026, 10, 10, 0, 0)


def test_hours_clock_escalates_two_hours_after_due(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    clock = start_clock(case, "24 hours", local(2026, 10, 1, 10))  # fair desks work holidays
    assert levels(sla_sweep(local(2026, 10, 2, 4, 0, 1))) == ["due_soon"]  # 18 h = 75%
    assert levels(sla_sweep(local(2026, 10, 2, 10, 0, 1))) == ["overdue"]
    assert sla_sweep(local(2026, 10, 2, 11, 59)) == []
    assert levels(sla_sweep(local(2026, 10, 2, 12, 0, 1))) == ["escalated"]
    assert clock.due_at == local(2026, 10, 2, 10)


def test_catch_up_after_downtime_raises_every_missed_level_once_marked_late(
    staff, make_case, start_clock
):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10), live=True)
    # The scheduler was down from before the first moment until November.
    raised = sla_sweep(local(2026, 11, 2, 9))
    assert levels(raised) == ["due_soon", "overdue", "escalated"]
    assert all(a.late for a in raised)
    assert [a.moment_at for a in raised] == [
        local(2026, 10, 7, 20, 30),
        local(2026, 10, 11),
        local(2026, 10, 17),
    ]
    assert sla_sweep(local(2026, 11, 2, 9, 1)) == []


def test_a_case_entered_after_the_fact_raises_its_past_alerts_on_time(
    staff, make_case, start_clock
):
    """补录: a paper complaint received on 28 September is entered today (30 November). Its
    alerts' moments passed before caseflow knew of the clock, so the first sweep raises them
    on time, not as a catch-up after downtime; only a sweep that comes minutes later is late."""
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))  # written now, back-dated
    raised = sla_sweep()
    assert levels(raised) == ["due_soon", "overdue", "escalated"]
    assert not any(a.late for a in raised)

    later = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(later, "5 workdays", local(2026, 9, 28, 10))
    # The scheduler was down for the ten minutes after this one was entered.
    raised = sla_sweep(utcnow() + timedelta(minutes=10))
    assert levels(raised) == ["due_soon", "overdue", "escalated"]
    assert all(a.late for a in raised)


def test_pausing_stops_alerts_and_resuming_rearms_them(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    clock_pause(case, "handling", at=local(2026, 9, 29, 10))
    db.session.commit()
    assert sla_sweep(local(2026, 10, 12, 9)) == []  # paused: nothing, however late
    clock = clock_resume(case, "handling", at=local(2026, 10, 12, 9))
    db.session.commit()
    assert clock.next_alert_at > local(2026, 10, 12, 9)
    assert sla_sweep(local(2026, 10, 12, 10)) == []
    raised = sla_sweep(clock.due_at + timedelta(seconds=1))
    assert levels(raised) == ["due_soon", "overdue"]


def test_an_overdue_clock_suspended_and_resumed_raises_each_level_once(
    staff, make_case, start_clock
):
    """A 1-month promise from 09-02, due 10-08 (10-02 fell in National Day), overdue when the
    case is suspended on 10-12: it had nothing left, so resuming on 11-02 leaves its due date,
    and the alerts already raised for it are not raised again; only the escalation still due
    comes, once."""
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    clock = start_clock(case, "1 months", local(2026, 9, 2, 10))
    assert levels(sla_sweep(local(2026, 10, 9, 9))) == ["due_soon", "overdue"]
    clock_pause(case, "handling", at=local(2026, 10, 12, 10))
    db.session.commit()
    clock = clock_resume(case, "handling", at=local(2026, 11, 2, 10))
    db.session.commit()
    assert clock.due_at == local(2026, 10, 9)
    assert levels(sla_sweep(local(2026, 11, 2, 10, 1))) == ["escalated"]
    assert sla_sweep(local(2026, 12, 31)) == []
    assert db.session.scalar(select(func.count(Alert.id))) == 3
    assert db.session.scalar(select(func.count(Alert.id)).where(Alert.due_at != clock.due_at)) == 0


def test_meeting_a_clock_stops_its_alerts(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    assert levels(sla_sweep(local(2026, 10, 8, 9))) == ["due_soon"]
    clock_stop(case, "handling", at=local(2026, 10, 9, 16))
    db.session.commit()
    assert sla_sweep(local(2026, 11, 30)) == []
    assert db.session.scalar(select(func.count(Alert.id))) == 1


def test_a_clock_stopped_behind_the_sweeps_back_is_disarmed(staff, make_case, start_clock):
    """Even a stale ``next_alert_at`` on a stopped clock raises nothing and is cleared."""
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    clock = start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    db.session.execute(Clock.__table__.update().values(status="met", stopped_at=local(2026, 10, 1)))
    db.session.commit()
    assert sla_sweep(local(2026, 11, 30)) == []
    db.session.refresh(clock)
    assert clock.next_alert_at is None


def test_extending_rearms_every_level_for_the_new_due_date(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    clock = start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    old_due = clock.due_at
    # Its last day (the make-up working Saturday 10-10) has begun: due soon, not yet overdue.
    assert levels(sla_sweep(local(2026, 10, 10, 8))) == ["due_soon"]
    # Extended on that last day (an extension is granted while the period runs, deadlines.md §3).
    clock_extend(case, "handling", by="5 workdays", at=local(2026, 10, 10, 10))
    db.session.commit()
    assert clock.due_at > old_due
    # The new due date's 75% moment has passed by 10-12: due_soon is raised again, for it.
    raised = sla_sweep(local(2026, 10, 12, 10, 1))
    assert levels(raised) == ["due_soon"]
    assert raised[0].due_at == clock.due_at
    assert sla_sweep(local(2026, 10, 12, 10, 2)) == []
    assert levels(sla_sweep(clock.due_at + timedelta(minutes=1))) == ["overdue"]
    assert db.session.scalar(select(func.count(Alert.id)).where(Alert.due_at == old_due)) == 1


def test_duplicates_are_impossible_by_constraint(staff, make_case, start_clock):
    import pytest
    from sqlalchemy.exc import IntegrityError

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    (alert,) = sla_sweep(local(2026, 10, 8, 9))
    db.session.add(
        Alert(
            clock_id=alert.clock_id,
            case_id=alert.case_id,
            unit_id=alert.unit_id,
            level=alert.level,
            due_at=alert.due_at,
            moment_at=alert.moment_at,
            raised_at=alert.raised_at,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _told(alert, channel="inapp"):
    return sorted(
        db.session.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.alert_id == alert.id, OutboxMessage.channel == channel
            )
        )
    )


def test_recipients_per_level(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    due_soon, overdue, escalated = sla_sweep(local(2026, 11, 2, 9))
    user = lambda key: f"user:{staff[key].id}"  # noqa: E731
    assert _told(due_soon) == [user("caseworker")]
    assert _told(overdue) == sorted([user("caseworker"), user("supervisor")])
    assert _told(escalated) == sorted([user("supervisor"), user("admin")])
    assert _told(escalated, "email") == ["root@example", "wang@zs.example"]
    assert _told(due_soon, "webhook") == []  # no CASEFLOW_WEBHOOK_URL configured


def test_an_unassigned_case_tells_the_units_caseworkers(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=None)
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    (due_soon,) = sla_sweep(local(2026, 10, 8, 9))
    assert _told(due_soon) == sorted(
        [f"user:{staff['caseworker'].id}", f"user:{staff['other'].id}"]
    )


def test_escalation_counts_working_days_across_national_day(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 5 workdays from Tue 09-22: 23, 24, (Mid-Autumn 09-25…27), 28, 29, 30 → due at the end of 09-30.
    clock = start_clock(case, "5 workdays", local(2026, 9, 22, 10))
    assert clock.due_at == local(2026, 10, 1)
    assert levels(sla_sweep(local(2026, 10, 1, 0, 0, 30))) == ["due_soon", "overdue"]
    # Five working days after 09-30, skipping 10-01…10-07: 08, 09, Sat 10 (调休), 12, 13.
    assert sla_sweep(local(2026, 10, 13, 23, 59)) == []
    (escalated,) = sla_sweep(local(2026, 10, 14, 0, 0, 30))
    assert escalated.level == "escalated" and escalated.moment_at == local(2026, 10, 14)
    mails = db.session.scalars(
        select(OutboxMessage.next_attempt_at).where(OutboxMessage.channel == "email")
    ).all()
    # The overdue mail of National Day's first midnight waits for 10-08 09:00; the escalation
    # (Wednesday 00:00) for 09:00 the same morning.
    assert sorted(set(mails)) == [local(2026, 10, 8, 9), local(2026, 10, 14, 9)]


def test_an_assignee_moved_to_another_unit_is_not_told_of_the_old_units_cases(
    units, staff, make_case, start_clock
):
    from caseflow.accounts.services import user_update

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    # li moves to PD; the ZS case keeps li as its assignee until a supervisor reassigns it.
    user_update(
        staff["caseworker"], actor=staff["admin"], role="caseworker", unit_code="PD", active=True
    )
    db.session.commit()
    due_soon, overdue, escalated = sla_sweep(local(2026, 11, 2, 9))
    li = staff["caseworker"]
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == li.id)).all()
    assert told == []
    # As for an unassigned case: ZS's caseworkers hear of it first, then its supervisors.
    assert _told(due_soon) == [f"user:{staff['other'].id}"]
    assert _told(overdue) == [f"user:{staff['supervisor'].id}"]
    assert _told(overdue, "email") == ["wang@zs.example"]
