"""Loading a year's official schedule: validation, and the recompute of the open clocks whose
window touches it (deadlines.md §1: "Nothing else moves")."""

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import select, update

from caseflow.calendar.models import CalendarDay, CalendarState, CalendarYear
from caseflow.calendar.services import calendar_current, calendar_load
from caseflow.cases.models import Event
from caseflow.clocks.services import clock_pause, clock_resume, clock_start, clock_stop
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from tests.calendar.conftest import local


def end_of(day: str):
    return (local(day) + timedelta(days=1)).astimezone(UTC)


def test_loading_2027_recomputes_only_the_clocks_it_moves(make_case, restore_2027):
    case = make_case()
    other = make_case()
    # provisional 2027 (statutory days and their substitutes): 02-02…02-04, [02-05…02-10 rest],
    # 02-11, 02-12, 02-15…02-19
    moved_workdays = clock_start(
        case, "exam", period="10 workdays", started_at=local("2027-02-01T10:00")
    )
    # last day 02-06 (Sat, Spring Festival) → provisional roll-over past 02-09, 02-10 (补假) to 02-11
    moved_days = clock_start(other, "reply", period="30 days", started_at=local("2027-01-07T10:00"))
    # ends 2027-01-05 both ways (New Year 2027 is Fri–Sun in the loaded schedule)
    unchanged = clock_start(
        other, "accept", period="5 workdays", started_at=local("2026-12-28T10:00")
    )
    untouched = clock_start(case, "old", period="5 workdays", started_at=local("2026-09-28T10:00"))
    stopped = clock_start(case, "done", period="10 workdays", started_at=local("2027-02-01T10:00"))
    clock_stop(case, "done", at=local("2027-02-03T10:00"))
    hours = clock_start(case, "desk", period="24 hours", started_at=local("2027-02-04T10:00"))
    db.session.commit()
    assert moved_workdays.due_at == end_of("2027-02-19") and moved_workdays.provisional
    assert moved_days.due_at == end_of("2027-02-11")
    assert unchanged.due_at == end_of("2027-01-05") and unchanged.provisional
    frozen = {c.id: (c.due_at, len(c.entries)) for c in (untouched, stopped, hours)}

    result = calendar_load(restore_2027.read_text(encoding="utf-8"), source="test notice 2027")
    db.session.commit()

    assert (result.year, result.holidays, result.workdays) == (2027, 28, 5)
    assert {(m.clock_name, m.due_before, m.due_after) for m in result.moved} == {
        (
            "exam",
            end_of("2027-02-19"),
            end_of("2027-02-20"),
        ),  # 02-13 and 02-20 are worked Saturdays
        ("reply", end_of("2027-02-11"), end_of("2027-02-13")),
    }
    assert moved_workdays.due_at == end_of("2027-02-20") and not moved_workdays.provisional
    assert moved_days.last_day_on == date(2027, 2, 6) and moved_days.due_at == end_of("2027-02-13")
    assert unchanged.due_at == end_of("2027-01-05") and not unchanged.provisional
    assert [e.action for e in unchanged.entries] == ["start"]
    for clock in (untouched, stopped, hours):
        assert (clock.due_at, len(clock.entries)) == frozen[clock.id]

    events = (
        db.session.execute(select(Event).where(Event.kind == "calendar").order_by(Event.id))
        .scalars()
        .all()
    )
    assert [(e.case_id, e.note) for e in events] == [
        (case.id, "exam: due date moved from 2027-02-19 to 2027-02-20 by calendar 2027"),
        (other.id, "reply: due date moved from 2027-02-11 to 2027-02-13 by calendar 2027"),
    ]
    entry = moved_workdays.entries[-1]
    assert (entry.action, entry.due_before, entry.due_after) == (
        "recompute",
        end_of("2027-02-19"),
        end_of("2027-02-20"),
    )
    assert entry.event_id == events[0].id
    assert other.next_due_at == end_of("2027-01-05")  # "accept" is still the soonest on that case
    assert case.next_due_at == untouched.due_at  # "old" (2026) is the soonest there

    # loading the same schedule again moves nothing
    assert calendar_load(restore_2027.read_text(encoding="utf-8"), source="again").moved == []


def test_loading_recounts_what_a_paused_clock_has_left(make_case, restore_2027):
    case = make_case()
    clock = clock_start(case, "exam", period="10 workdays", started_at=local("2027-02-01T10:00"))
    clock_pause(case, "exam", at=local("2027-02-12T10:00"))
    # provisional: 02-02…02-04, 02-11 and 02-12 were counted before the pause (02-05…02-10 are
    # the statutory days and their substitutes), 5 left
    assert clock.remaining == 5
    calendar_load(restore_2027.read_text(encoding="utf-8"), source="test notice 2027")
    # the notice makes 02-05…02-12 rest days: only 02-02…02-04 were counted, 7 left
    assert clock.remaining == 7 and clock.status == "paused"
    clock_resume(case, "exam", at=local("2027-02-22T09:00"))
    assert clock.due_at == end_of("2027-03-03")  # 02-23…02-26, 03-01…03-03


