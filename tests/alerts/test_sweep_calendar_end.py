"""A clock whose next alert moment lies beyond the calendar's last year (2099) is disarmed with a
log line; the sweep still raises every other clock's alerts."""

import logging

from caseflow.alerts.services import sla_sweep
from caseflow.extensions import db
from tests.alerts.conftest import local


def test_a_clock_escalating_past_2099_is_disarmed_and_the_others_are_swept(
    staff, make_case, start_clock, caplog, monkeypatch
):
    # Alembic's fileConfig in migrations/env.py disables loggers that existed before it ran.
    monkeypatch.setattr(logging.getLogger("caseflow.alerts.services"), "disabled", False)
    late_case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 3 workdays from Thu 2099-12-24: 25, 28, 29 → due at the end of 12-29; the escalation, five
    # working days after that, would fall in 2100, beyond the calendar.
    edge = start_clock(late_case, "3 workdays", local(2099, 12, 24, 10))
    assert edge.due_at == local(2099, 12, 30)
    ordinary_case = make_case(staff["unit"], assignee=staff["caseworker"])
    ordinary = start_clock(ordinary_case, "5 workdays", local(2026, 9, 28, 10))

    with caplog.at_level(logging.WARNING, logger="caseflow.alerts.services"):
        raised = sla_sweep(local(2099, 12, 31, 10))

    by_clock = {(a.clock_id, a.level) for a in raised}
    # The ordinary clock got all three levels; the edge clock the two the calendar can place.
    assert {(ordinary.id, level) for level in ("due_soon", "overdue", "escalated")} <= by_clock
    assert {(edge.id, "due_soon"), (edge.id, "overdue")} <= by_clock
    assert (edge.id, "escalated") not in by_clock
    assert any("no alert moment" in r.getMessage() for r in caplog.records)

    db.session.refresh(edge)
    assert edge.next_alert_at is None and edge.alert_level == "overdue"
    assert sla_sweep(local(2099, 12, 31, 11)) == []  # disarmed: nothing more, no failure


def test_mail_for_an_alert_raised_past_the_calendar_goes_at_once():
    from caseflow.alerts.rules import delivery_not_before
    from caseflow.calendar.periods import calendar_for_context

    raised = local(2100, 1, 2, 3)  # a Saturday night beyond the last year the calendar knows
    assert delivery_not_before(raised, "workdays", calendar_for_context()) == raised
    # Inside the calendar the office-hours rule still holds: Sunday 2099-12-27 → Monday 09:00.
    sunday = local(2099, 12, 27, 3)
    assert delivery_not_before(sunday, "workdays", calendar_for_context()) == local(2099, 12, 28, 9)
