"""The credit record's clocks on the 2026 calendar, swept like case clocks (credit.md): an
unpublished record raises due_soon and overdue on its publication clock (20 workdays); a display
period that ends marks the record expired without an overdue alert; subject matching folds names
and refuses a bad checksum."""

import threading
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from caseflow.alerts.models import Alert
from caseflow.alerts.services import sla_sweep
from caseflow.cases.models import Event
from caseflow.clocks.models import ClockEntry
from caseflow.credit.models import CreditRecord
from caseflow.credit.services import credit_record_noncompliance, credit_record_publish
from caseflow.credit.subjects import subject_code_clean, subject_name_key
from caseflow.extensions import db
from tests.engine.helpers import as_decided, at, clocks_of, local_due


@pytest.fixture
def record(open_case, staff):
    case = as_decided(open_case("adjudication", received_at="2026-09-01 10:00"))
    return credit_record_noncompliance(
        actor=staff["ZS"]["supervisor"],
        subject={"name": "某某照明厂"},  # the case's respondent, bound by its decision
        case_id=case.id,
        at=at("2026-09-28 10:00"),
    )


def test_publication_clock_is_alerted_like_a_case_clock(record):
    clock = clocks_of(record.case)[f"credit_publication.{record.id}"]
    # 20 workdays from 09-28: 09-29, 09-30, 10-08..10 (Sat 10-10 is a make-up day), 10-12..16,
    # 10-19..23, 10-26..30.
    assert local_due(clock) == "2026-10-30"
    raised = sla_sweep(at("2026-10-31 09:00"))
    levels = sorted(a.level for a in raised if a.clock_id == clock.id)
    assert levels == ["due_soon", "overdue"]
    assert raised[0].case_id == record.case_id


def test_display_end_expires_the_record_without_an_overdue_alert(record, staff):
    credit_record_publish(record, actor=staff["ZS"]["supervisor"], at=at("2026-09-29 10:00"))
    display = clocks_of(record.case)[f"credit_display.{record.id}"]
    # 36 months: 2029-09-29 is a Saturday, then National Day (2029 provisional: 10-01..03).
    assert record.display_until.isoformat() == local_due(display) == "2029-10-04"
    sla_sweep(at("2029-10-08 09:00"))
    db.session.expire_all()
    assert db.session.get(CreditRecord, record.id).status == "expired"
    display = clocks_of(record.case)[f"credit_display.{record.id}"]
    assert display.status == "met"
    alerts = db.session.scalars(select(Alert).where(Alert.clock_id == display.id)).all()
    assert "overdue" not in {a.level for a in alerts}


def test_a_calendar_load_moves_the_records_display_and_repair_dates(
    app, record, staff, units, restore_2027
):
    """Published 2026-11-05 while 2027 is provisional (display 3 months, a unit setting): shown
    to 2027-02-11 (the provisional Spring Festival ends 02-08, its two substitute days 02-10),
    repair from 05-06. Loading the
    (test) 2027 schedule, Spring Festival 02-05..12 with Saturday 02-13 a make-up working day
    and Labour Day 05-01..05, moves the clocks to 02-13 and 05-06, and the record's dates with them: the public list and the repair check
    read those."""
    from caseflow.credit.selectors import credit_public_list
    from caseflow.credit.services import credit_record_repair
    from caseflow.errors import StateConflict

    chief = staff["ZS"]["supervisor"]
    units["ZS"].profile = {**(units["ZS"].profile or {}), "credit": {"display": "3 months"}}
    credit_record_publish(record, actor=chief, at=at("2026-11-05 10:00"))
    db.session.commit()
    assert (record.display_until.isoformat(), record.repair_eligible_on.isoformat()) == (
        "2027-02-11",
        "2027-05-06",
    )
    loaded = app.test_cli_runner().invoke(args=["calendar", "load", str(restore_2027)])
    assert loaded.exit_code == 0, loaded.output
    db.session.expire_all()
    clocks = clocks_of(record.case)
    assert local_due(clocks[f"credit_display.{record.id}"]) == "2027-02-13"
    assert local_due(clocks[f"credit_repair_eligible.{record.id}"]) == "2027-05-06"
    record = db.session.get(CreditRecord, record.id)
    assert (record.display_until.isoformat(), record.repair_eligible_on.isoformat()) == (
        "2027-02-13",
        "2027-05-07",
    )
    assert record in credit_public_list(date(2027, 2, 12))[0]
    assert record in credit_public_list(date(2027, 2, 13))[0]
    assert record not in credit_public_list(date(2027, 2, 14))[0]
    with time_machine.travel(at("2027-05-06 10:00"), tick=False), pytest.raises(StateConflict) as early:
        credit_record_repair(record, actor=chief, reason="已整改")
    assert "2027年5月7日" in early.value.message