def test_bad_lines_are_reported_with_line_numbers_and_nothing_is_loaded(restore_2027):
    text = "\n".join(
        [
            "# comment",
            "2027-01-01 holiday 元旦",
            "2027-13-01 holiday 坏日期",
            "2027-01-02 rest 元旦",
            "2027-01-04 workday 周一",
            "2027-01-01 holiday 重复",
            "2028-01-01 holiday 元旦",
            "garbage",
        ]
    )
    with pytest.raises(ValidationFailed) as info:
        calendar_load(text, source="bad")
    assert set(info.value.fields) == {"line 3", "line 4", "line 5", "line 6", "line 8", "file"}
    assert "2027-13-01" in info.value.fields["line 3"]
    assert db.session.get(CalendarYear, 2027) is None
    assert not db.session.execute(select(CalendarDay).where(CalendarDay.year == 2027)).first()


def test_a_schedule_without_a_statutory_holiday_is_refused_and_nothing_loaded(restore_2027):
    """deadlines.md §1: the statutory holidays always apply (全国年节及纪念日放假办法 art. 2); a
    notice only adds days around them. A file that lost its 元旦 lines loaded, and 2027-01-01
    became a working day, marked official."""
    full = restore_2027.read_text(encoding="utf-8")
    without_new_year = "".join(x for x in full.splitlines(True) if "元旦" not in x)
    # Saturday 02-06, a day of Spring Festival, made a working day: not a holiday either.
    as_workday = full.replace("2027-02-06 holiday 春节", "2027-02-06 workday 春节")
    for text, named in (
        (without_new_year, ("2027-01-01 元旦", "2027-01-01 New Year's Day")),
        (as_workday, ("2027-02-06 春节", "2027-02-06 Spring Festival")),
    ):
        with pytest.raises(ValidationFailed) as info:
            calendar_load(text, source="lost a line")
        assert set(info.value.fields) == {"file"}
        assert all(name in info.value.fields["file"] for name in named)
        assert "缺少法定节假日" in info.value.fields["file"]
        assert "statutory holidays missing" in info.value.fields["file"]
        assert db.session.get(CalendarYear, 2027) is None
    # The year stays provisional: its statutory days still count.
    assert not calendar_current().is_workday(date(2027, 1, 1))


def test_the_official_schedules_since_the_2024_revision_list_every_statutory_holiday():
    """The State Council's 2025 and 2026 notices, as seeded, read as files: both pass the check
    (the 2024 revision's days, Spring Festival's eve and 05-02 among them, are in each)."""
    from caseflow.calendar.official import official_years
    from caseflow.calendar.services import calendar_parse

    for year in (2025, 2026):
        text = "\n".join(f"{e.day} {e.kind} {e.name}" for e in official_years()[year])
        assert calendar_parse(text, year=year)[0] == year


def test_another_processs_load_invalidates_the_cached_index():
    first = calendar_current()
    assert calendar_current() is first
    # another process commits a change: only the shared version token tells us
    with db.engine.begin() as conn:
        conn.execute(
            update(CalendarState).where(CalendarState.id == 1).values(token="other-process")
        )
    db.session.rollback()  # end our transaction so we see the other process's commit
    assert calendar_current() is not first
    assert calendar_current().version == "other-process"


def test_loading_a_year_recounts_the_escalation_of_a_clock_already_overdue(
    make_case, restore_2027
):
    """deadlines.md §4: escalation comes 5 working days after the due day. A clock due 12-30
    and overdue since is armed to escalate on the provisional 2027 days; a schedule that makes
    Saturday 01-02 a working day brings the escalation a day earlier. Its due date stays."""
    from caseflow.alerts.services import sla_sweep
    from caseflow.clocks.services import clock_next_alert_at

    case = make_case()
    clock = clock_start(case, "service", period="5 workdays", started_at=local("2026-12-23T10:00"))
    assert clock.due_at == end_of("2026-12-30")  # 24, 25, 28, 29, 30
    sla_sweep(local("2026-12-31T00:05").astimezone(UTC))
    db.session.commit()
    # Provisional 2027: 01-01 a holiday; 12-31, 01-04…01-07 → the end of 01-07.
    assert clock.alert_level == "overdue" and clock.next_alert_at == end_of("2027-01-07")
    text = restore_2027.read_text(encoding="utf-8").replace("2027-01-02 holiday 元旦\n", "")
    calendar_load(text + "2027-01-02 workday 元旦调休（假设）\n", source="hypothetical")
    db.session.commit()
    # 12-31, Sat 01-02, 01-04, 01-05, 01-06 → the end of 01-06; the due day is unchanged.
    assert clock.due_at == end_of("2026-12-30")
    assert clock.next_alert_at == end_of("2027-01-06") == clock_next_alert_at(clock, "overdue")
