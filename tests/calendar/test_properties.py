"""Invariants of the period arithmetic, checked with hypothesis over 2005–2030 (official and
provisional years alike). Pure: the built-in calendar, no database."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.calendar import DueResult, due_compute, parse_period
from caseflow.calendar.official import builtin_calendar
from caseflow.calendar.periods import add_to_day, due_days, due_on_of
from caseflow.clocks.services import _Schedule, _step_pause, _step_resume
from caseflow.timeutil import end_of_local_day

CAL = builtin_calendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

starts = st.builds(
    lambda day, minutes: (
        datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    ),
    st.dates(min_value=datetime(2005, 1, 1).date(), max_value=datetime(2030, 12, 31).date()),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
periods = st.one_of(
    st.builds("{} workdays".format, st.integers(1, 300)),
    st.builds("{} days".format, st.integers(1, 400)),
    st.builds("{} months".format, st.integers(1, 36)),
    st.builds("{} hours".format, st.integers(1, 2000)),
)


@SETTINGS
@given(starts, periods)
def test_due_is_never_before_start(start, period):
    assert due_compute(start, period, calendar=CAL).due_at > start


@SETTINGS
@given(starts, periods)
def test_due_compute_agrees_with_the_day_functions_from_a_utc_or_a_local_start(start, period):
    # The plain computation, without due_compute's memos: local day, add_to_day, 24:00 local.
    parsed = parse_period(period)
    if parsed.unit == "hours":
        expected = DueResult(start + timedelta(hours=parsed.amount), None, False)
    else:
        last_day_on, due_on = add_to_day(start.date(), parsed, CAL)
        years = tuple(CAL.provisional_years(start.date() + timedelta(days=1), due_on))
        expected = DueResult(end_of_local_day(due_on), last_day_on, bool(years), due_on, years)
    assert due_compute(start.astimezone(UTC), period, calendar=CAL) == expected
    assert due_compute(start, period, calendar=CAL) == expected


@SETTINGS
@given(starts, st.integers(1, 500))
def test_adding_workdays_lands_on_a_working_day_and_counts_exactly_n(start, n):
    result = due_compute(start, f"{n} workdays", calendar=CAL)
    assert CAL.is_workday(result.due_on)
    assert CAL.workdays_between(start.date(), result.due_on) == n


@SETTINGS
@given(starts, st.integers(1, 500))
def test_one_more_workday_is_later(start, n):
    shorter = due_compute(start, f"{n} workdays", calendar=CAL)
    longer = due_compute(start, f"{n + 1} workdays", calendar=CAL)
    assert longer.due_at > shorter.due_at


@SETTINGS
@given(starts, st.sampled_from(["days", "months"]), st.integers(1, 60))
def test_days_and_months_end_on_a_working_day_on_or_after_the_last_day(start, unit, n):
    result = due_compute(start, f"{n} {unit}", calendar=CAL)
    assert CAL.is_workday(result.due_on)
    assert result.due_on >= result.last_day_on
    # nothing between the last day and the due day is a working day (first one is taken)
    assert CAL.workdays_between(result.last_day_on - timedelta(days=1), result.due_on) == 1


@SETTINGS
@given(starts, periods, st.integers(0, 400 * 24 * 60))
def test_pausing_for_zero_time_changes_nothing(start, period, offset_minutes):
    result = due_compute(start, period, calendar=CAL)
    unit = period.split()[1]
    schedule = _Schedule(
        unit, start.astimezone(UTC), result.due_at, result.last_day_on, result.provisional
    )
    at = min(start + timedelta(minutes=offset_minutes), result.due_at - timedelta(seconds=1))
    _step_pause(schedule, at, CAL)
    _step_resume(schedule, at, CAL)
    assert schedule.due_at == result.due_at
    assert due_on_of(schedule.due_at) == due_on_of(result.due_at)
    assert schedule.paused_seconds == 0


@SETTINGS
@given(
    st.dates(min_value=datetime(2004, 1, 1).date(), max_value=datetime(2095, 12, 31).date()),
    st.integers(1, 48),
)
def test_month_tables_agree_with_dateutil_relativedelta(day, months):
    assert CAL.add_months(day, months) == day + relativedelta(months=months)


@SETTINGS
@given(
    st.lists(st.tuples(starts, periods.filter(lambda p: "hours" not in p)), min_size=1, max_size=50)
)
def test_the_batch_path_agrees_with_due_compute(items):
    expected = [due_compute(start, period, calendar=CAL).due_on for start, period in items]
    assert due_days(items, calendar=CAL) == expected
    assert due_days([(s.date(), p) for s, p in items], calendar=CAL) == expected