def _two_sweeps_at_once(app, instant) -> list[Exception]:
    db.session.remove()
    barrier = threading.Barrier(2)
    errors = []

    def sweeper():
        with app.app_context():  # its own session and connection
            try:
                barrier.wait()
                sla_sweep(instant)
            except Exception as exc:  # noqa: BLE001 — reported by the caller
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_sweeps_at_once_expire_a_record_once(app, record, staff):
    """The credit periods end inside the sweep's lock: two schedulers sweeping the same minute
    write one "expire" event and one stop of the display clock, not two."""
    credit_record_publish(record, actor=staff["ZS"]["supervisor"], at=at("2026-09-29 10:00"))
    db.session.commit()
    display_id = clocks_of(record.case)[f"credit_display.{record.id}"].id
    record_id, case_id = record.id, record.case_id
    assert _two_sweeps_at_once(app, at("2029-10-08 09:00")) == []
    expires = db.session.scalars(
        select(Event).where(Event.case_id == case_id, Event.kind == "credit")
    ).all()
    assert [e.data["action"] for e in expires if e.data["record_id"] == record_id].count(
        "expire"
    ) == 1
    stops = db.session.scalar(
        select(func.count(ClockEntry.id)).where(
            ClockEntry.clock_id == display_id, ClockEntry.action == "stop"
        )
    )
    assert stops == 1
    assert db.session.get(CreditRecord, record_id).status == "expired"


def test_subject_matching():
    assert subject_name_key("中山市 某某照明电器有限责任公司") == subject_name_key(
        "中山市某某照明电器有限公司"
    )
    assert subject_name_key("ＡＢＣ灯饰（中山）有限公司") == subject_name_key(
        "abc灯饰(中山)有限公司"
    )
    assert subject_name_key("甲灯饰有限公司") != subject_name_key("乙灯饰有限公司")
    errors = {}
    # Lower case and full width are folded; a wrong check character is refused, never repaired.
    assert subject_code_clean("91442000714782341q", "respondent.code", errors) == (
        "91442000714782341Q"
    )
    assert subject_code_clean("91442000714782341R", "respondent.code", errors) is None
    assert "校验位" in errors["respondent.code"]


def test_waiting_periods_that_end_by_themselves_are_in_no_figure_and_raise_no_alert(record, staff):
    """The repair waiting period (6 months) and the display period (36 months) end by
    themselves (credit.SELF_ENDING): nobody owes a step at their end, so neither is ever 临期,
    overdue or on time on the dashboard, and the sweep raises no due_soon for them; it still
    records the waiting period ended (met) at its due instant."""
    from datetime import timedelta

    from caseflow.supervision.selectors import on_time_tallies
    from caseflow.timeutil import end_of_local_day, start_of_local_day
    from caseflow.web.selectors import dashboard_build, late_totals

    supervisor = staff["ZS"]["supervisor"]
    credit_record_publish(record, actor=supervisor, at=at("2026-09-29 10:00"))
    db.session.commit()
    case = record.case
    repair = clocks_of(case)[f"credit_repair_eligible.{record.id}"]
    assert local_due(repair) == "2027-03-29"
    soon = at("2027-03-20 10:00")  # past 75% of both the waiting time and nothing else due
    board = dashboard_build(supervisor, date_from=date(2027, 3, 1), date_to=date(2027, 3, 31), now=soon)
    assert board.due_soon == [] and late_totals(supervisor, soon)[1] == 0

    def credit_alerts(now):
        return [a.clock.name for a in sla_sweep(now) if a.clock.name.startswith("credit_")]

    assert credit_alerts(soon) == []
    ended = at("2027-03-30 10:00")
    assert credit_alerts(ended) == []
    db.session.expire_all()
    repair = clocks_of(case)[f"credit_repair_eligible.{record.id}"]
    assert (repair.status, repair.stopped_at) == ("met", repair.due_at)
    assert db.session.scalar(select(func.count(Alert.id)).where(Alert.clock_id == repair.id)) == 0
    tallies = on_time_tallies(
        supervisor,
        start=start_of_local_day(date(2027, 3, 1)),
        end=end_of_local_day(date(2027, 3, 31)),
        now=ended + timedelta(days=1),
    )
    assert not [t for t in tallies if t.clock.startswith(("credit_repair", "credit_display"))]
